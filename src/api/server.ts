import { readFile } from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import type Koa from 'koa';

/** How long a connect link and its session live. */
export const SESSION_TTL_MS = 30 * 60 * 1000;

export type ApiServer = http.Server | https.Server;

/** PEM files of the native TLS option (TLS_CERT_FILE / TLS_KEY_FILE). */
export interface TlsFiles {
  certFile: string;
  keyFile: string;
}

async function readTls(files: TlsFiles): Promise<{ cert: Buffer; key: Buffer }> {
  const [cert, key] = await Promise.all([readFile(files.certFile), readFile(files.keyFile)]);
  return { cert, key };
}

/**
 * The api's HTTP server: plain HTTP when TLS is terminated in front, else HTTPS with the given files
 * (TLS 1.2 at least). Not listening yet.
 */
export async function createApiServer(app: Koa, tls: TlsFiles | undefined): Promise<ApiServer> {
  const server = tls ? https.createServer({ ...(await readTls(tls)), minVersion: 'TLSv1.2' }, app.callback()) : http.createServer(app.callback());
  return applyServerTimeouts(server);
}

/**
 * Node's defaults let a client hold a socket for 5 minutes per request (requestTimeout 300 s) and
 * trickle headers for a minute: a few hundred slow clients would exhaust the api. Headers must
 * arrive within 15 s and a whole request within 2 minutes (a media upload to Meta is the longest);
 * an idle keep-alive connection is closed after 10 s. The webhook route cuts a slow body sooner.
 */
export const SERVER_TIMEOUTS = { headersTimeoutMs: 15_000, requestTimeoutMs: 120_000, keepAliveTimeoutMs: 10_000 } as const;

export function applyServerTimeouts<S extends ApiServer>(server: S): S {
  server.headersTimeout = SERVER_TIMEOUTS.headersTimeoutMs;
  server.requestTimeout = SERVER_TIMEOUTS.requestTimeoutMs;
  server.keepAliveTimeout = SERVER_TIMEOUTS.keepAliveTimeoutMs;
  return server;
}

/** Swaps in renewed certificate files without dropping connections (main-api calls it on SIGHUP). */
export async function reloadTls(server: https.Server, tls: TlsFiles): Promise<void> {
  server.setSecureContext({ ...(await readTls(tls)), minVersion: 'TLSv1.2' });
}

/** Stops accepting connections and waits for in-flight requests (bounded). */
export function closeServer(server: ApiServer, timeoutMs = 10_000): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      server.closeAllConnections();
      resolve();
    }, timeoutMs);
    timer.unref();
    server.close(() => {
      clearTimeout(timer);
      resolve();
    });
    server.closeIdleConnections();
  });
}
