/**
 * `npm run bench:production -- [--rate 40] [--seconds 30] [--send-rate 15] [--saturate-rate 200]
 *                               [--saturate-seconds 20] [--ceiling-seconds 10] [--idle-seconds 10]
 *                               [--drain-seconds 30] [--connections 8] [--max-in-flight 64] [--json]`
 *
 * CPU per inbound event and per send, per process, on the production topology — the one
 * `npm run test:production` starts (test/production/start-topology.ts): PostgreSQL with fsync on,
 * Temporal 1.32 on it (persistence and visibility) with frontend and internode mTLS, 2 workers and
 * 2 api replicas (NODE_ENV=production, payload encryption, native TLS) behind a TCP balancer, the Meta
 * emulator over https and an https DSK fake. docs/capacity.md's model was built on the dev server; this
 * is the check against the shape it is deployed in.
 *
 * One live WhatsApp channel is seeded in PostgreSQL (an emulator number, its token encrypted as the
 * connect flow stores it), its instance's events URL the DSK fake. After a warm-up of both paths:
 *   [idle] nothing sent for --idle-seconds: each process's background CPU (pollers, relay, timers);
 *   [A] signed webhooks at --rate events/s for --seconds through the balancer (open loop, one event per
 *       POST), then a drain until every acknowledged event reached DSK (or nothing moved for
 *       --drain-seconds): CPU per delivered event over sending and draining;
 *   [B] sends (`POST /v1/channels/:id/messages`, DSK's JWT) at --send-rate for --seconds, open loop,
 *       each waiting for its answer, then a drain until each reached the emulator and its outcome DSK:
 *       CPU per answered send; Meta's status webhooks are off (the emulator's default), so a send's
 *       cost here excludes the sent/delivered/read events Meta posts back (each is an inbound event);
 *   [C] the same webhooks at --saturate-rate for --saturate-seconds (0 skips it): delivered events per
 *       second while the backlog lasts, and CPU per event at saturation;
 *   [ceiling] Temporal's own ceiling on this server (bench/ceiling/run.ts over the service's mTLS
 *       files, in the service's namespace; --ceiling-seconds 0 skips it), the service idle.
 * CPU comes from /proc per process: each api and worker, the Temporal server, PostgreSQL split into the
 * backends of the service's database, of Temporal's two databases, the rest (postmaster and
 * background processes) and what ended backends used after their last sample, every 250 ms (pools
 * open and close connections under load: bench/support/postgres-cpu.ts); and this process (the load
 * client, the TCP balancer, the Meta emulator and the DSK fake). Clients keep --connections TLS connections open (opened together, so the balancer
 * spreads them over both replicas) and use them in turn. With --json the report goes to stderr and
 * stdout gets one JSON object with every figure. The script runs itself twice for the test CA
 * (test/production/scratch.ts); PROD_TEST_KEEP=1 keeps the logs.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import https from 'node:https';
import os from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../src/config.js';
import { createInstances } from '../src/db/instances.js';
import { createPool } from '../src/db/pool.js';
import { createLogger } from '../src/logger.js';
import { sendTag } from '../src/outbound/send-tag.js';
import { createTokenVault } from '../src/vault/token-vault.js';
import type { MetaEmulator } from '../dev/meta-emulator/app.js';
import { productionScratch } from '../test/production/scratch.js';
import { startProductionTopology, type ProductionTopology } from '../test/production/start-topology.js';
import { NAMESPACE, TEMPORAL_SERVER_VERSION } from '../test/production/topology.js';
import { drive, type RunMode, type RunResult, type Shot } from './support/client.js';
import { measureCeiling, type Ceiling } from './support/ceiling.js';
import { drainUntil } from './support/drain.js';
import { ackStats, deliveryStats, type AckStats, type DeliveryStats } from './support/inbound-stats.js';
import { cpuSnapshot, f1, ms, percentile, sortedMs, type CpuGroups } from './support/measure.js';
import { numberOption, parseBenchArgs } from './support/options.js';
import { postgresCpuTracker } from './support/postgres-cpu.js';
import { shotFactory } from './support/webhooks.js';

const USAGE =
  'npm run bench:production -- [--rate 40] [--seconds 30] [--send-rate 15] [--saturate-rate 200] [--saturate-seconds 20] [--ceiling-seconds 10] [--idle-seconds 10] [--drain-seconds 30] [--connections 8] [--max-in-flight 64] [--json]';
const INSTANCE_ID = 'bench-instance';
const WARMUP_SECONDS = 3;
const SELF = 'bench process';

interface Options {
  rate: number;
  seconds: number;
  sendRate: number;
  saturateRate: number;
  saturateSeconds: number;
  ceilingSeconds: number;
  idleSeconds: number;
  drainSeconds: number;
  connections: number;
  maxInFlight: number;
  json: boolean;
}

function parseOptions(argv: string[]): Options {
  const values = parseBenchArgs(
    argv,
    {
      rate: { type: 'string', default: '40' },
      seconds: { type: 'string', default: '30' },
      'send-rate': { type: 'string', default: '15' },
      'saturate-rate': { type: 'string', default: '200' },
      'saturate-seconds': { type: 'string', default: '20' },
      'ceiling-seconds': { type: 'string', default: '10' },
      'idle-seconds': { type: 'string', default: '10' },
      'drain-seconds': { type: 'string', default: '30' },
      connections: { type: 'string', default: '8' },
      'max-in-flight': { type: 'string', default: '64' },
      json: { type: 'boolean', default: false },
    },
    USAGE,
  );
  const num = numberOption;
  return {
    rate: num('rate', values.rate, 0.1),
    seconds: num('seconds', values.seconds, 1),
    sendRate: num('send-rate', values['send-rate'], 0.1),
    saturateRate: num('saturate-rate', values['saturate-rate'], 0.1),
    saturateSeconds: num('saturate-seconds', values['saturate-seconds'], 0),
    ceilingSeconds: num('ceiling-seconds', values['ceiling-seconds'], 0),
    idleSeconds: num('idle-seconds', values['idle-seconds'], 1),
    drainSeconds: num('drain-seconds', values['drain-seconds'], 1),
    connections: num('connections', values.connections, 1, true),
    maxInFlight: num('max-in-flight', values['max-in-flight'], 1, true),
    json: values.json!,
  };
}

// ---------------------------------------------------------------------------------------------
// CPU per process group, and the report's breakdown of it

/** µs per group between two snapshots. */
type CpuDiff = Record<string, number>;

const PG_GROUPS = ['pg-service', 'pg-temporal', 'pg-other', 'pg-ended'] as const;

/** A snapshot of every group's cumulative CPU µs: the service's processes, Temporal, PostgreSQL split, this process. */
function cpuReader(t: ProductionTopology): { read(): Record<string, number>; stop(): void } {
  const processes: CpuGroups = {
    // Current processes (a replica replaced between snapshots would be counted from its start).
    ...Object.fromEntries(t.apis.map((_, i) => [`api-${i + 1}`, () => [t.apis[i]!.pid]])),
    ...Object.fromEntries(t.workers.map((_, i) => [`worker-${i + 1}`, () => [t.workers[i]!.pid]])),
    temporal: () => [t.temporal.proc().pid],
  };
  const isTemporalDb = (db: string) => db === 'temporal' || db === 'temporal_visibility';
  const pg = postgresCpuTracker(t.pg.pg.dataDir, { 'pg-service': (db) => db === 'meta_integration', 'pg-temporal': isTemporalDb }, { other: 'pg-other', unattributed: 'pg-ended' });
  return { read: () => ({ ...cpuSnapshot(processes, SELF), ...pg.read() }), stop: pg.stop };
}

const diff = (before: Record<string, number>, after: Record<string, number>): CpuDiff => Object.fromEntries(Object.keys(after).map((k) => [k, (after[k] ?? 0) - (before[k] ?? 0)]));

/** The figures per unit (ms of CPU), groups summed as the capacity model has them. */
function breakdown(d: CpuDiff, units: number) {
  // Nothing done, nothing to divide by: NaN (null in the JSON).
  const per = (keys: string[]) => (units > 0 ? Math.round((keys.reduce((sum, k) => sum + (d[k] ?? 0), 0) / 1000 / units) * 100) / 100 : Number.NaN);
  const apis = Object.keys(d).filter((k) => k.startsWith('api-'));
  const workers = Object.keys(d).filter((k) => k.startsWith('worker-'));
  const pg = [...PG_GROUPS];
  const figures: Record<string, number> = {
    api: per(apis),
    ...Object.fromEntries(apis.map((k) => [k, per([k])])),
    worker: per(workers),
    ...Object.fromEntries(workers.map((k) => [k, per([k])])),
    temporal: per(['temporal']),
    postgres: per(pg),
    ...Object.fromEntries(pg.map((k) => [k, per([k])])),
    // What a deployment runs: everything but this process (client, balancer, emulator, DSK fake).
    total: per([...apis, ...workers, 'temporal', ...pg]),
    [SELF]: per([SELF]),
  };
  return figures;
}

function breakdownLines(b: Record<string, number>, unit: string): string[] {
  const v = (k: string) => (b[k] ?? Number.NaN).toFixed(2);
  const apis = Object.keys(b).filter((k) => /^api-\d/.test(k));
  const workers = Object.keys(b).filter((k) => /^worker-\d/.test(k));
  return [
    `api ${v('api')} (${apis.map((k) => `${k} ${v(k)}`).join(', ')}) / worker ${v('worker')} (${workers.map((k) => `${k} ${v(k)}`).join(', ')}) / Temporal server ${v('temporal')} / PostgreSQL ${v('postgres')} = ${v('total')} ms ${unit}`,
    `PostgreSQL: service db backends ${v('pg-service')}, Temporal db backends ${v('pg-temporal')}, postmaster + background ${v('pg-other')}, ended backends' unsampled rest ${v('pg-ended')}; bench process (client, balancer, emulator, DSK fake) ${v(SELF)}`,
  ];
}

/**
 * Per unit above the idle background: what each process spent beyond what it spends doing nothing
 * (pollers, relay, timers) over the same window. The capacity model's marginal cost; the full figure
 * includes that fixed cost spread over the units.
 */
function aboveIdle(perUnit: Record<string, number>, idlePerSecond: Record<string, number>, windowSeconds: number, units: number): Record<string, number> {
  return Object.fromEntries(Object.entries(perUnit).map(([k, v]) => [k, Math.round((v - ((idlePerSecond[k] ?? 0) * windowSeconds) / units) * 100) / 100]));
}

function aboveIdleLine(b: Record<string, number>): string {
  const v = (k: string) => (b[k] ?? Number.NaN).toFixed(2);
  return `api ${v('api')} / worker ${v('worker')} / Temporal server ${v('temporal')} / PostgreSQL ${v('postgres')} (service db ${v('pg-service')}, Temporal dbs ${v('pg-temporal')}) = ${v('total')} ms`;
}

// ---------------------------------------------------------------------------------------------
// Clients over TLS through the balancer

/** Keep-alive connections, used in turn (fifo), opened together so the balancer alternates replicas. */
function balancedAgent(maxSockets: number): https.Agent {
  return new https.Agent({ keepAlive: true, maxSockets, scheduling: 'fifo' });
}

/** Opens `n` connections at once (GET /healthz); the api closes idle ones after 5 s, so before each run. */
async function openConnections(agent: https.Agent, port: number, n: number): Promise<void> {
  await Promise.all(
    Array.from(
      { length: n },
      () =>
        new Promise<void>((resolve) => {
          const req = https.request({ host: '127.0.0.1', port, path: '/healthz', agent }, (res) => {
            res.resume();
            res.on('end', resolve);
          });
          req.on('error', () => resolve());
          req.end();
        }),
    ),
  );
}

/** Requests each api replica has timed (its mis_http_request_duration_seconds_count), to show the balance. */
async function requestsPerReplica(t: ProductionTopology): Promise<number[]> {
  return Promise.all(
    t.apiPorts.map(async (port) => {
      const res = await fetch(`https://127.0.0.1:${port}/metrics`, { headers: { authorization: `Bearer ${t.secrets.metricsToken}` } });
      return (await res.text())
        .split('\n')
        .filter((l) => l.startsWith('mis_http_request_duration_seconds_count'))
        .reduce((sum, l) => sum + Number(l.slice(l.lastIndexOf(' ') + 1)), 0);
    }),
  );
}

// ---------------------------------------------------------------------------------------------
// Sends: the emulator's acceptances, counted as they happen

/** Every message the emulator accepted, by correlation tag (more than one time = a duplicate). */
function recordAcceptances(emulator: MetaEmulator): Map<string, bigint[]> {
  const { state } = emulator;
  const byTag = new Map<string, bigint[]>();
  // The emulator keeps only its last 1000 messages: each acceptance is copied out as it is recorded.
  const record = state.businessMessages.push.bind(state.businessMessages);
  state.businessMessages.push = (...messages) => {
    const at = process.hrtime.bigint();
    for (const m of messages) {
      const tag = String(m.body.biz_opaque_callback_data ?? '');
      const times = byTag.get(tag);
      if (times) times.push(at);
      else byTag.set(tag, [at]);
    }
    return record(...messages);
  };
  // Nothing reads the request log; it would grow by one record per request.
  setInterval(() => state.requests.splice(0, state.requests.length), 5_000).unref();
  return byTag;
}

let sequence = 0;
const runId = randomBytes(3).toString('hex');

/** One unique client_message_id and recipient per send: the pair rate (one user) never paces it. */
function sendShots(channelId: string, dskToken: () => string, prefix: string): () => Shot {
  return () => {
    const headers = { authorization: `Bearer ${dskToken()}` };
    const seq = sequence++;
    const request = { client_message_id: `${prefix}-${runId}-${seq}`, to: `+1650${String(seq).padStart(7, '0')}`, type: 'text', text: { body: 'bench' } };
    // keys: the correlation tag the emulator records, then the client_message_id.
    return { path: `/v1/channels/${channelId}/messages`, headers, body: Buffer.from(JSON.stringify(request)), keys: [sendTag(INSTANCE_ID, request.client_message_id), request.client_message_id] };
  };
}

const answered = (status: number | undefined) => status === 200 || status === 202;
const outcomeKey = (tag: string) => `out:${tag}:accepted`;

interface SendStats {
  posts: number;
  byStatus: Record<string, number>;
  answered: number;
  answeredPerSecond: number;
  p50: number;
  p99: number;
  /** Answered, never at the emulator. */
  lost: number;
  /** Emulator messages beyond the first per client_message_id. */
  duplicates: number;
  /** Not answered 200/202 and yet at the emulator. */
  sentAfterFailure: number;
  e2eP50: number;
  e2eP99: number;
  dskOutcomes: number;
  dskReplays: number;
}

function sendStats(r: RunResult, acceptedByTag: Map<string, bigint[]>, dsk: ProductionTopology['dsk']): SendStats {
  const byStatus: Record<string, number> = {};
  const latencies: number[] = [];
  const e2e: number[] = [];
  let lastAnswer = r.startedAt;
  let lost = 0;
  let duplicates = 0;
  let sentAfterFailure = 0;
  let dskOutcomes = 0;
  let dskReplays = 0;
  for (const p of r.posts) {
    const key = p.error ?? String(p.status);
    byStatus[key] = (byStatus[key] ?? 0) + 1;
    const tag = p.keys[0]!;
    const at = acceptedByTag.get(tag) ?? [];
    duplicates += Math.max(0, at.length - 1);
    dskOutcomes += dsk.acceptCount(outcomeKey(tag));
    dskReplays += dsk.replays(outcomeKey(tag));
    if (!answered(p.status) || p.doneAt === undefined) {
      if (at.length > 0) sentAfterFailure += 1;
      continue;
    }
    latencies.push(ms(p.doneAt - p.sentAt));
    if (p.doneAt > lastAnswer) lastAnswer = p.doneAt;
    if (at.length === 0) lost += 1;
    else e2e.push(ms(at[0]! - p.sentAt));
  }
  const sorted = sortedMs(latencies);
  const sortedE2e = sortedMs(e2e);
  return {
    posts: r.posts.length,
    byStatus,
    answered: latencies.length,
    answeredPerSecond: latencies.length / (ms(lastAnswer - r.startedAt) / 1000),
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    lost,
    duplicates,
    sentAfterFailure,
    e2eP50: percentile(sortedE2e, 50),
    e2eP99: percentile(sortedE2e, 99),
    dskOutcomes,
    dskReplays,
  };
}

// ---------------------------------------------------------------------------------------------
// Main

let out = (line = '') => void process.stdout.write(`${line}\n`);
const round1 = (n: number) => (Number.isFinite(n) ? Math.round(n * 10) / 10 : null);

async function main(dir: string, certDir: string, opts: Options): Promise<void> {
  if (opts.json) out = (line = '') => void process.stderr.write(`${line}\n`);
  const t0 = process.hrtime.bigint();
  const loadAtStart = os.loadavg();
  const log = createLogger({ level: process.env.BENCH_INFRA_LOG_LEVEL ?? 'warn', name: 'bench-production', destination: process.stderr });
  const topology = await startProductionTopology({ dir, certDir, log });
  try {
    await measure(topology, opts, t0, loadAtStart);
  } finally {
    await topology.stop();
  }
}

async function measure(t: ProductionTopology, opts: Options, t0: bigint, loadAtStart: number[]): Promise<void> {
  const { dsk, emulator } = t;
  const balancerPort = t.balancer.port;
  const startupSeconds = ms(process.hrtime.bigint() - t0) / 1000;

  // ---- one live WhatsApp channel: an emulator number and its token, the events URL the DSK fake ----
  const { state } = emulator;
  const grant = state.configureGrant({ flow: 'whatsapp_embedded_signup', assets: [{ phoneNumbers: [{}] }] });
  const phoneNumberId = grant.phoneNumberIds[0]!;
  // What the connect flow's registration step would have done.
  state.phoneNumbers.get(phoneNumberId)!.registered = true;
  const token = state.issueToken({ kind: 'business_integration', scopes: ['whatsapp_business_messaging'], assets: [phoneNumberId] });
  const channelId = randomUUID();
  const vault = createTokenVault({ keys: loadConfig(t.baseEnv).tokenKeys });
  const ciphertext = vault.encrypt(token);
  const pool = createPool({ url: t.pg.appUrl, poolMax: 1, applicationName: 'bench-seed' });
  try {
    await createInstances(pool).setEventsUrl(INSTANCE_ID, dsk.url);
    await pool.query(
      `INSERT INTO channels (id, instance_id, channel_type, external_id, waba_id, status, token_ciphertext, token_key_id)
       VALUES ($1, $2, 'whatsapp', $3, $4, 'active', $5, $6)`,
      [channelId, INSTANCE_ID, phoneNumberId, grant.wabaIds[0]!, ciphertext, vault.keyIdOf(ciphertext)],
    );
  } finally {
    // Its backend would count as the service's while measuring.
    await pool.end();
  }
  // Production refuses long-lived DSK tokens (exp - iat is bounded): a fresh one each minute, as DSK would.
  let currentToken = await t.dskIssuer.dskToken({ instanceId: INSTANCE_ID });
  setInterval(() => void t.dskIssuer.dskToken({ instanceId: INSTANCE_ID }).then((fresh) => (currentToken = fresh)), 60_000).unref();
  const dskToken = () => currentToken;
  const acceptedByTag = recordAcceptances(emulator);
  const nextWebhook = shotFactory(t.baseEnv.META_APP_SECRETS!, phoneNumberId, 1);
  const agent = balancedAgent(opts.maxInFlight);
  const cpu = cpuReader(t);
  const snapshot = () => cpu.read();

  out('production-topology benchmark: CPU per inbound event and per send, per process');
  out(`machine     ${os.cpus().length} cores (${os.cpus()[0]?.model ?? '?'}), load avg at start ${loadAtStart.map((l) => l.toFixed(2)).join(' ')}; node ${process.version}`);
  out(`topology    PostgreSQL (fsync on) ← Temporal server ${TEMPORAL_SERVER_VERSION} (persistence + visibility on PostgreSQL, 512 shards, frontend + internode mTLS)`);
  out(`            ← ${t.workers.length} workers + ${t.apis.length} apis (NODE_ENV=production, payload encryption, native TLS) behind a TCP balancer (in this process)`);
  out('            Meta emulator (https) and DSK fake (https, verifies each JWT, answers 200) in this process; test/production/start-topology.ts, as test:production');
  out(`client      https through the balancer, ${opts.connections} keep-alive connections opened together (both replicas), used in turn; max ${opts.maxInFlight} in flight`);
  out(`startup     ${startupSeconds.toFixed(1)} s (${t.timings.join(', ')})`);
  out();

  const drain = (pending: () => number) => drainUntil(pending, { stallMs: opts.drainSeconds * 1000, pollMs: 100, capMs: 10 * 60_000 });
  const ackedKeys = (r: RunResult) => r.posts.filter((p) => p.status === 200).flatMap((p) => p.keys);
  const drainEvents = (r: RunResult) => {
    const keys = ackedKeys(r);
    return drain(() => keys.filter((k) => dsk.acceptCount(k) === 0).length);
  };
  const drainSends = async (r: RunResult) => {
    const tags = r.posts.filter((p) => answered(p.status)).map((p) => p.keys[0]!);
    const waited = await drain(() => tags.filter((tag) => !acceptedByTag.has(tag) || dsk.acceptCount(outcomeKey(tag)) === 0).length);
    // A late duplicate would come within moments of the first copy.
    await sleep(1_000);
    return waited;
  };
  const run = async (mode: RunMode, seconds: number, next: () => Shot) => {
    await openConnections(agent, balancerPort, opts.connections);
    return drive(balancerPort, mode, seconds, opts.maxInFlight, next, { https: agent });
  };

  // ---- warm-up: JIT, pools, the workers' caches, both paths -------------------------------------
  await drainEvents(await run({ kind: 'rate', postsPerSecond: opts.rate }, WARMUP_SECONDS, nextWebhook));
  await drainSends(await run({ kind: 'rate', postsPerSecond: opts.sendRate }, WARMUP_SECONDS, sendShots(channelId, dskToken, 'warm')));

  // ---- idle: what the processes cost with nothing to do ------------------------------------------
  let before = snapshot();
  let started = process.hrtime.bigint();
  await sleep(opts.idleSeconds * 1000);
  const idle = breakdown(diff(before, snapshot()), ms(process.hrtime.bigint() - started) / 1000);

  // ---- A, C: inbound at a rate, drained ------------------------------------------------------------
  const inbound = async (rate: number, seconds: number) => {
    const requestsBefore = await requestsPerReplica(t);
    const cpuBefore = snapshot();
    const windowStart = process.hrtime.bigint();
    const r = await run({ kind: 'rate', postsPerSecond: rate }, seconds, nextWebhook);
    const sendingNs = process.hrtime.bigint() - r.startedAt;
    const cpuSending = diff(cpuBefore, snapshot());
    const drainMs = await drainEvents(r);
    const cpuAll = diff(cpuBefore, snapshot());
    const windowSeconds = ms(process.hrtime.bigint() - windowStart) / 1000;
    const requestsAfter = await requestsPerReplica(t);
    const delivery: DeliveryStats = deliveryStats(r, dsk, drainMs);
    const ack: AckStats = ackStats(r);
    return {
      r,
      ack,
      delivery,
      perReplica: requestsAfter.map((n, i) => n - requestsBefore[i]!),
      busy: breakdown(cpuSending, (ms(sendingNs) / 1000) * 10), // ms per second / 10 = % of one core
      perEvent: breakdown(cpuAll, delivery.delivered),
      perEventAboveIdle: aboveIdle(breakdown(cpuAll, delivery.delivered), idle, windowSeconds, delivery.delivered),
      windowSeconds,
    };
  };
  const a = await inbound(opts.rate, opts.seconds);

  // ---- B: sends at a rate, each awaiting its answer, drained ----------------------------------------
  const requestsBeforeB = await requestsPerReplica(t);
  before = snapshot();
  const bWindowStart = process.hrtime.bigint();
  const bRun = await run({ kind: 'rate', postsPerSecond: opts.sendRate }, opts.seconds, sendShots(channelId, dskToken, 'send'));
  started = bRun.startedAt;
  const bSendingNs = process.hrtime.bigint() - started;
  const bCpuSending = diff(before, snapshot());
  const bDrainMs = await drainSends(bRun);
  const bCpuAll = diff(before, snapshot());
  const bWindowSeconds = ms(process.hrtime.bigint() - bWindowStart) / 1000;
  const bPerReplica = (await requestsPerReplica(t)).map((n, i) => n - requestsBeforeB[i]!);
  const b = sendStats(bRun, acceptedByTag, dsk);
  const bBusy = breakdown(bCpuSending, (ms(bSendingNs) / 1000) * 10);
  const bPerSend = breakdown(bCpuAll, b.answered);
  const bPerSendAboveIdle = aboveIdle(bPerSend, idle, bWindowSeconds, b.answered);

  // ---- C: saturation ---------------------------------------------------------------------------------
  const c = opts.saturateSeconds > 0 ? await inbound(opts.saturateRate, opts.saturateSeconds) : undefined;

  // ---- Temporal's own ceiling on this server, the service idle ------------------------------------------
  let ceiling: Ceiling | undefined;
  if (opts.ceilingSeconds > 0) {
    const env = t.baseEnv;
    ceiling = await measureCeiling(t.temporal.address, {
      seconds: opts.ceilingSeconds,
      inFlight: 64,
      kinds: ['empty', 'local', 'update'],
      namespace: NAMESPACE,
      tls: { caFile: env.TEMPORAL_TLS_CA_FILE!, certFile: env.TEMPORAL_TLS_CERT_FILE!, keyFile: env.TEMPORAL_TLS_KEY_FILE!, serverName: env.TEMPORAL_TLS_SERVER_NAME! },
    });
  }

  cpu.stop();

  // ---- report ------------------------------------------------------------------------------------------
  const pct = (busy: Record<string, number>) =>
    Object.entries(busy)
      .filter(([k]) => !['postgres', 'total'].includes(k) && !/^(api|worker)$/.test(k))
      .map(([k, v]) => `${k} ${v.toFixed(0)}%`)
      .join(', ');
  const failures = (s: AckStats) => (s.failed ? `; failed ${s.failed} (${Object.entries(s.failures).map(([k, v]) => `${k}: ${v}`).join(', ')})` : '');
  const inboundLines = (x: Awaited<ReturnType<typeof inbound>>) => {
    out(`    acked     ${x.ack.ackedEvents} events in ${x.ack.ok} POSTs${failures(x.ack)}; ack p50 ${f1(x.ack.p50)} ms, p99 ${f1(x.ack.p99)} ms; held back by the in-flight cap: ${x.r.heldByCap}`);
    out(`    delivered ${x.delivery.delivered} of ${x.delivery.acked}, ${f1(x.delivery.deliveredPerSecond)} events/s (first send → last delivery); drain ${f1(x.delivery.drainMs / 1000)} s`);
    out(`    e2e       p50 ${f1(x.delivery.e2eP50)} ms, p99 ${f1(x.delivery.e2eP99)} ms, max ${f1(x.delivery.e2eMax)} ms  (POST sent → DSK received)`);
    out(`    verified  lost ${x.delivery.lost} (acked, never at DSK), duplicates ${x.delivery.duplicates} (replays at DSK), non-2xx at DSK ${x.delivery.refused}`);
    out(`    balance   requests timed by api-1 / api-2: ${x.perReplica.join(' / ')}`);
    out(`    cpu       ${pct(x.busy)}  (% of one core, while sending)`);
    for (const line of breakdownLines(x.perEvent, `per delivered event (sending + draining, ${f1(x.windowSeconds)} s)`)) out(`    cpu/event ${line}`);
    out(`    above idle ${aboveIdleLine(x.perEventAboveIdle)} per delivered event (the [idle] rate × ${f1(x.windowSeconds)} s taken off)`);
  };
  out(`warm-up     ${WARMUP_SECONDS} s of webhooks at ${opts.rate}/s and ${WARMUP_SECONDS} s of sends at ${opts.sendRate}/s, drained`);
  out();
  out(`[idle] ${opts.idleSeconds} s, nothing sent`);
  for (const line of breakdownLines(idle, 'per second')) out(`    cpu/s     ${line}`);
  out();
  out(`[A] inbound: signed WhatsApp webhooks at ${opts.rate} events/s offered for ${opts.seconds} s, one event per POST, open loop`);
  inboundLines(a);
  out();
  out(`[B] sends: POST /v1/channels/:id/messages at ${opts.sendRate}/s offered for ${opts.seconds} s, each awaiting its answer (wait_ms default), open loop`);
  out(`    answers   ${b.posts} POSTs: ${Object.entries(b.byStatus).sort().map(([k, v]) => `${k}: ${v}`).join(', ')}; ${f1(b.answeredPerSecond)} answered/s; p50 ${f1(b.p50)} ms, p99 ${f1(b.p99)} ms`);
  out(`    emulator  e2e p50 ${f1(b.e2eP50)} ms, p99 ${f1(b.e2eP99)} ms (POST sent → emulator accepted); drain ${f1(bDrainMs / 1000)} s`);
  out(`    verified  lost ${b.lost} (answered, never at the emulator), duplicates ${b.duplicates} (extra emulator messages per client_message_id), sent although not answered: ${b.sentAfterFailure}`);
  out(`    DSK       send outcomes accepted ${b.dskOutcomes}, replays ${b.dskReplays}`);
  out(`    balance   requests timed by api-1 / api-2: ${bPerReplica.join(' / ')}`);
  out(`    cpu       ${pct(bBusy)}  (% of one core, while sending)`);
  for (const line of breakdownLines(bPerSend, `per answered send (sending + draining, ${f1(bWindowSeconds)} s; no status webhooks)`)) out(`    cpu/send  ${line}`);
  out(`    above idle ${aboveIdleLine(bPerSendAboveIdle)} per answered send (the [idle] rate × ${f1(bWindowSeconds)} s taken off)`);
  out();
  if (c) {
    out(`[C] saturation: webhooks at ${opts.saturateRate} events/s offered for ${opts.saturateSeconds} s, drained`);
    inboundLines(c);
    out();
  }
  if (ceiling) {
    out(`[ceiling] Temporal on this server (bench/ceiling/run.ts, mTLS, namespace ${NAMESPACE}, 64 in flight, worker + client in one process, ${opts.ceilingSeconds} s each, the service idle)`);
    out(`    empty workflow ${f1(ceiling.empty ?? Number.NaN)}/s, one local activity ${f1(ceiling.local ?? Number.NaN)}/s, empty update-with-start ${f1(ceiling.update ?? Number.NaN)}/s`);
    out();
  }
  out(`total ${f1(ms(process.hrtime.bigint() - t0) / 1000)} s before teardown; load avg now ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);

  if (opts.json) {
    const inboundJson = (x: Awaited<ReturnType<typeof inbound>>, rate: number, seconds: number) => ({
      rate_offered: rate,
      seconds,
      acked: x.delivery.acked,
      delivered: x.delivery.delivered,
      delivered_per_s: round1(x.delivery.deliveredPerSecond),
      ack_p50_ms: round1(x.ack.p50),
      ack_p99_ms: round1(x.ack.p99),
      e2e_p50_ms: round1(x.delivery.e2eP50),
      e2e_p99_ms: round1(x.delivery.e2eP99),
      lost: x.delivery.lost,
      duplicates: x.delivery.duplicates,
      requests_per_replica: x.perReplica,
      cpu_pct_sending: x.busy,
      window_s: round1(x.windowSeconds),
      cpu_ms_per_event: x.perEvent,
      cpu_ms_per_event_above_idle: x.perEventAboveIdle,
    });
    const figures = {
      load_avg_at_start: loadAtStart.map((l) => round1(l)),
      cores: os.cpus().length,
      temporal_server: TEMPORAL_SERVER_VERSION,
      idle_cpu_ms_per_s: idle,
      inbound: inboundJson(a, opts.rate, opts.seconds),
      outbound: {
        rate_offered: opts.sendRate,
        seconds: opts.seconds,
        posts: b.posts,
        answered: b.answered,
        answered_per_s: round1(b.answeredPerSecond),
        p50_ms: round1(b.p50),
        p99_ms: round1(b.p99),
        e2e_p99_ms: round1(b.e2eP99),
        lost: b.lost,
        duplicates: b.duplicates,
        dsk_outcomes: b.dskOutcomes,
        requests_per_replica: bPerReplica,
        cpu_pct_sending: bBusy,
        window_s: round1(bWindowSeconds),
        cpu_ms_per_send: bPerSend,
        cpu_ms_per_send_above_idle: bPerSendAboveIdle,
      },
      saturation: c ? inboundJson(c, opts.saturateRate, opts.saturateSeconds) : null,
      ceiling: ceiling ?? null,
      wall_s: round1(ms(process.hrtime.bigint() - t0) / 1000),
    };
    process.stdout.write(`${JSON.stringify(figures)}\n`);
  }
}

// Options first: a typo fails before the CA is made and the topology started.
const options = parseOptions(process.argv.slice(2));
const scratch = productionScratch({ name: 'bench-production', entry: fileURLToPath(import.meta.url) });
if (scratch) {
  main(scratch.dir, scratch.certDir, options).then(
    () => process.exit(0),
    (err: unknown) => {
      process.stderr.write(`bench:production failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exit(1);
    },
  );
}
