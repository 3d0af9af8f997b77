/**
 * `npm run bench:outbound -- [--seconds 15] [--in-flight 16] [--rate N] [--sends-per-second 1000]
 *                            [--paced-seconds 10] [--paced-limit N] [--drain-seconds 30] [--ceiling-seconds 10]
 *                            [--log-level info] [--keep-logs] [--json]`
 *
 * Throughput and latency of the outbound path (DSK `POST /v1/channels/:id/messages` → Meta's Send API),
 * against the Meta emulator, on a throwaway stack this script starts and tears down itself:
 *
 *   - PostgreSQL and a headless, in-memory Temporal dev server, as for bench:inbound (support/stack.ts);
 *   - the service as its real entry points, each a child process: `dist/src/main-api.js` and
 *     `dist/src/main-worker.js`, with Temporal payload encryption on (as production requires);
 *   - the Meta emulator (dev/meta-emulator) as a child process too (this file, `--emulator`): one
 *     registered number, a token for it, status webhooks off; a control port of its own tells this
 *     process every message it accepted (the emulator itself keeps only the last 1000) and every
 *     answer of its Send API;
 *   - a DSK fake (test/support/dsk-fake.ts) in this process, receiving each send's `message.status`.
 *
 * One WhatsApp channel is seeded in PostgreSQL with the emulator's token, encrypted as the connect flow
 * stores it. Every send goes to a recipient of its own, so the pair rate (one user) never paces it.
 *
 * Runs, after a warm-up:
 *   [1] the emulator directly, with the Graph body the service sends (`whatsappGraphBody`, token and
 *       `appsecret_proof`), --in-flight requests outstanding for --seconds (closed loop), the emulator's
 *       per-number limit lifted: the base of the ratio;
 *   [2] the service, same client pattern, WHATSAPP_SENDS_PER_SECOND and the emulator's limit both
 *       --sends-per-second, so neither limit is what is measured;
 *   [3] the service at --rate sends/s, open loop (default: half of what [2] reached; 0 skips it);
 *   [4] pacing: the worker restarted with WHATSAPP_SENDS_PER_SECOND = --paced-limit and the emulator
 *       refusing (130429) anything above the same rate, closed loop for --paced-seconds. The default
 *       limit is Meta's default 80/s when [2] reached 1.25 times that, else half of [2]'s rate: a
 *       limit the service never reaches paces nothing.
 * Between [2] and [3], Temporal's own ceiling on the same server: an empty update-with-start workflow
 * (bench/ceiling/run.ts: its update answered at once, then it completes) at max rate, --in-flight
 * outstanding, worker and client in one process; [2] is printed as a ratio of it. With --json the
 * report goes to stderr and stdout gets one JSON object with every figure.
 * After each of [2]–[4] a drain waits until every send reached the emulator (or nothing moved for
 * --drain-seconds); then each client_message_id must have produced exactly one emulator message.
 * Latencies come from `process.hrtime.bigint()` (CLOCK_MONOTONIC, shared by the processes here).
 */
import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type Koa from 'koa';
import type { Client } from '@temporalio/client';
import proto from '@temporalio/proto';
import { createInstances } from '../src/db/instances.js';
import { freePort } from '../dev/infra/local-temporal.js';
import { projectRoot } from '../dev/infra/tools.js';
import { createLogger } from '../src/logger.js';
import { createMetaEmulator } from '../dev/meta-emulator/app.js';
import { emulatorServiceEnv } from '../dev/meta-emulator/service-env.js';
import { DEFAULT_WHATSAPP_THROUGHPUT } from '../dev/meta-emulator/state.js';
import { whatsappGraphBody } from '../src/meta/whatsapp/send-bodies.js';
import { sendTag } from '../src/outbound/send-tag.js';
import type { WhatsAppOutboundRequest } from '../src/shared/outbound-request.js';
import { outboundWorkflowId } from '../src/shared/ids.js';
import { generatePayloadKey } from '../src/temporal/encryption-codec.js';
import { createTokenVault } from '../src/vault/token-vault.js';
import { drive, httpStatus, type Post, type RunMode, type RunResult, type Shot } from './support/client.js';
import { cpuLine, cpuPerUnit, cpuSnapshot, f0, f1, ms, percentile, sortedMs, type CpuGroups } from './support/measure.js';
import { measureCeiling } from './support/ceiling.js';
import { drainUntil } from './support/drain.js';
import { numberOption, parseBenchArgs } from './support/options.js';
import { children, scratchDir, spawnNode, teardownOnExit, waitUntil } from './support/processes.js';
import { spawnService, stackFacts, startBenchStack } from './support/stack.js';

const USAGE =
  'npm run bench:outbound -- [--seconds 15] [--in-flight 16] [--rate N] [--sends-per-second 1000] [--paced-seconds 10] [--paced-limit N] [--drain-seconds 30] [--ceiling-seconds 10] [--log-level info] [--keep-logs] [--json]';
/** Issue #15: sends >= 0.7 x the empty update-with-start ceiling, same run. */
const SEND_RATIO_TARGET = 0.7;
const INSTANCE_ID = 'bench-instance';
/** Lifts the emulator's per-number limit for the direct run: the base is what the emulator can do, not a limit. */
const UNLIMITED = 1_000_000;
const WARMUP_SECONDS = 3;

// ---------------------------------------------------------------------------------------------
// Command line

interface Options {
  seconds: number;
  inFlight: number;
  /** Offered sends/s of the open-loop run; 0 skips it; undefined: half of what the closed loop reached. */
  rate: number | undefined;
  sendsPerSecond: number;
  /** Length of the paced run; 0 skips it. */
  pacedSeconds: number;
  /** Limit of the paced run; undefined: Meta's default 80/s if the closed loop reached 1.25 times that, else half its rate. */
  pacedLimit: number | undefined;
  drainSeconds: number;
  ceilingSeconds: number;
  json: boolean;
  logLevel: string;
  /** Copy the api/worker/emulator logs out of the temp dir before it is removed. */
  keepLogs: boolean;
}

function parseOptions(argv: string[]): Options & { emulator?: { port: number; controlPort: number } } {
  const values = parseBenchArgs(
    argv,
    {
      seconds: { type: 'string', default: '15' },
      'in-flight': { type: 'string', default: '16' },
      rate: { type: 'string' },
      'sends-per-second': { type: 'string', default: '1000' },
      'paced-seconds': { type: 'string', default: '10' },
      'paced-limit': { type: 'string' },
      'drain-seconds': { type: 'string', default: '30' },
      'ceiling-seconds': { type: 'string', default: '10' },
      json: { type: 'boolean', default: false },
      'log-level': { type: 'string', default: 'info' },
      'keep-logs': { type: 'boolean', default: false },
      emulator: { type: 'boolean', default: false },
      port: { type: 'string' },
      'control-port': { type: 'string' },
    },
    USAGE,
  );
  const num = numberOption;
  return {
    seconds: num('seconds', values.seconds, 1),
    inFlight: num('in-flight', values['in-flight'], 1, true),
    rate: values.rate === undefined ? undefined : num('rate', values.rate, 0),
    sendsPerSecond: num('sends-per-second', values['sends-per-second'], 1, true),
    pacedSeconds: num('paced-seconds', values['paced-seconds'], 0),
    pacedLimit: values['paced-limit'] === undefined ? undefined : num('paced-limit', values['paced-limit'], 1, true),
    drainSeconds: num('drain-seconds', values['drain-seconds'], 1),
    ceilingSeconds: num('ceiling-seconds', values['ceiling-seconds'], 1),
    json: values.json!,
    logLevel: values['log-level']!,
    keepLogs: values['keep-logs']!,
    ...(values.emulator ? { emulator: { port: num('port', values.port, 1, true), controlPort: num('control-port', values['control-port'], 1, true) } } : {}),
  };
}

// ---------------------------------------------------------------------------------------------
// `--emulator`: the Meta emulator in a process of its own, with a control port for this benchmark

interface EmulatorSetup {
  phoneNumberId: string;
  wabaId: string;
  token: string;
  serviceEnv: Record<string, string>;
}

/** An accepted message: its correlation tag (`biz_opaque_callback_data`) and when, on the monotonic clock. */
type Acceptance = [tag: string, hrAt: string];

async function serveEmulator(port: number, controlPort: number): Promise<void> {
  const appSecret = process.env.BENCH_META_APP_SECRET;
  if (!appSecret) throw new Error('BENCH_META_APP_SECRET is not set');
  const emulator = createMetaEmulator({ appSecret });
  const { state } = emulator;

  const grant = state.configureGrant({ flow: 'whatsapp_embedded_signup', assets: [{ phoneNumbers: [{}] }] });
  const phoneNumberId = grant.phoneNumberIds[0]!;
  // What the connect flow's registration step would have done.
  state.phoneNumbers.get(phoneNumberId)!.registered = true;
  const token = state.issueToken({ kind: 'business_integration', scopes: ['whatsapp_business_messaging'], assets: [phoneNumberId] });

  // Every Send API answer, by status and Graph error code. First in the chain, so it sees what the
  // emulator's error rendering made of each request.
  const answers: Record<string, number> = {};
  emulator.app.middleware.unshift(async (ctx: Koa.Context, next: Koa.Next) => {
    await next();
    if (ctx.method !== 'POST' || !ctx.path.endsWith('/messages')) return;
    const code = (ctx.body as { error?: { code?: number } } | undefined)?.error?.code;
    const key = ctx.status === 200 ? '200' : `${ctx.status}${code === undefined ? '' : ` (#${code})`}`;
    answers[key] = (answers[key] ?? 0) + 1;
  });
  // The emulator keeps only its last 1000 messages; the benchmark must see each one to count losses
  // and duplicates, so every acceptance is copied out as it is recorded.
  const accepted: Acceptance[] = [];
  const record = state.businessMessages.push.bind(state.businessMessages);
  state.businessMessages.push = (...messages) => {
    const hrAt = String(process.hrtime.bigint());
    for (const m of messages) accepted.push([String(m.body.biz_opaque_callback_data ?? ''), hrAt]);
    return record(...messages);
  };
  // Nothing reads the request log; it would grow by one record per send.
  setInterval(() => state.requests.splice(0, state.requests.length), 5_000).unref();

  const meta = await emulator.listen(port);
  const setup: EmulatorSetup = { phoneNumberId, wabaId: grant.wabaIds[0]!, token, serviceEnv: emulatorServiceEnv(meta) };
  const control = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://control');
    const json = (body: unknown) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    if (url.pathname === '/setup') return json(setup);
    if (url.pathname === '/answers') return json(answers);
    if (url.pathname === '/accepted') return json(accepted.slice(Number(url.searchParams.get('from') ?? 0)));
    if (url.pathname === '/throughput' && req.method === 'POST') {
      state.setThroughput(phoneNumberId, Number(url.searchParams.get('per_second')));
      return res.writeHead(204).end();
    }
    res.writeHead(404).end();
  });
  control.listen(controlPort, '127.0.0.1');
  process.once('SIGTERM', () => {
    control.close();
    void meta.close().then(() => process.exit(0));
  });
}

/** This process's side of the emulator's control port. */
function emulatorControl(controlPort: number) {
  const base = `http://127.0.0.1:${controlPort}`;
  const get = async <T>(pathname: string): Promise<T> => {
    const res = await fetch(`${base}${pathname}`);
    if (!res.ok) throw new Error(`emulator control ${pathname} answered ${res.status}`);
    return (await res.json()) as T;
  };
  /** tag → acceptance times (more than one = a duplicate). */
  const acceptedByTag = new Map<string, bigint[]>();
  let pulled = 0;
  return {
    setup: () => get<EmulatorSetup>('/setup'),
    answers: () => get<Record<string, number>>('/answers'),
    async setThroughput(perSecond: number) {
      const res = await fetch(`${base}/throughput?per_second=${perSecond}`, { method: 'POST' });
      if (res.status !== 204) throw new Error(`emulator control /throughput answered ${res.status}`);
    },
    /** Fetches the acceptances since the last pull; returns how many were new. */
    async pull(): Promise<number> {
      const fresh = await get<Acceptance[]>(`/accepted?from=${pulled}`);
      pulled += fresh.length;
      for (const [tag, hrAt] of fresh) {
        const times = acceptedByTag.get(tag);
        if (times) times.push(BigInt(hrAt));
        else acceptedByTag.set(tag, [BigInt(hrAt)]);
      }
      return fresh.length;
    },
    acceptedByTag,
  };
}

type EmulatorControl = ReturnType<typeof emulatorControl>;

// ---------------------------------------------------------------------------------------------
// What the clients send: one unique client_message_id and recipient per POST

let sequence = 0;
const run = randomBytes(3).toString('hex');

function nextRequest(prefix: string): WhatsAppOutboundRequest {
  const seq = sequence++;
  return { client_message_id: `${prefix}-${run}-${seq}`, to: `+1650${String(seq).padStart(7, '0')}`, type: 'text', text: { body: 'bench' } };
}

/** Straight to the emulator: the body, token and proof the service's Graph client would send. */
function directShots(setup: EmulatorSetup, graphVersion: string, appSecret: string): () => Shot {
  const proof = createHmac('sha256', appSecret).update(setup.token).digest('hex');
  const shotPath = `/${graphVersion}/${setup.phoneNumberId}/messages?appsecret_proof=${proof}`;
  const headers = { authorization: `Bearer ${setup.token}` };
  return () => {
    const request = nextRequest('direct');
    const body = Buffer.from(JSON.stringify(whatsappGraphBody(request, INSTANCE_ID)));
    return { path: shotPath, headers, body, keys: [sendTag(INSTANCE_ID, request.client_message_id)] };
  };
}

/** Through the service, as DSK calls it. */
function serviceShots(channelId: string, dskToken: string, prefix: string): () => Shot {
  const headers = { authorization: `Bearer ${dskToken}` };
  const shotPath = `/v1/channels/${channelId}/messages`;
  return () => {
    const request = nextRequest(prefix);
    // keys: the correlation tag the emulator records, then the id the workflow is named after.
    return { path: shotPath, headers, body: Buffer.from(JSON.stringify(request)), keys: [sendTag(INSTANCE_ID, request.client_message_id), request.client_message_id] };
  };
}

// ---------------------------------------------------------------------------------------------
// Figures

interface AnswerStats {
  posts: number;
  /** status (or client error) → count */
  byStatus: Record<string, number>;
  /** One answer per failing status, to say why. */
  samples: Record<string, string>;
  ok: number;
  /** 200 answers per second, first send → last 200. */
  okPerSecond: number;
  p50: number;
  p99: number;
  max: number;
  /** From the moment each POST was due (open loop: adds time held by the in-flight cap). */
  scheduledP99: number;
  heldByCap: number;
}

function answerStats(r: RunResult): AnswerStats {
  const byStatus: Record<string, number> = {};
  const samples: Record<string, string> = {};
  const latencies: number[] = [];
  const fromSchedule: number[] = [];
  let lastOk = r.startedAt;
  for (const p of r.posts) {
    const key = p.error ?? String(p.status);
    byStatus[key] = (byStatus[key] ?? 0) + 1;
    if (p.status === 200 && p.doneAt !== undefined) {
      latencies.push(ms(p.doneAt - p.sentAt));
      fromSchedule.push(ms(p.doneAt - p.scheduledAt));
      if (p.doneAt > lastOk) lastOk = p.doneAt;
    } else if (p.answer && !(key in samples)) samples[key] = p.answer;
  }
  const sorted = sortedMs(latencies);
  return {
    posts: r.posts.length,
    byStatus,
    samples,
    ok: latencies.length,
    okPerSecond: latencies.length / (ms(lastOk - r.startedAt) / 1000),
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    max: sorted.length ? sorted[sorted.length - 1]! : Number.NaN,
    scheduledP99: percentile(sortedMs(fromSchedule), 99),
    heldByCap: r.heldByCap,
  };
}

interface Verification {
  answered: number;
  /** Sends answered 200/202 that reached the emulator exactly once or more. */
  atEmulator: number;
  /** Answered 200/202, never at the emulator. */
  lost: number;
  /** Emulator messages beyond the first per client_message_id. */
  duplicates: number;
  /** Not answered 200/202, and yet at the emulator (e.g. a client timeout). */
  sentAfterFailure: number;
  /** Emulator acceptances per second, first send → last acceptance. */
  acceptedPerSecond: number;
  e2eP50: number;
  e2eP99: number;
  /** Most acceptances in any one-second window (the emulator's throughput window). */
  maxInOneSecond: number;
  dskAccepted: number;
  dskReplays: number;
}

const answered = (p: Post) => p.status === 200 || p.status === 202;
const outcomeKey = (tag: string) => `out:${tag}:accepted`;

function verify(r: RunResult, emulator: EmulatorControl, dsk: { acceptCount(key: string): number; replays(key: string): number }): Verification {
  const e2e: number[] = [];
  const times: bigint[] = [];
  let answeredCount = 0;
  let atEmulator = 0;
  let lost = 0;
  let duplicates = 0;
  let sentAfterFailure = 0;
  let dskAccepted = 0;
  let dskReplays = 0;
  let last = r.startedAt;
  for (const p of r.posts) {
    const tag = p.keys[0]!;
    const at = emulator.acceptedByTag.get(tag) ?? [];
    if (at.length > 0) {
      times.push(at[0]!);
      if (at[0]! > last) last = at[0]!;
      duplicates += at.length - 1;
    }
    dskAccepted += dsk.acceptCount(outcomeKey(tag));
    dskReplays += dsk.replays(outcomeKey(tag));
    if (!answered(p)) {
      if (at.length > 0) sentAfterFailure += 1;
      continue;
    }
    answeredCount += 1;
    if (at.length === 0) {
      lost += 1;
      continue;
    }
    atEmulator += 1;
    e2e.push(ms(at[0]! - p.sentAt));
  }
  times.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  let maxInOneSecond = 0;
  for (let lo = 0, hi = 0; hi < times.length; hi += 1) {
    while (times[hi]! - times[lo]! >= 1_000_000_000n) lo += 1;
    maxInOneSecond = Math.max(maxInOneSecond, hi - lo + 1);
  }
  const sorted = sortedMs(e2e);
  return {
    answered: answeredCount,
    atEmulator,
    lost,
    duplicates,
    sentAfterFailure,
    acceptedPerSecond: times.length / (ms(last - r.startedAt) / 1000),
    e2eP50: percentile(sorted, 50),
    e2eP99: percentile(sorted, 99),
    maxInOneSecond,
    dskAccepted,
    dskReplays,
  };
}

function answersDiff(before: Record<string, number>, after: Record<string, number>): string {
  const parts = Object.keys(after)
    .sort()
    .map((k) => [k, (after[k] ?? 0) - (before[k] ?? 0)] as const)
    .filter(([, n]) => n > 0)
    .map(([k, n]) => `${k}: ${n}`);
  return parts.length ? parts.join(', ') : 'none';
}

const refusals = (before: Record<string, number>, after: Record<string, number>) =>
  Object.keys(after).filter((k) => k !== '200').reduce((sum, k) => sum + (after[k] ?? 0) - (before[k] ?? 0), 0);

interface ServiceRun {
  result: RunResult;
  stats: AnswerStats;
  check: Verification;
  drainMs: number;
  cpu: string;
  cpuPerSend: string;
  answers: string;
  refused: number;
}

/** Events, workflow tasks and activities of one workflow's history. */
async function historyShape(client: Client, workflowId: string): Promise<string> {
  const { EventType } = proto.temporal.api.enums.v1;
  const events = (await client.workflow.getHandle(workflowId).fetchHistory()).events ?? [];
  const count = (type: number) => events.filter((e) => e.eventType === type).length;
  const activities = events
    .filter((e) => e.eventType === EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED)
    .map((e) => e.activityTaskScheduledEventAttributes?.activityType?.name ?? '?');
  return (
    `${events.length} history events, ${count(EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED)} workflow tasks, ` +
    `${activities.length} activities (${activities.join(', ')}), ${count(EventType.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES)} search-attribute upserts, ` +
    `${count(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED)} update`
  );
}

// ---------------------------------------------------------------------------------------------
// Main

let out = (line = '') => void process.stdout.write(`${line}\n`);

async function main(opts: Options): Promise<void> {
  if (opts.json) out = (line = '') => void process.stderr.write(`${line}\n`);
  const log = createLogger({ level: process.env.BENCH_INFRA_LOG_LEVEL ?? 'warn', name: 'bench', destination: process.stderr });
  const teardownSteps = teardownOnExit();
  const t0 = process.hrtime.bigint();
  const loadAtStart = os.loadavg();
  const tmp = scratchDir('meta-int-bench-out', opts.keepLogs, teardownSteps);

  try {
    // The emulator first: the service's environment points at it.
    const metaAppSecret = randomBytes(16).toString('hex');
    const [emulatorPort, controlPort] = [await freePort(), await freePort()];
    const emulatorChild = spawnNode(
      'Meta emulator',
      [path.join(projectRoot(), 'dist', 'bench', 'outbound.js'), '--emulator', '--port', String(emulatorPort), '--control-port', String(controlPort)],
      { BENCH_META_APP_SECRET: metaAppSecret },
      path.join(tmp, 'emulator.log'),
    );
    teardownSteps.add(() => emulatorChild.stop());
    const emulator = emulatorControl(controlPort);
    await waitUntil('the Meta emulator to listen', emulatorChild, 30_000, async () => (await httpStatus(controlPort, '/setup')) === 200);
    const setup = await emulator.setup();

    const stack = await startBenchStack({
      tmp,
      teardown: teardownSteps,
      log,
      logLevel: opts.logLevel,
      metaAppSecret,
      env: { ...setup.serviceEnv, WHATSAPP_SENDS_PER_SECOND: String(opts.sendsPerSecond), PAYLOAD_ENCRYPTION_KEYS: `bench1:${generatePayloadKey()}` },
    });
    const { config, dsk, pool, apiPort } = stack;

    // One live WhatsApp channel holding the emulator's token, stored as the connect flow stores it.
    const channelId = randomUUID();
    const vault = createTokenVault({ keys: config.tokenKeys });
    const ciphertext = vault.encrypt(setup.token);
    await createInstances(pool).setEventsUrl(INSTANCE_ID, dsk.url);
    await pool.query(
      `INSERT INTO channels (id, instance_id, channel_type, external_id, waba_id, status, token_ciphertext, token_key_id)
       VALUES ($1, $2, 'whatsapp', $3, $4, 'active', $5, $6)`,
      [channelId, INSTANCE_ID, setup.phoneNumberId, setup.wabaId, ciphertext, vault.keyIdOf(ciphertext)],
    );
    const dskToken = await stack.dskIssuer.dskToken({ instanceId: INSTANCE_ID, expiresInSeconds: 24 * 3600 });

    const service = await spawnService(stack, tmp, teardownSteps);
    await service.ready();
    const startupSeconds = ms(process.hrtime.bigint() - t0) / 1000;
    const cpuGroups: CpuGroups = { ...service.cpuGroups(), 'Meta emulator': () => [emulatorChild.pid] };

    // ---- facts -----------------------------------------------------------------------------
    const limits = config.outbound.rateLimits;
    out('outbound benchmark: DSK POST /v1/channels/:id/messages → Meta Send API (emulator)');
    for (const line of stackFacts(stack)) out(line);
    out(`            load avg at start ${loadAtStart.map((l) => l.toFixed(2)).join(' ')}; Temporal payload encryption on (PAYLOAD_ENCRYPTION_KEYS)`);
    out('emulator    dev/meta-emulator as a child process, 1 registered number, status webhooks off; counts every Send API answer and acceptance');
    out(`limits      service WHATSAPP_SENDS_PER_SECOND=${limits.whatsappSendsPerSecond}, emulator throughput ${opts.sendsPerSecond}/s for the number in [2] [3]; emulator unlimited in [1]`);
    out(`            pair rate ${limits.whatsappPairIntervalMs} ms / burst ${limits.whatsappPairBurst} (defaults), never reached: one recipient per send`);
    out(`harness     this process: client (http.Agent keep-alive) + DSK fake (verifies each JWT, answers 200); api, worker, emulator = child processes`);
    out(`load        ${opts.seconds} s per run, closed loop ${opts.inFlight} in flight; DSK's wait_ms left at its default (5000 ms)`);
    out(`startup     ${startupSeconds.toFixed(1)} s (emulator + postgres + temporal + migrations + worker bundle + api)`);
    out();

    const direct = directShots(setup, config.meta.graphVersion, metaAppSecret);
    const outcomes = (r: RunResult) => r.posts.filter(answered).map((p) => p.keys[0]!);
    // A backlog is not a loss: keep waiting while sends reach the emulator (and their outcome DSK), and
    // call the rest lost only when nothing has moved for --drain-seconds.
    const drain = async (r: RunResult): Promise<number> => {
      const started = process.hrtime.bigint();
      const tags = outcomes(r);
      await drainUntil(
        async () => {
          await emulator.pull();
          return tags.filter((t) => !emulator.acceptedByTag.has(t) || dsk.acceptCount(outcomeKey(t)) === 0).length;
        },
        { stallMs: opts.drainSeconds * 1000, pollMs: 200 },
      );
      // Late duplicates would come within moments of the first copy.
      await sleep(1_000);
      await emulator.pull();
      return ms(process.hrtime.bigint() - started);
    };
    // The emulator counts a number's sends over the last second: right after a direct run that window
    // is full, and a lower limit would refuse the service's first sends for the direct run's traffic.
    const lowerThroughput = async (perSecond: number) => {
      await sleep(1_100);
      await emulator.setThroughput(perSecond);
    };
    const serviceRun = async (mode: RunMode, seconds: number, prefix: string): Promise<ServiceRun> => {
      const cpuBefore = cpuSnapshot(cpuGroups);
      const answersBefore = await emulator.answers();
      const result = await drive(apiPort, mode, seconds, opts.inFlight, serviceShots(channelId, dskToken, prefix));
      const cpuAfter = cpuSnapshot(cpuGroups);
      const drainMs = await drain(result);
      const answersAfter = await emulator.answers();
      const stats = answerStats(result);
      return {
        result,
        stats,
        check: verify(result, emulator, dsk),
        drainMs,
        cpu: cpuLine(cpuBefore, cpuAfter, process.hrtime.bigint() - result.startedAt),
        cpuPerSend: cpuPerUnit(cpuBefore, cpuAfter, stats.ok),
        answers: answersDiff(answersBefore, answersAfter),
        refused: refusals(answersBefore, answersAfter),
      };
    };

    // ---- warm-up (JIT, connection pools, the worker's first workflows) --------------------------
    await emulator.setThroughput(UNLIMITED);
    await drive(emulatorPort, { kind: 'max' }, WARMUP_SECONDS, opts.inFlight, direct);
    await lowerThroughput(opts.sendsPerSecond);
    const warm = await drive(apiPort, { kind: 'max' }, WARMUP_SECONDS, opts.inFlight, serviceShots(channelId, dskToken, 'warm'));
    await drain(warm);

    // ---- 1. the emulator directly: the base ------------------------------------------------------
    await emulator.setThroughput(UNLIMITED);
    const cpuBefore = cpuSnapshot(cpuGroups);
    const answersBefore = await emulator.answers();
    const oneRun = await drive(emulatorPort, { kind: 'max' }, opts.seconds, opts.inFlight, direct);
    const oneCpu = cpuLine(cpuBefore, cpuSnapshot(cpuGroups), process.hrtime.bigint() - oneRun.startedAt);
    const oneAnswers = answersDiff(answersBefore, await emulator.answers());
    const one = answerStats(oneRun);

    // ---- 2. the service, closed loop ---------------------------------------------------------------
    await lowerThroughput(opts.sendsPerSecond);
    const two = await serviceRun({ kind: 'max' }, opts.seconds, 'closed');
    // What one send costs Temporal: the shape (not the encrypted contents) of one send's history.
    const sample = two.result.posts.find((p) => p.status === 200);
    const history = sample ? await historyShape(service.temporalClient, outboundWorkflowId(INSTANCE_ID, sample.keys[1]!)) : undefined;

    // ---- Temporal's own ceiling: an empty update-with-start workflow on the same server, the service idle ----
    const ceiling = await measureCeiling(stack.temporal.address, { seconds: opts.ceilingSeconds, inFlight: opts.inFlight, kinds: ['update', 'empty'] });

    // ---- 3. the service, open loop ---------------------------------------------------------------
    const rate = opts.rate ?? Math.max(1, Math.round(two.stats.okPerSecond / 2));
    const three = rate > 0 ? await serviceRun({ kind: 'rate', postsPerSecond: rate }, opts.seconds, 'open') : undefined;

    // ---- 4. pacing: the worker at a limit it can reach, the emulator refusing anything above it ----------
    const pacedLimit = opts.pacedLimit ?? (two.stats.okPerSecond >= 1.25 * DEFAULT_WHATSAPP_THROUGHPUT ? DEFAULT_WHATSAPP_THROUGHPUT : Math.max(1, Math.floor(two.stats.okPerSecond / 2)));
    let four: ServiceRun | undefined;
    if (opts.pacedSeconds > 0) {
      await service.restartWorker({ ...stack.env, WHATSAPP_SENDS_PER_SECOND: String(pacedLimit) });
      await emulator.setThroughput(pacedLimit);
      four = await serviceRun({ kind: 'max' }, opts.pacedSeconds, 'paced');
    }

    // ---- report ---------------------------------------------------------------------------------------
    const statuses = (s: AnswerStats) =>
      Object.entries(s.byStatus)
        .sort()
        .map(([k, v]) => `${k}: ${v}`)
        .join(', ');
    const why = (s: AnswerStats) => Object.entries(s.samples).map(([k, v]) => `\n              ${k}: ${v.replace(/\s+/g, ' ')}`).join('');
    const serviceLines = (r: ServiceRun, latencyNote: string) => {
      const c = r.check;
      out(`    answers   ${r.stats.posts} POSTs: ${statuses(r.stats)}${why(r.stats)}`);
      out(`    sends     ${f1(r.stats.okPerSecond)} sends/s answered 200 (first send → last 200)${r.result.heldByCap ? `; POSTs held back by the in-flight cap: ${r.result.heldByCap}` : ''}`);
      out(`    latency   p50 ${f1(r.stats.p50)} ms, p99 ${f1(r.stats.p99)} ms, max ${f1(r.stats.max)} ms  (${latencyNote})`);
      out(`    emulator  ${c.atEmulator} of ${c.answered} answered sends accepted, ${f1(c.acceptedPerSecond)} sends/s (first send → last acceptance); most in any 1 s: ${c.maxInOneSecond}; drain ${f1(r.drainMs / 1000)} s`);
      out(`              Send API answers: ${r.answers}`);
      out(`    e2e       p50 ${f1(c.e2eP50)} ms, p99 ${f1(c.e2eP99)} ms  (POST sent → emulator accepted the message)`);
      out(`    verified  lost ${c.lost} (answered 200/202, never at the emulator), duplicates ${c.duplicates} (extra emulator messages for one client_message_id); sent although the API call failed: ${c.sentAfterFailure}`);
      out(`    DSK       message.status accepted: ${c.dskAccepted} events, replays ${c.dskReplays}`);
      out(`    cpu       ${r.cpu}  (% of one core, while sending)`);
      out(`    cpu/send  ${r.cpuPerSend}`);
    };
    out(`warm-up     ${WARMUP_SECONDS} s direct, ${WARMUP_SECONDS} s service, both ${opts.inFlight} in flight`);
    out();
    out(`[1] emulator directly, closed loop, ${opts.inFlight} in flight, ${opts.seconds} s (same Graph body + token + appsecret_proof as the service)`);
    out(`    sends     ${f0(one.okPerSecond)} sends/s (${one.ok} answered 200; ${statuses(one)})${why(one)}`);
    out(`    latency   p50 ${f1(one.p50)} ms, p99 ${f1(one.p99)} ms, max ${f1(one.max)} ms`);
    out(`    emulator  Send API answers: ${oneAnswers}`);
    out(`    cpu       ${oneCpu}  (% of one core)`);
    out();
    out(`[2] service, closed loop, ${opts.inFlight} in flight, ${opts.seconds} s, limits ${opts.sendsPerSecond}/s (service and emulator)`);
    serviceLines(two, 'POST sent → 200 read');
    if (history) out(`    history   one send: ${history}`);
    out();
    out(`[ceiling] Temporal on the same dev server (bench/ceiling/run.ts: ${opts.inFlight} in flight, worker + client in one process, ${opts.ceilingSeconds} s each)`);
    out(`    empty update-with-start workflow ${f1(ceiling.update ?? Number.NaN)}/s, empty workflow ${f1(ceiling.empty ?? Number.NaN)}/s`);
    out();
    if (three) {
      out(`[3] service, open loop at ${rate} sends/s offered${opts.rate === undefined ? ' (half of [2])' : ''}, ${opts.seconds} s (max ${opts.inFlight} in flight), limits ${opts.sendsPerSecond}/s`);
      serviceLines(three, 'POST sent → 200 read');
      out(`              from when each POST was due: p99 ${f1(three.stats.scheduledP99)} ms`);
      out();
    }
    if (four) {
      const chosen =
        opts.pacedLimit !== undefined
          ? '--paced-limit'
          : pacedLimit === DEFAULT_WHATSAPP_THROUGHPUT
            ? "Meta's default"
            : `half of [2]: Meta's default ${DEFAULT_WHATSAPP_THROUGHPUT}/s is more than [2] reached, so it would not pace anything`;
      out(`[4] pacing: worker restarted with WHATSAPP_SENDS_PER_SECOND=${pacedLimit} (${chosen}), emulator at ${pacedLimit}/s; closed loop, ${opts.inFlight} in flight, ${opts.pacedSeconds} s`);
      serviceLines(four, "includes waiting for the send's slot");
      out(`    refusals  ${four.refused} Send API calls refused by the emulator`);
      out();
    }

    const ratio = two.stats.okPerSecond / one.okPerSecond;
    const row = (phase: string, perSecond: number, p50: number, p99: number, note: string) =>
      out(`  ${phase.padEnd(40)} ${f1(perSecond).padStart(8)} ${f1(p50).padStart(8)} ${f1(p99).padStart(8)}   ${note}`);
    const integrity = (r: ServiceRun) => `202: ${r.stats.byStatus['202'] ?? 0}; lost ${r.check.lost}, duplicates ${r.check.duplicates}`;
    out('summary');
    out(`  ${'run'.padEnd(40)} ${'sends/s'.padStart(8)} ${'p50 ms'.padStart(8)} ${'p99 ms'.padStart(8)}   notes`);
    row(`[1] emulator direct, ${opts.inFlight} in flight`, one.okPerSecond, one.p50, one.p99, 'the base');
    row(`[2] service, ${opts.inFlight} in flight`, two.stats.okPerSecond, two.stats.p50, two.stats.p99, `ratio service/direct ${ratio.toFixed(4)}; ${integrity(two)}`);
    if (three) row(`[3] service, ${rate}/s offered`, three.stats.okPerSecond, three.stats.p50, three.stats.p99, integrity(three));
    if (four) {
      row(
        `[4] service paced at ${pacedLimit}/s, ${opts.inFlight} in flight`,
        four.stats.okPerSecond,
        four.stats.p50,
        four.stats.p99,
        `emulator refusals ${four.refused}, most in any 1 s ${four.check.maxInOneSecond}; ${integrity(four)}`,
      );
    }
    const sendRatio = ceiling.update ? two.stats.okPerSecond / ceiling.update : Number.NaN;
    out(
      `  ${'sends >= ' + SEND_RATIO_TARGET + ' x empty update-with-start ceiling'}: ${Number.isFinite(sendRatio) ? sendRatio.toFixed(3) : 'n/a'} (${f1(two.stats.okPerSecond)} / ${f1(ceiling.update ?? Number.NaN)}/s) ${Number.isFinite(sendRatio) ? (sendRatio >= SEND_RATIO_TARGET ? 'MET' : 'NOT MET') : 'n/a'}`,
    );
    out(`  ${sequence} sends in all (warm-up included), ${f1(ms(process.hrtime.bigint() - t0) / 1000)} s before teardown; load avg now ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
    if (opts.json) {
      const lost = [two, three, four].reduce((n, r) => n + (r?.check.lost ?? 0), 0);
      const duplicates = [two, three, four].reduce((n, r) => n + (r?.check.duplicates ?? 0), 0);
      const figures = {
        direct_per_s: round1(one.okPerSecond),
        sends_per_s: round1(two.stats.okPerSecond),
        send_p50_ms: round1(two.stats.p50),
        send_p99_ms: round1(two.stats.p99),
        ceiling_update_per_s: ceiling.update ?? null,
        ceiling_empty_per_s: ceiling.empty ?? null,
        send_ratio: Number.isFinite(sendRatio) ? Math.round(sendRatio * 1000) / 1000 : null,
        open_rate: three ? rate : null,
        open_p99_ms: three ? round1(three.stats.p99) : null,
        e2e_p99_ms: three ? round1(three.check.e2eP99) : null,
        paced_limit: four ? pacedLimit : null,
        paced_refusals: four ? four.refused : null,
        lost,
        duplicates,
        in_flight: opts.inFlight,
        load_avg_at_start: loadAtStart.map((l) => round1(l)),
      };
      process.stdout.write(`${JSON.stringify(figures)}\n`);
    }
  } catch (err) {
    for (const c of children) process.stderr.write(`--- ${c.name} (last lines) ---\n${c.logTail()}\n`);
    throw err;
  } finally {
    await teardownSteps.run();
  }
}

const round1 = (n: number) => (Number.isFinite(n) ? Math.round(n * 10) / 10 : null);

const options = parseOptions(process.argv.slice(2));
if (options.emulator) {
  serveEmulator(options.emulator.port, options.emulator.controlPort).catch((err: unknown) => {
    process.stderr.write(`emulator failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  });
} else {
  main(options).then(
    () => process.exit(0),
    (err: unknown) => {
      process.stderr.write(`bench:outbound failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exit(1);
    },
  );
}
