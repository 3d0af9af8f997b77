import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { splitWebhook } from '../../src/meta/webhook/split.js';
import { startDskFake, type DskFake } from '../support/dsk-fake.js';
import * as meta from '../support/meta-webhook-sender.js';
import { seedChannel, startTestService, uniqueMetaId, type TestService } from '../support/service.js';

type Json = Record<string, unknown>;

/**
 * Every payload type the reference documents, sent signed through the real stack (webhook → webhook
 * log → workflow → DSK): each reaches the instance once, with the event type and idempotency key it
 * should have. The builders in test/support/meta-webhook-sender.ts are written from the reference.
 */
describe('inbound: every documented payload type reaches DSK (real PostgreSQL and Temporal)', () => {
  let service: TestService;
  let dsk: DskFake;
  const instanceId = `inst-types-${uniqueMetaId()}`;
  const phoneNumberId = uniqueMetaId();
  const wabaId = uniqueMetaId();
  const igAccountId = `1784${uniqueMetaId()}`.slice(0, 17);

  before(async () => {
    service = await startTestService();
    dsk = await startDskFake({ jwks: () => service.foundation.signingKey.publicJwks(), issuer: service.config.serviceJwt.issuer, audience: service.config.serviceJwt.audience });
    await seedChannel(service, { instanceId, channelType: 'whatsapp', externalId: phoneNumberId, wabaId, eventsUrl: dsk.url });
    await seedChannel(service, { instanceId, channelType: 'instagram', externalId: igAccountId, eventsUrl: dsk.url });
  });
  after(async () => {
    await service?.stop();
    await dsk?.close();
  });

  const wa = (message: Json) => meta.waMessagePayload(message, { phoneNumberId, wabaId });
  const waValue = (statuses: Json[]) => meta.waEnvelope({ wabaId }, [meta.waMessagesChange({ phoneNumberId, statuses })]);
  const ig = (item: Json) => meta.igPayload(item, { accountId: igAccountId });
  const igItem = { recipientId: igAccountId };
  const onWaba = (payload: Json) => {
    ((payload.entry as Json[])[0] as Json).id = wabaId;
    return payload;
  };
  const reacted = meta.newWamid();
  const mid = meta.newMid();

  const cases: Array<[name: string, payload: Json, kind: string]> = [
    ['WhatsApp text', wa(meta.waTextMessage()), 'message.received'],
    ['WhatsApp image', wa(meta.waImageMessage()), 'message.received'],
    ['WhatsApp audio (voice)', wa(meta.waAudioMessage({ voice: true })), 'message.received'],
    ['WhatsApp video', wa(meta.waVideoMessage()), 'message.received'],
    ['WhatsApp document', wa(meta.waDocumentMessage()), 'message.received'],
    ['WhatsApp sticker', wa(meta.waStickerMessage()), 'message.received'],
    ['WhatsApp location', wa(meta.waLocationMessage()), 'message.received'],
    ['WhatsApp contacts', wa(meta.waContactsMessage()), 'message.received'],
    ['WhatsApp interactive button reply', wa(meta.waButtonReplyMessage()), 'message.received'],
    ['WhatsApp interactive list reply', wa(meta.waListReplyMessage()), 'message.received'],
    ['WhatsApp flow reply', wa(meta.waFlowReplyMessage()), 'message.received'],
    ['WhatsApp template button', wa(meta.waButtonMessage()), 'message.received'],
    ['WhatsApp reaction', wa(meta.waReactionMessage({ reactedWamid: reacted })), 'message.reaction'],
    ['WhatsApp order', wa(meta.waOrderMessage()), 'message.received'],
    ['WhatsApp system', wa(meta.waSystemMessage()), 'message.received'],
    ['WhatsApp unsupported', wa(meta.waUnsupportedMessage({ unsupportedType: 'poll_creation' })), 'message.received'],
    ['WhatsApp edit delivered as unsupported', wa(meta.waUnsupportedMessage({ unsupportedType: 'edit' })), 'message.edited'],
    ['WhatsApp edit', wa(meta.waMessage('edit', { original_message_id: reacted, message: { type: 'text', text: { body: 'in blue' } } })), 'message.edited'],
    ['WhatsApp revoke', wa(meta.waMessage('revoke', { original_message_id: reacted })), 'message.deleted'],
    ['WhatsApp text with context and ad referral', wa(meta.waTextMessage({ context: { from: '15550783881', id: reacted }, referral: meta.waReferral() })), 'message.received'],
    ['WhatsApp sender with a BSUID only', wa(meta.waTextMessage({ from: null, fromUserId: 'US.13491208655302741918' })), 'message.received'],
    ['WhatsApp status sent with pricing', waValue([meta.waStatus({ wamid: meta.newWamid(), status: 'sent', pricing: meta.WA_PRICING, conversation: meta.WA_CONVERSATION })]), 'message.status'],
    ['WhatsApp status failed with errors', waValue([meta.waStatus({ wamid: meta.newWamid(), status: 'failed', errors: [meta.waError(131047, 'Re-engagement message')] })]), 'message.status'],
    ['WhatsApp value-level error', meta.waEnvelope({ wabaId }, [meta.waMessagesChange({ phoneNumberId, errors: [meta.waError(130429, 'Rate limit hit')] })]), 'channel.error'],
    ['WhatsApp template status', onWaba(meta.waTemplateStatusUpdate({ time: Date.now() })), 'template.status'],
    ['WhatsApp quality update', onWaba(meta.waQualityUpdate({ time: Date.now() })), 'channel.quality'],
    ['Instagram text', ig(meta.igMessage({ ...igItem, mid })), 'message.received'],
    ['Instagram attachments', ig(meta.igMessage({ ...igItem, attachments: [meta.igAttachment('image'), meta.igAttachment('video'), meta.igAttachment('audio'), meta.igAttachment('file')] })), 'message.received'],
    ['Instagram echo', ig(meta.igEcho({ senderId: igAccountId, recipientId: '6841100000000000' })), 'message.echo'],
    ['Instagram edit of the same mid', ig(meta.igEdit({ ...igItem, mid })), 'message.edited'],
    ['Instagram deletion of the same mid', ig(meta.igDeleted({ ...igItem, mid })), 'message.deleted'],
    ['Instagram reaction to the same mid', ig(meta.igReaction({ ...igItem, mid })), 'message.reaction'],
    ['Instagram read', ig(meta.igRead({ ...igItem, mid })), 'message.read'],
    ['Instagram postback', ig(meta.igPostback(igItem)), 'message.postback'],
    ['Instagram referral', ig(meta.igReferral(igItem)), 'message.referral'],
    ['Instagram comment (changes)', meta.igEnvelope({ accountId: igAccountId, changes: [meta.igComment({ commentId: uniqueMetaId() })] }, []), 'unsupported'],
  ];

  it('delivers each type once, with the right event type, after a 200 for every POST', async () => {
    const expected: Array<{ name: string; key: string; kind: string }> = [];
    for (const [name, payload, kind] of cases) {
      const events = splitWebhook(payload, { receivedAt: new Date() });
      assert.equal(events.length, 1, `${name}: one event per payload`);
      expected.push({ name, key: events[0]!.key, kind });
      const delivery = meta.signedDelivery(payload, service.metaAppSecret);
      const res = await fetch(`${service.baseUrl}/webhooks/meta`, { method: 'POST', headers: delivery.headers, body: delivery.body });
      assert.equal(res.status, 200, name);
    }
    assert.equal(new Set(expected.map((e) => e.key)).size, expected.length, 'Instagram reuses one mid: keys still differ by event kind');
    await dsk.waitFor(() => expected.every((e) => dsk.acceptCount(e.key) === 1), 60_000, 'every payload type');
    for (const e of expected) {
      const received = dsk.accepted.find((d) => d.idempotencyKey === e.key)!;
      assert.equal(received.body.type, e.kind, e.name);
      assert.equal(received.instanceId, instanceId, e.name);
      assert.ok(received.body.raw, `${e.name}: Meta's original object travels as raw`);
    }
  });
});
