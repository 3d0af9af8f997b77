import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  IG,
  IG_TIMESTAMP,
  igAdReferral,
  igAttachment,
  igComment,
  igDeleted,
  igEcho,
  igEdit,
  igEntry,
  igEnvelope,
  igMessage,
  igPayload,
  igPostback,
  igRead,
  igReaction,
  igReferral,
  newMid,
} from '../support/meta-webhook-sender.js';
import { messageOf, only, RECEIVED_AT, split } from '../support/webhook-split.js';

/*
 * The Instagram projection (meta/instagram/webhook.ts) through splitWebhook, from payloads as Meta sends them.
 */

const IG_TIME = '2026-07-29T08:03:10.662Z';

describe('splitWebhook: Instagram', () => {
  it('turns a text message into message.received keyed by its mid, routed by entry.id', () => {
    const mid = newMid();
    const payload = igPayload(igMessage({ mid, text: 'Me interesa ✨' }));
    assert.deepEqual(only(payload), {
      key: `ig:msg:${mid}`,
      kind: 'message.received',
      channelType: 'instagram',
      businessId: IG.accountId,
      occurredAt: IG_TIME,
      receivedAt: RECEIVED_AT.toISOString(),
      data: {
        sender: { id: IG.customerId },
        recipient: { id: IG.accountId },
        message: { id: mid, type: 'text', text: 'Me interesa ✨' },
      },
      raw: payload,
    });
  });

  const attachmentCases = [
    { type: 'image', messageType: 'image', media: true },
    { type: 'audio', messageType: 'audio', media: true },
    { type: 'video', messageType: 'video', media: true },
    { type: 'file', messageType: 'document', media: true },
    { type: 'share', messageType: 'share', media: false },
    { type: 'story_mention', messageType: 'story_mention', media: false },
    { type: 'ig_reel', messageType: 'reel', media: false },
    { type: 'reel', messageType: 'reel', media: false },
    { type: 'ig_post', messageType: 'post', media: false },
  ] as const;
  for (const { type, messageType, media } of attachmentCases) {
    it(`normalizes a ${type} attachment to message type ${messageType}`, () => {
      const attachment = igAttachment(type);
      const url = (attachment.payload as { url: string }).url;
      const message = messageOf(only(igPayload(igMessage({ attachments: [attachment] }))));
      assert.equal(message.type, messageType);
      assert.deepEqual(message.attachments, [{ type: messageType, url }]);
      assert.deepEqual(message.media, media ? { url } : undefined);
    });
  }

  it('keeps an ephemeral attachment, which has no URL', () => {
    const message = messageOf(only(igPayload(igMessage({ attachments: [{ type: 'ephemeral', payload: {} }] }))));
    assert.equal(message.type, 'ephemeral');
    assert.deepEqual(message.attachments, [{ type: 'ephemeral' }]);
  });

  it('keeps an attachment type it does not know, with Meta\'s type name', () => {
    const payload = igPayload(igMessage({ attachments: [igAttachment('avatar_sticker')] }));
    const event = only(payload);
    assert.equal(event.kind, 'message.received');
    assert.equal(messageOf(event).type, 'unknown');
    assert.equal(messageOf(event).attachments?.[0]?.type, 'avatar_sticker');
    assert.deepEqual(event.raw, payload);
  });

  it('keeps every attachment of a message that has several', () => {
    const message = messageOf(only(igPayload(igMessage({ attachments: [igAttachment('image'), igAttachment('video')] }))));
    assert.equal(message.type, 'image');
    assert.deepEqual(message.attachments?.map((attachment) => attachment.type), ['image', 'video']);
  });

  it('keeps an inline reply (reply_to.mid) and a story reply (reply_to.story)', () => {
    const inline = messageOf(only(igPayload(igMessage({ replyTo: { mid: 'm_original' } }))));
    assert.deepEqual(inline.context, { message_id: 'm_original' });
    const story = messageOf(only(igPayload(igMessage({ replyTo: { story: { url: 'https://cdn.example/story', id: '17900000000000001' } } }))));
    assert.deepEqual(story.context, { story: { id: '17900000000000001', url: 'https://cdn.example/story' } });
  });

  it('keeps a quick reply payload', () => {
    const message = messageOf(only(igPayload(igMessage({ text: 'Red', quickReply: { payload: 'COLOR_RED' } }))));
    assert.deepEqual(message, { id: message.id, type: 'text', text: 'Red', quick_reply: { payload: 'COLOR_RED' } });
  });

  it('keeps a Click-to-Instagram ad referral on a message', () => {
    const message = messageOf(only(igPayload(igMessage({ referral: igAdReferral() }))));
    assert.deepEqual(message.referral, {
      ref: 'spring-campaign',
      ad_id: '120210000000000000',
      source: 'ADS',
      type: 'OPEN_THREAD',
      ads_context_data: { ad_title: 'Spring sale', photo_url: 'https://scontent.example/ad.jpg' },
    });
  });

  it('marks is_unsupported content as an unsupported message', () => {
    const mid = newMid();
    const event = only(igPayload(igMessage({ mid, isUnsupported: true })));
    assert.equal(event.kind, 'message.received');
    assert.deepEqual(messageOf(event), { id: mid, type: 'unsupported' });
  });

  it('turns an echo into message.echo with the business as sender, still routed by entry.id', () => {
    const mid = newMid();
    const event = only(igPayload(igEcho({ mid, text: 'Thanks!' })));
    assert.equal(event.key, `ig:echo:${mid}`);
    assert.equal(event.kind, 'message.echo');
    assert.equal(event.businessId, IG.accountId);
    assert.deepEqual(event.data, {
      sender: { id: IG.accountId },
      recipient: { id: IG.customerId },
      message: { id: mid, type: 'text', text: 'Thanks!' },
    });
  });

  it('turns an unsend (is_deleted) into message.deleted', () => {
    const mid = newMid();
    const event = only(igPayload(igDeleted({ mid })));
    assert.equal(event.key, `ig:del:${mid}`);
    assert.equal(event.kind, 'message.deleted');
    assert.deepEqual(event.data, { sender: { id: IG.customerId }, recipient: { id: IG.accountId }, message_id: mid });
  });

  it('turns message_edit into message.edited keyed by the edit number', () => {
    const mid = newMid();
    const event = only(igPayload(igEdit({ mid, text: 'new text', numEdit: 2 })));
    assert.equal(event.key, `ig:edit:${mid}:2`);
    assert.equal(event.kind, 'message.edited');
    assert.deepEqual(event.data, { sender: { id: IG.customerId }, recipient: { id: IG.accountId }, message_id: mid, text: 'new text', num_edit: 2 });
  });

  it('turns a reaction into message.reaction keyed by mid, sender, action and time', () => {
    const mid = newMid();
    const event = only(igPayload(igReaction({ mid, action: 'react', reaction: 'love', emoji: '❤️' })));
    assert.equal(event.key, `ig:react:${mid}:${IG.customerId}:react:${IG_TIMESTAMP}`);
    assert.equal(event.kind, 'message.reaction');
    assert.deepEqual(event.data, {
      sender: { id: IG.customerId },
      recipient: { id: IG.accountId },
      reaction: { message_id: mid, action: 'react', emoji: '❤️', name: 'love' },
    });
  });

  it('turns an unreact into message.reaction with action unreact', () => {
    const mid = newMid();
    const event = only(igPayload(igReaction({ mid, action: 'unreact', timestamp: IG_TIMESTAMP + 5000 })));
    assert.equal(event.key, `ig:react:${mid}:${IG.customerId}:unreact:${IG_TIMESTAMP + 5000}`);
    assert.deepEqual(event.kind === 'message.reaction' && event.data.reaction, { message_id: mid, action: 'unreact' });
  });

  it('turns a read receipt into message.read keyed by the seen mid', () => {
    const mid = newMid();
    const event = only(igPayload(igRead({ mid })));
    assert.equal(event.key, `ig:read:${mid}`);
    assert.equal(event.kind, 'message.read');
    assert.deepEqual(event.data, { sender: { id: IG.customerId }, recipient: { id: IG.accountId }, message_id: mid });
  });

  it('records a Messenger watermark read (object page) as unsupported_channel, with no channel type to route by', () => {
    const payload = igEnvelope({ object: 'page' }, [{ sender: { id: '2403000000000001' }, recipient: { id: '1090000000000001' }, timestamp: IG_TIMESTAMP, read: { watermark: 1785312100000 } }]);
    const event = only(payload);
    assert.match(event.key, /^fb:unsupported:[0-9a-f]{64}$/);
    assert.deepEqual([event.kind, event.channelType], ['unsupported', 'unknown']);
    assert.deepEqual(event.data, { reason: 'unsupported_channel', object: 'page', item_type: 'read' });
    assert.deepEqual(event.raw, payload);
  });

  it('turns a postback into message.postback keyed by sender, time and content hash', () => {
    const item = igPostback({ mid: 'm_button', title: 'Get started', payload: 'GET_STARTED' });
    const event = only(igPayload(item));
    assert.match(event.key, new RegExp(`^ig:postback:${IG.customerId}:${IG_TIMESTAMP}:[0-9a-f]{64}$`));
    assert.equal(event.kind, 'message.postback');
    assert.deepEqual(event.data, {
      sender: { id: IG.customerId },
      recipient: { id: IG.accountId },
      postback: { message_id: 'm_button', title: 'Get started', payload: 'GET_STARTED' },
    });
  });

  it('turns a referral into message.referral', () => {
    const event = only(igPayload(igReferral({ ref: 'summer', source: 'SHORTLINKS' })));
    assert.match(event.key, new RegExp(`^ig:referral:${IG.customerId}:${IG_TIMESTAMP}:[0-9a-f]{64}$`));
    assert.equal(event.kind, 'message.referral');
    assert.deepEqual(event.data, {
      sender: { id: IG.customerId },
      recipient: { id: IG.accountId },
      referral: { ref: 'summer', source: 'SHORTLINKS', type: 'OPEN_THREAD' },
    });
  });

  it('gives the message, its edit, its unsend, a reaction and a read of one mid five different keys', () => {
    const mid = newMid();
    const events = split(igEnvelope({}, [igMessage({ mid }), igEdit({ mid }), igDeleted({ mid }), igReaction({ mid }), igRead({ mid })]));
    assert.deepEqual(
      events.map((event) => [event.kind, event.key]),
      [
        ['message.received', `ig:msg:${mid}`],
        ['message.edited', `ig:edit:${mid}:1`],
        ['message.deleted', `ig:del:${mid}`],
        ['message.reaction', `ig:react:${mid}:${IG.customerId}:react:${IG_TIMESTAMP}`],
        ['message.read', `ig:read:${mid}`],
      ],
    );
  });

  it('parses standby[] items too and marks them as standby', () => {
    const mid = newMid();
    const event = only(igEnvelope({ standby: [igMessage({ mid })] }, []));
    assert.equal(event.key, `ig:msg:${mid}`);
    assert.equal(event.kind === 'message.received' && event.data.standby, true);
  });

  it('never takes a Messenger DM (object page, a PSID) for an Instagram message: recorded as unsupported_channel', () => {
    const mid = newMid();
    const payload = igPayload(igMessage({ mid }), { object: 'page' });
    const event = only(payload);
    assert.deepEqual([event.kind, event.channelType, event.businessId], ['unsupported', 'unknown', IG.accountId]);
    assert.deepEqual(event.data, { reason: 'unsupported_channel', object: 'page', item_type: 'message' });
    assert.deepEqual(event.raw, payload);
  });

  it('turns handover items (pass/take/request thread control) into conversation.handover, standby ones flagged', () => {
    const pass = only(igPayload({ sender: { id: IG.customerId }, recipient: { id: IG.accountId }, timestamp: IG_TIMESTAMP, pass_thread_control: { previous_owner_app_id: '1217981644879628', new_owner_app_id: '1000000000000001', metadata: 'to the CRM' } }));
    assert.equal(pass.kind, 'conversation.handover');
    assert.match(pass.key, new RegExp(`^ig:handover:${IG.accountId}:${IG.customerId}:pass:${IG_TIMESTAMP}:[0-9a-f]{64}$`));
    assert.deepEqual(pass.data, {
      sender: { id: IG.customerId },
      recipient: { id: IG.accountId },
      action: 'pass',
      new_owner_app_id: '1000000000000001',
      previous_owner_app_id: '1217981644879628',
      metadata: 'to the CRM',
    });
    const take = only(igEnvelope({ standby: [{ sender: { id: IG.customerId }, recipient: { id: IG.accountId }, timestamp: IG_TIMESTAMP, take_thread_control: { previous_owner_app_id: '1000000000000001' } }] }, []));
    assert.deepEqual([take.kind, take.kind === 'conversation.handover' && take.data.action, take.kind === 'conversation.handover' && take.data.standby], ['conversation.handover', 'take', true]);
  });

  it('acknowledges comments (changes[]) as unsupported with the raw change', () => {
    const payload = { object: 'instagram', entry: [igEntry({ time: 1520622968, changes: [igComment()] }, undefined)] };
    const event = only(payload);
    assert.equal(event.kind, 'unsupported');
    assert.match(event.key, new RegExp(`^ig:comments:${IG.accountId}:[0-9a-f]{64}$`));
    assert.equal(event.occurredAt, '2018-03-09T19:16:08.000Z');
    assert.deepEqual(event.data, { reason: 'unhandled_field', object: 'instagram', field: 'comments' });
    assert.deepEqual(event.raw, payload);
  });

  it('records a messaging item of a kind it does not know as unsupported with the raw item', () => {
    const item = { sender: { id: IG.customerId }, recipient: { id: IG.accountId }, timestamp: IG_TIMESTAMP, optin: { ref: 'newsletter' } };
    const payload = igPayload(item);
    const event = only(payload);
    assert.equal(event.kind, 'unsupported');
    assert.match(event.key, /^ig:unsupported:[0-9a-f]{64}$/);
    assert.deepEqual(event.data, { reason: 'unknown_item', object: 'instagram', item_type: 'optin' });
    assert.deepEqual(event.raw, payload);
  });

  it('reads a top-level array of bodies (as some Instagram samples show)', () => {
    const mid = newMid();
    assert.deepEqual(split([igPayload(igMessage({ mid }))]).map((event) => event.key), [`ig:msg:${mid}`]);
  });
});
