import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { splitWebhook } from '../../src/meta/webhook/split.js';
import { canonicalJson, safeKey, sha256Hex } from '../../src/meta/webhook/keys.js';
import { mergeStatus, STATUS_RANK } from '../../src/shared/status-merge.js';
import {
  IG,
  WA,
  igMessage,
  newMid,
  waMessagePayload,
  waTextMessage,
} from '../support/meta-webhook-sender.js';
import { messageOf, only, RECEIVED_AT, SAFE_KEY } from '../support/webhook-split.js';

/*
 * The envelope and dispatch (meta/webhook/split.ts), idempotency keys (meta/webhook/keys.ts) and status merging.
 */

describe('splitWebhook: unknown and malformed input', () => {
  it('records an unknown object as unsupported with the whole body', () => {
    const body = { object: 'permissions', entry: [{ id: '1', time: 1, changed_fields: ['email'] }] };
    const event = only(body);
    assert.deepEqual({ ...event, key: '' }, {
      key: '',
      kind: 'unsupported',
      channelType: 'unknown',
      businessId: '',
      occurredAt: RECEIVED_AT.toISOString(),
      receivedAt: RECEIVED_AT.toISOString(),
      data: { reason: 'unknown_object', object: 'permissions' },
      raw: body,
    });
    assert.equal(event.key, `meta:unsupported:${sha256Hex(canonicalJson(body))}`);
  });

  const garbage: Array<[string, unknown]> = [
    ['null', null],
    ['a number', 5],
    ['a string', 'hello'],
    ['an object without object/entry', {}],
    ['entry that is not an array', { entry: 5 }],
    ['a WhatsApp body whose entry is not an array', { object: 'whatsapp_business_account', entry: 5 }],
    ['an Instagram body whose entry is an object', { object: 'instagram', entry: { id: '1' } }],
    ['an array of scalars', [1, 'x', null]],
    ['a nested array', [[]]],
  ];
  for (const [name, body] of garbage) {
    it(`never throws on ${name} and keeps it as unsupported`, () => {
      const events = splitWebhook(body, { receivedAt: RECEIVED_AT });
      assert.ok(events.length >= 1);
      for (const event of events) {
        assert.equal(event.kind, 'unsupported');
        assert.match(event.key, SAFE_KEY);
      }
      if (!Array.isArray(body)) assert.deepEqual(events.map((event) => event.raw), [body]);
    });
  }

  it('returns no events for an empty batch', () => {
    assert.deepEqual(splitWebhook([], { receivedAt: RECEIVED_AT }), []);
    assert.deepEqual(splitWebhook({ object: 'whatsapp_business_account', entry: [] }, { receivedAt: RECEIVED_AT }), []);
  });

  it('keeps every broken piece of a WhatsApp body as its own unsupported event, next to the good ones', () => {
    const good = waTextMessage();
    const body = {
      object: 'whatsapp_business_account',
      entry: [
        5,
        null,
        { id: WA.wabaId, changes: 5 },
        {
          id: WA.wabaId,
          changes: [
            null,
            { field: 7 },
            { field: 'messages', value: 5 },
            { field: 'messages', value: { metadata: { phone_number_id: WA.phoneNumberId } } },
            { field: 'messages', value: { messages: 'x' } },
            { field: 'messages', value: { metadata: { phone_number_id: WA.phoneNumberId }, messages: [null, { id: 5 }, {}, { id: 'wamid.nosender', type: 'text', text: { body: 'x' } }, good] } },
            { field: 'messages', value: { statuses: [null, { id: 'wamid.s' }, { status: 'read' }] } },
            { field: 'account_update', value: { waba_info: {} } },
            { field: 'message_template_status_update', value: 'APPROVED' },
          ],
        },
      ],
    };
    const events = splitWebhook(body, { receivedAt: RECEIVED_AT });
    assert.deepEqual(
      events.map((event) => event.kind),
      [...Array(12).fill('unsupported'), 'message.received', ...Array(5).fill('unsupported')],
    );
    assert.equal(events[12]?.key, `wa:msg:${good.id}`);
    assert.equal(events[11]?.key, 'wa:msg:wamid.nosender');
    for (const event of events) assert.match(event.key, SAFE_KEY);
    assert.equal(new Set(events.map((event) => event.key)).size, events.length, 'no two broken pieces share a key');
  });

  it('keeps every broken piece of an Instagram body as unsupported, next to the good ones', () => {
    const mid = newMid();
    const body = {
      object: 'instagram',
      entry: [
        'x',
        { id: IG.accountId },
        {
          id: IG.accountId,
          time: 1785312191004,
          messaging: [null, 5, {}, { message: 5 }, { sender: { id: '1' }, message: {} }, { message: { mid: 'm_nosender' } }, { sender: { id: '1' }, reaction: { action: 'react' } }, igMessage({ mid })],
          standby: 'x',
          changes: [null],
        },
      ],
    };
    const events = splitWebhook(body, { receivedAt: RECEIVED_AT });
    assert.deepEqual(
      events.map((event) => event.kind),
      [...Array(9).fill('unsupported'), 'message.received', 'unsupported', 'unsupported'],
    );
    assert.deepEqual(
      events.map((event) => event.raw).filter((raw) => JSON.stringify(raw).includes('"standby":"x"')).length,
      1,
      'the malformed standby list is kept',
    );
    for (const event of events) assert.match(event.key, SAFE_KEY);
  });

  it('ignores fields of an unexpected type instead of rejecting the message', () => {
    const base = waTextMessage();
    const event = only(waMessagePayload({ ...base, text: { body: 42 }, context: 'not an object', timestamp: 'yesterday' }));
    assert.equal(event.kind, 'message.received');
    assert.deepEqual(messageOf(event), { id: base.id, type: 'text' });
    assert.equal(event.occurredAt, RECEIVED_AT.toISOString());
  });
});

describe('idempotency keys', () => {
  it('are kept as they are when short and printable', () => {
    assert.equal(safeKey('wa:msg:wamid.HBgL/+='), 'wa:msg:wamid.HBgL/+=');
  });

  it('are at most 200 printable characters, keeping the head and hashing the tail', () => {
    const long = `wa:msg:wamid.${'A'.repeat(300)}`;
    const key = safeKey(long);
    assert.equal(key.length, 200);
    assert.match(key, SAFE_KEY);
    assert.ok(key.startsWith('wa:msg:wamid.AAAA'));
    assert.equal(safeKey(long), key);
    assert.notEqual(safeKey(`${long}B`), key);
  });

  it('hash non-printable or non-ASCII characters away', () => {
    const key = safeKey('ig:react:m1:1:react:é 1');
    assert.match(key, SAFE_KEY);
    assert.ok(key.startsWith('ig:react:m1:1:react:~'));
  });

  it('are applied to events built from very long Meta ids', () => {
    const wamid = `wamid.${'x'.repeat(400)}`;
    const event = only(waMessagePayload(waTextMessage({ wamid })));
    assert.match(event.key, SAFE_KEY);
    assert.ok(event.key.startsWith('wa:msg:wamid.xxx'));
  });

  it('hash canonical JSON, which ignores key order', () => {
    assert.equal(canonicalJson({ b: 1, a: { d: [3, { f: 1, e: 2 }], c: null } }), '{"a":{"c":null,"d":[3,{"e":2,"f":1}]},"b":1}');
    assert.equal(canonicalJson({ a: undefined, b: '\u00e9/' }), '{"b":"é/"}');
  });
});

describe('mergeStatus', () => {
  const cases: Array<[string | undefined, string, string]> = [
    [undefined, 'sent', 'sent'],
    [undefined, 'failed', 'failed'],
    ['sent', 'delivered', 'delivered'],
    ['delivered', 'read', 'read'],
    ['read', 'played', 'played'],
    ['sent', 'read', 'read'],
    ['read', 'delivered', 'read'],
    ['read', 'sent', 'read'],
    ['played', 'read', 'played'],
    ['delivered', 'sent', 'delivered'],
    ['sent', 'failed', 'failed'],
    ['delivered', 'failed', 'delivered'],
    ['read', 'failed', 'read'],
    ['failed', 'delivered', 'delivered'],
    ['failed', 'read', 'read'],
    ['failed', 'sent', 'failed'],
    ['failed', 'failed', 'failed'],
    ['read', 'deleted', 'read'],
    ['accepted', 'sent', 'sent'],
  ];
  for (const [current, incoming, expected] of cases) {
    it(`${current ?? '(none)'} + ${incoming} → ${expected}`, () => {
      assert.equal(mergeStatus(current, incoming), expected);
    });
  }

  it('never goes backwards, whatever order the statuses arrive in', () => {
    const statuses = ['sent', 'delivered', 'read', 'played'] as const;
    const permutations = (items: readonly string[]): string[][] =>
      items.length <= 1 ? [[...items]] : items.flatMap((item, i) => permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [item, ...rest]));
    for (const order of permutations(statuses)) {
      let current: string | undefined;
      for (const status of order) {
        const next = mergeStatus(current, status);
        if (current !== undefined) assert.ok(STATUS_RANK[next as keyof typeof STATUS_RANK] >= STATUS_RANK[current as keyof typeof STATUS_RANK], order.join(','));
        current = next;
      }
      assert.equal(current, 'played', order.join(','));
    }
  });
});
