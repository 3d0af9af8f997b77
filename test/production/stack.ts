import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import net from 'node:net';
import tls from 'node:tls';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { startLocalPostgres, type LocalPostgres } from '../../dev/infra/local-postgres.js';
import { freePort } from '../../dev/infra/local-temporal.js';
import { findPostgresBinDir, projectRoot } from '../../dev/infra/tools.js';
import type { Logger } from '../../src/logger.js';
import { run, start, waitFor, type Proc } from './processes.js';
import { temporalServerEnv, TEMPORAL_SERVER_DIR, TEMPORAL_TLS_SERVER_NAME, type TemporalEnvInputs } from './topology.js';

const root = projectRoot();

/** PostgreSQL as production has it: fsync on, roles and databases by deploy/postgres/init-roles.sql. */
export interface ProductionPostgres {
  pg: LocalPostgres;
  port: number;
  temporalPassword: string;
  appPassword: string;
  appUrl: string;
  /** `pg_ctl stop -m fast` then start on the same port and data: every connection is cut. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

export async function startProductionPostgres(dir: string, log: Logger): Promise<ProductionPostgres> {
  const port = await freePort();
  const dataDir = path.join(dir, 'pg', 'data');
  let pg = await startLocalPostgres({ dataDir, port, database: 'postgres', fsync: true, log });
  const temporalPassword = randomBytes(18).toString('base64url');
  const appPassword = randomBytes(18).toString('base64url');
  const admin = new URL(pg.adminUrl);
  await run(
    'postgres-init',
    path.join(findPostgresBinDir(), 'psql'),
    ['-v', 'ON_ERROR_STOP=1', '-v', `temporal_pw=${temporalPassword}`, '-v', `app_pw=${appPassword}`, '-f', path.join(root, 'deploy/postgres/init-roles.sql')],
    { PGHOST: '127.0.0.1', PGPORT: String(port), PGUSER: admin.username, PGPASSWORD: decodeURIComponent(admin.password), PGDATABASE: 'postgres' },
    path.join(dir, 'postgres-init.log'),
  );
  return {
    get pg() {
      return pg;
    },
    port,
    temporalPassword,
    appPassword,
    appUrl: `postgres://meta:${appPassword}@127.0.0.1:${port}/meta_integration`,
    async restart() {
      await pg.stop();
      pg = await startLocalPostgres({ dataDir, port, database: 'postgres', fsync: true, log });
    },
    stop: () => pg.stop(),
  };
}

/** Temporal's schemas by deploy/temporal/setup-schema.sh with the sql tool of the same release. */
export async function setupTemporalSchema(dir: string, pg: ProductionPostgres): Promise<void> {
  await run(
    'temporal-schema',
    'sh',
    [path.join(root, 'deploy/temporal/setup-schema.sh')],
    {
      SQL_HOST: '127.0.0.1',
      SQL_PORT: String(pg.port),
      SQL_USER: 'temporal',
      SQL_PASSWORD: pg.temporalPassword,
      SCHEMA_DIR: path.join(TEMPORAL_SERVER_DIR, 'schema'),
      SQL_TOOL: path.join(TEMPORAL_SERVER_DIR, 'bin', 'temporal-sql-tool'),
    },
    path.join(dir, 'temporal-schema.log'),
    300_000,
  );
}

export interface ProductionTemporal {
  address: string;
  proc(): Proc;
  /** SIGTERM (graceful, as an orchestrator stops it), then a new process on the same ports. */
  restart(): Promise<void>;
  stop(): Promise<void>;
  /** An mTLS connection as the service makes it (for assertions and readiness). */
  connect(): Promise<Connection>;
}

export async function startProductionTemporal(dir: string, pg: ProductionPostgres, certDir: string): Promise<ProductionTemporal> {
  const ports = {
    grpc: await freePort(),
    http: await freePort(),
    // Temporal stores membership ports as smallint: they must be below 32768.
    membership: [await lowFreePort(), await lowFreePort(), await lowFreePort(), await lowFreePort()] as TemporalEnvInputs['ports']['membership'],
    history: await freePort(),
    matching: await freePort(),
    worker: await freePort(),
  };
  const env = temporalServerEnv({ pgPort: pg.port, temporalDbPassword: pg.temporalPassword, certDir, ports });
  const address = `127.0.0.1:${ports.grpc}`;
  const logFile = path.join(dir, 'temporal-server.log');
  const connect = () =>
    Connection.connect({
      address,
      connectTimeout: '3s',
      tls: {
        serverNameOverride: TEMPORAL_TLS_SERVER_NAME,
        serverRootCACertificate: readFileSync(path.join(certDir, 'ca.pem')),
        clientCertPair: { crt: readFileSync(path.join(certDir, 'client.pem')), key: readFileSync(path.join(certDir, 'client.key')) },
      },
    });
  const launch = async () => {
    const p = start('temporal-server', path.join(TEMPORAL_SERVER_DIR, 'bin', 'temporal-server'), ['start'], env, logFile);
    // A TLS handshake first (cheap, leaves nothing behind), then one gRPC connection until the
    // system namespace answers, i.e. history shards are owned and the frontend serves.
    await waitFor('the Temporal frontend to accept mTLS', () => tlsHandshake(ports.grpc, certDir), 180_000, p, 500);
    const c = await connect();
    try {
      await waitFor('the Temporal frontend to serve', async () => !!(await c.workflowService.describeNamespace({ namespace: 'temporal-system' })), 120_000, p, 500);
    } finally {
      await c.close();
    }
    return p;
  };
  let proc = await launch();
  return {
    address,
    proc: () => proc,
    async restart() {
      await proc.stop(30_000);
      proc = await launch();
    },
    stop: () => proc.stop(30_000),
    connect,
  };
}

/**
 * The load balancer in front of the api replicas: TCP round robin (TLS passes through to the api's
 * own listener), skipping a replica that refuses the connection.
 */
export async function startBalancer(backends: () => number[]): Promise<{ port: number; close(): Promise<void> }> {
  let next = 0;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    const ports = backends();
    const tryConnect = (attempt: number) => {
      const port = ports[(next++ + attempt) % ports.length]!;
      const upstream = net.connect(port, '127.0.0.1');
      upstream.once('connect', () => {
        sockets.add(upstream);
        upstream.on('close', () => sockets.delete(upstream));
        client.pipe(upstream).pipe(client);
        upstream.on('error', () => client.destroy());
        client.on('error', () => upstream.destroy());
      });
      upstream.once('error', () => (attempt + 1 < ports.length ? tryConnect(attempt + 1) : client.destroy()));
    };
    tryConnect(0);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

function tlsHandshake(port: number, certDir: string): Promise<boolean> {
  const file = (name: string) => readFileSync(path.join(certDir, name));
  return new Promise((resolve) => {
    const socket = tls.connect({ host: '127.0.0.1', port, servername: TEMPORAL_TLS_SERVER_NAME, ca: file('ca.pem'), cert: file('client.pem'), key: file('client.key'), ALPNProtocols: ['h2'] });
    socket.setTimeout(2_000, () => socket.destroy());
    socket.once('secureConnect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
    socket.once('close', () => resolve(false));
  });
}

/** A free port in 20000-32767 (the OS's ephemeral range starts above it). */
async function lowFreePort(): Promise<number> {
  for (;;) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    const free = await new Promise<boolean>((resolve) => {
      const server = net.createServer();
      server.once('error', () => resolve(false));
      server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
    });
    if (free) return port;
  }
}

export function ensureDir(dir: string): string {
  mkdirSync(dir, { recursive: true });
  return dir;
}
