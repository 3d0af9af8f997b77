import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { IntakeEntry, IntakeOutcome, IntakeStats } from '../../src/db/inbound-intake.js';
import { createGroupCommit } from '../../src/inbound/group-commit.js';
import { createInboundIntake, IntakeFullError } from '../../src/inbound/intake.js';
import { createEventSeal } from '../../src/inbound/sealed-event.js';
import type { InboundEvent } from '../../src/shared/inbound-events.js';
import { createEncryptionCodec, generatePayloadKey } from '../../src/temporal/encryption-codec.js';

const event = (key: string, text = 'Does it come in blue?'): InboundEvent =>
  ({
    key,
    kind: 'message.received',
    channelType: 'whatsapp',
    businessId: '106540352242922',
    occurredAt: '2025-06-08T20:59:43.000Z',
    receivedAt: '2025-06-08T20:59:44.000Z',
    data: { message: { id: key, type: 'text', text } },
    raw: {},
  }) as unknown as InboundEvent;

describe('group commit', () => {
  it('writes the items of concurrent callers in one write, and answers each caller its own results in order', async () => {
    const writes: number[][] = [];
    const commit = createGroupCommit<number, string>({ maxItems: 200, maxDelayMs: 5, maxConcurrent: 2, write: async (items) => (writes.push(items), items.map((i) => `r${i}`)) });
    const answers = await Promise.all([commit.submit([1, 2]), commit.submit([3]), commit.submit([4, 5, 6])]);
    assert.deepEqual(writes, [[1, 2, 3, 4, 5, 6]]);
    assert.deepEqual(answers, [['r1', 'r2'], ['r3'], ['r4', 'r5', 'r6']]);
  });

  it("never splits a caller's items, and writes at most maxItems at once otherwise", async () => {
    const writes: number[][] = [];
    const commit = createGroupCommit<number, number>({ maxItems: 3, maxDelayMs: 5, maxConcurrent: 1, write: async (items) => (writes.push(items), items) });
    await Promise.all([commit.submit([1, 2]), commit.submit([3, 4]), commit.submit([5]), commit.submit([6, 7, 8, 9])]);
    assert.deepEqual(writes, [[1, 2], [3, 4, 5], [6, 7, 8, 9]]);
  });

  it('fails every caller of a failed write, and only those', async () => {
    let calls = 0;
    const commit = createGroupCommit<number, number>({
      maxItems: 2,
      maxDelayMs: 5,
      maxConcurrent: 1,
      write: async (items) => {
        calls += 1;
        if (calls === 1) throw new Error('connection lost');
        return items;
      },
    });
    const results = await Promise.allSettled([commit.submit([1]), commit.submit([2]), commit.submit([3])]);
    assert.deepEqual(results.map((r) => r.status), ['rejected', 'rejected', 'fulfilled']);
  });
});

describe('event seal (the intake stores events with the payload codec)', () => {
  it('stores no byte of the event in clear, names the key, and opens with any configured key', async () => {
    const older = { id: 'k1', key: generatePayloadKey() };
    const newer = { id: 'k2', key: generatePayloadKey() };
    const sealedByOlder = await createEventSeal(createEncryptionCodec([older])).seal(event('wa:msg:A', 'marker-7f3a'));
    assert.equal(sealedByOlder.keyId, 'k1');
    assert.ok(!sealedByOlder.payload.toString('latin1').includes('marker-7f3a'));
    assert.ok(!sealedByOlder.payload.toString('latin1').includes('wa:msg:A'));
    const rotated = createEventSeal(createEncryptionCodec([newer, older]));
    assert.deepEqual(await rotated.open(sealedByOlder), event('wa:msg:A', 'marker-7f3a'));
    assert.equal((await rotated.seal(event('wa:msg:B'))).keyId, 'k2');
  });

  it('refuses a tampered row and a row whose key is no longer configured', async () => {
    const key = { id: 'k1', key: generatePayloadKey() };
    const seal = createEventSeal(createEncryptionCodec([key]));
    const sealed = await seal.seal(event('wa:msg:A'));
    const tampered = Buffer.from(sealed.payload);
    tampered[20] = tampered[20]! ^ 1;
    await assert.rejects(seal.open({ keyId: 'k1', payload: tampered }), /authentication failed/);
    await assert.rejects(createEventSeal(createEncryptionCodec([{ id: 'k9', key: generatePayloadKey() }])).open(sealed), /key id "k1" is not configured/);
  });
});

describe('inbound intake: the bound', () => {
  const intake = (backlog: IntakeStats, written: IntakeEntry[][] = []) =>
    createInboundIntake({
      store: { accept: async (entries) => (written.push([...entries]), new Map(entries.map((e): [string, IntakeOutcome] => [e.key, 'queued']))) },
      seal: createEventSeal(undefined),
      taskQueue: 'q',
      bound: { maxRows: 10, maxAgeMs: 60_000 },
      backlog: () => backlog,
      onQueued: () => undefined,
      // No WABA-level events here: routing passes them through (its own tests are waba-routing's).
      wabaRouting: { route: async (events) => [...events] },
      conversationKey: (c) => `conv:${c.customerId}`,
      clock: () => new Date(),
    });

  it('accepts below the bound and reports each new key as queued once, a repeat in the same POST as a duplicate', async () => {
    const written: IntakeEntry[][] = [];
    const result = await intake({ depth: 3, oldestReceivedAt: new Date() }, written).accept([event('a'), event('b'), event('a')], new Date());
    assert.deepEqual(result, { accepted: 3, queued: 2, duplicates: 1 });
    assert.deepEqual(written.flat().map((e) => e.key), ['a', 'b', 'a']);
  });

  it('refuses (nothing written) once the intake holds maxRows events, counting what this process queued since the last reading', async () => {
    const written: IntakeEntry[][] = [];
    const reading = { depth: 8, oldestReceivedAt: new Date() };
    const guarded = intake(reading, written);
    await guarded.accept([event('a'), event('b')], new Date());
    await assert.rejects(guarded.accept([event('c')], new Date()), (err: unknown) => err instanceof IntakeFullError && err.reason === 'rows');
    assert.deepEqual(written.flat().map((e) => e.key), ['a', 'b']);
  });

  it('refuses once its oldest event is older than maxAge (Temporal down too long)', async () => {
    const now = new Date();
    await assert.rejects(intake({ depth: 1, oldestReceivedAt: new Date(now.getTime() - 61_000) }).accept([event('a')], now), (err: unknown) => err instanceof IntakeFullError && err.reason === 'age');
  });
});

describe('inbound intake: conversations', () => {
  it('hands the store each customer event with its conversation key, and events naming no customer without one', async () => {
    const written: IntakeEntry[][] = [];
    const intake = createInboundIntake({
      store: { accept: async (entries) => (written.push([...entries]), new Map(entries.map((e): [string, IntakeOutcome] => [e.key, 'queued']))) },
      seal: createEventSeal(undefined),
      taskQueue: 'q',
      bound: { maxRows: 10, maxAgeMs: 60_000 },
      backlog: () => ({ depth: 0, oldestReceivedAt: null }),
      onQueued: () => undefined,
      wabaRouting: { route: async (events) => [...events] },
      conversationKey: (c) => `conv:${c.channelType}:${c.businessId}:${c.customerId}`,
      clock: () => new Date(),
    });
    const fromAna = { ...event('wa:msg:1'), data: { sender: { id: '16505551234' }, message: { id: 'wa:msg:1', type: 'text', text: 'hi' } } } as InboundEvent;
    const template = { ...event('wa:template:1'), kind: 'template.status', data: { event: 'APPROVED' } } as InboundEvent;
    await intake.accept([fromAna, template], new Date());
    assert.deepEqual(
      written.flat().map((e) => [e.key, e.conversation]),
      [
        ['wa:msg:1', 'conv:whatsapp:106540352242922:16505551234'],
        ['wa:template:1', undefined],
      ],
    );
  });
});
