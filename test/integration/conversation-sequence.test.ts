import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { createInboundIntakeStore, type IntakeEntry } from '../../src/db/inbound-intake.js';
import { startDskFake, type Delivery, type DskFake } from '../support/dsk-fake.js';
import { signedDelivery, waEnvelope, waMessagesChange, waStatus, waTextMessage, newWamid } from '../support/meta-webhook-sender.js';
import { seedChannel, startTestService, uniqueMetaId, type TestService } from '../support/service.js';

/*
 * Issue #13 item 6: every event of a conversation carries a sequence number in the order the intake
 * accepted it from Meta, assigned in the accepting statement itself, so DSK can order what one workflow
 * per event delivers out of order.
 */

let service: TestService;
before(async () => {
  service = await startTestService();
});
after(async () => {
  await service?.stop();
});

describe('the intake statement numbers conversations (real PostgreSQL)', () => {
  // A task queue no relay serves: the rows stay for the test to read.
  const taskQueue = () => `seq-${randomBytes(6).toString('hex')}`;
  const store = () => createInboundIntakeStore(service.foundation.pool);
  const entry = (key: string, conversation?: string): IntakeEntry => ({
    key,
    kind: 'message.received',
    channelType: 'whatsapp',
    businessId: '106540352242922',
    receivedAt: new Date(),
    payloadKeyId: null,
    payload: Buffer.from('sealed'),
    ...(conversation ? { conversation } : {}),
  });
  const sequences = async (queue: string) =>
    Object.fromEntries(
      (await service.foundation.pool.query<{ idempotency_key: string; sequence: string | null }>(`SELECT idempotency_key, sequence FROM inbound_intake WHERE task_queue = $1`, [queue])).rows.map((r) => [
        r.idempotency_key,
        r.sequence === null ? null : Number(r.sequence),
      ]),
    );
  const unique = (prefix: string) => `${prefix}-${randomBytes(6).toString('hex')}`;

  it('numbers new keys in arrival order (not key order), per conversation; a repeat and an event without a conversation take none', async () => {
    const queue = taskQueue();
    const [c1, c2] = [unique('c1'), unique('c2')];
    const k = unique('k');
    // Keys sort z < m < a reversed: arrival order must win over the statement's lock order.
    const outcomes = await store().accept([entry(`${k}:z`, c1), entry(`${k}:y`, c2), entry(`${k}:m`, c1), entry(`${k}:z`, c1), entry(`${k}:t`), entry(`${k}:a`, c1)], queue);
    // One outcome per key: the repeat of z is counted on z's webhook-log row.
    assert.deepEqual([...outcomes.values()], ['queued', 'queued', 'queued', 'queued', 'queued']);
    assert.deepEqual(await sequences(queue), { [`${k}:z`]: 1, [`${k}:m`]: 2, [`${k}:a`]: 3, [`${k}:y`]: 1, [`${k}:t`]: null });

    // Meta redelivers one and sends a new one: the redelivery takes no number, the new one the next.
    const again = await store().accept([entry(`${k}:m`, c1), entry(`${k}:b`, c1)], queue);
    assert.deepEqual(Object.fromEntries(again), { [`${k}:m`]: 'duplicate', [`${k}:b`]: 'queued' });
    assert.equal((await sequences(queue))[`${k}:b`], 4);
    const counters = await service.foundation.pool.query<{ conversation: string; last_sequence: string }>(
      `SELECT conversation, last_sequence::text FROM conversation_sequences WHERE conversation = ANY($1::text[]) ORDER BY last_sequence`,
      [[c1, c2]],
    );
    assert.deepEqual(counters.rows, [{ conversation: c2, last_sequence: '1' }, { conversation: c1, last_sequence: '4' }]);
  });

  it('hands the relay each row with its number and the run it belongs to', async () => {
    const queue = taskQueue();
    const conversation = unique('c');
    const k = unique('k');
    await store().accept([entry(`${k}:1`, conversation), entry(`${k}:2`, conversation), entry(`${k}:3`)], queue);
    const { rows: started } = await service.foundation.pool.query<{ started_at: Date }>(`SELECT started_at FROM conversation_sequences WHERE conversation = $1`, [conversation]);
    const seen: Array<[string, unknown]> = [];
    await store().claim(queue, 10, async (rows) => (rows.forEach((r) => seen.push([r.key, r.sequence])), []), () => new Date());
    assert.deepEqual(seen.sort(), [
      [`${k}:1`, { sequence: 1, startedAt: started[0]!.started_at.toISOString() }],
      [`${k}:2`, { sequence: 2, startedAt: started[0]!.started_at.toISOString() }],
      [`${k}:3`, undefined],
    ]);
  });

  it('concurrent batches on the same conversations commit without deadlock, each number taken once, each batch in its own order', async () => {
    const queue = taskQueue();
    const conversations = [unique('a'), unique('b'), unique('c')];
    const k = unique('k');
    // Each batch touches the conversations in a different order, the case that deadlocks without a lock order.
    const batches = Array.from({ length: 12 }, (_, b) =>
      Array.from({ length: 6 }, (_, i) => entry(`${k}:${b}:${i}`, conversations[(b + i) % conversations.length]!)).reverse(),
    );
    await Promise.all(batches.map((batch) => store().accept(batch, queue)));
    const numbers = await sequences(queue);
    for (const [c, conversation] of conversations.entries()) {
      const keys = batches.flat().filter((e) => e.conversation === conversation).map((e) => e.key);
      assert.deepEqual(keys.map((key) => numbers[key]).sort((x, y) => Number(x) - Number(y)), Array.from({ length: keys.length }, (_, i) => i + 1), `conversation ${c}`);
    }
    for (const batch of batches) {
      for (const conversation of conversations) {
        const ordered = batch.filter((e) => e.conversation === conversation).map((e) => numbers[e.key] as number);
        assert.deepEqual(ordered, [...ordered].sort((x, y) => x - y));
      }
    }
  });
});

describe('a burst to one conversation through /webhooks/meta reaches DSK numbered in acceptance order (real PostgreSQL and Temporal)', () => {
  let dsk: DskFake;
  let phoneNumberId: string;

  before(async () => {
    dsk = await startDskFake({ jwks: () => service.foundation.signingKey.publicJwks(), issuer: service.config.serviceJwt.issuer, audience: service.config.serviceJwt.audience });
    phoneNumberId = uniqueMetaId();
    await seedChannel(service, { instanceId: `inst-seq-${uniqueMetaId()}`, channelType: 'whatsapp', externalId: phoneNumberId, wabaId: uniqueMetaId(), eventsUrl: dsk.url });
  });
  after(async () => {
    await dsk?.close();
  });

  const post = async (payload: Record<string, unknown>) => {
    const delivery = signedDelivery(payload, service.metaAppSecret);
    const response = await fetch(`${service.baseUrl}/webhooks/meta`, { method: 'POST', headers: delivery.headers, body: delivery.body });
    assert.equal(response.status, 200);
  };
  /** One POST carrying `messages` of `customer`, in this order. */
  const messages = (customer: string, wamids: string[]) =>
    waEnvelope({}, [
      waMessagesChange({ phoneNumberId, contacts: [{ profile: { name: 'Ana' }, wa_id: customer }], messages: wamids.map((wamid, i) => waTextMessage({ wamid, from: customer, text: `part ${i}` })) }),
    ]);
  const customers: string[] = [];
  const newCustomer = () => {
    const id = `1650${randomBytes(4).readUInt32BE() % 10_000_000}`.padEnd(11, '7');
    customers.push(id);
    return id;
  };
  const conversationOf = (key: string) => dsk.accepted.find((d) => d.idempotencyKey === key)?.body.conversation as { customer_id: string; sequence: number; started_at: string } | undefined;
  const delivered = (keys: string[]) => dsk.waitFor(() => keys.every((key) => dsk.acceptCount(key) === 1), 60_000);

  it('sequential POSTs in POST order, entries of one POST in entry order; a redelivered POST takes no number; a status joins its customer’s conversation', async () => {
    const customer = newCustomer();
    const [m1, m2, m3, m4, m5] = Array.from({ length: 5 }, () => newWamid());
    const first = messages(customer, [m1!, m2!, m3!]);
    await post(first);
    await post(messages(customer, [m4!]));
    await post(first); // Meta's redelivery of the first POST
    const sent = newWamid();
    await post(waEnvelope({}, [waMessagesChange({ phoneNumberId, statuses: [waStatus({ wamid: sent, status: 'delivered', recipientId: customer })] })]));
    await post(messages(customer, [m5!]));
    const keys = [m1, m2, m3, m4].map((w) => `wa:msg:${w}`);
    const statusKey = `wa:status:${sent}:delivered`;
    await delivered([...keys, statusKey, `wa:msg:${m5}`]);
    assert.deepEqual(
      [...keys, statusKey, `wa:msg:${m5}`].map((key) => conversationOf(key)?.sequence),
      [1, 2, 3, 4, 5, 6],
    );
    const runs = new Set([...keys, statusKey].map((key) => conversationOf(key)?.started_at));
    assert.equal(runs.size, 1);
    assert.deepEqual({ ...conversationOf(keys[0]!), started_at: 'x' }, { customer_id: customer, sequence: 1, started_at: 'x' });
    // The redelivery reached DSK once per key (the intake deduplicated it).
    assert.deepEqual(keys.map((key) => dsk.attempts.filter((d: Delivery) => d.idempotencyKey === key).length), [1, 1, 1, 1]);
  });

  it('a concurrent burst takes exactly 1..N, each event delivered once; another customer interleaved has its own 1..M', async () => {
    const [ana, bob] = [newCustomer(), newCustomer()];
    const anas = Array.from({ length: 24 }, () => newWamid());
    const bobs = Array.from({ length: 8 }, () => newWamid());
    await Promise.all([...anas.map((w) => post(messages(ana, [w]))), ...bobs.map((w) => post(messages(bob, [w])))]);
    const anaKeys = anas.map((w) => `wa:msg:${w}`);
    const bobKeys = bobs.map((w) => `wa:msg:${w}`);
    await delivered([...anaKeys, ...bobKeys]);
    const numbers = (keys: string[]) => keys.map((key) => conversationOf(key)!.sequence).sort((a, b) => a - b);
    assert.deepEqual(numbers(anaKeys), Array.from({ length: 24 }, (_, i) => i + 1));
    assert.deepEqual(numbers(bobKeys), Array.from({ length: 8 }, (_, i) => i + 1));
    assert.deepEqual(new Set(anaKeys.map((key) => conversationOf(key)!.customer_id)), new Set([ana]));
    assert.deepEqual(new Set(bobKeys.map((key) => conversationOf(key)!.customer_id)), new Set([bob]));
  });

  it('stores no customer or business id in clear', async () => {
    assert.equal(customers.length, 3);
    const { rows } = await service.foundation.pool.query<{ n: string }>(
      `SELECT count(*)::text AS n FROM conversation_sequences c, unnest($1::text[]) AS id(v) WHERE strpos(c.conversation, id.v) > 0`,
      [[phoneNumberId, ...customers]],
    );
    assert.equal(rows[0]!.n, '0');
  });
});
