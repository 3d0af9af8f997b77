import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startDskFake, type DskFake } from '../support/dsk-fake.js';
import { signedDelivery, waContact, waEnvelope, waMessagesChange, waTextMessage, type MetaDelivery } from '../support/meta-webhook-sender.js';
import { seedChannel, startTestService, uniqueMetaId, type TestService } from '../support/service.js';
import { workerProcesses } from '../support/worker-process.js';

describe('worker crash: SIGKILL of the worker process in the middle of a burst (real PostgreSQL and Temporal)', () => {
  let service: TestService;
  let dsk: DskFake;
  let phoneNumberId: string;
  const workers = workerProcesses(() => service);

  before(async () => {
    service = await startTestService({ withWorker: false });
    dsk = await startDskFake({
      jwks: () => service.foundation.signingKey.publicJwks(),
      issuer: service.config.serviceJwt.issuer,
      audience: service.config.serviceJwt.audience,
    });
    phoneNumberId = uniqueMetaId();
    await seedChannel(service, { instanceId: `inst-crash-${uniqueMetaId()}`, channelType: 'whatsapp', externalId: phoneNumberId, wabaId: uniqueMetaId(), eventsUrl: dsk.url });
  });
  after(async () => {
    await workers.stopAll();
    await service?.stop();
    await dsk?.close();
  });

  const post = (delivery: MetaDelivery) =>
    fetch(`${service.baseUrl}/webhooks/meta`, { method: 'POST', headers: delivery.headers, body: delivery.body });

  /** One signed POST carrying several messages, as Meta batches them. */
  const burstPost = (wamids: string[]) =>
    signedDelivery(
      waEnvelope({}, [waMessagesChange({ phoneNumberId, contacts: [waContact()], messages: wamids.map((wamid) => waTextMessage({ wamid })) })]),
      service.metaAppSecret,
    );

  it('delivers every event of the burst, each idempotency key accepted by DSK once, across a SIGKILL and restart of the worker', async (t) => {
    // newWamid() counts from 1 in every test process, and test files share the database and namespace.
    const run = uniqueMetaId();
    const wamids = Array.from({ length: 60 }, (_, i) => `wamid.HBgL${run}${String(i).padStart(3, '0')}=`);
    const keys = wamids.map((wamid) => `wa:msg:${wamid}`);
    const posts = [0, 15, 30, 45].map((from) => burstPost(wamids.slice(from, from + 15)));
    const keysPostedAfterKill = keys.slice(30);

    // The first answers are immediate and the rest held, so that the kill finds deliveries done,
    // deliveries DSK has received but not yet answered, and events not yet sent.
    dsk.respondWith(...Array.from({ length: 5 }, () => ({ status: 200 })));
    dsk.setFallback({ status: 200, delayMs: 1_500 });

    const first = await workers.start();
    for (const delivery of posts.slice(0, 2)) assert.equal((await post(delivery)).status, 200);
    await dsk.waitFor(() => dsk.accepted.length >= 3 && dsk.inFlightKeys().length >= 3, 60_000, 'some deliveries accepted and some in flight');
    await first.kill();

    // Snapshot once the process is gone: nothing it sent can still be answered to it.
    const cutOff = dsk.inFlightKeys();
    const acceptedAtKill = dsk.accepted.length;
    assert.ok(cutOff.length > 0, 'the kill left deliveries in flight at DSK');
    assert.ok(acceptedAtKill > 0 && acceptedAtKill < keys.length, `${acceptedAtKill} of ${keys.length} keys were accepted when the worker died`);

    t.diagnostic(`at the kill: ${acceptedAtKill} keys accepted by DSK, ${cutOff.length} deliveries in flight at DSK`);

    dsk.setFallback({ status: 200 });
    // The API keeps acknowledging while no worker runs: the rest of the burst waits in Temporal.
    for (const delivery of posts.slice(2)) assert.equal((await post(delivery)).status, 200);
    await workers.start();

    // Tasks the dead worker held come back only after their timeouts (activities: startToClose).
    await dsk.waitFor(() => keys.every((k) => dsk.acceptCount(k) === 1), 150_000, 'every key accepted by DSK');
    const rows = await waitForOutcomes(keys, 'delivered', 150_000);

    assert.deepEqual(keys.filter((k) => dsk.acceptCount(k) !== 1), []);
    assert.deepEqual(keys.filter((k) => rows.get(k) !== 'delivered'), []);
    // What the kill cut off was sent again, and DSK recognised it as already accepted.
    assert.deepEqual(cutOff.map((k) => [k, dsk.replays(k)]), cutOff.map((k) => [k, 1]));
    // Events the dead worker never saw reached DSK exactly once.
    assert.deepEqual(
      keysPostedAfterKill.map((k) => [k, dsk.attempts.filter((a) => a.idempotencyKey === k).length]),
      keysPostedAfterKill.map((k) => [k, 1]),
    );
    assert.deepEqual(dsk.attempts.filter((a) => a.answeredWith !== 200), []);
    assert.deepEqual(new Set(dsk.attempts.map((a) => a.idempotencyKey)), new Set(keys));
  });

  async function waitForOutcomes(keys: string[], outcome: string, timeoutMs: number): Promise<Map<string, string>> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const { rows } = await service.foundation.pool.query<{ idempotency_key: string; outcome: string }>(
        'SELECT idempotency_key, outcome FROM webhook_log WHERE idempotency_key = ANY($1::text[])',
        [keys],
      );
      const outcomes = new Map(rows.map((r) => [r.idempotency_key, r.outcome]));
      if (keys.every((k) => outcomes.get(k) === outcome) || Date.now() > deadline) return outcomes;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
});
