import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { createDatabaseIfMissing, databaseUrl, dropDatabaseIfExists } from '../../dev/infra/local-postgres.js';
import { inboundWorkflowId } from '../../src/shared/ids.js';
import { startDskFake, type DskFake } from '../support/dsk-fake.js';
import { newWamid, signedDelivery, waEntry, waBatch, waMessagePayload, waMessagesChange, waStatus, waTextMessage, type MetaDelivery } from '../support/meta-webhook-sender.js';
import { seedChannel, startTestService, testInfrastructure, uniqueMetaId, type TestService } from '../support/service.js';

const METRICS_TOKEN = `metrics-${randomBytes(24).toString('hex')}`;

/**
 * A known scenario through the real stack, then one Prometheus scrape of the api's `/metrics` (with
 * METRICS_TOKEN, as Prometheus would): every counter must show exactly what happened. The service
 * has a registry of its own (counters start at zero) and a database of its own (the `channels`
 * gauge counts the whole table, which other test files share otherwise). The in-process worker
 * shares the foundation, hence the registry, so DSK deliveries are counted in the same scrape; in
 * production they are on the worker's own metrics port.
 */
describe('GET /metrics after a known scenario (real PostgreSQL and Temporal)', () => {
  let service: TestService;
  let dsk: DskFake;
  let dropDatabase: (() => Promise<void>) | undefined;
  let scrape: string[];

  before(async () => {
    const { databaseUrl: shared } = testInfrastructure();
    const name = `metrics_${randomBytes(4).toString('hex')}`;
    const admin = databaseUrl(shared, 'postgres');
    // As retention.test.ts: without access to the maintenance database, create it from the shared one.
    const [url, adminUrl] = await createDatabaseIfMissing(admin, name).then(
      (u) => [u, admin] as const,
      async () => [await createDatabaseIfMissing(shared, name), shared] as const,
    );
    dropDatabase = () => dropDatabaseIfExists(adminUrl, name);
    service = await startTestService({ env: { DATABASE_URL: url, METRICS_TOKEN } });
    dsk = await startDskFake({
      jwks: () => service.foundation.signingKey.publicJwks(),
      issuer: service.config.serviceJwt.issuer,
      audience: service.config.serviceJwt.audience,
    });

    // Channels: one active WhatsApp number that receives the events, one active Instagram account, one disconnected.
    const instanceId = `inst-metrics-${uniqueMetaId()}`;
    const phoneNumberId = uniqueMetaId();
    await seedChannel(service, { instanceId, channelType: 'whatsapp', externalId: phoneNumberId, wabaId: uniqueMetaId(), eventsUrl: dsk.url });
    await seedChannel(service, { instanceId, channelType: 'instagram', externalId: `1784${uniqueMetaId()}`.slice(0, 17), eventsUrl: dsk.url });
    const gone = await seedChannel(service, { instanceId, channelType: 'whatsapp', externalId: uniqueMetaId(), eventsUrl: dsk.url });
    await service.foundation.repos.channels.disconnect(gone, new Date());

    const post = (delivery: MetaDelivery) => fetch(`${service.baseUrl}/webhooks/meta`, { method: 'POST', headers: delivery.headers, body: delivery.body });
    const sign = (payload: unknown) => signedDelivery(payload, service.metaAppSecret);
    const [m1, m2, s1] = [newWamid(), newWamid(), newWamid()];
    const first = sign(waMessagePayload(waTextMessage({ wamid: m1 }), { phoneNumberId }));
    const statuses = [
      // 1 new event
      (await post(first)).status,
      // 2 new events in one POST: a message and a status
      (await post(sign(waBatch([waEntry({}, [waMessagesChange({ phoneNumberId, messages: [waTextMessage({ wamid: m2 })], statuses: [waStatus({ wamid: s1, status: 'delivered' })] })])])))).status,
      // Meta's redelivery of the first POST: 1 duplicate
      (await post(first)).status,
      // A POST signed with another secret
      (await post(signedDelivery(waMessagePayload(waTextMessage({ wamid: newWamid() }), { phoneNumberId }), 'not-the-app-secret'))).status,
    ];
    assert.deepEqual(statuses, [200, 200, 200, 401]);
    const keys = [`wa:msg:${m1}`, `wa:msg:${m2}`, `wa:status:${s1}:delivered`];
    await dsk.waitFor(() => keys.every((k) => dsk.acceptCount(k) === 1));
    // Each workflow ends after the attempt that DSK answered is counted.
    await Promise.all(keys.map((k) => service.client.workflow.getHandle(inboundWorkflowId(k)).result()));

    const res = await fetch(`${service.baseUrl}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
    assert.equal(res.status, 200);
    scrape = (await res.text()).split('\n');
  });
  after(async () => {
    await service?.stop();
    await dsk?.close();
    await dropDatabase?.();
  });

  /** The sample lines of one metric, without HELP/TYPE. */
  const samples = (name: string) => scrape.filter((line) => line.startsWith(`${name}{`) || line.startsWith(`${name} `));

  it('refuses a scrape without the token', async () => {
    const res = await fetch(`${service.baseUrl}/metrics`, { headers: { authorization: `Bearer ${randomUUID()}` } });
    assert.equal(res.status, 401);
  });

  it('counts webhook events by kind and dedup outcome', () => {
    assert.deepEqual(samples('webhook_events_total'), [
      'webhook_events_total{kind="message.received",outcome="accepted"} 2',
      'webhook_events_total{kind="message.status",outcome="accepted"} 1',
      'webhook_events_total{kind="message.received",outcome="duplicate"} 1',
    ]);
  });

  it('counts webhook POSTs by the status answered', () => {
    assert.deepEqual(samples('webhook_requests_total'), ['webhook_requests_total{status="200"} 3', 'webhook_requests_total{status="401"} 1']);
  });

  it('counts one successful DSK delivery per new event, and no failure', () => {
    assert.deepEqual(samples('dsk_delivery_attempts_total'), ['dsk_delivery_attempts_total{outcome="delivered"} 3']);
    assert.deepEqual(samples('dsk_delivery_failures_total'), []);
    assert.deepEqual(samples('dsk_delivery_duration_seconds_count'), ['dsk_delivery_duration_seconds_count 3']);
  });

  it('reports the channels per status from PostgreSQL', () => {
    assert.deepEqual(samples('channels'), ['channels{status="active"} 2', 'channels{status="reauth_required"} 0', 'channels{status="disconnected"} 1']);
  });

  it('counts no rate-limited request and no outbound send in this scenario', () => {
    assert.deepEqual(samples('rate_limited_requests_total'), ['rate_limited_requests_total 0']);
    assert.deepEqual(samples('outbound_sends_total'), []);
  });
});
