import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import proto from '@temporalio/proto';
import { loadConfig, type Config } from '../../src/config.js';
import { migrateUp } from '../../src/db/migrate.js';
import { createPool, type Pool } from '../../src/db/pool.js';
import { generateServiceSigningKey, loadServiceSigningKey } from '../../src/dsk/service-keys.js';
import { startLocalPostgres, type LocalPostgres } from '../../dev/infra/local-postgres.js';
import { DEFAULT_DYNAMIC_CONFIG, freePort, startLocalTemporal, type LocalTemporal } from '../../dev/infra/local-temporal.js';
import { findPostgresBinDir, findTemporalCli, projectRoot } from '../../dev/infra/tools.js';
import type { Logger } from '../../src/logger.js';
import { searchAttributeFlags } from '../../src/shared/search-attributes.js';
import { generateFernetKey } from '../../src/vault/fernet.js';
import { startDskFake, type DskFake } from '../../test/support/dsk-fake.js';
import { createDskIssuer, type DskIssuer } from '../../test/support/jwt.js';
import { httpStatus } from './client.js';
import { childrenOf, type CpuGroups } from './measure.js';
import { spawnNode, version, waitUntil, type Child } from './processes.js';

type Teardown = { add(step: () => Promise<void>): void };

/** The service's surroundings for a benchmark: everything but the api and worker processes. */
export interface BenchStack {
  temporalCli: string;
  pg: LocalPostgres;
  temporal: LocalTemporal;
  /** The service's environment (what `config` was parsed from), for its child processes. */
  env: Record<string, string>;
  config: Config;
  metaAppSecret: string;
  dskIssuer: DskIssuer;
  /** Verifies the service's JWTs and answers 200; lives in the benchmark's process. */
  dsk: DskFake;
  /** A small pool of the benchmark's own, for seeding and reading rows. */
  pool: Pool;
  apiPort: number;
}

/**
 * PostgreSQL in `tmp` with fsync off (`startLocalPostgres`) and a headless, in-memory Temporal dev
 * server (`startLocalTemporal`), started in parallel; migrations applied; the service's environment as
 * `loadConfig` takes it (`env` merged last); the DSK fake. Each part's stop is a teardown step.
 */
export async function startBenchStack(opts: {
  tmp: string;
  teardown: Teardown;
  log: Logger;
  logLevel: string;
  poolMax?: number | undefined;
  metaAppSecret?: string;
  env?: Record<string, string>;
}): Promise<BenchStack> {
  const { teardown, log } = opts;
  const temporalCli = findTemporalCli();
  const [pg, temporal] = await Promise.all([
    startLocalPostgres({ dataDir: path.join(opts.tmp, 'pg'), port: await freePort(), database: 'bench', fsync: false, log }).then((p) => {
      teardown.add(() => p.stop());
      return p;
    }),
    startLocalTemporal({ binary: temporalCli, port: await freePort(), headless: true, searchAttributes: searchAttributeFlags(), log }).then((t) => {
      teardown.add(() => t.stop());
      return t;
    }),
  ]);
  await migrateUp(pg.url, log);

  const dskIssuer = await createDskIssuer();
  const { privateJwk } = await generateServiceSigningKey('ES256', 'bench-service-1');
  const metaAppSecret = opts.metaAppSecret ?? randomBytes(16).toString('hex');
  const apiPort = await freePort();
  const env: Record<string, string> = {
    NODE_ENV: 'development',
    LOG_LEVEL: opts.logLevel,
    HTTP_HOST: '127.0.0.1',
    HTTP_PORT: String(apiPort),
    PUBLIC_BASE_URL: `http://127.0.0.1:${apiPort}`,
    DATABASE_URL: pg.url,
    ...(opts.poolMax === undefined ? {} : { DATABASE_POOL_MAX: String(opts.poolMax) }),
    TEMPORAL_ADDRESS: temporal.address,
    TEMPORAL_NAMESPACE: 'default',
    TEMPORAL_TASK_QUEUE: `bench-${randomUUID()}`,
    TOKEN_ENCRYPTION_KEYS: `bench1:${generateFernetKey()}`,
    DSK_JWT_ISSUER: 'https://dsk.example.test',
    DSK_JWT_AUDIENCE: 'meta-integration-service',
    DSK_JWT_ALGORITHMS: 'ES256',
    DSK_JWT_PUBLIC_KEY: dskIssuer.publicPem,
    SERVICE_JWT_PRIVATE_KEY: privateJwk,
    SERVICE_JWT_KEY_ID: 'bench-service-1',
    META_APP_SECRETS: metaAppSecret,
    META_VERIFY_TOKEN: 'verify-token-for-bench',
    DSK_DELIVERY_HORIZON: '1 hour',
    // The DSK fake listens on loopback; the bench's tokens live a day; the bench measures throughput, not quotas.
    DSK_EGRESS_ALLOW: '127.0.0.1/32',
    DSK_JWT_MAX_AGE_SECONDS: '86400',
    INSTANCE_REQUESTS_PER_MINUTE: '0',
    INSTANCE_OPEN_SENDS: '1000000',
    INSTANCE_OPEN_CONNECTIONS: '100000',
    // The outbound bench sends to customers who never wrote: it measures sends, not the window check.
    ENFORCE_CUSTOMER_WINDOW: 'false',
    ...opts.env,
  };
  const config = loadConfig(env);
  const signingKey = await loadServiceSigningKey({ privateJwk, keyId: config.serviceJwt.keyId, alg: config.serviceJwt.alg });
  const dsk = await startDskFake({ jwks: () => signingKey.publicJwks(), issuer: config.serviceJwt.issuer, audience: config.serviceJwt.audience });
  teardown.add(() => dsk.close());
  const pool = createPool({ url: pg.url, poolMax: 2, applicationName: 'bench' });
  teardown.add(() => pool.end());
  return { temporalCli, pg, temporal, env, config, metaAppSecret, dskIssuer, dsk, pool, apiPort };
}

/** The service as its real entry points, each a child process in a process group of its own. */
export interface ServiceProcesses {
  api: Child;
  /** The current worker (restartWorker replaces it). */
  readonly worker: Child;
  /** Resolves once the API answers /readyz with 200 and the worker polls both of its task queues. */
  ready(): Promise<void>;
  /** Stops the worker and starts a new one with `env` merged over the stack's; resolves once it polls. */
  restartWorker(env: Record<string, string>): Promise<void>;
  /** CPU groups of the api, the worker, the Temporal dev server and PostgreSQL (postmaster and backends). */
  cpuGroups(): CpuGroups;
  /** A client of the dev server's default namespace (no payload codec: for histories' shape, not their contents). */
  temporalClient: Client;
}

/**
 * `dist/src/main-worker.js` and `dist/src/main-api.js` (so the load generator does not share an event
 * loop with the API), logging to `tmp`; both are stopped at teardown before the servers they talk to.
 */
export async function spawnService(stack: BenchStack, tmp: string, teardown: Teardown): Promise<ServiceProcesses> {
  const workerArgs = [path.join(projectRoot(), 'dist', 'src', 'main-worker.js')];
  const workerLog = path.join(tmp, 'worker.log');
  let worker = spawnNode('worker', workerArgs, stack.env, workerLog);
  const api = spawnNode('api', [path.join(projectRoot(), 'dist', 'src', 'main-api.js')], stack.env, path.join(tmp, 'api.log'));
  // Teardown steps run in reverse: these stop before the servers they talk to.
  teardown.add(() => Promise.all([api.stop(), worker.stop()]).then(() => undefined));

  const temporalClient = new Client({ connection: await Connection.connect({ address: stack.temporal.address }), namespace: 'default' });
  teardown.add(() => temporalClient.connection.close());
  const { TaskQueueType } = proto.temporal.api.enums.v1;
  const workerPolls = async () => {
    const answers = await Promise.all(
      [TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW, TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY].map((taskQueueType) =>
        temporalClient.workflowService.describeTaskQueue({ namespace: 'default', taskQueue: { name: stack.config.temporal.taskQueue }, taskQueueType }),
      ),
    );
    return answers.every((a) => (a.pollers ?? []).some((p) => p.identity?.startsWith(`${worker.pid}@`)));
  };
  const postmasterPid = () => Number(readFileSync(path.join(stack.pg.dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);

  return {
    api,
    get worker() {
      return worker;
    },
    async ready() {
      await Promise.all([
        waitUntil('the API to be ready', api, 60_000, async () => (await httpStatus(stack.apiPort, '/readyz')) === 200),
        waitUntil('the worker to poll its task queue', worker, 90_000, workerPolls),
      ]);
    },
    async restartWorker(env) {
      await worker.stop();
      worker = spawnNode('worker', workerArgs, { ...stack.env, ...env }, workerLog);
      await waitUntil('the restarted worker to poll its task queue', worker, 90_000, workerPolls);
    },
    cpuGroups() {
      const postmaster = postmasterPid();
      return {
        api: () => [api.pid],
        worker: () => [worker.pid],
        'temporal dev server': () => [stack.temporal.pid],
        postgres: () => [postmaster, ...childrenOf(postmaster)],
      };
    },
    temporalClient,
  };
}

/** The machine / node / temporal / postgres / service lines every benchmark report starts with. */
export function stackFacts(stack: BenchStack): string[] {
  const cpus = os.cpus();
  return [
    `machine     ${cpus.length} cores (${cpus[0]?.model.trim() ?? '?'}), ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB RAM, ${os.platform()} ${os.release()}, load avg ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`,
    `node        ${process.version}`,
    `temporal    ${version(stack.temporalCli, ['--version'])}: start-dev, headless, in-memory SQLite (WAL, synchronous=OFF), namespace default; dynamic config ${Object.keys(DEFAULT_DYNAMIC_CONFIG).length} defaults of dev/infra/local-temporal.ts`,
    `postgres    ${version(path.join(findPostgresBinDir(), 'postgres'), ['--version'])}, temp cluster, fsync=off full_page_writes=off synchronous_commit=off`,
    `service     api and worker as child processes (node dist/src/main-{api,worker}.js), NODE_ENV=development, LOG_LEVEL=${stack.config.logLevel}, DATABASE_POOL_MAX=${stack.config.database.poolMax} per process`,
  ];
}
