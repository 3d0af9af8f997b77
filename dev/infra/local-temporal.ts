import { spawn } from 'node:child_process';
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { Connection } from '@temporalio/client';
import type { Logger } from '../../src/logger.js';

/**
 * A Temporal dev server (`temporal server start-dev`: frontend, history, matching, SQLite, optional
 * Web UI in one process) on 127.0.0.1, for development and integration tests.
 */

export interface LocalTemporalOptions {
  /** Temporal CLI binary (see `findTemporalCli`). */
  binary: string;
  /** Frontend gRPC port. */
  port: number;
  /** Web UI port; the CLI's default is `port + 1000`. Ignored when headless. */
  uiPort?: number;
  headless?: boolean;
  /** SQLite file for persistence; without it everything lives in memory and is gone on stop. */
  dbFilename?: string;
  /** Extra namespace created at start (`default` always exists); readiness is checked on it. */
  namespace?: string;
  /** `Name=Type` pairs, e.g. from `searchAttributeFlags()`. */
  searchAttributes: string[];
  /** Codec server the Web UI calls from the operator's browser to decode payloads. */
  codecEndpoint?: string;
  /** Extra dynamic config; values are JSON-encoded. Overrides the defaults below on the same key. */
  dynamicConfig?: Record<string, unknown>;
  log: Logger;
  /** Also append the server's output to this file. */
  logFile?: string;
  /** Server log level; start-dev's default is `warn`. */
  logLevel?: 'debug' | 'info' | 'warn' | 'error';
  /** How long to wait for the frontend (and UI) to answer; default 30 s. */
  startTimeoutMs?: number;
}

export interface LocalTemporal {
  /** `host:port` of the gRPC frontend. */
  address: string;
  uiUrl?: string;
  /** The CLI's pid, for diagnostics. */
  pid: number;
  /** SIGTERM, then SIGKILL after a grace period. Idempotent. */
  stop(): Promise<void>;
}

/**
 * What the service relies on: workflow update (the channel workflows' request/response API),
 * update-with-start (ExecuteMultiOperation), and IDs up to 1000 characters (Temporal's default, stated
 * so no deployment lowers it): `outbound-<instance>-<client_message_id>` alone can reach 266.
 */
export const DEFAULT_DYNAMIC_CONFIG: Readonly<Record<string, unknown>> = Object.freeze({
  'frontend.enableUpdateWorkflowExecution': true,
  'frontend.enableUpdateWorkflowExecutionAsyncAccepted': true,
  'frontend.enableExecuteMultiOperation': true,
  'limit.maxIDLength': 1000,
});

const HOST = '127.0.0.1';
const KEPT_LINES = 60;
const STOP_GRACE_MS = 10_000;

/** A TCP port that was free a moment ago on 127.0.0.1 (the OS picks it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, HOST, () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** The `start-dev` argument list; exported so tests can assert on it without spawning. */
export function startDevArgs(opts: LocalTemporalOptions): string[] {
  const args = ['server', 'start-dev', '--ip', HOST, '--port', String(opts.port), '--log-level', opts.logLevel ?? 'warn'];
  if (opts.headless) args.push('--headless');
  else if (opts.uiPort !== undefined) args.push('--ui-port', String(opts.uiPort));
  if (opts.dbFilename) args.push('--db-filename', opts.dbFilename);
  args.push('--sqlite-pragma', 'journal_mode=WAL', '--sqlite-pragma', 'synchronous=OFF');
  if (opts.namespace && opts.namespace !== 'default') args.push('--namespace', opts.namespace);
  for (const sa of opts.searchAttributes) args.push('--search-attribute', sa);
  if (opts.codecEndpoint && !opts.headless) args.push('--ui-codec-endpoint', opts.codecEndpoint);
  const dynamicConfig = { ...DEFAULT_DYNAMIC_CONFIG, ...opts.dynamicConfig };
  for (const [key, value] of Object.entries(dynamicConfig)) args.push('--dynamic-config-value', `${key}=${JSON.stringify(value)}`);
  return args;
}

/** Spawns the dev server and resolves once its frontend (and UI, unless headless) answer. */
export async function startLocalTemporal(opts: LocalTemporalOptions): Promise<LocalTemporal> {
  const { log } = opts;
  const address = `${HOST}:${opts.port}`;
  const uiUrl = opts.headless ? undefined : `http://${HOST}:${opts.uiPort ?? opts.port + 1000}`;
  const namespace = opts.namespace ?? 'default';
  const args = startDevArgs(opts);

  if (opts.dbFilename) mkdirSync(path.dirname(path.resolve(opts.dbFilename)), { recursive: true });
  let logStream: WriteStream | undefined;
  if (opts.logFile) {
    mkdirSync(path.dirname(path.resolve(opts.logFile)), { recursive: true });
    logStream = createWriteStream(opts.logFile, { flags: 'a' });
  }

  const child = spawn(opts.binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const lastLines: string[] = [];
  const onLine = (line: string) => {
    lastLines.push(line);
    if (lastLines.length > KEPT_LINES) lastLines.shift();
    logStream?.write(`${line}\n`);
    log.debug({ temporal: line }, 'temporal dev server output');
  };
  const stdoutDone = new Promise<void>((resolve) => createInterface({ input: child.stdout! }).on('line', onLine).on('close', resolve));
  const stderrDone = new Promise<void>((resolve) => createInterface({ input: child.stderr! }).on('line', onLine).on('close', resolve));

  let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  let spawnError: Error | undefined;
  const exited = new Promise<void>((resolve) => {
    child.on('error', (err) => {
      spawnError = err;
      exit ??= { code: null, signal: null };
      resolve();
    });
    child.on('exit', (code, signal) => {
      exit = { code, signal };
      resolve();
    });
  });
  // Last resort if our process dies without calling stop(): never leave a server holding the port.
  const killOnExit = () => child.kill('SIGKILL');
  process.on('exit', killOnExit);

  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    process.off('exit', killOnExit);
    if (!exit) {
      child.kill('SIGTERM');
      const graceful = await Promise.race([exited.then(() => true), sleep(STOP_GRACE_MS, undefined, { ref: false }).then(() => false)]);
      if (!graceful) {
        log.warn({ pid: child.pid }, 'temporal dev server ignored SIGTERM; killing it');
        child.kill('SIGKILL');
        await exited;
      }
    }
    await Promise.all([stdoutDone, stderrDone]);
    await new Promise<void>((resolve) => (logStream ? logStream.end(resolve) : resolve()));
    log.info({ address }, 'stopped temporal dev server');
  };

  const failure = async (reason: string) => {
    await stop().catch(() => undefined);
    const output = lastLines.length ? lastLines.join('\n') : '(no output)';
    return new Error(`temporal dev server did not start: ${reason}\ncommand: ${opts.binary} ${args.join(' ')}\n--- last output ---\n${output}`);
  };

  const deadline = Date.now() + (opts.startTimeoutMs ?? 30_000);
  let lastError = 'timed out';
  const missingAttributes = opts.searchAttributes.map((sa) => sa.split('=')[0]!);
  for (;;) {
    if (exit) {
      throw await failure(spawnError ? `spawn failed: ${spawnError.message}` : `exited early (code ${exit.code}, signal ${exit.signal})`);
    }
    if (Date.now() > deadline) throw await failure(`not ready after ${opts.startTimeoutMs ?? 30_000} ms (last error: ${lastError})`);
    try {
      await probeFrontend(address, namespace, missingAttributes);
      if (uiUrl) await probeUi(uiUrl);
      break;
    } catch (err) {
      lastError = err instanceof Error ? err.message : String(err);
      await sleep(150);
    }
  }

  log.info({ address, uiUrl, pid: child.pid, persistent: !!opts.dbFilename }, 'temporal dev server ready');
  return { address, uiUrl, pid: child.pid!, stop };
}

/**
 * Ready = the frontend answers GetSystemInfo and our search attributes are registered (start-dev adds
 * them right after the frontend opens, so a test starting at once could otherwise miss them).
 */
async function probeFrontend(address: string, namespace: string, searchAttributes: string[]): Promise<void> {
  const connection = await Connection.connect({ address, connectTimeout: 1_000 });
  try {
    await connection.workflowService.getSystemInfo({});
    if (searchAttributes.length) {
      const { customAttributes } = await connection.operatorService.listSearchAttributes({ namespace });
      const missing = searchAttributes.filter((name) => !customAttributes?.[name]);
      if (missing.length) throw new Error(`search attributes not registered yet: ${missing.join(', ')}`);
    }
  } finally {
    await connection.close();
  }
}

async function probeUi(uiUrl: string): Promise<void> {
  const res = await fetch(uiUrl, { signal: AbortSignal.timeout(2_000), redirect: 'manual' });
  await res.body?.cancel();
  if (res.status >= 500) throw new Error(`web UI answered ${res.status}`);
}
