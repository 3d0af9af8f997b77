/**
 * `npm run bench:inbound -- [--rate 200] [--seconds 20] [--batch 1] [--max-seconds 10] [--drain-seconds 30]
 *                           [--max-in-flight 64] [--log-level info] [--pool-max 10] [--keep-logs]`
 *
 * Throughput and latency of the inbound path (Meta POST → 200, and → DSK), on a throwaway stack this
 * script starts and tears down itself:
 *
 *   - PostgreSQL: a cluster in a temp dir with fsync off (`startLocalPostgres`), migrations applied;
 *   - Temporal: a headless, in-memory dev server (`startLocalTemporal`: SQLite, WAL, synchronous=OFF);
 *   - the service as its real entry points, each a child process: `dist/src/main-api.js` and
 *     `dist/src/main-worker.js` (so the load generator does not share an event loop with the API);
 *   - a DSK fake (test/support/dsk-fake.ts) in this process, one WhatsApp channel routed to it;
 *   - a bare Koa server (this file, `--bare-server`, also a child process) that only verifies
 *     `X-Hub-Signature-256` (src/meta/signature.ts) and answers 200: the yardstick for the ack path.
 *
 * Phases: warm-up of both servers; the bare server at max rate for --max-seconds; the service at the
 * offered rate for --seconds (open loop: sends are scheduled on a timer, never wait for answers, and
 * are capped at --max-in-flight), then a drain until every acknowledged event reached DSK or
 * --drain-seconds passed; the service at max rate for --max-seconds. "Max rate" is the same client
 * keeping --max-in-flight requests outstanding. All times come from `process.hrtime.bigint()`
 * (CLOCK_MONOTONIC, shared by the processes on this machine).
 */
import { execFileSync } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import Koa from 'koa';
import { Client, Connection } from '@temporalio/client';
import proto from '@temporalio/proto';
import { rawBody } from '../src/api/middleware/raw-body.js';
import { loadConfig } from '../src/config.js';
import { createInstances } from '../src/db/instances.js';
import { migrateUp } from '../src/db/migrate.js';
import { createPool } from '../src/db/pool.js';
import { generateServiceSigningKey, loadServiceSigningKey } from '../src/dsk/service-keys.js';
import { startLocalPostgres, type LocalPostgres } from '../src/infra/local-postgres.js';
import { DEFAULT_DYNAMIC_CONFIG, freePort, startLocalTemporal, type LocalTemporal } from '../src/infra/local-temporal.js';
import { findPostgresBinDir, findTemporalCli, projectRoot } from '../src/infra/tools.js';
import { createLogger } from '../src/logger.js';
import { verifyMetaSignature } from '../src/meta/signature.js';
import { searchAttributeFlags } from '../src/shared/search-attributes.js';
import { generateFernetKey } from '../src/vault/fernet.js';
import { startDskFake, type DskFake } from '../test/support/dsk-fake.js';
import { createDskIssuer } from '../test/support/jwt.js';
import { metaBody, signMeta, waContact, waEnvelope, waMessagesChange, waTextMessage } from '../test/support/meta-webhook-sender.js';
import { children, scratchDir, spawnNode, teardownOnExit, version, waitUntil } from './support/processes.js';

const TARGETS = { ratio: 1 / 3, ackP99Ms: 50, e2eP99Ms: 250, e2eAtRate: 200 } as const;
const WEBHOOK_PATH = '/webhooks/meta';
const USAGE =
  'npm run bench:inbound -- [--rate 200] [--seconds 20] [--batch 1] [--max-seconds 10] [--drain-seconds 30] [--max-in-flight 64] [--log-level info] [--pool-max 10] [--keep-logs]';
const MAX_BODY_BYTES = 8 * 1024 * 1024;

// ---------------------------------------------------------------------------------------------
// Command line

interface Options {
  rate: number;
  seconds: number;
  batch: number;
  maxSeconds: number;
  drainSeconds: number;
  maxInFlight: number;
  logLevel: string;
  poolMax: number | undefined;
  /** Copy the api/worker/bare-server logs out of the temp dir before it is removed. */
  keepLogs: boolean;
}

function parseOptions(argv: string[]): Options & { bareServer?: { port: number } } {
  const { values } = parseArgs({
    args: argv,
    options: {
      rate: { type: 'string', default: '200' },
      seconds: { type: 'string', default: '20' },
      batch: { type: 'string', default: '1' },
      'max-seconds': { type: 'string', default: '10' },
      'drain-seconds': { type: 'string', default: '30' },
      'max-in-flight': { type: 'string', default: '64' },
      'log-level': { type: 'string', default: 'info' },
      'pool-max': { type: 'string' },
      'keep-logs': { type: 'boolean', default: false },
      'bare-server': { type: 'boolean', default: false },
      port: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    process.exit(0);
  }
  const num = (name: string, value: string | undefined, min: number, integer = false): number => {
    const n = Number(value);
    if (!Number.isFinite(n) || n < min || (integer && !Number.isInteger(n))) throw new Error(`--${name} must be ${integer ? 'an integer' : 'a number'} >= ${min}`);
    return n;
  };
  return {
    rate: num('rate', values.rate, 0.1),
    seconds: num('seconds', values.seconds, 1),
    batch: num('batch', values.batch, 1, true),
    maxSeconds: num('max-seconds', values['max-seconds'], 1),
    drainSeconds: num('drain-seconds', values['drain-seconds'], 1),
    maxInFlight: num('max-in-flight', values['max-in-flight'], 1, true),
    logLevel: values['log-level']!,
    poolMax: values['pool-max'] === undefined ? undefined : num('pool-max', values['pool-max'], 1, true),
    keepLogs: values['keep-logs']!,
    ...(values['bare-server'] ? { bareServer: { port: num('port', values.port, 1, true) } } : {}),
  };
}

// ---------------------------------------------------------------------------------------------
// The yardstick: Koa + raw body + signature check + 200, nothing else

function serveBare(port: number): void {
  const secret = process.env.BENCH_META_APP_SECRET;
  if (!secret) throw new Error('BENCH_META_APP_SECRET is not set');
  const app = new Koa();
  app.silent = true;
  app.use(rawBody({ limit: MAX_BODY_BYTES }));
  app.use((ctx) => {
    const check = verifyMetaSignature(ctx.state.rawBody as Buffer, ctx.get('x-hub-signature-256') || undefined, [secret]);
    ctx.status = check.ok ? 200 : 401;
    ctx.type = 'text/plain';
    ctx.body = check.ok ? 'EVENT_RECEIVED' : 'invalid signature';
  });
  const server = app.listen(port, '127.0.0.1');
  process.once('SIGTERM', () => server.close(() => process.exit(0)));
}

// ---------------------------------------------------------------------------------------------
// Signed webhooks with unique message ids, cheap enough not to limit the client

interface Shot {
  body: Buffer;
  signature: string;
  keys: string[];
}

/**
 * Renders the payload once with placeholders and splices fresh ids in per POST: the bytes are what
 * `metaBody` would produce (ids are plain ASCII, so Meta's escaping leaves them alone).
 */
function shotFactory(secret: string, phoneNumberId: string, batch: number): () => Shot {
  const marks = Array.from({ length: batch }, (_, i) => `@@ID${i}@@`);
  const payload = waEnvelope({ time: 1749416383 }, [
    waMessagesChange({ phoneNumberId, contacts: [waContact()], messages: marks.map((wamid) => waTextMessage({ wamid, text: 'Does it come in blue?' })) }),
  ]);
  const parts = metaBody(payload).toString('utf8').split(/@@ID\d+@@/);
  const run = randomBytes(4).toString('hex');
  let seq = 0;
  return () => {
    const wamids = marks.map(() => `wamid.HBgL${run}${(seq++).toString(36).padStart(6, '0')}`);
    let text = parts[0]!;
    wamids.forEach((id, i) => (text += id + parts[i + 1]!));
    const body = Buffer.from(text, 'utf8');
    return { body, signature: signMeta(body, secret), keys: wamids.map((w) => `wa:msg:${w}`) };
  };
}

// ---------------------------------------------------------------------------------------------
// The client: open loop at a rate, or max rate at a fixed number of requests outstanding

interface Post {
  keys: string[];
  scheduledAt: bigint;
  sentAt: bigint;
  doneAt?: bigint;
  status?: number;
  error?: string;
}

interface RunResult {
  posts: Post[];
  startedAt: bigint;
  windowEnd: bigint;
  /** POSTs that fell due while --max-in-flight requests were outstanding, so went out late. */
  heldByCap: number;
}

type RunMode = { kind: 'rate'; postsPerSecond: number } | { kind: 'max' };

function drive(port: number, mode: RunMode, seconds: number, maxInFlight: number, next: () => Shot): Promise<RunResult> {
  return new Promise((resolve) => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: maxInFlight });
    const posts: Post[] = [];
    const startedAt = process.hrtime.bigint();
    const windowEnd = startedAt + BigInt(Math.round(seconds * 1e9));
    const total = mode.kind === 'rate' ? Math.max(1, Math.round(mode.postsPerSecond * seconds)) : Infinity;
    const intervalNs = mode.kind === 'rate' ? 1e9 / mode.postsPerSecond : 0;
    let inFlight = 0;
    let scheduled = 0;
    let heldByCap = 0;
    let timer: NodeJS.Timeout | undefined;
    let finished = false;

    const finish = () => {
      if (finished || inFlight > 0) return;
      const done = mode.kind === 'rate' ? scheduled >= total : process.hrtime.bigint() >= windowEnd;
      if (!done) return;
      finished = true;
      agent.destroy();
      resolve({ posts, startedAt, windowEnd, heldByCap });
    };
    const send = (scheduledAt: bigint) => {
      const shot = next();
      const post: Post = { keys: shot.keys, scheduledAt, sentAt: process.hrtime.bigint() };
      posts.push(post);
      inFlight += 1;
      const settle = (status: number | undefined, error?: string) => {
        if (post.doneAt !== undefined) return;
        post.doneAt = process.hrtime.bigint();
        post.status = status;
        if (error) post.error = error;
        inFlight -= 1;
        pump(true);
        finish();
      };
      const req = http.request(
        {
          host: '127.0.0.1',
          port,
          method: 'POST',
          path: WEBHOOK_PATH,
          agent,
          headers: { 'content-type': 'application/json', 'content-length': shot.body.length, 'x-hub-signature-256': shot.signature },
        },
        (res) => {
          res.resume();
          res.on('end', () => settle(res.statusCode));
          res.on('error', (err) => settle(undefined, err.message));
        },
      );
      req.setTimeout(30_000, () => req.destroy(new Error('client timeout (30 s)')));
      req.on('error', (err: NodeJS.ErrnoException) => settle(undefined, err.code ?? err.message));
      req.end(shot.body);
    };
    const pump = (byCompletion = false) => {
      if (finished) return;
      const now = process.hrtime.bigint();
      if (mode.kind === 'max') {
        while (inFlight < maxInFlight && process.hrtime.bigint() < windowEnd) send(process.hrtime.bigint());
        return;
      }
      const due = Math.min(total, Math.floor(Number(now - startedAt) / intervalNs) + 1);
      while (scheduled < due && inFlight < maxInFlight) {
        const scheduledAt = startedAt + BigInt(Math.round(scheduled * intervalNs));
        scheduled += 1;
        // On schedule, the timer sends; a send left to a completion was held back by the cap.
        if (byCompletion) heldByCap += 1;
        send(scheduledAt);
      }
      if (scheduled < due) return; // held by the cap: the next completion pumps again
      if (scheduled < total && !timer) {
        const nextAt = startedAt + BigInt(Math.round(scheduled * intervalNs));
        timer = setTimeout(() => {
          timer = undefined;
          pump();
        }, Math.max(0, Number(nextAt - process.hrtime.bigint()) / 1e6));
      }
    };
    pump();
    if (mode.kind === 'max') setTimeout(finish, seconds * 1000 + 1).unref();
  });
}

// ---------------------------------------------------------------------------------------------
// Statistics

const ms = (ns: bigint | number) => Number(ns) / 1e6;

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

function sortedMs(values: number[]): Float64Array {
  return Float64Array.from(values).sort();
}

const f1 = (n: number) => (Number.isFinite(n) ? n.toFixed(1) : 'n/a');
const f0 = (n: number) => (Number.isFinite(n) ? n.toFixed(0) : 'n/a');

interface AckStats {
  posts: number;
  ok: number;
  failed: number;
  failures: Record<string, number>;
  ackedEvents: number;
  /**
   * Acknowledged events per second from the first send to the last ack. Max runs count the requests
   * still outstanding at the end of the window too: with acks slower than the window is long, cutting
   * them off would understate the rate.
   */
  ackedPerSecond: number;
  p50: number;
  p99: number;
  max: number;
  /** From the moment the POST was due: includes time held by the in-flight cap, as the sender would see it. */
  scheduledP50: number;
  scheduledP99: number;
  lagP99: number;
  lagMax: number;
}

function ackStats(r: RunResult): AckStats {
  const failures: Record<string, number> = {};
  let ackedEvents = 0;
  let lastAck = r.startedAt;
  const latencies: number[] = [];
  const fromSchedule: number[] = [];
  const lags: number[] = [];
  for (const p of r.posts) {
    lags.push(ms(p.sentAt - p.scheduledAt));
    if (p.status === 200 && p.doneAt !== undefined) {
      latencies.push(ms(p.doneAt - p.sentAt));
      fromSchedule.push(ms(p.doneAt - p.scheduledAt));
      ackedEvents += p.keys.length;
      if (p.doneAt > lastAck) lastAck = p.doneAt;
    } else {
      const why = p.error ?? `HTTP ${p.status}`;
      failures[why] = (failures[why] ?? 0) + 1;
    }
  }
  const sorted = sortedMs(latencies);
  const sortedLags = sortedMs(lags);
  const sortedFromSchedule = sortedMs(fromSchedule);
  const seconds = ms(lastAck - r.startedAt) / 1000;
  return {
    posts: r.posts.length,
    ok: latencies.length,
    failed: r.posts.length - latencies.length,
    failures,
    ackedEvents,
    ackedPerSecond: ackedEvents / seconds,
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    max: sorted.length ? sorted[sorted.length - 1]! : Number.NaN,
    scheduledP50: percentile(sortedFromSchedule, 50),
    scheduledP99: percentile(sortedFromSchedule, 99),
    lagP99: percentile(sortedLags, 99),
    lagMax: sortedLags.length ? sortedLags[sortedLags.length - 1]! : Number.NaN,
  };
}

interface DeliveryStats {
  acked: number;
  delivered: number;
  lost: number;
  duplicates: number;
  refused: number;
  deliveredPerSecond: number;
  e2eP50: number;
  e2eP99: number;
  e2eMax: number;
  drainMs: number;
}

function deliveryStats(r: RunResult, dsk: DskFake, drainMs: number): DeliveryStats {
  const acceptedAt = new Map(dsk.accepted.map((d) => [d.idempotencyKey, d.hrAt]));
  const attemptsByKey = new Map<string, number>();
  let refused = 0;
  for (const a of dsk.attempts) {
    attemptsByKey.set(a.idempotencyKey, (attemptsByKey.get(a.idempotencyKey) ?? 0) + 1);
    if (a.answeredWith < 200 || a.answeredWith >= 300) refused += 1;
  }
  const e2e: number[] = [];
  let acked = 0;
  let lost = 0;
  let duplicates = 0;
  let lastDelivery = r.startedAt;
  for (const p of r.posts) {
    if (p.status !== 200) continue;
    for (const key of p.keys) {
      acked += 1;
      const at = acceptedAt.get(key);
      if (at === undefined) {
        lost += 1;
        continue;
      }
      e2e.push(ms(at - p.sentAt));
      if (at > lastDelivery) lastDelivery = at;
      duplicates += dsk.replays(key);
    }
  }
  const sorted = sortedMs(e2e);
  return {
    acked,
    delivered: e2e.length,
    lost,
    duplicates,
    refused,
    deliveredPerSecond: e2e.length / (ms(lastDelivery - r.startedAt) / 1000),
    e2eP50: percentile(sorted, 50),
    e2eP99: percentile(sorted, 99),
    e2eMax: sorted.length ? sorted[sorted.length - 1]! : Number.NaN,
    drainMs,
  };
}

// ---------------------------------------------------------------------------------------------
// Where the CPU goes: per process group, from /proc (Linux)

const CLK_TCK = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

function procStat(pid: number): { ppid: number; ticks: number } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // After the command: state(0) ppid(1) … utime(11) stime(12) cutime(13) cstime(14); the last two
    // hold children already reaped, e.g. PostgreSQL backends of connections a pool closed.
    return { ppid: Number(fields[1]), ticks: Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14]) };
  } catch {
    return undefined;
  }
}

function childrenOf(parent: number): number[] {
  if (!existsSync('/proc')) return [];
  return readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .map(Number)
    .filter((pid) => procStat(pid)?.ppid === parent);
}

type CpuGroups = Record<string, () => number[]>;

function cpuSnapshot(groups: CpuGroups): Record<string, number> {
  const self = process.cpuUsage();
  const out: Record<string, number> = { 'bench (client + DSK fake)': self.user + self.system };
  for (const [name, pids] of Object.entries(groups)) {
    out[name] = pids().reduce((sum, pid) => sum + (procStat(pid)?.ticks ?? 0), 0) * (1e6 / CLK_TCK);
  }
  return out;
}

function cpuLine(before: Record<string, number>, after: Record<string, number>, wallNs: bigint): string {
  const seconds = ms(wallNs) * 1000; // µs
  return Object.keys(after)
    .map((name) => `${name} ${f0((100 * ((after[name] ?? 0) - (before[name] ?? 0))) / seconds)}%`)
    .join(', ');
}

// ---------------------------------------------------------------------------------------------
// Child processes, each in a process group of its own

function httpStatus(port: number, pathname: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path: pathname, agent: false }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.setTimeout(2_000, () => req.destroy(new Error('timeout')));
    req.on('error', reject);
  });
}


// ---------------------------------------------------------------------------------------------
// Main

const out = (line = '') => process.stdout.write(`${line}\n`);

async function main(opts: Options): Promise<void> {
  const log = createLogger({ level: process.env.BENCH_INFRA_LOG_LEVEL ?? 'warn', name: 'bench', destination: process.stderr });
  const teardownSteps = teardownOnExit();
  const teardown = teardownSteps.run;

  const t0 = process.hrtime.bigint();
  const tmp = scratchDir('meta-int-bench', opts.keepLogs, teardownSteps);

  try {
    const temporalCli = findTemporalCli();
    const [pg, temporal] = await Promise.all([
      startLocalPostgres({ dataDir: path.join(tmp, 'pg'), port: await freePort(), database: 'bench', fsync: false, log }).then((p: LocalPostgres) => {
        teardownSteps.add(() => p.stop());
        return p;
      }),
      startLocalTemporal({ binary: temporalCli, port: await freePort(), headless: true, searchAttributes: searchAttributeFlags(), log }).then((t: LocalTemporal) => {
        teardownSteps.add(() => t.stop());
        return t;
      }),
    ]);
    await migrateUp(pg.url, log);

    const dskIssuer = await createDskIssuer();
    const { privateJwk } = await generateServiceSigningKey('ES256', 'bench-service-1');
    const metaAppSecret = randomBytes(16).toString('hex');
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
    };
    const config = loadConfig(env);
    const signingKey = await loadServiceSigningKey({ privateJwk, keyId: config.serviceJwt.keyId, alg: config.serviceJwt.alg });
    const dsk = await startDskFake({ jwks: () => signingKey.publicJwks(), issuer: config.serviceJwt.issuer, audience: config.serviceJwt.audience });
    teardownSteps.add(() => dsk.close());

    // One live WhatsApp channel whose instance's events go to the DSK fake.
    const phoneNumberId = `1065${Date.now().toString().slice(-8)}`;
    const pool = createPool({ url: pg.url, poolMax: 2, applicationName: 'bench' });
    teardownSteps.add(() => pool.end());
    await createInstances(pool).setEventsUrl('bench-instance', dsk.url);
    await pool.query(`INSERT INTO channels (id, instance_id, channel_type, external_id, waba_id, status) VALUES ($1, 'bench-instance', 'whatsapp', $2, $3, 'active')`, [
      randomUUID(),
      phoneNumberId,
      '102290129340398',
    ]);

    const bareSecretEnv = { BENCH_META_APP_SECRET: metaAppSecret };
    const barePort = await freePort();
    const bare = spawnNode('bare Koa server', [path.join(projectRoot(), 'dist', 'bench', 'inbound.js'), '--bare-server', '--port', String(barePort)], bareSecretEnv, path.join(tmp, 'bare.log'));
    const worker = spawnNode('worker', [path.join(projectRoot(), 'dist', 'src', 'main-worker.js')], env, path.join(tmp, 'worker.log'));
    const api = spawnNode('api', [path.join(projectRoot(), 'dist', 'src', 'main-api.js')], env, path.join(tmp, 'api.log'));
    // Stopped before the servers they talk to (teardown steps run in reverse).
    teardownSteps.add(() => Promise.all([api.stop(), worker.stop(), bare.stop()]).then(() => undefined));

    const temporalClient = new Client({ connection: await Connection.connect({ address: temporal.address }), namespace: 'default' });
    teardownSteps.add(() => temporalClient.connection.close());
    const { TaskQueueType } = proto.temporal.api.enums.v1;
    const workerPolls = async () => {
      const answers = await Promise.all(
        [TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW, TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY].map((taskQueueType) =>
          temporalClient.workflowService.describeTaskQueue({ namespace: 'default', taskQueue: { name: config.temporal.taskQueue }, taskQueueType }),
        ),
      );
      return answers.every((a) => (a.pollers ?? []).some((p) => p.identity?.startsWith(`${worker.pid}@`)));
    };
    await Promise.all([
      waitUntil('the bare server to listen', bare, 30_000, async () => (await httpStatus(barePort, '/')) > 0),
      waitUntil('the API to be ready', api, 60_000, async () => (await httpStatus(apiPort, '/readyz')) === 200),
      waitUntil('the worker to poll its task queue', worker, 90_000, workerPolls),
    ]);
    const startupSeconds = ms(process.hrtime.bigint() - t0) / 1000;

    const postmasterPid = Number(readFileSync(path.join(pg.dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
    const cpuGroups: CpuGroups = {
      api: () => [api.pid],
      worker: () => [worker.pid],
      'temporal dev server': () => [temporal.pid],
      postgres: () => [postmasterPid, ...childrenOf(postmasterPid)],
      'bare server': () => [bare.pid],
    };

    // ---- facts -----------------------------------------------------------------------------
    const cpus = os.cpus();
    out('inbound benchmark: Meta webhook POST → 200 → DSK');
    out(`machine     ${cpus.length} cores (${cpus[0]?.model.trim() ?? '?'}), ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB RAM, ${os.platform()} ${os.release()}, load avg ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
    out(`node        ${process.version}`);
    out(`temporal    ${version(temporalCli, ['--version'])}: start-dev, headless, in-memory SQLite (WAL, synchronous=OFF), namespace default; dynamic config ${Object.keys(DEFAULT_DYNAMIC_CONFIG).length} defaults of src/infra/local-temporal.ts`);
    out(`postgres    ${version(path.join(findPostgresBinDir(), 'postgres'), ['--version'])}, temp cluster, fsync=off full_page_writes=off synchronous_commit=off`);
    out(`service     api and worker as child processes (node dist/src/main-{api,worker}.js), NODE_ENV=development, LOG_LEVEL=${opts.logLevel}, DATABASE_POOL_MAX=${config.database.poolMax} per process`);
    out(`harness     this process: open-loop client (http.Agent keep-alive, max ${opts.maxInFlight} in flight) + DSK fake (verifies each JWT, answers 200); bare Koa server = child process`);
    out(`load        ${opts.rate} events/s for ${opts.seconds} s, ${opts.batch} event(s) per POST (${f1(opts.rate / opts.batch)} POST/s); max-rate runs ${opts.maxSeconds} s each; drain until no delivery for ${opts.drainSeconds} s (cap 10 min)`);
    out(`startup     ${startupSeconds.toFixed(1)} s (postgres + temporal + migrations + worker bundle + api)`);
    out();

    const next = shotFactory(metaAppSecret, phoneNumberId, opts.batch);
    // A backlog is not a loss: keep draining while deliveries make progress, and call an event lost
    // only when nothing has arrived for `stallMs` (or the hard cap of 10 minutes passed).
    const waitDelivered = async (keys: string[], stallMs: number): Promise<number> => {
      const started = process.hrtime.bigint();
      const cap = Date.now() + 10 * 60_000;
      let pending = keys.filter((k) => dsk.acceptCount(k) === 0);
      let lastProgress = Date.now();
      while (pending.length > 0 && Date.now() - lastProgress < stallMs && Date.now() < cap) {
        await sleep(50);
        const before = pending.length;
        pending = pending.filter((k) => dsk.acceptCount(k) === 0);
        if (pending.length < before) lastProgress = Date.now();
      }
      return ms(process.hrtime.bigint() - started);
    };
    const ackedKeys = (r: RunResult) => r.posts.filter((p) => p.status === 200).flatMap((p) => p.keys);

    // ---- warm-up (JIT, connection pools, the dev server's first workflows) ---------------------
    await drive(barePort, { kind: 'max' }, 2, opts.maxInFlight, next);
    const warm = await drive(apiPort, { kind: 'rate', postsPerSecond: Math.min(opts.rate, 100) / opts.batch }, 2, opts.maxInFlight, next);
    await waitDelivered(ackedKeys(warm), opts.drainSeconds * 1000);
    const warmedEvents = new Set(dsk.attempts.map((a) => a.idempotencyKey)).size;

    // ---- 1. the yardstick at max rate --------------------------------------------------------
    let cpuBefore = cpuSnapshot(cpuGroups);
    const bareRun = await drive(barePort, { kind: 'max' }, opts.maxSeconds, opts.maxInFlight, next);
    const bareCpu = cpuLine(cpuBefore, cpuSnapshot(cpuGroups), bareRun.windowEnd - bareRun.startedAt);
    const bareAck = ackStats(bareRun);

    // ---- 2. the service at the offered rate, then drain ----------------------------------------
    const rateMode: RunMode = { kind: 'rate', postsPerSecond: opts.rate / opts.batch };
    cpuBefore = cpuSnapshot(cpuGroups);
    const rateRun = await drive(apiPort, rateMode, opts.seconds, opts.maxInFlight, next);
    const rateCpu = cpuLine(cpuBefore, cpuSnapshot(cpuGroups), process.hrtime.bigint() - rateRun.startedAt);
    const drainStarted = process.hrtime.bigint();
    cpuBefore = cpuSnapshot(cpuGroups);
    const drainMs = await waitDelivered(ackedKeys(rateRun), opts.drainSeconds * 1000);
    const drainCpu = cpuLine(cpuBefore, cpuSnapshot(cpuGroups), process.hrtime.bigint() - drainStarted);
    const rateAck = ackStats(rateRun);
    const delivery = deliveryStats(rateRun, dsk, drainMs);
    const { rows: outcomes } = await pool.query<{ outcome: string; n: string }>(
      `SELECT outcome, count(*)::text AS n FROM webhook_log WHERE idempotency_key = ANY($1::text[]) GROUP BY outcome ORDER BY outcome`,
      [ackedKeys(rateRun)],
    );

    // ---- 3. the service at max rate -----------------------------------------------------------
    cpuBefore = cpuSnapshot(cpuGroups);
    const maxRun = await drive(apiPort, { kind: 'max' }, opts.maxSeconds, opts.maxInFlight, next);
    const maxCpu = cpuLine(cpuBefore, cpuSnapshot(cpuGroups), maxRun.windowEnd - maxRun.startedAt);
    const maxAck = ackStats(maxRun);
    const deliveredDuringMax = new Set(maxRun.posts.flatMap((p) => p.keys).filter((k) => dsk.acceptCount(k) === 1)).size;

    // ---- report --------------------------------------------------------------------------------
    const failures = (a: AckStats) => (a.failed ? `; failed ${a.failed} (${Object.entries(a.failures).map(([k, v]) => `${k}: ${v}`).join(', ')})` : '');
    out(`warm-up     2 s bare at max rate, 2 s service at ${Math.min(opts.rate, 100)} events/s (${warmedEvents} events delivered)`);
    out();
    out(`[1] bare Koa (signature check + 200), max rate, ${opts.maxSeconds} s, ${opts.maxInFlight} in flight`);
    out(`    acked     ${f0(bareAck.ackedPerSecond)} events/s (${bareAck.ok} POSTs${failures(bareAck)})`);
    out(`    ack       p50 ${f1(bareAck.p50)} ms, p99 ${f1(bareAck.p99)} ms, max ${f1(bareAck.max)} ms`);
    out(`    cpu       ${bareCpu}  (% of one core)`);
    out();
    out(`[2] service at ${opts.rate} events/s offered, ${opts.seconds} s, batch ${opts.batch}`);
    out(`    acked     ${rateAck.ackedEvents} events in ${rateAck.ok} POSTs, sustained ${f1(rateAck.ackedPerSecond)} events/s${failures(rateAck)}`);
    out(`    ack       p50 ${f1(rateAck.p50)} ms, p99 ${f1(rateAck.p99)} ms, max ${f1(rateAck.max)} ms  (POST sent → 200 read)`);
    out(`    client    send lag behind schedule p99 ${f1(rateAck.lagP99)} ms, max ${f1(rateAck.lagMax)} ms; POSTs held back by the in-flight cap: ${rateRun.heldByCap}`);
    out(`    ack*      p50 ${f1(rateAck.scheduledP50)} ms, p99 ${f1(rateAck.scheduledP99)} ms  (from when each POST was due: adds the client's lag, e.g. sends held by the cap)`);
    out(`    delivered ${delivery.delivered} of ${delivery.acked}, sustained ${f1(delivery.deliveredPerSecond)} events/s (first send → last first delivery); drain ${f1(delivery.drainMs / 1000)} s`);
    out(`    e2e       p50 ${f1(delivery.e2eP50)} ms, p99 ${f1(delivery.e2eP99)} ms, max ${f1(delivery.e2eMax)} ms  (POST sent → DSK received)`);
    out(`    lost      ${delivery.lost} (acked, never at DSK: no delivery for ${opts.drainSeconds} s while draining, 10 min cap); duplicates ${delivery.duplicates} (replays at DSK); non-2xx at DSK ${delivery.refused}`);
    out(`    log       webhook_log outcomes: ${outcomes.map((o) => `${o.outcome} ${o.n}`).join(', ')}`);
    out(`    cpu       ${rateCpu}  (% of one core, while sending)`);
    out(`    cpu       ${drainCpu}  (% of one core, while draining)`);
    out();
    out(`[3] service at max rate, ${opts.maxSeconds} s, ${opts.maxInFlight} in flight, batch ${opts.batch}`);
    out(`    acked     ${f0(maxAck.ackedPerSecond)} events/s (${maxAck.ok} POSTs${failures(maxAck)}); delivered by the end of the run: ${deliveredDuringMax} events`);
    out(`    ack       p50 ${f1(maxAck.p50)} ms, p99 ${f1(maxAck.p99)} ms, max ${f1(maxAck.max)} ms`);
    out(`    cpu       ${maxCpu}  (% of one core)`);
    out();

    const ratio = maxAck.ackedPerSecond / bareAck.ackedPerSecond;
    const atTargetRate = opts.rate === TARGETS.e2eAtRate;
    const row = (target: string, measured: string, met: boolean | undefined) =>
      out(`  ${target.padEnd(44)} ${measured.padEnd(34)} ${met === undefined ? 'n/a' : met ? 'MET' : 'NOT MET'}`);
    out('targets');
    row(`ack-rate ratio service/bare >= 1/3 (max rate)`, `${ratio.toFixed(3)} (${f0(maxAck.ackedPerSecond)} / ${f0(bareAck.ackedPerSecond)} ev/s)`, ratio >= TARGETS.ratio);
    out(`  ${''.padEnd(44)} at the offered rate: ${f1(rateAck.ackedPerSecond)} ev/s = ${(rateAck.ackedPerSecond / bareAck.ackedPerSecond).toFixed(3)} of bare max`);
    row(`ack p99 < ${TARGETS.ackP99Ms} ms`, `${f1(rateAck.p99)} ms at ${opts.rate} ev/s`, rateAck.p99 < TARGETS.ackP99Ms);
    row(
      `end-to-end p99 < ${TARGETS.e2eP99Ms} ms at ${TARGETS.e2eAtRate} events/s`,
      `${f1(delivery.e2eP99)} ms at ${opts.rate} ev/s`,
      atTargetRate ? delivery.e2eP99 < TARGETS.e2eP99Ms : undefined,
    );
    row('lost = 0', String(delivery.lost), delivery.lost === 0);
    row('duplicates = 0', String(delivery.duplicates), delivery.duplicates === 0);
    out();
    out(`total ${f1(ms(process.hrtime.bigint() - t0) / 1000)} s before teardown; load avg now ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  } catch (err) {
    for (const c of children) process.stderr.write(`--- ${c.name} (last lines) ---\n${c.logTail()}\n`);
    throw err;
  } finally {
    await teardown();
  }
}

const options = parseOptions(process.argv.slice(2));
if (options.bareServer) {
  serveBare(options.bareServer.port);
} else {
  main(options).then(
    () => process.exit(0),
    (err: unknown) => {
      process.stderr.write(`bench:inbound failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exit(1);
    },
  );
}
