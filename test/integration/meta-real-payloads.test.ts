import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { splitWebhook } from '../../src/meta/webhook/split.js';
import { startDskFake, type DskFake } from '../support/dsk-fake.js';
import { signedDelivery } from '../support/meta-webhook-sender.js';
import { seedChannel, startTestService, uniqueMetaId, type TestService } from '../support/service.js';

/**
 * Every real webhook payload of test/fixtures/meta-real, signed as Meta signs and POSTed to the
 * running service: each is acknowledged (200, never a 5xx) and each of its events is recorded in the
 * webhook log and handled to the end (none lost). Messenger's (object page) are recorded and routed
 * nowhere, even for a page an Instagram channel is connected through.
 */
describe('real Meta payloads through the webhook endpoint (PostgreSQL and Temporal)', () => {
  let service: TestService;
  let dsk: DskFake;
  const instanceId = `inst-real-${uniqueMetaId()}`;
  /** The page of messenger/text.json and its siblings. */
  const MESSENGER_PAGE = '12345654332';

  before(async () => {
    service = await startTestService();
    dsk = await startDskFake({ jwks: () => service.foundation.signingKey.publicJwks(), issuer: service.config.serviceJwt.issuer, audience: service.config.serviceJwt.audience });
    // An Instagram account connected through that very page: before, Messenger DMs reached it as Instagram messages.
    await seedChannel(service, { instanceId, channelType: 'instagram', externalId: `1784${uniqueMetaId()}`.slice(0, 17), pageId: MESSENGER_PAGE, eventsUrl: dsk.url });
  });
  after(async () => {
    await service?.stop();
    await dsk?.close();
  });

  const root = new URL('../../../test/fixtures/meta-real/', import.meta.url);
  const fixtures = ['whatsapp', 'instagram', 'messenger'].flatMap((dir) =>
    readdirSync(new URL(`${dir}/`, root)).filter((f) => f.endsWith('.json')).map((f) => ({ path: `${dir}/${f}`, body: JSON.parse(readFileSync(new URL(`${dir}/${f}`, root), 'utf8')) as unknown })),
  );

  it('acknowledges every payload and records and finishes every event it holds', async () => {
    const keys = new Set<string>();
    for (const { path, body } of fixtures) {
      for (const event of splitWebhook(body, { receivedAt: new Date() })) keys.add(event.key);
      const delivery = signedDelivery(body, service.metaAppSecret);
      const res = await fetch(`${service.baseUrl}/webhooks/meta`, { method: 'POST', headers: delivery.headers, body: delivery.body });
      assert.equal(res.status, 200, `${path}: ${await res.text()}`);
    }
    const pending = async () => {
      const { rows } = await service.foundation.pool.query<{ idempotency_key: string; outcome: string }>(
        `SELECT idempotency_key, outcome FROM webhook_log WHERE idempotency_key = ANY($1)`,
        [[...keys]],
      );
      return { rows, open: rows.filter((r) => !['orphan', 'delivered', 'failed'].includes(r.outcome)) };
    };
    const deadline = Date.now() + 90_000;
    let state = await pending();
    while ((state.rows.length < keys.size || state.open.length > 0) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      state = await pending();
    }
    assert.equal(state.rows.length, keys.size, 'every event is in the webhook log');
    assert.deepEqual(state.open, [], 'every event was handled to the end');
    assert.deepEqual(state.rows.filter((r) => r.outcome === 'failed'), []);

    const messenger = fixtures.filter((f) => f.path.startsWith('messenger/')).flatMap((f) => splitWebhook(f.body, { receivedAt: new Date() }).map((e) => e.key));
    const { rows } = await service.foundation.pool.query<{ outcome: string; channel_type: string }>(`SELECT DISTINCT outcome, channel_type FROM webhook_log WHERE idempotency_key = ANY($1)`, [messenger]);
    assert.deepEqual(rows, [{ outcome: 'orphan', channel_type: 'unknown' }]);
    assert.deepEqual(dsk.accepted.filter((d) => messenger.includes(d.idempotencyKey)), [], 'no Messenger DM reached DSK');
  });
});
