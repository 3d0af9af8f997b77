/**
 * `npm run bench:inbound -- [--rate 200] [--seconds 20] [--low-rate 20] [--low-seconds 10] [--batch 1]
 *                           [--max-seconds 10] [--ceiling-seconds 10] [--drain-seconds 30] [--max-in-flight 64]
 *                           [--log-level info] [--pool-max 10] [--keep-logs] [--json]`
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
 * Phases: warm-up of both servers; [1] the bare server at max rate for --max-seconds; [2] the service
 * at --low-rate for --low-seconds and [3] at --rate for --seconds (open loop: sends are scheduled on a
 * timer, never wait for answers, and are capped at --max-in-flight), each followed by a drain until
 * every acknowledged event reached DSK or --drain-seconds passed without progress; [4] Temporal's own
 * ceiling on the same server (bench/ceiling/run.ts: an empty workflow and a one-local-activity
 * workflow at max rate, 64 in flight, worker and client in one process); [5] the service at max rate
 * for --max-seconds (its acknowledgements only: the backlog it leaves is not waited for). "Max rate"
 * is the same client keeping --max-in-flight requests outstanding. All times come from
 * `process.hrtime.bigint()` (CLOCK_MONOTONIC, shared by the processes on this machine). With --json
 * the report goes to stderr and stdout gets one JSON object with every figure.
 */
import { randomUUID } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import Koa from 'koa';
import { rawBody } from '../src/api/middleware/raw-body.js';
import { createInstances } from '../src/db/instances.js';
import { freePort } from '../dev/infra/local-temporal.js';
import { projectRoot } from '../dev/infra/tools.js';
import { createLogger } from '../src/logger.js';
import { generatePayloadKey } from '../src/temporal/encryption-codec.js';
import { verifyMetaSignature } from '../src/meta/signature.js';
import { drive, httpStatus, type RunMode, type RunResult } from './support/client.js';
import { ackStats, deliveryStats, type AckStats } from './support/inbound-stats.js';
import { shotFactory } from './support/webhooks.js';
import { measureCeiling } from './support/ceiling.js';
import { drainUntil } from './support/drain.js';
import { cpuLine, cpuPerUnit, cpuSnapshot, f0, f1, histogramMean, ms, scrapeHistograms, type CpuGroups } from './support/measure.js';
import { numberOption, parseBenchArgs } from './support/options.js';
import { children, scratchDir, spawnNode, teardownOnExit, waitUntil } from './support/processes.js';
import { spawnService, stackFacts, startBenchStack } from './support/stack.js';

/** Issue #15's targets, on this machine, in the same run. */
const TARGETS = { ackRatio: 0.5, ackP99Ms: 50, deliveredRatio: 0.8, e2eP99Ms: 150, e2eAtRate: 20 } as const;
const USAGE =
  'npm run bench:inbound -- [--rate 200] [--seconds 20] [--low-rate 20] [--low-seconds 10] [--batch 1] [--max-seconds 10] [--ceiling-seconds 10] [--drain-seconds 30] [--max-in-flight 64] [--log-level info] [--pool-max 10] [--keep-logs] [--json]';
const MAX_BODY_BYTES = 8 * 1024 * 1024;

// ---------------------------------------------------------------------------------------------
// Command line

interface Options {
  rate: number;
  seconds: number;
  lowRate: number;
  lowSeconds: number;
  ceilingSeconds: number;
  json: boolean;
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
  const values = parseBenchArgs(
    argv,
    {
      rate: { type: 'string', default: '200' },
      seconds: { type: 'string', default: '20' },
      'low-rate': { type: 'string', default: '20' },
      'low-seconds': { type: 'string', default: '10' },
      'ceiling-seconds': { type: 'string', default: '10' },
      json: { type: 'boolean', default: false },
      batch: { type: 'string', default: '1' },
      'max-seconds': { type: 'string', default: '10' },
      'drain-seconds': { type: 'string', default: '30' },
      'max-in-flight': { type: 'string', default: '64' },
      'log-level': { type: 'string', default: 'info' },
      'pool-max': { type: 'string' },
      'keep-logs': { type: 'boolean', default: false },
      'bare-server': { type: 'boolean', default: false },
      port: { type: 'string' },
    },
    USAGE,
  );
  const num = numberOption;
  return {
    rate: num('rate', values.rate, 0.1),
    seconds: num('seconds', values.seconds, 1),
    lowRate: num('low-rate', values['low-rate'], 0.1),
    lowSeconds: num('low-seconds', values['low-seconds'], 1),
    ceilingSeconds: num('ceiling-seconds', values['ceiling-seconds'], 1),
    json: values.json!,
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
// Main

let out = (line = '') => void process.stdout.write(`${line}\n`);

async function main(opts: Options): Promise<void> {
  if (opts.json) out = (line = '') => void process.stderr.write(`${line}\n`);
  const log = createLogger({ level: process.env.BENCH_INFRA_LOG_LEVEL ?? 'warn', name: 'bench', destination: process.stderr });
  const teardownSteps = teardownOnExit();
  const teardown = teardownSteps.run;

  const t0 = process.hrtime.bigint();
  const loadAtStart = os.loadavg();
  const tmp = scratchDir('meta-int-bench', opts.keepLogs, teardownSteps);

  try {
    // The max-rate run acknowledges far more than Temporal can start in its window: the bound must not be what it measures.
    const stack = await startBenchStack({ tmp, teardown: teardownSteps, log, logLevel: opts.logLevel, poolMax: opts.poolMax, env: { INBOUND_INTAKE_MAX_ROWS: '1000000', PAYLOAD_ENCRYPTION_KEYS: `bench1:${generatePayloadKey()}` } });
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
    out('inbound benchmark: Meta webhook POST → 200 (intake) → relay → workflow → DSK');
    for (const line of stackFacts(stack)) out(line);
    out(`            load avg at start ${loadAtStart.map((l) => l.toFixed(2)).join(' ')}; payload encryption on (PAYLOAD_ENCRYPTION_KEYS: the intake and Temporal's payloads sealed, as in production)`);
    out(`harness     this process: open-loop client (http.Agent keep-alive, max ${opts.maxInFlight} in flight) + DSK fake (verifies each JWT, answers 200); bare Koa server = child process`);
    out(`load        ${opts.lowRate} events/s for ${opts.lowSeconds} s, then ${opts.rate} events/s for ${opts.seconds} s, ${opts.batch} event(s) per POST; max-rate runs ${opts.maxSeconds} s each; drains until no delivery for ${opts.drainSeconds} s (cap 10 min)`);
    out(`startup     ${startupSeconds.toFixed(1)} s (postgres + temporal + migrations + worker bundle + api)`);
    out();

    const next = shotFactory(metaAppSecret, phoneNumberId, opts.batch);
    // A backlog is not a loss: keep draining while deliveries make progress, and call an event lost
    // only when nothing has arrived for `stallMs` (or the hard cap of 10 minutes passed).
    const waitDelivered = (keys: string[], stallMs: number): Promise<number> =>
      drainUntil(() => keys.filter((k) => dsk.acceptCount(k) === 0).length, { stallMs, pollMs: 50, capMs: 10 * 60_000 });
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

    // ---- 2, 3. the service at an offered rate, then drain ---------------------------------------
    const offered = async (rate: number, seconds: number) => {
      const mode: RunMode = { kind: 'rate', postsPerSecond: rate / opts.batch };
      const before = cpuSnapshot(cpuGroups);
      const run = await drive(apiPort, mode, seconds, opts.maxInFlight, next);
      const sendCpu = cpuLine(before, cpuSnapshot(cpuGroups), process.hrtime.bigint() - run.startedAt);
      const drainStarted = process.hrtime.bigint();
      const drainBefore = cpuSnapshot(cpuGroups);
      const drainMs = await waitDelivered(ackedKeys(run), opts.drainSeconds * 1000);
      const after = cpuSnapshot(cpuGroups);
      const drainCpu = cpuLine(drainBefore, after, process.hrtime.bigint() - drainStarted);
      const ack = ackStats(run);
      const delivery = deliveryStats(run, dsk, drainMs);
      const { rows: outcomes } = await pool.query<{ outcome: string; n: string }>(
        `SELECT outcome, count(*)::text AS n FROM webhook_log WHERE idempotency_key = ANY($1::text[]) GROUP BY outcome ORDER BY outcome`,
        [ackedKeys(run)],
      );
      return { run, ack, delivery, outcomes, sendCpu, drainCpu, cpuPerEvent: cpuPerUnit(before, after, delivery.delivered) };
    };
    const low = await offered(opts.lowRate, opts.lowSeconds);
    const high = await offered(opts.rate, opts.seconds);

    // ---- 4. Temporal's own ceiling, on the same server, the service idle ------------------------
    const ceiling = await measureCeiling(stack.temporal.address, { seconds: opts.ceilingSeconds, inFlight: 64, kinds: ['empty', 'local', 'local-upsert'] });

    // ---- 5. the service at max rate (acknowledgements) ------------------------------------------
    const intakeHistograms = ['inbound_intake_commit_seconds', 'inbound_intake_batch_events'] as const;
    const intakeBefore = await scrapeHistograms(apiPort, intakeHistograms);
    cpuBefore = cpuSnapshot(cpuGroups);
    const maxRun = await drive(apiPort, { kind: 'max' }, opts.maxSeconds, opts.maxInFlight, next);
    const maxCpu = cpuLine(cpuBefore, cpuSnapshot(cpuGroups), maxRun.windowEnd - maxRun.startedAt);
    const intakeAfter = await scrapeHistograms(apiPort, intakeHistograms);
    const commits = intakeAfter.inbound_intake_commit_seconds!.count - intakeBefore.inbound_intake_commit_seconds!.count;
    const commitMeanMs = histogramMean(intakeBefore.inbound_intake_commit_seconds!, intakeAfter.inbound_intake_commit_seconds!) * 1000;
    const batchMean = histogramMean(intakeBefore.inbound_intake_batch_events!, intakeAfter.inbound_intake_batch_events!);

    // ---- 6. the acknowledgement path alone: Temporal and the worker paused (SIGSTOP) ------------
    // What [5] loses to the delivery it triggers: the same run with nothing consuming the intake.
    // The relay's starts time out and back off meanwhile; everything resumes afterwards (SIGCONT).
    const paused = [...cpuGroups.worker!(), ...cpuGroups['temporal dev server']!()];
    for (const pid of paused) process.kill(pid, 'SIGSTOP');
    let aloneRun: RunResult;
    let aloneCpu: string;
    try {
      cpuBefore = cpuSnapshot(cpuGroups);
      aloneRun = await drive(apiPort, { kind: 'max' }, opts.maxSeconds, opts.maxInFlight, next);
      aloneCpu = cpuLine(cpuBefore, cpuSnapshot(cpuGroups), aloneRun.windowEnd - aloneRun.startedAt);
    } finally {
      for (const pid of paused) process.kill(pid, 'SIGCONT');
    }
    const aloneAck = ackStats(aloneRun);
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
    const report = (n: number, rate: number, seconds: number, r: Awaited<ReturnType<typeof offered>>) => {
      out(`[${n}] service at ${rate} events/s offered, ${seconds} s, batch ${opts.batch}`);
      out(`    acked     ${r.ack.ackedEvents} events in ${r.ack.ok} POSTs, sustained ${f1(r.ack.ackedPerSecond)} events/s${failures(r.ack)}`);
      out(`    ack       p50 ${f1(r.ack.p50)} ms, p99 ${f1(r.ack.p99)} ms, max ${f1(r.ack.max)} ms  (POST sent → 200 read)`);
      out(`    client    send lag behind schedule p99 ${f1(r.ack.lagP99)} ms, max ${f1(r.ack.lagMax)} ms; POSTs held back by the in-flight cap: ${r.run.heldByCap}`);
      out(`    delivered ${r.delivery.delivered} of ${r.delivery.acked}, sustained ${f1(r.delivery.deliveredPerSecond)} events/s (first send → last first delivery); drain ${f1(r.delivery.drainMs / 1000)} s`);
      out(`    e2e       p50 ${f1(r.delivery.e2eP50)} ms, p99 ${f1(r.delivery.e2eP99)} ms, max ${f1(r.delivery.e2eMax)} ms  (POST sent → DSK received)`);
      out(`    lost      ${r.delivery.lost} (acked, never at DSK: no delivery for ${opts.drainSeconds} s while draining, 10 min cap); duplicates ${r.delivery.duplicates} (replays at DSK); non-2xx at DSK ${r.delivery.refused}`);
      out(`    log       webhook_log outcomes: ${r.outcomes.map((o) => `${o.outcome} ${o.n}`).join(', ')}`);
      out(`    cpu       ${r.sendCpu}  (% of one core, while sending)`);
      out(`    cpu       ${r.drainCpu}  (% of one core, while draining)`);
      out(`    cpu/event ${r.cpuPerEvent}  (sending + draining, per delivered event)`);
      out();
    };
    report(2, opts.lowRate, opts.lowSeconds, low);
    report(3, opts.rate, opts.seconds, high);
    out(`[4] Temporal's ceiling on the same dev server (bench/ceiling/run.ts: 64 in flight, worker + client in one process, ${opts.ceilingSeconds} s each)`);
    out(`    empty workflow ${f1(ceiling.empty ?? Number.NaN)}/s, one local activity ${f1(ceiling.local ?? Number.NaN)}/s, one local activity + final search-attribute upsert ${f1(ceiling['local-upsert'] ?? Number.NaN)}/s`);
    out();
    out(`[5] service at max rate, ${opts.maxSeconds} s, ${opts.maxInFlight} in flight, batch ${opts.batch} (acknowledgements; the backlog is left)`);
    out(`    acked     ${f0(maxAck.ackedPerSecond)} events/s (${maxAck.ok} POSTs${failures(maxAck)}); delivered by the end of the run: ${deliveredDuringMax} events`);
    out(`    ack       p50 ${f1(maxAck.p50)} ms, p99 ${f1(maxAck.p99)} ms, max ${f1(maxAck.max)} ms`);
    out(`    cpu       ${maxCpu}  (% of one core)`);
    out(`    intake    ${commits} group commits, ${f1(batchMean)} events each on average, ${f1(commitMeanMs)} ms each on average (the api's inbound_intake_* histograms)`);
    out();
    out(`[6] service at max rate with Temporal and the worker paused (SIGSTOP), ${opts.maxSeconds} s, ${opts.maxInFlight} in flight: the acknowledgement path alone`);
    out(`    acked     ${f0(aloneAck.ackedPerSecond)} events/s (${aloneAck.ok} POSTs${failures(aloneAck)}), ${f1(aloneAck.ackedPerSecond / bareAck.ackedPerSecond)} x bare`);
    out(`    ack       p50 ${f1(aloneAck.p50)} ms, p99 ${f1(aloneAck.p99)} ms, max ${f1(aloneAck.max)} ms`);
    out(`    cpu       ${aloneCpu}  (% of one core)`);
    out();

    const figures = {
      bare_per_s: round1(bareAck.ackedPerSecond),
      ack_max_per_s: round1(maxAck.ackedPerSecond),
      ack_ratio: round3(maxAck.ackedPerSecond / bareAck.ackedPerSecond),
      ack_alone_per_s: round1(aloneAck.ackedPerSecond),
      ack_alone_ratio: round3(aloneAck.ackedPerSecond / bareAck.ackedPerSecond),
      ack_p99_ms: round1(high.ack.p99),
      ack_rate_offered: opts.rate,
      delivered_per_s: round1(high.delivery.deliveredPerSecond),
      ceiling_empty_per_s: ceiling.empty ?? null,
      ceiling_local_per_s: ceiling.local ?? null,
      delivered_ratio: ceiling.local ? round3(high.delivery.deliveredPerSecond / ceiling.local) : null,
      delivered_ratio_empty: ceiling.empty ? round3(high.delivery.deliveredPerSecond / ceiling.empty) : null,
      ceiling_local_upsert_per_s: ceiling['local-upsert'] ?? null,
      e2e_p99_ms: round1(low.delivery.e2eP99),
      e2e_rate: opts.lowRate,
      e2e_p99_ms_at_rate: round1(high.delivery.e2eP99),
      lost: low.delivery.lost + high.delivery.lost,
      duplicates: low.delivery.duplicates + high.delivery.duplicates,
      load_avg_at_start: loadAtStart.map((l) => round1(l)),
    };
    const row = (target: string, measured: string, met: boolean | undefined) =>
      out(`  ${target.padEnd(52)} ${measured.padEnd(40)} ${met === undefined ? 'n/a' : met ? 'MET' : 'NOT MET'}`);
    out('targets (issue #15, same run)');
    row(`ack rate >= ${TARGETS.ackRatio} x bare (max rate)`, `${figures.ack_ratio} (${f0(maxAck.ackedPerSecond)} / ${f0(bareAck.ackedPerSecond)} ev/s)`, figures.ack_ratio >= TARGETS.ackRatio);
    row(`ack p99 < ${TARGETS.ackP99Ms} ms at ${opts.rate} ev/s offered`, `${figures.ack_p99_ms} ms`, high.ack.p99 < TARGETS.ackP99Ms);
    row(
      `delivered >= ${TARGETS.deliveredRatio} x one-local-activity ceiling`,
      `${figures.delivered_ratio ?? 'n/a'} (${f1(high.delivery.deliveredPerSecond)} / ${f1(ceiling.local ?? Number.NaN)}/s)`,
      figures.delivered_ratio === null ? undefined : figures.delivered_ratio >= TARGETS.deliveredRatio,
    );
    row(
      `end-to-end p99 < ${TARGETS.e2eP99Ms} ms at ${TARGETS.e2eAtRate} ev/s`,
      `${figures.e2e_p99_ms} ms at ${opts.lowRate} ev/s`,
      opts.lowRate === TARGETS.e2eAtRate ? low.delivery.e2eP99 < TARGETS.e2eP99Ms : undefined,
    );
    row('lost = 0', String(figures.lost), figures.lost === 0);
    row('duplicates = 0', String(figures.duplicates), figures.duplicates === 0);
    out();
    out(`total ${f1(ms(process.hrtime.bigint() - t0) / 1000)} s before teardown; load avg now ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
    if (opts.json) process.stdout.write(`${JSON.stringify(figures)}\n`);
  } catch (err) {
    for (const c of children) process.stderr.write(`--- ${c.name} (last lines) ---\n${c.logTail()}\n`);
    throw err;
  } finally {
    await teardown();
  }
}

const round1 = (n: number) => (Number.isFinite(n) ? Math.round(n * 10) / 10 : null);
const round3 = (n: number) => Math.round(n * 1000) / 1000;

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
