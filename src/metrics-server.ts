import { createServer, type Server } from 'node:http';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';
import { decideOperatorAccess } from './operator-access.js';
import type { Logger } from './logger.js';

export interface MetricsServerOptions {
  registry: Registry;
  host: string;
  /** 0 picks a free port (tests). */
  port: number;
  /** METRICS_TOKEN; unset: callers on this machine only. */
  token: string | undefined;
  log: Logger;
  /** More exposition text appended to the registry's (the Temporal SDK's metrics); a failing source is left out of that scrape. */
  extraSources?: Array<() => Promise<string>>;
}

export interface MetricsServer {
  port: number;
  close(): Promise<void>;
}

/**
 * `GET /metrics` for a process without an HTTP API (the worker): its registry lives in that process,
 * so it needs a port of its own (WORKER_METRICS_PORT). Same access rule as the api's `/metrics`.
 */
async function collect(registry: Registry, sources: Array<() => Promise<string>>, log: Logger): Promise<string> {
  const own = await registry.metrics();
  const extra = await Promise.all(
    sources.map((source) =>
      source().catch((err: unknown) => {
        log.warn({ errorName: err instanceof Error ? err.name : typeof err }, 'metrics source failed; left out of this scrape');
        return '';
      }),
    ),
  );
  return [own, ...extra].filter(Boolean).join('\n');
}

/** The Temporal SDK (Core) serves Prometheus text on a loopback port of its own: read it for each scrape. */
export function sdkMetricsSource(url: string): () => Promise<string> {
  return async () => {
    const res = await fetch(url, { signal: AbortSignal.timeout(5_000) });
    if (!res.ok) throw new Error(`SDK metrics answered ${res.status}`);
    return res.text();
  };
}

/** A port free on 127.0.0.1 a moment ago, for a listener that cannot take port 0 and report back (Core's). */
export function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createNetServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export async function startMetricsServer(options: MetricsServerOptions): Promise<MetricsServer> {
  const { registry, log } = options;
  const server: Server = createServer((req, res) => {
    const reply = (status: number, code: string, message: string, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify({ error: { code, message } }));
    };
    const path = (req.url ?? '/').split('?')[0];
    if (path !== '/metrics') return reply(404, 'not_found', 'No such route');
    if (req.method !== 'GET' && req.method !== 'HEAD') return reply(405, 'method_not_allowed', 'Only GET', { allow: 'GET, HEAD' });
    const access = decideOperatorAccess(req, { token: options.token, loopbackWithoutToken: true, tokenVariable: 'METRICS_TOKEN' });
    if (!access.ok) return reply(access.status, access.code, access.message, access.status === 401 ? { 'www-authenticate': 'Bearer' } : {});
    collect(registry, options.extraSources ?? [], log).then(
      (text) => res.writeHead(200, { 'content-type': registry.contentType, 'cache-control': 'no-store' }).end(req.method === 'HEAD' ? undefined : text),
      (err: unknown) => {
        log.warn({ errorName: err instanceof Error ? err.name : typeof err }, 'metrics collection failed');
        reply(500, 'internal', 'Internal error');
      },
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  log.info({ host: options.host, port }, 'metrics server listening');
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      }),
  };
}
