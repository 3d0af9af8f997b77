import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { closeServer } from '../../src/api/server.js';
import { buildApi } from '../../src/runtime-api.js';
import { startDskFake, type DskFake } from '../support/dsk-fake.js';
import { newWamid, signedDelivery, waMessagePayload, waTextMessage } from '../support/meta-webhook-sender.js';
import { seedChannel, startTestService, uniqueMetaId, type TestService } from '../support/service.js';

/**
 * The intake with more than one api process on one database and task queue: each replica's relay
 * claims rows with SKIP LOCKED, so a burst split across replicas is started once, and rows a stopped
 * replica left are started by another. A replica past its bound answers 503 and stores nothing.
 */
describe('inbound intake across api replicas (real PostgreSQL and Temporal)', () => {
  let service: TestService;
  let dsk: DskFake;
  let phoneNumberId: string;
  const replicas: Array<{ server: Server; stop(): Promise<void> }> = [];

  before(async () => {
    service = await startTestService();
    dsk = await startDskFake({
      jwks: () => service.foundation.signingKey.publicJwks(),
      issuer: service.config.serviceJwt.issuer,
      audience: service.config.serviceJwt.audience,
    });
    phoneNumberId = uniqueMetaId();
    await seedChannel(service, { instanceId: `inst-replicas-${uniqueMetaId()}`, channelType: 'whatsapp', externalId: phoneNumberId, wabaId: uniqueMetaId(), eventsUrl: dsk.url });
  });
  after(async () => {
    for (const r of replicas) {
      await closeServer(r.server, 2_000);
      await r.stop();
    }
    await service?.stop();
    await dsk?.close();
  });

  /** Another api process's composition on the same foundation (database, task queue, keys). */
  async function replica(options: Parameters<typeof buildApi>[2] = {}) {
    const api = buildApi(service.foundation, service.client, options);
    const server = api.app.listen(0, '127.0.0.1');
    await new Promise<void>((resolve) => server.once('listening', resolve));
    replicas.push({ server, stop: api.stop });
    return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, stopRelay: api.stop };
  }
  const post = (baseUrl: string, wamid: string) => {
    const delivery = signedDelivery(waMessagePayload(waTextMessage({ wamid }), { phoneNumberId }), service.metaAppSecret);
    return fetch(`${baseUrl}/webhooks/meta`, { method: 'POST', headers: delivery.headers, body: delivery.body });
  };
  const intakeDepth = async () => (await service.foundation.repos.inboundIntake.stats(service.config.temporal.taskQueue)).depth;

  it('past its bound a replica answers 503 intake_full and stores nothing; the rows of a replica whose relay stopped are started by another', async () => {
    const bounded = await replica({ intake: { bound: { maxRows: 2, maxAgeMs: 3_600_000 } } });
    // Its relay stops at once: what it accepts waits for the other replica's relay (which polls).
    await bounded.stopRelay();
    const [first, second, third] = [newWamid(), newWamid(), newWamid()];
    assert.equal((await post(bounded.url, first)).status, 200);
    assert.equal((await post(bounded.url, second)).status, 200);
    const refused = await post(bounded.url, third);
    assert.equal(refused.status, 503);
    assert.equal(((await refused.json()) as { error: { code: string } }).error.code, 'intake_full');
    assert.equal(await service.foundation.repos.webhookLog.get(`wa:msg:${third}`), undefined);

    await dsk.waitFor(() => dsk.acceptCount(`wa:msg:${first}`) === 1 && dsk.acceptCount(`wa:msg:${second}`) === 1, 30_000);
    assert.equal(dsk.acceptCount(`wa:msg:${third}`), 0);
  });

  it('starts and delivers each event of a burst split across two relaying replicas once', async () => {
    const other = await replica();
    const wamids = Array.from({ length: 60 }, () => newWamid());
    const statuses = await Promise.all(wamids.map((wamid, i) => post(i % 2 === 0 ? service.baseUrl : other.url, wamid).then((r) => r.status)));
    assert.deepEqual(statuses.filter((s) => s !== 200), []);
    const keys = wamids.map((w) => `wa:msg:${w}`);
    await dsk.waitFor(() => keys.every((k) => dsk.acceptCount(k) === 1), 60_000);
    assert.deepEqual(keys.filter((k) => dsk.replays(k) > 0), []);
    assert.equal(await intakeDepth(), 0);
    // The activity records the outcome after DSK's answer: wait for the last of them.
    const outcomes = async () =>
      (
        await service.foundation.pool.query<{ outcome: string; n: string }>(
          `SELECT outcome, count(*)::text AS n FROM webhook_log WHERE idempotency_key = ANY($1::text[]) GROUP BY outcome`,
          [keys],
        )
      ).rows;
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline && (await outcomes()).some((r) => r.outcome !== 'delivered')) await new Promise((r) => setTimeout(r, 100));
    assert.deepEqual(await outcomes(), [{ outcome: 'delivered', n: '60' }]);
  });
});
