import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { conversationKeyer } from '../../src/inbound/conversation-key.js';
import { conversationOf } from '../../src/shared/conversation.js';
import { serviceEventEnvelope, toDskEnvelope } from '../../src/shared/delivery.js';
import type { InboundEvent } from '../../src/shared/inbound-events.js';
import { parseDskEnvelope } from '../../src/dsk/envelope-schema.js';
import { IG, WA, igDeleted, igEcho, igMessage, igPayload, igReaction, igRead, waEnvelope, waMessagesChange } from '../support/meta-webhook-sender.js';
import { only, split } from '../support/webhook-split.js';

/*
 * Issue #13 item 6: which conversation (channel, business, customer) an event belongs to, the keyed
 * hash its counter is stored under, and the envelope's `conversation` DSK orders by.
 */

const fixture = (path: string): unknown => JSON.parse(readFileSync(new URL(`../../../test/fixtures/meta-real/${path}`, import.meta.url), 'utf8'));
const described = (event: InboundEvent) => {
  const c = conversationOf(event);
  return c ? `${c.channelType}/${c.businessId}/${c.customerId}` : null;
};

describe('conversationOf: the customer each kind names (real payloads, test/fixtures/meta-real)', () => {
  const cases: Array<[file: string, kind: InboundEvent['kind'], conversation: string | null]> = [
    ['whatsapp/text.json', 'message.received', 'whatsapp/1122334455667/972987654321'],
    ['whatsapp/text-from-bsuid-only.json', 'message.received', 'whatsapp/1234567890/US.1234'],
    ['whatsapp/reaction.json', 'message.reaction', 'whatsapp/10634295353625/491234567890'],
    ['whatsapp/edit.json', 'message.edited', 'whatsapp/106540352242922/16505551234'],
    ['whatsapp/status-sent.json', 'message.status', 'whatsapp/1122334455667/972987654321'],
    ['whatsapp/status-delivered-bsuid-pmp.json', 'message.status', 'whatsapp/106540352242922/US.13491208655302741918'],
    ['whatsapp/history.json', 'conversation.history', 'whatsapp/PN_123/16505551234'],
    ['whatsapp/user-id-update.json', 'contact.updated', 'whatsapp/106540352242922/16505551234'],
    ['whatsapp/system-user-changed-number.json', 'message.received', 'whatsapp/1122334455667/972987654321'],
    ['instagram/text.json', 'message.received', 'instagram/1234567890/5678'],
    ['instagram/deleted.json', 'message.deleted', 'instagram/1234567890/5678'],
    ['instagram/read.json', 'message.read', 'instagram/17841400000000098/5614800000000081'],
    ['instagram/postback-icebreaker.json', 'message.postback', 'instagram/1234567890/5678'],
    // courier's echo keeps the customer as sender (SOURCES.md): the side that is not the account is still the customer.
    ['instagram/echo.json', 'message.echo', 'instagram/1234567890/5678'],
    ['whatsapp/template-status-approved.json', 'template.status', null],
    ['whatsapp/phone-number-quality-update.json', 'channel.quality', null],
    ['whatsapp/account-update-partner-app-uninstalled.json', 'channel.account_update', null],
    ['whatsapp/value-errors-130429.json', 'channel.error', null],
    ['messenger/text.json', 'unsupported', null],
  ];
  for (const [file, kind, conversation] of cases) {
    it(`${file}: ${kind} → ${conversation ?? 'no conversation'}`, () => {
      const event = only(fixture(file));
      assert.equal(event.kind, kind);
      assert.equal(described(event), conversation);
    });
  }
});

describe('conversationOf: business-side events name the customer as their recipient', () => {
  it('a WhatsApp coexistence echo (Meta: from = the business display number, to = the customer)', () => {
    const echo = only(
      waEnvelope({}, [
        {
          field: 'smb_message_echoes',
          value: {
            messaging_product: 'whatsapp',
            metadata: { display_phone_number: WA.displayPhoneNumber, phone_number_id: WA.phoneNumberId },
            message_echoes: [{ from: WA.displayPhoneNumber, to: WA.customerWaId, id: 'wamid.echo1', timestamp: '1749416383', type: 'text', text: { body: 'Sí, en azul.' } }],
          },
        },
      ]),
    );
    assert.equal(echo.kind, 'message.echo');
    assert.equal(described(echo), `whatsapp/${WA.phoneNumberId}/${WA.customerWaId}`);
  });

  it('Instagram echoes, and reactions and reads either side sends, belong to the customer’s conversation', () => {
    const customer = `instagram/${IG.accountId}/${IG.customerId}`;
    const fromAccount = { senderId: IG.accountId, recipientId: IG.customerId };
    assert.equal(described(only(igPayload(igEcho()))), customer);
    assert.equal(described(only(igPayload(igMessage()))), customer);
    assert.equal(described(only(igPayload(igReaction({ mid: 'm1', ...fromAccount })))), customer);
    assert.equal(described(only(igPayload(igRead({ mid: 'm1', ...fromAccount })))), customer);
    assert.equal(described(only(igPayload(igDeleted({ mid: 'm1' })))), customer);
  });

  it('two messages of one WhatsApp batch from two customers are two conversations', () => {
    const events = split(
      waEnvelope({}, [
        waMessagesChange({
          contacts: [{ profile: { name: 'A' }, wa_id: '111' }, { profile: { name: 'B' }, wa_id: '222' }],
          messages: [
            { from: '111', id: 'wamid.a', timestamp: '1749416383', type: 'text', text: { body: 'a' } },
            { from: '222', id: 'wamid.b', timestamp: '1749416383', type: 'text', text: { body: 'b' } },
          ],
        }),
      ]),
    );
    assert.deepEqual(events.map(described), [`whatsapp/${WA.phoneNumberId}/111`, `whatsapp/${WA.phoneNumberId}/222`]);
  });
});

describe('conversationKeyer: the stored counter key', () => {
  const tokenKey = Buffer.alloc(32, 7).toString('base64url');
  const key = conversationKeyer(tokenKey);
  const ana = { channelType: 'whatsapp' as const, businessId: WA.phoneNumberId, customerId: WA.customerWaId };

  it('is stable, 22 base64url characters, and holds neither id', () => {
    assert.equal(key(ana), conversationKeyer(tokenKey)(ana));
    assert.match(key(ana), /^[A-Za-z0-9_-]{22}$/);
    assert.ok(!key(ana).includes(WA.customerWaId) && !key(ana).includes(WA.phoneNumberId));
  });

  it('differs per customer, per business, per channel type and per token key', () => {
    const keys = [
      key(ana),
      key({ ...ana, customerId: '16505559999' }),
      key({ ...ana, businessId: '106540352242999' }),
      key({ ...ana, channelType: 'instagram' }),
      conversationKeyer(Buffer.alloc(32, 8).toString('base64url'))(ana),
    ];
    assert.equal(new Set(keys).size, keys.length);
  });
});

describe('the envelope’s conversation', () => {
  const route = { channelId: 'ch_1', instanceId: 'inst_1', channelType: 'whatsapp' as const, externalId: '1122334455667' };
  const event = only(fixture('whatsapp/text.json'));
  const sequence = { sequence: 7, startedAt: '2026-07-20T14:12:40.118Z' };

  it('names the customer, the number and its run, and is a valid envelope', () => {
    const envelope = toDskEnvelope(event, route, '2026-07-29T08:03:12.417Z', sequence);
    assert.deepEqual(envelope.conversation, { customer_id: '972987654321', sequence: 7, started_at: '2026-07-20T14:12:40.118Z' });
    assert.deepEqual(parseDskEnvelope(JSON.parse(JSON.stringify(envelope))).conversation, envelope.conversation);
  });

  it('is absent without a sequence (runs started before the numbering), for events naming no customer, and on service events', () => {
    assert.equal('conversation' in toDskEnvelope(event, route, '2026-07-29T08:03:12.417Z'), false);
    assert.equal('conversation' in toDskEnvelope(only(fixture('whatsapp/template-status-approved.json')), route, '2026-07-29T08:03:12.417Z', sequence), false);
    const service = serviceEventEnvelope({ key: 'k', type: 'channel.status', instanceId: 'inst_1', channel: { id: 'ch_1', channelType: 'whatsapp', externalId: 'x' }, at: new Date(), data: { status: 'active' } });
    assert.equal('conversation' in service, false);
  });
});
