import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, beforeEach, describe, it } from 'node:test';
import { ScheduleNotFoundError, WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure, type Payload } from '@temporalio/common';
import { MockActivityEnvironment, TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, DefaultLogger, Runtime, Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { createRetentionActivities } from '../../src/activities/retention.js';
import { createChannels } from '../../src/db/channels.js';
import { createConnections } from '../../src/db/connections.js';
import { createDeletionRequests } from '../../src/db/deletion-requests.js';
import { createInstances } from '../../src/db/instances.js';
import { createCustomerWindows } from '../../src/db/customer-windows.js';
import { createInstanceQuotas } from '../../src/db/instance-quotas.js';
import { createConnectionSessions } from '../../src/db/connection-sessions.js';
import { createMessageStatusStore } from '../../src/db/message-status.js';
import { createOutboundSends } from '../../src/db/outbound-sends.js';
import { createSendRateLimiter } from '../../src/db/send-rate-slots.js';
import { createConversationSequences } from '../../src/db/conversation-sequences.js';
import { createWebhookLog } from '../../src/db/webhook-log.js';
import { migrateUp } from '../../src/db/migrate.js';
import { createPool, type Pool } from '../../src/db/pool.js';
import { createDatabaseIfMissing, databaseUrl, dropDatabaseIfExists } from '../../dev/infra/local-postgres.js';
import { createLogger } from '../../src/logger.js';
import { createDataConverter, FAILURE_CONVERTER_PATH } from '../../src/temporal/data-converter.js';
import { createPayloadCodecs, ENCRYPTED_ENCODING, generatePayloadKey } from '../../src/temporal/encryption-codec.js';
import { STATUS } from '../../src/shared/search-attributes.js';
import { ensureRetentionSchedule, RETENTION_SCHEDULE_ID } from '../../src/temporal/schedules.js';
import { WORKFLOWS_ENTRY } from '../../src/temporal/worker.js';
import { retentionWorkflow, type RetentionResult } from '../../src/workflows/retention.js';
import { testInfrastructure } from '../support/service.js';

const DAY = 24 * 60 * 60 * 1000;
/** The injected "now" of every purge below: far from the wall clock on purpose. */
const NOW = new Date('2030-01-15T03:15:00.000Z');
const ago = (ms: number) => new Date(NOW.getTime() - ms);
const clock = () => NOW;
const silent = createLogger({ level: 'silent' });

/**
 * Retention deletes table-wide, so it gets a database of its own on the test run's PostgreSQL
 * (migrated like any other): purging the shared one would delete other test files' rows.
 */
let pool: Pool;
let dropDatabase: () => Promise<void>;
before(async () => {
  const { databaseUrl: shared } = testInfrastructure();
  const name = `retention_${randomBytes(4).toString('hex')}`;
  const admin = databaseUrl(shared, 'postgres');
  // As in scripts/run-tests.ts: without access to the maintenance database, create it from the given one.
  const [url, adminUrl] = await createDatabaseIfMissing(admin, name).then(
    (u) => [u, admin] as const,
    async () => [await createDatabaseIfMissing(shared, name), shared] as const,
  );
  await migrateUp(url, silent);
  pool = createPool({ url, poolMax: 5, applicationName: 'retention-test' });
  // As the service's own pool does (runtime.ts): an idle connection the server ends (PostgreSQL stopped
  // at the end of the run while this file's process is still closing) is no failure of these tests.
  pool.on('error', () => undefined);
  dropDatabase = () => dropDatabaseIfExists(adminUrl, name);
});
after(async () => {
  await pool?.end();
  await dropDatabase?.();
});

const CUSTOMER_WINDOW_OLD = `rt-old-${randomUUID()}`;
const CUSTOMER_WINDOW_YOUNG = `rt-young-${randomUUID()}`;

async function clean(): Promise<void> {
  await pool.query(`TRUNCATE instances, connections, connection_sessions, channels, webhook_log, message_status, outbound_sends, send_rate_slots, deletion_requests, instance_request_windows, conversation_sequences CASCADE`);
  await pool.query(`INSERT INTO instances (id) VALUES ('inst-r')`);
}

async function webhookRow(key: string, receivedAt: Date): Promise<void> {
  await pool.query(
    `INSERT INTO webhook_log (idempotency_key, kind, channel_type, business_id, outcome, received_at, updated_at) VALUES ($1, 'message.received', 'whatsapp', 'b1', 'delivered', $2, $2)`,
    [key, receivedAt],
  );
}

async function session(expiresAt: Date): Promise<string> {
  const id = randomUUID();
  await pool.query(
    `INSERT INTO connections (id, instance_id, channel_type, flow, return_url, status, expires_at) VALUES ($1, 'inst-r', 'whatsapp', 'whatsapp_embedded_signup', 'https://dsk.example.test/back', 'pending', $2)`,
    [id, expiresAt],
  );
  await pool.query(`INSERT INTO connection_sessions (connection_id, expires_at) VALUES ($1, $2)`, [id, expiresAt]);
  return id;
}

async function channel(c: { status: 'active' | 'reauth_required' | 'disconnected'; token: boolean; tokenExpiresAt: Date | null }): Promise<string> {
  const id = randomUUID();
  await pool.query(
    `INSERT INTO channels (id, instance_id, channel_type, external_id, status, token_ciphertext, token_key_id, token_kind, token_expires_at)
     VALUES ($1, 'inst-r', 'whatsapp', $2, $3, $4, $5, 'long_lived', $6)`,
    [id, `pn-${id}`, c.status, c.token ? `fernet:t1:${randomBytes(24).toString('base64url')}` : null, c.token ? 't1' : null, c.tokenExpiresAt],
  );
  return id;
}

async function messageStatus(channelId: string, messageId: string, updatedAt: Date): Promise<void> {
  await pool.query(`INSERT INTO message_status (channel_id, message_id, status, updated_at) VALUES ($1, $2, 'read', $3)`, [channelId, messageId, updatedAt]);
}

async function outboundSend(channelId: string, clientMessageId: string, updatedAt: Date): Promise<void> {
  await pool.query(
    `INSERT INTO outbound_sends (tag, instance_id, channel_id, client_message_id, state, created_at, updated_at) VALUES ($1, 'inst-r', $2, $3, 'accepted', $4, $4)`,
    [`dsk:${randomBytes(16).toString('hex')}`, channelId, clientMessageId, updatedAt],
  );
}

/** What the retention activities purge, each table through its own repository. */
const repositories = () => ({
  webhookLog: createWebhookLog(pool),
  conversationSequences: createConversationSequences(pool),
  messageStatus: createMessageStatusStore(pool),
  outboundSends: createOutboundSends(pool),
  sessions: createConnectionSessions(pool),
  channels: createChannels(pool),
  sendRateSlots: createSendRateLimiter(pool),
  connections: createConnections(pool),
  deletionRequests: createDeletionRequests(pool),
  instances: createInstances(pool),
  instanceQuotas: createInstanceQuotas(pool),
  customerWindows: createCustomerWindows(pool, [{ key: randomBytes(32).toString('base64url') }]),
  channelRecords: createChannels(pool),
});

const column = async (sql: string, params: unknown[] = []) => (await pool.query(sql, params)).rows.map((r) => Object.values(r as object)[0]);

describe('retention activities against PostgreSQL, as of an injected time', () => {
  const activities = () => createRetentionActivities({ ...repositories(), clock });
  beforeEach(clean);

  it('deletes webhook-log rows older than 30 days and keeps younger ones', async () => {
    await webhookRow('wa:msg:29d', ago(29 * DAY));
    await webhookRow('wa:msg:just-inside', ago(30 * DAY - 60_000));
    await webhookRow('wa:msg:31d', ago(31 * DAY));
    await webhookRow('wa:msg:400d', ago(400 * DAY));
    const deleted = await new MockActivityEnvironment().run(activities().purgeWebhookLog, { olderThanDays: 30 });
    assert.equal(deleted, 2);
    assert.deepEqual(await column(`SELECT idempotency_key FROM webhook_log ORDER BY received_at`), ['wa:msg:just-inside', 'wa:msg:29d']);
  });

  it('deletes conversation counters no event advanced for the webhook log\'s window, with the webhook log', async () => {
    const counter = (conversation: string, updatedAt: Date) =>
      pool.query(`INSERT INTO conversation_sequences (conversation, last_sequence, started_at, updated_at) VALUES ($1, 9, $2, $2)`, [conversation, updatedAt]);
    await counter('conv-29d', ago(29 * DAY));
    await counter('conv-31d', ago(31 * DAY));
    await webhookRow('wa:msg:31d', ago(31 * DAY));
    // The activity still answers the webhook-log rows it purged.
    assert.equal(await new MockActivityEnvironment().run(activities().purgeWebhookLog, { olderThanDays: 30 }), 1);
    assert.deepEqual(await column(`SELECT conversation FROM conversation_sequences`), ['conv-29d']);
  });

  it('deletes message statuses not updated for 30 days, like the webhook log', async () => {
    const ch = await channel({ status: 'active', token: false, tokenExpiresAt: null });
    await messageStatus(ch, 'wamid.recent', ago(29 * DAY));
    await messageStatus(ch, 'wamid.old', ago(31 * DAY));
    assert.equal(await new MockActivityEnvironment().run(activities().purgeMessageStatus, { olderThanDays: 30 }), 1);
    assert.deepEqual(await column(`SELECT message_id FROM message_status`), ['wamid.recent']);
  });

  it('deletes expired connection sessions and keeps live ones', async () => {
    const expired = await session(ago(60_000));
    const longExpired = await session(ago(3 * DAY));
    const live = await session(new Date(NOW.getTime() + 10 * 60_000));
    assert.equal(await new MockActivityEnvironment().run(activities().purgeExpiredSessions), 2);
    assert.deepEqual(await column(`SELECT connection_id FROM connection_sessions`), [live]);
    // The connections themselves stay: only the session data is short-lived.
    assert.deepEqual((await column(`SELECT id FROM connections ORDER BY id`)).sort(), [expired, longExpired, live].sort());
  });

  it('destroys the tokens of disconnected channels and expired tokens, keeping live tokens and every channel row', async () => {
    const disconnected = await channel({ status: 'disconnected', token: true, tokenExpiresAt: new Date(NOW.getTime() + 30 * DAY) });
    const expired = await channel({ status: 'active', token: true, tokenExpiresAt: ago(60_000) });
    const expiredReauth = await channel({ status: 'reauth_required', token: true, tokenExpiresAt: ago(5 * DAY) });
    const live = await channel({ status: 'active', token: true, tokenExpiresAt: new Date(NOW.getTime() + 50 * DAY) });
    const neverExpires = await channel({ status: 'active', token: true, tokenExpiresAt: null });
    const liveReauth = await channel({ status: 'reauth_required', token: true, tokenExpiresAt: new Date(NOW.getTime() + DAY) });
    const alreadyGone = await channel({ status: 'disconnected', token: false, tokenExpiresAt: null });

    assert.equal(await new MockActivityEnvironment().run(activities().destroyDeadTokens), 3);
    const { rows } = await pool.query<{ id: string; token_ciphertext: string | null; token_key_id: string | null; status: string; updated_at: Date }>(
      `SELECT id, token_ciphertext, token_key_id, status, updated_at FROM channels`,
    );
    const byId = new Map(rows.map((r) => [r.id, r]));
    for (const id of [disconnected, expired, expiredReauth]) {
      assert.equal(byId.get(id)!.token_ciphertext, null);
      assert.equal(byId.get(id)!.token_key_id, null);
      assert.equal(byId.get(id)!.updated_at.toISOString(), NOW.toISOString());
    }
    for (const id of [live, neverExpires, liveReauth]) assert.match(byId.get(id)!.token_ciphertext!, /^fernet:t1:/);
    assert.equal(byId.get(alreadyGone)!.token_ciphertext, null);
    assert.equal(byId.size, 7);
    assert.equal(byId.get(expired)!.status, 'active', 'status is the connection workflow\'s business');
  });

  it('deletes send-rate rows whose slot has passed on the database clock, whatever the injected clock says', async () => {
    await pool.query(`TRUNCATE send_rate_slots`);
    await pool.query(
      `INSERT INTO send_rate_slots (key, tat) VALUES
         ('wa-pair:1:idle', clock_timestamp() - interval '1 day'), ('wa:1', clock_timestamp() - interval '1 second'),
         ('wa-pair:1:busy', clock_timestamp() + interval '1 hour')`,
    );
    // NOW is years ahead of the database: by it, the busy row would look idle too.
    assert.equal(await new MockActivityEnvironment().run(activities().purgeIdleSendRateSlots), 2);
    assert.deepEqual(await column(`SELECT key FROM send_rate_slots`), ['wa-pair:1:busy']);
  });

  it('works through a backlog in batches, heartbeating progress, and finds nothing left on a second run', async () => {
    for (let i = 0; i < 5; i++) await webhookRow(`wa:msg:old-${i}`, ago((31 + i) * DAY));
    await webhookRow('wa:msg:new', ago(DAY));
    const env = new MockActivityEnvironment();
    const heartbeats: unknown[] = [];
    env.on('heartbeat', (details: unknown) => heartbeats.push(details));
    const batched = createRetentionActivities({ ...repositories(), clock, retentionBatchSize: 2 });
    assert.equal(await env.run(batched.purgeWebhookLog, { olderThanDays: 30 }), 5);
    assert.deepEqual(heartbeats, [{ total: 2 }, { total: 4 }]);
    assert.equal(await new MockActivityEnvironment().run(batched.purgeWebhookLog, { olderThanDays: 30 }), 0);
    assert.deepEqual(await column(`SELECT idempotency_key FROM webhook_log`), ['wa:msg:new']);
  });
});

describe('retention workflow and its schedule on the Temporal dev server', () => {
  let env: TestWorkflowEnvironment;
  let bundle: WorkflowBundleWithSourceMap;
  const dataConverter = createDataConverter({ payloadCodecs: createPayloadCodecs([{ id: 'rt1', key: generatePayloadKey() }]) });
  const namespace = testInfrastructure().namespace;

  before(async () => {
    // Worker lifecycle lines at INFO would bury the test report; warnings still show.
    Runtime.install({ logger: new DefaultLogger('WARN') });
    const infra = testInfrastructure();
    env = await TestWorkflowEnvironment.createFromExistingServer({ address: infra.temporalAddress, namespace, client: { dataConverter } });
    // The bundle gets the failure converter, as src/main-bundle-workflows.ts builds it for production.
    bundle = await bundleWorkflowCode({
      workflowsPath: WORKFLOWS_ENTRY,
      failureConverterPath: FAILURE_CONVERTER_PATH,
      logger: { trace() {}, debug() {}, info() {}, warn() {}, error() {} } as never,
    });
  });
  after(async () => {
    await env?.client.schedule.getHandle(RETENTION_SCHEDULE_ID).delete().catch(() => undefined);
    await env?.teardown();
  });
  beforeEach(clean);

  async function withWorker<T>(fn: (taskQueue: string) => Promise<T>): Promise<T> {
    const taskQueue = `retention-${randomUUID()}`;
    const worker = await Worker.create({
      connection: env.nativeConnection,
      namespace,
      taskQueue,
      workflowBundle: bundle,
      activities: createRetentionActivities({ ...repositories(), clock }),
      dataConverter,
    });
    return worker.runUntil(fn(taskQueue));
  }

  /** One of each kind of data that must go, and one of each that must stay. */
  async function seedOneOfEach(): Promise<void> {
    await webhookRow('wa:msg:old', ago(31 * DAY));
    await webhookRow('wa:msg:young', ago(29 * DAY));
    const ch = await channel({ status: 'disconnected', token: true, tokenExpiresAt: null });
    await channel({ status: 'active', token: true, tokenExpiresAt: new Date(NOW.getTime() + DAY) });
    await messageStatus(ch, 'wamid.old', ago(31 * DAY));
    await outboundSend(ch, 'cm-old', ago(31 * DAY));
    await outboundSend(ch, 'cm-young', ago(29 * DAY));
    // Rate rows are judged by the database clock: one slot long past, one an hour ahead.
    await pool.query(`INSERT INTO send_rate_slots (key, tat) VALUES ('wa:idle', clock_timestamp() - interval '1 hour'), ('wa:busy', clock_timestamp() + interval '1 hour')`);
    await session(ago(60_000));
    await session(new Date(NOW.getTime() + DAY));
    // Every other table, by its own period (shared/retention.ts): one row that goes, one that stays.
    for (const [status, updatedAt] of [['expired', ago(31 * DAY)], ['cancelled', ago(29 * DAY)]] as const) {
      await pool.query(
        `INSERT INTO connections (id, instance_id, channel_type, flow, return_url, status, expires_at, updated_at) VALUES ($1, 'inst-r', 'whatsapp', 'whatsapp_embedded_signup', 'https://dsk.example.test/back', $2, $3, $3)`,
        [randomUUID(), status, updatedAt],
      );
    }
    const oldRecord = await channel({ status: 'disconnected', token: false, tokenExpiresAt: null });
    const youngRecord = await channel({ status: 'disconnected', token: false, tokenExpiresAt: null });
    await pool.query(`UPDATE channels SET disconnected_at = CASE id WHEN $1 THEN $3::timestamptz ELSE $4::timestamptz END WHERE id IN ($1, $2)`, [oldRecord, youngRecord, ago(366 * DAY), ago(364 * DAY)]);
    await pool.query(`INSERT INTO deletion_requests (confirmation_code, meta_user_hash, channels, requested_at) VALUES ('del-old', 'h', 1, $1), ('del-young', 'h', 1, $2)`, [ago(366 * DAY), ago(364 * DAY)]);
    await pool.query(`INSERT INTO instances (id, updated_at) VALUES ('inst-idle-old', $1), ('inst-idle-young', $2)`, [ago(366 * DAY), ago(364 * DAY)]);
    await pool.query(`INSERT INTO instance_request_windows (instance_id, window_start, requests) VALUES ('inst-r', $1, 3), ('inst-r', $2, 3)`, [ago(2 * DAY), ago(60_000)]);
    // Customer windows go by the database clock when their longest window has passed (other test files
    // share the table: these two rows are this test's own, and the table is never truncated).
    await pool.query(
      `INSERT INTO customer_windows (conversation_hash, last_message_at, expires_at) VALUES
         ($1, clock_timestamp() - interval '25 hours', clock_timestamp() - interval '1 hour'), ($2, clock_timestamp(), clock_timestamp() + interval '1 hour')
       ON CONFLICT (conversation_hash) DO UPDATE SET last_message_at = EXCLUDED.last_message_at, expires_at = EXCLUDED.expires_at`,
      [CUSTOMER_WINDOW_OLD, CUSTOMER_WINDOW_YOUNG],
    );
  }
  const ONE_OF_EACH: RetentionResult = {
    tokens: 1,
    sessions: 1,
    webhookLog: 1,
    messageStatus: 1,
    outboundSends: 1,
    sendRateSlots: 1,
    records: { connections: 1, channels: 1, deletionRequests: 1, instances: 1, quotaWindows: 1 },
  };

  /** Other test files' expired customer windows may go in the same run: at least this test's one, then the rest exactly. */
  function withoutCustomerWindows(result: RetentionResult): RetentionResult {
    const { customerWindows, ...records } = result.records ?? { connections: 0, channels: 0, deletionRequests: 0, instances: 0, quotaWindows: 0 };
    assert.ok((customerWindows ?? 0) >= 1, `customer windows purged: ${customerWindows}`);
    return { ...result, records };
  }

  const encodingOf = (payload: Payload | null | undefined) => Buffer.from(payload?.metadata?.encoding ?? new Uint8Array()).toString();

  it('runs the six purges through a worker and returns their counts; input and result are encrypted in history', async () => {
    await seedOneOfEach();
    const history = await withWorker(async (taskQueue) => {
      const handle = await env.client.workflow.start(retentionWorkflow, { taskQueue, workflowId: `retention-test-${randomUUID()}`, args: [{ webhookLogDays: 30 }] });
      assert.deepEqual(withoutCustomerWindows(await handle.result()), ONE_OF_EACH);
      assert.equal((await handle.describe()).typedSearchAttributes.get(STATUS), 'purged');
      return handle.fetchHistory();
    });
    assert.deepEqual(await column(`SELECT conversation_hash FROM customer_windows WHERE conversation_hash IN ('${CUSTOMER_WINDOW_OLD}', '${CUSTOMER_WINDOW_YOUNG}')`), [CUSTOMER_WINDOW_YOUNG]);
    const events = history.events ?? [];
    assert.equal(encodingOf(events[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0]), ENCRYPTED_ENCODING);
    const completed = events.find((e) => e.workflowExecutionCompletedEventAttributes)?.workflowExecutionCompletedEventAttributes;
    assert.equal(encodingOf(completed?.result?.payloads?.[0]), ENCRYPTED_ENCODING);
    assert.deepEqual(await column(`SELECT idempotency_key FROM webhook_log`), ['wa:msg:young']);
    assert.equal((await column(`SELECT count(*)::int FROM connection_sessions`))[0], 1);
  });

  it('refuses a window shorter than Meta\'s redelivery period; the failure message is encrypted in history', async () => {
    await webhookRow('wa:msg:9d', ago(9 * DAY));
    const workflowId = `retention-test-${randomUUID()}`;
    await withWorker(async (taskQueue) => {
      await assert.rejects(
        env.client.workflow.execute(retentionWorkflow, { taskQueue, workflowId, args: [{ webhookLogDays: 7 }] }),
        (err: unknown) =>
          err instanceof WorkflowFailedError &&
          err.cause instanceof ApplicationFailure &&
          err.cause.type === 'invalid_retention_window' &&
          err.cause.message === 'webhookLogDays must be an integer >= 8',
      );
    });
    assert.equal((await env.client.workflow.getHandle(workflowId).describe()).typedSearchAttributes.get(STATUS), 'failed');
    const events = (await env.client.workflow.getHandle(workflowId).fetchHistory()).events ?? [];
    const failure = events.find((e) => e.workflowExecutionFailedEventAttributes)?.workflowExecutionFailedEventAttributes?.failure;
    assert.equal(failure?.message, 'Encoded failure');
    assert.equal(encodingOf(failure?.encodedAttributes), ENCRYPTED_ENCODING);
    assert.deepEqual(await column(`SELECT idempotency_key FROM webhook_log`), ['wa:msg:9d']);
  });

  it('ensureRetentionSchedule twice leaves one schedule, daily 03:15 UTC, overlap SKIP, on the latest task queue; it runs the purge', async () => {
    const handle = env.client.schedule.getHandle(RETENTION_SCHEDULE_ID);
    await handle.delete().catch((err: unknown) => {
      if (!(err instanceof ScheduleNotFoundError)) throw err;
    });
    await seedOneOfEach();
    await withWorker(async (taskQueue) => {
      assert.equal(await ensureRetentionSchedule(env.client, { taskQueue: `${taskQueue}-previous-deploy`, namespace }), 'created');
      assert.equal(await ensureRetentionSchedule(env.client, { taskQueue, namespace }), 'updated');

      const description = await handle.describe();
      assert.equal(description.spec.timezone, 'UTC');
      assert.equal(description.spec.calendars?.length, 1);
      const [calendar] = description.spec.calendars!;
      assert.deepEqual(
        { hour: calendar!.hour, minute: calendar!.minute, second: calendar!.second, comment: calendar!.comment },
        { hour: [{ start: 3, end: 3, step: 1 }], minute: [{ start: 15, end: 15, step: 1 }], second: [{ start: 0, end: 0, step: 1 }], comment: 'daily retention purge, 03:15 UTC' },
      );
      assert.equal(description.policies.overlap, 'SKIP');
      assert.equal(description.state.paused, false);
      assert.deepEqual(
        { type: description.action.type, workflowType: description.action.workflowType, taskQueue: description.action.taskQueue, args: description.action.args },
        { type: 'startWorkflow', workflowType: 'retentionWorkflow', taskQueue, args: [{ webhookLogDays: 30 }] },
      );
      const actionAttributes = description.action.typedSearchAttributes;
      const actionPairs = Array.isArray(actionAttributes) ? actionAttributes : (actionAttributes?.getAll() ?? []);
      assert.deepEqual(actionPairs.map((p) => [p.key.name, p.value]), [['IntegrationStatus', 'purging']], 'runs are filterable from their start');
      const next = description.info.nextActionTimes[0]!;
      assert.deepEqual([next.getUTCHours(), next.getUTCMinutes(), next.getUTCSeconds()], [3, 15, 0]);

      // Listing is eventually consistent: wait until the schedule shows, then count.
      const listed = await eventually(async () => {
        const ids: string[] = [];
        for await (const s of env.client.schedule.list()) if (s.scheduleId === RETENTION_SCHEDULE_ID) ids.push(s.scheduleId);
        return ids.length > 0 ? ids : undefined;
      });
      assert.deepEqual(listed, [RETENTION_SCHEDULE_ID]);

      await handle.trigger();
      const started = await eventually(async () => (await handle.describe()).info.recentActions[0]?.action.workflow.workflowId);
      assert.match(started, /^retention-/);
      assert.deepEqual(withoutCustomerWindows(await env.client.workflow.getHandle(started).result()), ONE_OF_EACH);
      assert.equal((await env.client.workflow.getHandle(started).describe()).typedSearchAttributes.get(STATUS), 'purged');
    });
  });
});

/** Polls until `probe` yields a value (10 s at most). */
async function eventually<T>(probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) assert.fail('condition not reached within 10 s');
    await sleep(100);
  }
}
