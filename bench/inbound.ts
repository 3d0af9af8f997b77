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
import { randomBytes, randomUUID } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import Koa from 'koa';
import { rawBody } from '../src/api/middleware/raw-body.js';
import { createInstances } from '../src/db/instances.js';
import { freePort } from '../dev/infra/local-temporal.js';
import { projectRoot } from '../dev/infra/tools.js';
import { createLogger } from '../src/logger.js';
import { verifyMetaSignature } from '../src/meta/signature.js';
import type { DskFake } from '../test/support/dsk-fake.js';
import { metaBody, signMeta, waContact, waEnvelope, waMessagesChange, waTextMessage } from '../test/support/meta-webhook-sender.js';
import { drive, httpStatus, type RunMode, type RunResult, type Shot } from './support/client.js';
import { cpuLine, cpuSnapshot, f0, f1, ms, percentile, sortedMs, type CpuGroups } from './support/measure.js';
import { numberOption } from './support/options.js';
import { children, scratchDir, spawnNode, teardownOnExit, waitUntil } from './support/processes.js';
import { spawnService, stackFacts, startBenchStack } from './support/stack.js';

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
  const num = numberOption;
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
    return { path: WEBHOOK_PATH, headers: { 'x-hub-signature-256': signMeta(body, secret) }, body, keys: wamids.map((w) => `wa:msg:${w}`) };
  };
}

// ---------------------------------------------------------------------------------------------
// Statistics

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
// Main

const out = (line = '') => process.stdout.write(`${line}\n`);

async function main(opts: Options): Promise<void> {
  const log = createLogger({ level: process.env.BENCH_INFRA_LOG_LEVEL ?? 'warn', name: 'bench', destination: process.stderr });
  const teardownSteps = teardownOnExit();
  const teardown = teardownSteps.run;

  const t0 = process.hrtime.bigint();
  const tmp = scratchDir('meta-int-bench', opts.keepLogs, teardownSteps);

  try {
    const stack = await startBenchStack({ tmp, teardown: teardownSteps, log, logLevel: opts.logLevel, poolMax: opts.poolMax });
    const { dsk, metaAppSecret, pool, apiPort } = stack;

    // One live WhatsApp channel whose instance's events go to the DSK fake.
    const phoneNumberId = `1065${Date.now().toString().slice(-8)}`;
    await createInstances(pool).setEventsUrl('bench-instance', dsk.url);
    await pool.query(`INSERT INTO channels (id, instance_id, channel_type, external_id, waba_id, status) VALUES ($1, 'bench-instance', 'whatsapp', $2, $3, 'active')`, [
      randomUUID(),
      phoneNumberId,
      '102290129340398',
    ]);

    const bareSecretEnv = { BENCH_META_APP_SECRET: metaAppSecret };
    const barePort = await freePort();
    const bare = spawnNode('bare Koa server', [path.join(projectRoot(), 'dist', 'bench', 'inbound.js'), '--bare-server', '--port', String(barePort)], bareSecretEnv, path.join(tmp, 'bare.log'));
    teardownSteps.add(() => bare.stop());
    const service = await spawnService(stack, tmp, teardownSteps);
    await Promise.all([waitUntil('the bare server to listen', bare, 30_000, async () => (await httpStatus(barePort, '/')) > 0), service.ready()]);
    const startupSeconds = ms(process.hrtime.bigint() - t0) / 1000;
    const cpuGroups: CpuGroups = { ...service.cpuGroups(), 'bare server': () => [bare.pid] };

    // ---- facts -----------------------------------------------------------------------------
    out('inbound benchmark: Meta webhook POST → 200 → DSK');
    for (const line of stackFacts(stack)) out(line);
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
