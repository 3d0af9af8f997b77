import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { startDskFake, type DskFake } from '../support/dsk-fake.js';
import {
  signedDelivery,
  waAccountUpdate,
  waMessagePayload,
  waStatus,
  waStatusPayload,
  waTextMessage,
} from '../support/meta-webhook-sender.js';
import { seedChannel, startTestService, uniqueMetaId, type TestService } from '../support/service.js';

/**
 * A wamid unique across test processes (the sender's `newWamid` counts per process, so two test files
 * running at once would share keys in the shared database), with the `/`, `+` and `=` real ones carry.
 */
const newWamid = () => `wamid.HBgL/${randomUUID()}+QUE=`;

interface DeliveryItem {
  key: string;
  kind: string;
  channel_id: string | null;
  outcome: string;
  attempts: number;
  last_dsk_status: number | null;
  last_error_code: string | null;
  received_at: string;
  updated_at: string;
}

describe('deliveries: failed and retrying deliveries, retries, status merging, account_update disconnects (real PostgreSQL and Temporal)', () => {
  let service: TestService;
  let dsk: DskFake;
  let phoneNumberId: string;
  let channelId: string;
  const instanceA = `inst-deliv-a-${uniqueMetaId()}`;
  const instanceB = `inst-deliv-b-${uniqueMetaId()}`;

  before(async () => {
    service = await startTestService();
    dsk = await startDskFake({
      jwks: () => service.foundation.signingKey.publicJwks(),
      issuer: service.config.serviceJwt.issuer,
      audience: service.config.serviceJwt.audience,
    });
    phoneNumberId = uniqueMetaId();
    channelId = await seedChannel(service, { instanceId: instanceA, channelType: 'whatsapp', externalId: phoneNumberId, wabaId: uniqueMetaId(), eventsUrl: dsk.url });
    await seedChannel(service, { instanceId: instanceB, channelType: 'whatsapp', externalId: uniqueMetaId(), eventsUrl: dsk.url });
  });
  after(async () => {
    await service?.stop();
    await dsk?.close();
  });

  const postWebhook = (payload: unknown) => {
    const delivery = signedDelivery(payload, service.metaAppSecret);
    return fetch(`${service.baseUrl}/webhooks/meta`, { method: 'POST', headers: delivery.headers, body: delivery.body });
  };
  const api = async (instanceId: string, method: 'GET' | 'POST', path: string) => {
    const token = await service.dskIssuer.dskToken({ instanceId });
    const res = await fetch(`${service.baseUrl}${path}`, { method, headers: { authorization: `Bearer ${token}` } });
    const text = await res.text();
    return { status: res.status, text, json: text ? (JSON.parse(text) as Record<string, unknown>) : undefined };
  };
  const list = async (instanceId: string, query: string) => {
    const res = await api(instanceId, 'GET', `/v1/deliveries${query}`);
    assert.equal(res.status, 200, res.text);
    return res.json as { deliveries: DeliveryItem[]; next_cursor: string | null };
  };
  const retryPath = (key: string) => `/v1/deliveries/${encodeURIComponent(key)}/retry`;
  const attemptsOf = (key: string) => dsk.attempts.filter((d) => d.idempotencyKey === key);
  const accepted2xx = (key: string) => attemptsOf(key).filter((d) => d.answeredWith >= 200 && d.answeredWith < 300).length;

  /** A message that DSK refuses with 422: delivered once, failed for good. */
  async function failedMessage(text = 'Does it come in blue?'): Promise<string> {
    const wamid = newWamid();
    const key = `wa:msg:${wamid}`;
    dsk.respondWith({ status: 422 });
    assert.equal((await postWebhook(waMessagePayload(waTextMessage({ wamid, text }), { phoneNumberId }))).status, 200);
    await waitForOutcome(key, 'failed');
    return key;
  }

  it('lists a delivery DSK refused for good, with its last DSK status and attempt count, and never its content', async () => {
    const marker = `content-marker-${uniqueMetaId()}`;
    const key = await failedMessage(marker);
    const { deliveries, ...rest } = await list(instanceA, '?status=failed');
    assert.deepEqual(rest, { next_cursor: null });
    const item = deliveries.find((d) => d.key === key);
    assert.ok(item, 'the failed delivery is listed');
    const row = (await service.foundation.repos.webhookLog.get(key))!;
    assert.deepEqual(item, {
      key,
      kind: 'message.received',
      channel_id: channelId,
      outcome: 'failed',
      attempts: 1,
      last_dsk_status: 422,
      last_error_code: 'http',
      received_at: row.receivedAt.toISOString(),
      updated_at: row.updatedAt.toISOString(),
    });
    assert.ok(!JSON.stringify(deliveries).includes(marker));
    assert.equal((await list(instanceA, '?status=retrying')).deliveries.find((d) => d.key === key), undefined);
    assert.ok((await list(instanceA, '')).deliveries.some((d) => d.key === key), 'listed when no status is given');
  });

  it('lists a delivery DSK keeps answering 5xx as retrying while it is retried, and drops it once delivered', async () => {
    const wamid = newWamid();
    const key = `wa:msg:${wamid}`;
    dsk.setFallback({ status: 503 });
    try {
      assert.equal((await postWebhook(waMessagePayload(waTextMessage({ wamid }), { phoneNumberId }))).status, 200);
      await dsk.waitFor(() => attemptsOf(key).length >= 1);
      const item = await waitFor(async () => (await list(instanceA, '?status=retrying')).deliveries.find((d) => d.key === key));
      assert.equal(item.outcome, 'delivering');
      assert.equal(item.last_dsk_status, 503);
      assert.equal(item.last_error_code, 'http');
      assert.ok(item.attempts >= 1);
      assert.equal((await list(instanceA, '?status=failed')).deliveries.find((d) => d.key === key), undefined);
    } finally {
      dsk.setFallback({ status: 200 });
    }
    await waitForOutcome(key, 'delivered', 60_000);
    assert.equal((await list(instanceA, '?status=retrying')).deliveries.find((d) => d.key === key), undefined);
  });

  it('neither shows nor retries a delivery to another instance (404 delivery_not_found)', async () => {
    const key = await failedMessage();
    assert.equal((await list(instanceB, '?status=failed')).deliveries.find((d) => d.key === key), undefined);
    const res = await api(instanceB, 'POST', retryPath(key));
    assert.equal(res.status, 404);
    assert.equal((res.json as { error: { code: string } }).error.code, 'delivery_not_found');
    assert.equal((await service.foundation.repos.webhookLog.get(key))!.outcome, 'failed');
    assert.equal(accepted2xx(key), 0);
  });

  it('retries a failed delivery once DSK is fixed: delivered exactly once, with the original envelope and key', async () => {
    const key = await failedMessage('Is the blue one in stock?');
    const res = await api(instanceA, 'POST', retryPath(key));
    assert.equal(res.status, 202, res.text);
    assert.deepEqual(res.json, { key, status: 'retrying' });
    const row = await waitForOutcome(key, 'delivered');
    assert.equal(row.attempts, 1);
    assert.equal(row.lastDskStatus, 200);
    assert.equal(dsk.acceptCount(key), 1);
    assert.equal(accepted2xx(key), 1);
    const [refused, delivered] = attemptsOf(key);
    assert.deepEqual([refused!.answeredWith, delivered!.answeredWith], [422, 200]);
    assert.deepEqual(delivered!.body, refused!.body, 'the retry sends the event as first sent');
    assert.equal(delivered!.idempotencyKey, key);
    // The activity records `delivered` just before the run completes: wait for the run itself.
    const retried = service.client.workflow.getHandle(`inbound-${key}`);
    await retried.result();
    assert.equal((await retried.describe()).status.name, 'COMPLETED');
    assert.equal((await list(instanceA, '?status=failed')).deliveries.find((d) => d.key === key), undefined);
  });

  it('refuses to retry a delivered event with 409 not_retryable and its outcome', async () => {
    const wamid = newWamid();
    const key = `wa:msg:${wamid}`;
    assert.equal((await postWebhook(waMessagePayload(waTextMessage({ wamid }), { phoneNumberId }))).status, 200);
    await waitForOutcome(key, 'delivered');
    const res = await api(instanceA, 'POST', retryPath(key));
    assert.equal(res.status, 409);
    assert.deepEqual(res.json, {
      error: { code: 'not_retryable', message: 'Only failed deliveries can be retried; this one is delivered', details: { outcome: 'delivered' } },
    });
    assert.equal(accepted2xx(key), 1);
  });

  it('starts one new run when the same failed delivery is retried twice at once', async () => {
    const key = await failedMessage();
    const answers = await Promise.all([api(instanceA, 'POST', retryPath(key)), api(instanceA, 'POST', retryPath(key))]);
    assert.deepEqual(answers.map((a) => a.status).sort(), [202, 409]);
    await waitForOutcome(key, 'delivered');
    assert.equal(accepted2xx(key), 1);
  });

  it('answers 410 retention_expired for a failed delivery whose workflow history is gone', async () => {
    const key = `wa:msg:${newWamid()}`;
    // A webhook-log row outlives the namespace's retention: the row is there, the history is not.
    await service.foundation.pool.query(
      `INSERT INTO webhook_log (idempotency_key, kind, channel_type, business_id, channel_id, instance_id, outcome, attempts, last_dsk_status, last_error_code)
       VALUES ($1, 'message.received', 'whatsapp', $2, $3, $4, 'failed', 1, 422, 'http')`,
      [key, phoneNumberId, channelId, instanceA],
    );
    const res = await api(instanceA, 'POST', retryPath(key));
    assert.equal(res.status, 410);
    assert.equal((res.json as { error: { code: string } }).error.code, 'retention_expired');
    assert.equal((await service.foundation.repos.webhookLog.get(key))!.outcome, 'failed');
  });

  it('answers 404 for an unknown key and 422 for a bad query', async () => {
    const unknown = await api(instanceA, 'POST', retryPath(`wa:msg:${newWamid()}`));
    assert.equal(unknown.status, 404);
    assert.equal((unknown.json as { error: { code: string } }).error.code, 'delivery_not_found');
    for (const query of ['?status=delivered', '?limit=0', '?limit=501', '?limit=abc', '?cursor=x']) {
      const res = await api(instanceA, 'GET', `/v1/deliveries${query}`);
      assert.equal(res.status, 422, query);
      assert.equal((res.json as { error: { code: string } }).error.code, 'validation_failed', query);
    }
    assert.equal((await api(instanceA, 'GET', '/v1/deliveries?status=failed&limit=1')).status, 200);
    assert.equal((await fetch(`${service.baseUrl}/v1/deliveries`)).status, 401);
  });

  it('sends a status that arrives after a later one with the channel view unchanged (read, then delivered → current_status read)', async () => {
    const wamid = newWamid();
    assert.equal((await postWebhook(waStatusPayload(waStatus({ wamid, status: 'read' }), { phoneNumberId }))).status, 200);
    await dsk.waitFor(() => dsk.acceptCount(`wa:status:${wamid}:read`) === 1);
    assert.equal((await postWebhook(waStatusPayload(waStatus({ wamid, status: 'delivered' }), { phoneNumberId }))).status, 200);
    await dsk.waitFor(() => dsk.acceptCount(`wa:status:${wamid}:delivered`) === 1);
    const dataOf = (status: string) => dsk.accepted.find((d) => d.idempotencyKey === `wa:status:${wamid}:${status}`)!.body.data as Record<string, unknown>;
    assert.deepEqual([dataOf('read').status, dataOf('read').current_status], ['read', 'read']);
    assert.deepEqual([dataOf('delivered').status, dataOf('delivered').current_status], ['delivered', 'read']);
    assert.equal(await service.foundation.repos.messageStatus.get(channelId, wamid), 'read');
  });

  it('merges statuses of one message applied concurrently without going backwards', async () => {
    const wamid = newWamid();
    const statuses = ['sent', 'delivered', 'read', 'failed', 'sent', 'delivered', 'read', 'sent', 'failed', 'delivered'];
    const views = await Promise.all(
      statuses.map((status) => service.foundation.repos.messageStatus.merge({ channelId, messageId: wamid, status }, new Date())),
    );
    assert.ok(views.every((view) => ['sent', 'delivered', 'read', 'failed'].includes(view)));
    assert.equal(await service.foundation.repos.messageStatus.get(channelId, wamid), 'read');
    assert.equal(await service.foundation.repos.messageStatus.merge({ channelId, messageId: wamid, status: 'delivered' }, new Date()), 'read');
  });

  it('disconnects the channel of a WABA that uninstalled the app, destroys its token, and still forwards the event', async () => {
    const wabaId = uniqueMetaId();
    const uninstalled = await seedChannel(service, { instanceId: instanceA, channelType: 'whatsapp', externalId: uniqueMetaId(), wabaId, eventsUrl: dsk.url });
    const ciphertext = service.foundation.vault.encrypt('EAAG-test-token');
    await service.foundation.pool.query(`UPDATE channels SET token_ciphertext = $2, token_key_id = $3 WHERE id = $1`, [
      uninstalled,
      ciphertext,
      service.foundation.vault.keyIdOf(ciphertext),
    ]);

    assert.equal((await postWebhook(waAccountUpdate({ event: 'PARTNER_APP_UNINSTALLED', wabaId }))).status, 200);
    const isOurs = (d: { body: { type: string; data?: unknown } }) =>
      d.body.type === 'channel.account_update' && (d.body.data as { waba_id?: string }).waba_id === wabaId;
    await dsk.waitFor(() => dsk.accepted.some(isOurs));

    const event = dsk.accepted.find(isOurs)!;
    assert.equal(event.instanceId, instanceA);
    assert.equal((event.body.channel as { id: string }).id, uninstalled);
    assert.deepEqual([(event.body.data as { event: string }).event, (event.body.data as { disconnect: boolean }).disconnect], ['PARTNER_APP_UNINSTALLED', true]);
    const { rows } = await service.foundation.pool.query<{ status: string; token_ciphertext: string | null; token_key_id: string | null; disconnected_at: Date | null }>(
      `SELECT status, token_ciphertext, token_key_id, disconnected_at FROM channels WHERE id = $1`,
      [uninstalled],
    );
    assert.equal(rows[0]!.status, 'disconnected');
    assert.equal(rows[0]!.token_ciphertext, null);
    assert.equal(rows[0]!.token_key_id, null);
    assert.ok(rows[0]!.disconnected_at instanceof Date);
    assert.equal((await waitForOutcome(event.idempotencyKey, 'delivered')).channelId, uninstalled);
  });

  it('leaves the channel connected on an account_update that is not a disconnect', async () => {
    const wabaId = uniqueMetaId();
    const kept = await seedChannel(service, { instanceId: instanceA, channelType: 'whatsapp', externalId: uniqueMetaId(), wabaId, eventsUrl: dsk.url });
    assert.equal((await postWebhook(waAccountUpdate({ event: 'VERIFIED_ACCOUNT', wabaId }))).status, 200);
    const isOurs = (d: { body: { type: string; data?: unknown } }) =>
      d.body.type === 'channel.account_update' && (d.body.data as { waba_id?: string }).waba_id === wabaId;
    await dsk.waitFor(() => dsk.accepted.some(isOurs));
    const { rows } = await service.foundation.pool.query<{ status: string }>(`SELECT status FROM channels WHERE id = $1`, [kept]);
    assert.equal(rows[0]!.status, 'active');
  });

  async function waitForOutcome(key: string, outcome: string, timeoutMs = 30_000) {
    return waitFor(async () => {
      const row = await service.foundation.repos.webhookLog.get(key);
      return row?.outcome === outcome ? row : undefined;
    }, timeoutMs, `webhook log ${key} to reach ${outcome}`);
  }

  async function waitFor<T>(probe: () => Promise<T | undefined>, timeoutMs = 30_000, what = 'condition'): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = await probe();
      if (value !== undefined) return value;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
});
