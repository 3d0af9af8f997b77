import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { inboundWorkflowId } from '../../src/shared/ids.js';
import { dskApi } from '../support/connect.js';
import { startDskFake, type DskFake } from '../support/dsk-fake.js';
import { newWamid, signedDelivery, waMessagePayload, waStatus, waStatusPayload, waTextMessage } from '../support/meta-webhook-sender.js';
import { seedChannel, startTestService, uniqueMetaId, type TestService } from '../support/service.js';

/**
 * Issue #13 item 5: DSK chooses the event types it receives (PUT /v1/instance `event_types`); an
 * unsubscribed type is recorded as `skipped` and never sent; `POST /v1/instance/test-event` sends a
 * `test.ping` like any other event, whatever the subscriptions.
 */
describe('event-type subscriptions and the test event (real PostgreSQL and Temporal)', () => {
  let service: TestService;
  let dsk: DskFake;
  const instanceId = `inst-subs-${uniqueMetaId()}`;
  const phoneNumberId = uniqueMetaId();

  before(async () => {
    service = await startTestService();
    dsk = await startDskFake({ jwks: () => service.foundation.signingKey.publicJwks(), issuer: service.config.serviceJwt.issuer, audience: service.config.serviceJwt.audience });
    await seedChannel(service, { instanceId, channelType: 'whatsapp', externalId: phoneNumberId, wabaId: uniqueMetaId(), eventsUrl: dsk.url });
  });
  after(async () => {
    await service?.stop();
    await dsk?.close();
  });

  const put = (body: unknown) => dskApi(service, instanceId, 'PUT', '/v1/instance', body);
  const post = (payload: unknown) => {
    const delivery = signedDelivery(payload, service.metaAppSecret);
    return fetch(`${service.baseUrl}/webhooks/meta`, { method: 'POST', headers: delivery.headers, body: delivery.body });
  };

  it('keeps the chosen types, answers them, leaves them alone when a PUT omits them, and null means all', async () => {
    assert.deepEqual((await put({ events_url: dsk.url, event_types: ['message.status'] })).body, { id: instanceId, events_url: dsk.url, event_types: ['message.status'] });
    assert.deepEqual((await put({ events_url: dsk.url })).body.event_types, ['message.status']);
    assert.deepEqual((await dskApi(service, instanceId, 'GET', '/v1/instance')).body, { id: instanceId, events_url: dsk.url, event_types: ['message.status'] });
    const bad = await put({ events_url: dsk.url, event_types: ['message.unknown'] });
    assert.equal(bad.status, 422);
    assert.deepEqual((bad.body.error as { details: Array<{ path: string }> }).details.map((d) => d.path), ['event_types[0]']);
    assert.equal((await put({ events_url: dsk.url, event_types: ['test.ping'] })).status, 422, 'test.ping always comes: not a choice');
  });

  it('records an unsubscribed event as skipped and sends it nowhere, while a subscribed one is delivered', async () => {
    await put({ events_url: dsk.url, event_types: ['message.status'] });
    const wamid = newWamid();
    assert.equal((await post(waMessagePayload(waTextMessage({ wamid }), { phoneNumberId }))).status, 200);
    const key = `wa:msg:${wamid}`;
    // Meta's 200 comes from the intake; the relay starts the workflow a moment later: wait for its outcome row.
    for (const deadline = Date.now() + 20_000; (await service.foundation.repos.webhookLog.get(key))?.outcome !== 'skipped'; ) {
      assert.ok(Date.now() < deadline, 'the event to be recorded as skipped');
      await new Promise((r) => setTimeout(r, 50));
    }
    const result = await service.client.workflow.getHandle(inboundWorkflowId(key)).result();
    assert.deepEqual(result, { outcome: 'skipped' });
    assert.equal((await service.foundation.repos.webhookLog.get(key))!.outcome, 'skipped');
    const statusWamid = newWamid();
    assert.equal((await post(waStatusPayload(waStatus({ wamid: statusWamid, status: 'delivered' }), { phoneNumberId }))).status, 200);
    await dsk.waitFor(() => dsk.accepted.some((d) => d.body.type === 'message.status' && (d.body.data as { message_id: string }).message_id === statusWamid));
    assert.equal(dsk.acceptCount(key), 0);

    await put({ events_url: dsk.url, event_types: null });
    const again = newWamid();
    assert.equal((await post(waMessagePayload(waTextMessage({ wamid: again }), { phoneNumberId }))).status, 200);
    await dsk.waitFor(() => dsk.acceptCount(`wa:msg:${again}`) === 1);
  });

  it('sends test.ping on request, signed and keyed like every event, whatever the subscriptions, and says what DSK answered', async () => {
    await put({ events_url: dsk.url, event_types: ['message.status'] });
    const res = await dskApi(service, instanceId, 'POST', '/v1/instance/test-event');
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.body.delivered, true);
    assert.equal(res.body.dsk_status, 200);
    const eventId = String(res.body.event_id);
    assert.match(eventId, /^test:ping:[0-9a-f-]{36}$/);
    const got = dsk.accepted.find((d) => d.idempotencyKey === eventId)!;
    assert.equal(got.instanceId, instanceId);
    assert.equal(got.body.type, 'test.ping');
    assert.equal(got.body.channel, null);

    dsk.respondWith({ status: 500 });
    const failed = await dskApi(service, instanceId, 'POST', '/v1/instance/test-event');
    assert.equal(failed.status, 502);
    const error = failed.body.error as { code: string; details: Record<string, unknown> };
    assert.equal(error.code, 'test_event_failed');
    assert.deepEqual({ status: error.details.dsk_status, reason: error.details.reason }, { status: 500, reason: 'http' });

    const lonely = await dskApi(service, `inst-subs-none-${uniqueMetaId()}`, 'POST', '/v1/instance/test-event');
    assert.deepEqual([lonely.status, (lonely.body.error as { code: string }).code], [409, 'no_events_url']);
  });
});
