/**
 * `npm run scale:connections -- [--count 1000] [--concurrency 32] [--settle-seconds 30]
 *                                [--worker-source bundle|source] [--log-level warn] [--keep-logs]`
 *
 * Not a test: connects N WhatsApp channels through the API and the Meta emulator, on a throwaway stack
 * this script starts and tears down itself, and prints what N idle channels cost:
 *
 *   - how long connecting all of them took (connections/s, per-connection latency);
 *   - the worker's RSS (VmRSS of its process, from /proc) at start, at its peak, and with all N
 *     idle after a settle period, GC not forced;
 *   - the Temporal actions per hour their token-check timers cost, from the history of one
 *     connection run through one check cycle (a probe with `checkEveryMs` 60 s, the workflow's
 *     floor), scaled to N and the default interval (1 day).
 *
 * Stack: bench/support/stack.ts (PostgreSQL in a temp dir with fsync off, a headless, in-memory Temporal
 * dev server, the DSK fake); the Meta emulator and the API in this process; the
 * worker as a child process so its RSS is its own. `--worker-source bundle` (default) runs the
 * worker on a pre-built workflow bundle, as production does (`--worker` mode of this file mirrors
 * src/main-worker.ts); `source` runs `dist/src/main-worker.js` as `npm run dev` configures it, which
 * bundles the workflow code with webpack at start.
 *
 * Each connection is what a person's browser does, without a browser: `POST /v1/connections` (DSK),
 * `GET` the connect page (cookie and state), `POST` the emulator's consent form (decision=continue, one
 * WABA of the grant ticked), `GET` the service's OAuth callback with the cookie, which answers once the
 * channel is active. `--concurrency` connections are in flight at once.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import v8 from 'node:v8';
import { Client, Connection } from '@temporalio/client';
import proto from '@temporalio/proto';
import { bundleWorkflowCode, DefaultLogger, NativeConnection } from '@temporalio/worker';
import { closeServer } from '../src/api/server.js';
import { buildApi } from '../src/runtime-api.js';
import { startProcess } from '../src/entry.js';
import { freePort } from '../dev/infra/local-temporal.js';
import { findPostgresBinDir, projectRoot } from '../dev/infra/tools.js';
import { createLogger } from '../src/logger.js';
import { createMetaEmulator } from '../dev/meta-emulator/app.js';
import { buildFoundation } from '../src/runtime.js';
import { buildActivities } from '../src/runtime-worker.js';
import { connectionWorkflowId } from '../src/shared/ids.js';
import { createTemporalClient } from '../src/temporal/connect.js';
import { FAILURE_CONVERTER_PATH } from '../src/temporal/data-converter.js';
import { installTemporalRuntime } from '../src/temporal/runtime-logger.js';
import { createWorker, workerTuning, WORKFLOWS_ENTRY } from '../src/temporal/worker.js';
import { emulatorServiceEnv } from '../dev/meta-emulator/service-env.js';
import { cpuSecondsOf, f1, percentile, sortedMs } from './support/measure.js';
import { numberOption, parseBenchArgs } from './support/options.js';
import { scratchDir, spawnNode, teardownOnExit, version, waitUntil, type Child } from './support/processes.js';
import { startBenchStack } from './support/stack.js';

const USAGE = 'npm run scale:connections -- [--count 1000] [--concurrency 32] [--settle-seconds 30] [--worker-source bundle|source] [--log-level warn] [--keep-logs]';
const INSTANCE_ID = 'scale-instance';
/** The workflow never checks sooner than a minute (connection-state.ts); the probe runs at that floor. */
const PROBE_CHECK_EVERY_MS = 60_000;
const DEFAULT_CHECK_EVERY_MS = 24 * 60 * 60 * 1000;
/** Temporal server default of `limit.historyCount.suggestContinueAsNew`. */
const SUGGEST_CONTINUE_AS_NEW_EVENTS = 4 * 1024;

interface Options {
  count: number;
  concurrency: number;
  settleSeconds: number;
  workerSource: 'bundle' | 'source';
  logLevel: string;
  keepLogs: boolean;
}

function parseOptions(argv: string[]): Options & { workerBundle?: string } {
  const values = parseBenchArgs(
    argv,
    {
      count: { type: 'string', default: '1000' },
      concurrency: { type: 'string', default: '32' },
      'settle-seconds': { type: 'string', default: '30' },
      'worker-source': { type: 'string', default: 'bundle' },
      'log-level': { type: 'string', default: 'warn' },
      'keep-logs': { type: 'boolean', default: false },
      worker: { type: 'string' },
    },
    USAGE,
  );
  const workerSource = values['worker-source'];
  if (workerSource !== 'bundle' && workerSource !== 'source') throw new Error('--worker-source must be bundle or source');
  return {
    count: numberOption('count', values.count, 1, true),
    concurrency: numberOption('concurrency', values.concurrency, 1, true),
    settleSeconds: numberOption('settle-seconds', values['settle-seconds'], 0, true),
    workerSource,
    logLevel: values['log-level']!,
    keepLogs: values['keep-logs']!,
    ...(values.worker ? { workerBundle: values.worker } : {}),
  };
}

// ---------------------------------------------------------------------------------------------
// `--worker <bundle>`: src/main-worker.ts, with the workflow code from a pre-built bundle

function runWorker(bundlePath: string): void {
  startProcess('worker', async (config, log) => {
    installTemporalRuntime(log, { handleSignals: true });
    const foundation = await buildFoundation(config, log, 'worker');
    const connection = await NativeConnection.connect({ address: config.temporal.address });
    const client = await createTemporalClient(config.temporal, foundation.dataConverter);
    const worker = await createWorker({
      connection,
      namespace: config.temporal.namespace,
      taskQueue: config.temporal.taskQueue,
      dataConverter: foundation.dataConverter,
      source: { kind: 'bundle', codePath: bundlePath },
      activities: buildActivities(foundation),
      tuning: workerTuning(config),
    });
    log.info({ taskQueue: config.temporal.taskQueue }, 'worker running');
    try {
      await worker.run();
    } finally {
      await connection.close();
      await client.connection.close();
      await foundation.pool.end();
    }
  });
}

// ---------------------------------------------------------------------------------------------
// The worker child process and /proc

/** VmRSS / VmHWM of a process in bytes (Linux). */
function memoryOf(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? Number.NaN) * 1024;
  return { rss: kib('VmRSS'), peak: kib('VmHWM') };
}


// ---------------------------------------------------------------------------------------------
// Counting what a workflow's history costs

type HistoryEvent = proto.temporal.api.history.v1.IHistoryEvent;
const EventType = proto.temporal.api.enums.v1.EventType;

function eventName(e: HistoryEvent): string {
  const raw = EventType[e.eventType ?? 0] ?? String(e.eventType);
  return raw
    .replace(/^EVENT_TYPE_/, '')
    .toLowerCase()
    .replace(/(^|_)([a-z])/g, (_, __, c: string) => c.toUpperCase());
}

/**
 * Temporal Cloud Actions an event stands for, as docs.temporal.io/cloud/actions describes them
 * (workflow started incl. continue-as-new, timer started, activity started or retried, search
 * attributes upserted, signals, updates, markers). Workflow tasks are not Actions.
 */
function actionsOf(e: HistoryEvent): number {
  switch (e.eventType) {
    case EventType.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED:
    case EventType.EVENT_TYPE_TIMER_STARTED:
    case EventType.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES:
    case EventType.EVENT_TYPE_WORKFLOW_PROPERTIES_MODIFIED:
    case EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED:
    case EventType.EVENT_TYPE_SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_INITIATED:
    case EventType.EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED:
    case EventType.EVENT_TYPE_REQUEST_CANCEL_EXTERNAL_WORKFLOW_EXECUTION_INITIATED:
    case EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED:
    case EventType.EVENT_TYPE_MARKER_RECORDED:
    case EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED:
      return 1;
    case EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED:
      // Each retry is an Action; the started event carries the final attempt number.
      return Math.max((e.activityTaskStartedEventAttributes?.attempt ?? 1) - 1, 0);
    default:
      return 0;
  }
}

interface Tally {
  events: number;
  actions: number;
  workflowTasks: number;
  activities: string[];
  byType: Map<string, number>;
  actionsByType: Map<string, number>;
}

function tally(events: HistoryEvent[]): Tally {
  const t: Tally = { events: events.length, actions: 0, workflowTasks: 0, activities: [], byType: new Map(), actionsByType: new Map() };
  for (const e of events) {
    const name = eventName(e);
    t.byType.set(name, (t.byType.get(name) ?? 0) + 1);
    const a = actionsOf(e);
    t.actions += a;
    if (a) t.actionsByType.set(name, (t.actionsByType.get(name) ?? 0) + a);
    if (e.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED) t.workflowTasks += 1;
    if (e.eventType === EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED) t.activities.push(e.activityTaskScheduledEventAttributes?.activityType?.name ?? '?');
  }
  return t;
}

const list = (m: Map<string, number>) => [...m].map(([k, v]) => `${k} ${v}`).join(', ');

// ---------------------------------------------------------------------------------------------
// Main

const out = (line = '') => process.stdout.write(`${line}\n`);
const MiB = (bytes: number) => (bytes / 2 ** 20).toFixed(1);
const thousands = (n: number) => Math.round(n).toLocaleString('en-US');

/** `&#38;` and friends, as the service's HTML template escapes attribute values. */
function unescapeHtml(s: string): string {
  return s.replace(/&#(\d+);/g, (_, n: string) => String.fromCharCode(Number(n))).replace(/&amp;/g, '&');
}

async function main(opts: Options): Promise<void> {
  const log = createLogger({ level: process.env.BENCH_INFRA_LOG_LEVEL ?? 'warn', name: 'scale', destination: process.stderr });
  const teardownSteps = teardownOnExit();
  const teardown = teardownSteps.run;

  const t0 = Date.now();
  const tmp = scratchDir('meta-int-scale', opts.keepLogs, teardownSteps);
  let worker: Child | undefined;

  try {
    // Meta: the emulator, with one grant of N+1 WABAs (one number each); each consent ticks one.
    const metaAppSecret = randomBytes(16).toString('hex');
    const emulator = createMetaEmulator({ appSecret: metaAppSecret });
    const meta = await emulator.listen();
    teardownSteps.add(() => meta.close());
    const grant = emulator.state.configureGrant({ flow: 'whatsapp_embedded_signup', assets: Array.from({ length: opts.count + 1 }, () => ({ phoneNumbers: [{}] })) });
    // Keep the emulator's request log from growing with N: nothing here reads it.
    const keepRequestLogSmall = setInterval(() => emulator.state.requests.splice(0, emulator.state.requests.length), 5_000);
    teardownSteps.add(async () => clearInterval(keepRequestLogSmall));

    const stack = await startBenchStack({
      tmp,
      teardown: teardownSteps,
      log,
      logLevel: opts.logLevel,
      metaAppSecret,
      env: {
        ...emulatorServiceEnv(meta),
        // Every "browser" here is one loopback address: the per-address limit of the public pages would throttle the run.
        RATE_LIMIT_PER_MINUTE: '0',
      },
    });
    const { temporalCli, temporal, env, config, dskIssuer, dsk, apiPort } = stack;

    // The worker, alone in its process.
    let workerArgs: string[];
    let workerShape: string;
    if (opts.workerSource === 'bundle') {
      const bundlePath = path.join(tmp, 'workflow-bundle.js');
      const { code } = await bundleWorkflowCode({ workflowsPath: WORKFLOWS_ENTRY, failureConverterPath: FAILURE_CONVERTER_PATH, logger: new DefaultLogger('WARN') });
      writeFileSync(bundlePath, code);
      workerArgs = [path.join(projectRoot(), 'dist', 'bench', 'scale-connections.js'), '--worker', bundlePath];
      workerShape = 'child process: src/main-worker.ts wiring on a pre-built workflow bundle (as in production)';
    } else {
      workerArgs = [path.join(projectRoot(), 'dist', 'src', 'main-worker.js')];
      workerShape = 'child process: node dist/src/main-worker.js, NODE_ENV=development (webpack bundles the workflows at start)';
    }
    worker = spawnNode('worker', workerArgs, env, path.join(tmp, 'worker.log'), 45_000);
    const workerChild = worker;
    teardownSteps.add(() => workerChild.stop());

    // The API in this process: one with the default timing, and one for the probe with a short check interval.
    const foundation = await buildFoundation(config, createLogger({ level: opts.logLevel, name: 'api', destination: process.stderr }), 'api');
    teardownSteps.add(() => foundation.pool.end());
    const client = await createTemporalClient(config.temporal, foundation.dataConverter);
    teardownSteps.add(() => client.connection.close());
    const listen = (app: ReturnType<typeof buildApi>['app'], port: number) =>
      new Promise<Server>((resolve) => {
        const server = app.listen(port, '127.0.0.1', () => resolve(server));
      });
    const api = buildApi(foundation, client);
    const apiServer = await listen(api.app, apiPort);
    teardownSteps.add(() => closeServer(apiServer, 2_000).then(() => api.stop()));
    const probePort = await freePort();
    const probeApi = buildApi(foundation, client, { connectionTiming: { checkEveryMs: PROBE_CHECK_EVERY_MS } });
    const probeServer = await listen(probeApi.app, probePort);
    teardownSteps.add(() => closeServer(probeServer, 2_000).then(() => probeApi.stop()));

    await foundation.repos.instances.setEventsUrl(INSTANCE_ID, dsk.url);
    const dskToken = await dskIssuer.dskToken({ instanceId: INSTANCE_ID, expiresInSeconds: 24 * 3600 });

    const temporalClient = new Client({ connection: await Connection.connect({ address: temporal.address }), namespace: 'default' });
    teardownSteps.add(() => temporalClient.connection.close());
    const { TaskQueueType } = proto.temporal.api.enums.v1;
    await waitUntil('the worker to poll its task queue', worker, 120_000, async () => {
      const answers = await Promise.all(
        [TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW, TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY].map((taskQueueType) =>
          temporalClient.workflowService.describeTaskQueue({ namespace: 'default', taskQueue: { name: config.temporal.taskQueue }, taskQueueType }),
        ),
      );
      return answers.every((a) => (a.pollers ?? []).some((p) => p.identity?.startsWith(`${workerChild.pid}@`)));
    });
    await sleep(5_000);
    const atStart = memoryOf(worker.pid);
    const startupSeconds = (Date.now() - t0) / 1000;

    // ---- facts -----------------------------------------------------------------------------
    const cpus = os.cpus();
    const heapMiB = v8.getHeapStatistics().heap_size_limit / 2 ** 20;
    const defaultCache = Math.max(Math.floor((Math.max(heapMiB - 200, 0) * 600) / 1024), 10);
    out(`scale-connections: ${thousands(opts.count)} WhatsApp channels connected through the API and the Meta emulator, then left idle`);
    out(`machine     ${cpus.length} cores (${cpus[0]?.model.trim() ?? '?'}), ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB RAM, ${os.platform()} ${os.release()}, load avg at start ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
    out(`node        ${process.version}, V8 heap limit ${heapMiB.toFixed(0)} MiB → the SDK's default maxCachedWorkflows ${defaultCache} (sticky cache)`);
    out(`temporal    ${version(temporalCli, ['--version'])}: start-dev, headless, in-memory SQLite (WAL, synchronous=OFF)`);
    out(`postgres    ${version(path.join(findPostgresBinDir(), 'postgres'), ['--version'])}, temp cluster, fsync=off`);
    out(`worker      ${workerShape}; LOG_LEVEL=${opts.logLevel}, DATABASE_POOL_MAX=${config.database.poolMax}`);
    out(`harness     this process: API (Koa, as in main-api), Meta emulator, DSK fake, ${opts.concurrency} connections in flight`);
    out(`startup     ${f1(startupSeconds)} s (postgres + temporal + migrations + bundle + worker)`);
    out();

    // ---- the probe: one connection that checks its token every minute -----------------------------
    const connectOne = async (baseUrl: string, wabaId: string): Promise<{ ms: number; connectionId: string }> => {
      const started = performance.now();
      const created = await fetch(`${baseUrl}/v1/connections`, {
        method: 'POST',
        headers: { authorization: `Bearer ${dskToken}`, 'content-type': 'application/json' },
        body: JSON.stringify({ channel_type: 'whatsapp', return_url: 'https://dsk.example.test/return' }),
      });
      const body = (await created.json()) as { connection_id?: string; connect_url?: string };
      if (created.status !== 201 || !body.connect_url || !body.connection_id) throw new Error(`POST /v1/connections answered ${created.status}: ${JSON.stringify(body)}`);
      const page = await fetch(body.connect_url);
      const cookie = /mis_connect=([^;]+)/.exec(page.headers.get('set-cookie') ?? '')?.[1];
      const href = /<a class="button" href="([^"]+)">Continue with Meta<\/a>/.exec(await page.text())?.[1];
      if (!cookie || !href) throw new Error(`connect page answered ${page.status} without cookie or Meta link`);
      const consent = await fetch(unescapeHtml(href), {
        method: 'POST',
        body: new URLSearchParams({ decision: 'continue', assets_selected: '1', asset: wabaId }),
        redirect: 'manual',
      });
      await consent.arrayBuffer();
      const location = consent.headers.get('location');
      if (consent.status !== 302 || !location) throw new Error(`consent answered ${consent.status}`);
      const callback = await fetch(location, { headers: { cookie: `mis_connect=${cookie}` } });
      const html = await callback.text();
      if (callback.status !== 200 || !html.includes('Channel connected')) throw new Error(`callback answered ${callback.status}: ${html.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ').slice(0, 200)}`);
      return { ms: performance.now() - started, connectionId: body.connection_id };
    };
    const probe = await connectOne(`http://127.0.0.1:${probePort}`, grant.wabaIds[opts.count]!);
    const probeActiveAt = Date.now();

    // ---- connect N ----------------------------------------------------------------------------
    const latencies: number[] = [];
    const failures = new Map<string, number>();
    let next = 0;
    const connectStarted = performance.now();
    let lastReport = Date.now();
    await Promise.all(
      Array.from({ length: Math.min(opts.concurrency, opts.count) }, async () => {
        for (;;) {
          const i = next++;
          if (i >= opts.count) return;
          try {
            latencies.push((await connectOne(config.http.publicBaseUrl, grant.wabaIds[i]!)).ms);
          } catch (err) {
            const why = err instanceof Error ? err.message.slice(0, 120) : String(err);
            failures.set(why, (failures.get(why) ?? 0) + 1);
          }
          if (Date.now() - lastReport > 10_000) {
            lastReport = Date.now();
            process.stderr.write(`  … ${latencies.length} connected, ${[...failures.values()].reduce((a, b) => a + b, 0)} failed, ${f1((performance.now() - connectStarted) / 1000)} s, worker RSS ${MiB(memoryOf(workerChild.pid).rss)} MiB\n`);
          }
        }
      }),
    );
    const connectSeconds = (performance.now() - connectStarted) / 1000;
    const afterConnect = memoryOf(worker.pid);

    // ---- settle, then read the worker's RSS without forcing a GC --------------------------------
    const settleMs = opts.settleSeconds * 1000;
    const quietWindowMs = Math.min(10_000, settleMs);
    await sleep(settleMs - quietWindowMs);
    const cpuBefore = cpuSecondsOf(worker.pid);
    await sleep(quietWindowMs);
    const idleCpuPercent = quietWindowMs > 0 ? (100 * (cpuSecondsOf(worker.pid) - cpuBefore)) / (quietWindowMs / 1000) : Number.NaN;
    const idle = memoryOf(worker.pid);

    const { rows } = await foundation.pool.query<{ n: string }>(`SELECT count(*)::text AS n FROM channels WHERE instance_id = $1 AND status = 'active'`, [INSTANCE_ID]);
    const countQuery = `WorkflowType = 'connectionWorkflow' AND ExecutionStatus = 'Running' AND IntegrationStatus = 'active'`;
    const running = await temporalClient.workflowService.countWorkflowExecutions({ namespace: 'default', query: countQuery });

    // ---- one check cycle of the probe: from its first timer to the next ---------------------------
    const probeHandle = temporalClient.workflow.getHandle(connectionWorkflowId(probe.connectionId));
    // The first timer of its history is the connect session's deadline (cancelled once authorized);
    // a check cycle runs from the started event of the first timer that fires to the next timer started.
    let history: HistoryEvent[] = [];
    let cycleBounds: [number, number] | undefined;
    const cycleDeadline = probeActiveAt + PROBE_CHECK_EVERY_MS + 120_000;
    for (;;) {
      history = ((await probeHandle.fetchHistory()).events ?? []) as HistoryEvent[];
      const fired = history.findIndex((e) => e.eventType === EventType.EVENT_TYPE_TIMER_FIRED);
      const startedId = Number(history[fired]?.timerFiredEventAttributes?.startedEventId ?? -1);
      const started = history.findIndex((e) => Number(e.eventId) === startedId);
      const nextTimer = history.findIndex((e, i) => i > fired && e.eventType === EventType.EVENT_TYPE_TIMER_STARTED);
      if (fired >= 0 && started >= 0 && nextTimer > fired) {
        cycleBounds = [started, nextTimer];
        break;
      }
      if (Date.now() > cycleDeadline) throw new Error('the probe connection did not complete a check cycle in time');
      await sleep(1_000);
    }
    const [firstTimer, secondTimer] = cycleBounds;
    const setup = tally(history.slice(0, firstTimer + 1));
    const cycle = tally(history.slice(firstTimer + 1, secondTimer + 1));

    // ---- report --------------------------------------------------------------------------------
    const connected = latencies.length;
    const failed = [...failures.values()].reduce((a, b) => a + b, 0);
    const sortedLatencies = sortedMs(latencies);
    out(`[connect]   ${thousands(connected)} of ${thousands(opts.count)} connected in ${f1(connectSeconds)} s = ${f1(connected / connectSeconds)} connections/s`);
    out(`            per connection (create → connect page → consent → callback answered "Channel connected"): p50 ${f1(percentile(sortedLatencies, 50))} ms, p99 ${f1(percentile(sortedLatencies, 99))} ms, max ${f1(sortedLatencies.at(-1) ?? Number.NaN)} ms`);
    out(`            failed ${failed}${failed ? `: ${[...failures].map(([k, v]) => `${v}× ${k}`).join('; ')}` : ''}`);
    out(`            then: channels active in PostgreSQL ${rows[0]!.n}; Temporal count(${countQuery}) = ${String(running.count)} (N + the probe)`);
    out();
    out(`[worker]    RSS (VmRSS of pid ${worker.pid}, GC never forced)`);
    out(`            at start, polling, no workflows:          ${MiB(atStart.rss)} MiB`);
    out(`            right after the last connection:          ${MiB(afterConnect.rss)} MiB (peak so far, VmHWM ${MiB(afterConnect.peak)} MiB)`);
    const cacheSize = config.worker.maxCachedWorkflows;
    const cached = Math.min(connected + 1, cacheSize);
    out(`            all ${thousands(connected + 1)} idle, after a ${opts.settleSeconds} s settle:      ${MiB(idle.rss)} MiB  (+${MiB(idle.rss - atStart.rss)} MiB over start)`);
    out(`            sticky cache: holds min(${thousands(connected + 1)}, ${cacheSize}) = ${thousands(cached)} workflows (WORKER_MAX_CACHED_WORKFLOWS; the SDK's default for this heap would be ${defaultCache}) → ${((idle.rss - atStart.rss) / 1024 / cached).toFixed(0)} KiB of RSS per cached workflow;`);
    out(`            workflows beyond the cache are evicted and replayed from history when their timer fires (worker CPU, no extra actions)`);
    out(`            worker CPU over the last ${quietWindowMs / 1000} s of the settle: ${f1(idleCpuPercent)} % of one core`);
    out(`            target (issue #15): idle worker RSS < 1024 MiB with 10,000 connections: ${MiB(idle.rss)} MiB with ${thousands(connected + 1)} → ${idle.rss < 2 ** 30 ? 'under' : 'NOT under'} 1 GiB`);
    out();
    const perHourDefault = 3_600_000 / DEFAULT_CHECK_EVERY_MS;
    const cyclesBeforeContinueAsNew = Math.floor((SUGGEST_CONTINUE_AS_NEW_EVENTS - setup.events) / Math.max(cycle.events, 1));
    out(`[timers]    one token-check cycle, measured on the probe connection (checkEveryMs ${PROBE_CHECK_EVERY_MS / 1000} s), first timer to the next:`);
    out(`            history events ${cycle.events}: ${list(cycle.byType)}`);
    out(`            workflow tasks ${cycle.workflowTasks}; activities ${cycle.activities.join(', ') || 'none'}`);
    out(`            Temporal Cloud actions ${cycle.actions}: ${list(cycle.actionsByType)}  (workflow tasks and timer-fired events are not actions)`);
    out(`            at the default interval (1 check a day), for ${thousands(connected)} connections:`);
    out(`              ${f1(connected * cycle.actions * perHourDefault)} actions/hour (${thousands(connected * cycle.actions * perHourDefault * 24 * 30)} a 30-day month), ${f1(connected * cycle.workflowTasks * perHourDefault)} workflow tasks/hour, ${f1(connected * cycle.events * perHourDefault)} history events/hour`);
    out(`            scaled: ${[10_000, 100_000].map((n) => `${thousands(n)} connections ${f1(n * cycle.actions * perHourDefault)} actions/hour`).join('; ')}`);
    out(`            continue-as-new after ≈ ${thousands(cyclesBeforeContinueAsNew)} cycles (server suggests at ${SUGGEST_CONTINUE_AS_NEW_EVENTS} events): +1 action per ~${(cyclesBeforeContinueAsNew / 365).toFixed(1)} years per connection, negligible`);
    out(`[setup]     one-time, per connection (history up to the first check timer): ${setup.events} events, ${setup.workflowTasks} workflow tasks, ${setup.actions} actions (${list(setup.actionsByType)}); activities ${setup.activities.join(', ')}`);
    out();
    out(`total ${f1((Date.now() - t0) / 1000)} s before teardown; load avg now ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  } catch (err) {
    if (worker) process.stderr.write(`--- worker (last lines) ---\n${worker.logTail()}\n`);
    throw err;
  } finally {
    await teardown();
  }
}

const options = parseOptions(process.argv.slice(2));
if (options.workerBundle) {
  runWorker(options.workerBundle);
} else {
  main(options).then(
    () => process.exit(0),
    (err: unknown) => {
      process.stderr.write(`scale-connections failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exit(1);
    },
  );
}
