import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startDskFake, type DskFake } from '../support/dsk-fake.js';
import { newWamid, signMeta, signedDelivery, waBatch, waEntry, waMessagePayload, waMessagesChange, waStatus, waTextMessage, WA, type MetaDelivery } from '../support/meta-webhook-sender.js';
import { igEnvelope, igMessage } from '../support/meta-webhook-sender.js';
import { seedChannel, startTestService, uniqueMetaId, type TestService } from '../support/service.js';

describe('inbound: Meta webhook → workflow → DSK (real PostgreSQL and Temporal)', () => {
  let service: TestService;
  let dsk: DskFake;
  let phoneNumberId: string;
  let igAccountId: string;
  let channelId: string;
  const instanceId = `inst-inbound-${uniqueMetaId()}`;

  before(async () => {
    service = await startTestService();
    dsk = await startDskFake({
      jwks: () => service.foundation.signingKey.publicJwks(),
      issuer: service.config.serviceJwt.issuer,
      audience: service.config.serviceJwt.audience,
    });
    phoneNumberId = uniqueMetaId();
    igAccountId = `1784${uniqueMetaId()}`.slice(0, 17);
    channelId = await seedChannel(service, { instanceId, channelType: 'whatsapp', externalId: phoneNumberId, wabaId: uniqueMetaId(), eventsUrl: dsk.url });
    await seedChannel(service, { instanceId, channelType: 'instagram', externalId: igAccountId, eventsUrl: dsk.url });
  });
  after(async () => {
    await service?.stop();
    await dsk?.close();
  });

  const post = (delivery: MetaDelivery) =>
    fetch(`${service.baseUrl}/webhooks/meta`, { method: 'POST', headers: delivery.headers, body: delivery.body });
  const sign = (payload: unknown) => signedDelivery(payload, service.metaAppSecret);
  const logRow = (key: string) => service.foundation.repos.webhookLog.get(key);

  it('acknowledges a signed message and delivers it to the instance once, with a JWT and Idempotency-Key', async () => {
    const wamid = newWamid();
    const res = await post(sign(waMessagePayload(waTextMessage({ wamid, text: 'Olá, é azul? 👍' }), { phoneNumberId })));
    assert.equal(res.status, 200);
    const key = `wa:msg:${wamid}`;
    await dsk.waitFor(() => dsk.acceptCount(key) === 1);
    const delivery = dsk.accepted.find((d) => d.idempotencyKey === key)!;
    assert.equal(delivery.instanceId, instanceId);
    assert.equal(delivery.body.type, 'message.received');
    assert.equal(delivery.body.id, key);
    assert.deepEqual(delivery.body.channel, { id: channelId, type: 'whatsapp', external_id: phoneNumberId });
    assert.equal((delivery.body.data as { message: { text: string } }).message.text, 'Olá, é azul? 👍');
    const row = await waitForOutcome(key, 'delivered');
    assert.equal(row.attempts, 1);
    assert.equal(row.lastDskStatus, 200);
    assert.equal(row.channelId, channelId);
  });

  it('forwards a POST delivered twice, and twice concurrently, once per event', async () => {
    const wamid = newWamid();
    const delivery = sign(waMessagePayload(waTextMessage({ wamid }), { phoneNumberId }));
    const key = `wa:msg:${wamid}`;
    const statuses = await Promise.all([post(delivery), post(delivery), post(delivery)]);
    assert.deepEqual(statuses.map((r) => r.status), [200, 200, 200]);
    await waitForOutcome(key, 'delivered');
    assert.equal((await post(delivery)).status, 200);
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(dsk.attempts.filter((d) => d.idempotencyKey === key).length, 1);
    assert.equal((await logRow(key))!.duplicates, 3);
  });

  it('splits a batch of entries mixing messages and statuses into one delivery per event', async () => {
    const [m1, m2, s1] = [newWamid(), newWamid(), newWamid()];
    const payload = waBatch([
      waEntry({}, [waMessagesChange({ phoneNumberId, messages: [waTextMessage({ wamid: m1 }), waTextMessage({ wamid: m2 })], statuses: [waStatus({ wamid: s1, status: 'delivered' })] })]),
      waEntry({}, [waMessagesChange({ phoneNumberId, statuses: [waStatus({ wamid: s1, status: 'read' })] })]),
    ]);
    assert.equal((await post(sign(payload))).status, 200);
    const keys = [`wa:msg:${m1}`, `wa:msg:${m2}`, `wa:status:${s1}:delivered`, `wa:status:${s1}:read`];
    await dsk.waitFor(() => keys.every((k) => dsk.acceptCount(k) === 1));
    assert.deepEqual(keys.map((k) => dsk.accepted.find((d) => d.idempotencyKey === k)!.body.type), ['message.received', 'message.received', 'message.status', 'message.status']);
  });

  it('delivers Instagram messages routed by the account id', async () => {
    const mid = `aWdfZG1f${uniqueMetaId()}`;
    const res = await post(sign(igEnvelope({ accountId: igAccountId }, [igMessage({ mid, recipientId: igAccountId, text: 'Me interesa' })])));
    assert.equal(res.status, 200);
    await dsk.waitFor(() => dsk.acceptCount(`ig:msg:${mid}`) === 1);
  });

  it('records an event for an unknown business id as an orphan and does not retry it', async () => {
    const wamid = newWamid();
    assert.equal((await post(sign(waMessagePayload(waTextMessage({ wamid }), { phoneNumberId: uniqueMetaId() })))).status, 200);
    const row = await waitForOutcome(`wa:msg:${wamid}`, 'orphan');
    assert.equal(row.channelId, null);
    assert.equal(row.attempts, 0);
  });

  it('keeps retrying while DSK is down and delivers once when it is back', async () => {
    const wamid = newWamid();
    const key = `wa:msg:${wamid}`;
    dsk.respondWith({ status: 503 }, { status: 502 }, { status: 500 });
    assert.equal((await post(sign(waMessagePayload(waTextMessage({ wamid }), { phoneNumberId })))).status, 200);
    await dsk.waitFor(() => dsk.acceptCount(key) === 1, 60_000);
    assert.deepEqual(dsk.attempts.filter((d) => d.idempotencyKey === key).map((d) => d.answeredWith), [503, 502, 500, 200]);
    const row = await waitForOutcome(key, 'delivered');
    assert.equal(row.attempts, 4);
  });

  it('waits as long as DSK asks with 429 Retry-After before the next attempt', async () => {
    const wamid = newWamid();
    const key = `wa:msg:${wamid}`;
    dsk.respondWith({ status: 429, retryAfter: '3' });
    assert.equal((await post(sign(waMessagePayload(waTextMessage({ wamid }), { phoneNumberId })))).status, 200);
    await dsk.waitFor(() => dsk.acceptCount(key) === 1, 30_000);
    const times = dsk.attempts.filter((d) => d.idempotencyKey === key);
    assert.deepEqual(times.map((d) => d.answeredWith), [429, 200]);
    assert.ok(times[1]!.at - times[0]!.at >= 2_900, `second attempt came ${times[1]!.at - times[0]!.at} ms after the first`);
  });

  it('fails the workflow when DSK refuses an event with a 4xx, and records the status', async () => {
    const wamid = newWamid();
    const key = `wa:msg:${wamid}`;
    dsk.respondWith({ status: 422 });
    assert.equal((await post(sign(waMessagePayload(waTextMessage({ wamid }), { phoneNumberId })))).status, 200);
    const row = await waitForOutcome(key, 'failed');
    assert.equal(row.lastDskStatus, 422);
    assert.equal(row.attempts, 1);
    // The log row is written just before the run fails: wait for the run itself.
    const handle = service.client.workflow.getHandle(`inbound-${key}`);
    await assert.rejects(handle.result());
    assert.equal((await handle.describe()).status.name, 'FAILED');
  });

  it('rejects a missing or wrong signature with 401 and starts nothing', async () => {
    const wamid = newWamid();
    const good = sign(waMessagePayload(waTextMessage({ wamid }), { phoneNumberId }));
    const { 'x-hub-signature-256': _dropped, ...unsigned } = good.headers;
    const missing = await post({ body: good.body, headers: unsigned });
    assert.equal(missing.status, 401);
    assert.equal(((await missing.json()) as { error: { code: string } }).error.code, 'invalid_signature');
    const wrong = signedDelivery(waMessagePayload(waTextMessage({ wamid }), { phoneNumberId }), 'not-the-app-secret');
    assert.equal((await post(wrong)).status, 401);
    assert.equal(await logRow(`wa:msg:${wamid}`), undefined);
  });

  it('verifies the signature over raw bytes, escaped or not, for non-ASCII text', async () => {
    for (const escape of [true, false]) {
      const wamid = newWamid();
      const delivery = signedDelivery(waMessagePayload(waTextMessage({ wamid, text: 'Ünïcödé ✓ / 日本 😀' }), { phoneNumberId }), service.metaAppSecret, { escape });
      assert.equal((await post(delivery)).status, 200, `escape=${escape}`);
      await dsk.waitFor(() => dsk.acceptCount(`wa:msg:${wamid}`) === 1);
      const body = dsk.accepted.find((d) => d.idempotencyKey === `wa:msg:${wamid}`)!.body;
      assert.equal((body.data as { message: { text: string } }).message.text, 'Ünïcödé ✓ / 日本 😀');
    }
  });

  it('answers 400 invalid_json for a signed body that is not JSON', async () => {
    const body = Buffer.from('{"object":"whatsapp_business_account",');
    const res = await post({ body, headers: { 'content-type': 'application/json', 'x-hub-signature-256': signature(body) } });
    assert.equal(res.status, 400);
    assert.equal(((await res.json()) as { error: { code: string } }).error.code, 'invalid_json');
  });

  it('answers 413 payload_too_large above the limit, which is above Meta 3 MB', async () => {
    assert.ok(service.config.meta.webhookMaxBytes > 3 * 1024 * 1024);
    const body = Buffer.alloc(service.config.meta.webhookMaxBytes + 1, 0x20);
    const res = await post({ body, headers: { 'content-type': 'application/json', 'x-hub-signature-256': signature(body) } });
    assert.equal(res.status, 413);
    assert.equal(((await res.json()) as { error: { code: string } }).error.code, 'payload_too_large');
  });

  it('accepts a signed event of an unknown shape and forwards it as unsupported with its raw object', async () => {
    const payload = { object: 'whatsapp_business_account', entry: [{ id: WA.wabaId, changes: [{ field: 'brand_new_field', value: { phone_number_id: phoneNumberId, x: 1 } }] }] };
    const res = await post(sign(payload));
    assert.equal(res.status, 200);
  });

  it('keeps no message text in PostgreSQL', async () => {
    const marker = `privacy-marker-${uniqueMetaId()}`;
    const wamid = newWamid();
    assert.equal((await post(sign(waMessagePayload(waTextMessage({ wamid, text: marker }), { phoneNumberId })))).status, 200);
    await waitForOutcome(`wa:msg:${wamid}`, 'delivered');
    const { rows } = await service.foundation.pool.query<{ hits: string }>(
      `SELECT count(*)::text AS hits FROM (
         SELECT row_to_json(t)::text AS j FROM webhook_log t UNION ALL SELECT row_to_json(t)::text FROM channels t
         UNION ALL SELECT row_to_json(t)::text FROM instances t UNION ALL SELECT row_to_json(t)::text FROM connections t
         UNION ALL SELECT row_to_json(t)::text FROM connection_sessions t) all_rows WHERE j LIKE $1`,
      [`%${marker}%`],
    );
    assert.equal(rows[0]!.hits, '0');
  });

  const signature = (body: Buffer) => signMeta(body, service.metaAppSecret);

  async function waitForOutcome(key: string, outcome: string, timeoutMs = 30_000) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const row = await logRow(key);
      if (row?.outcome === outcome) return row;
      if (Date.now() > deadline) throw new Error(`webhook log ${key}: outcome ${row?.outcome ?? 'missing'}, expected ${outcome}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
});
