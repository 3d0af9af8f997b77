import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Readable } from 'node:stream';
import { connectorsOf, type ChannelAdapters } from '../../src/meta/channel-adapter.js';
import { disabledConnector } from '../../src/meta/connector-common.js';
import { instagramAdapter } from '../../src/meta/instagram/adapter.js';
import { whatsappAdapter, type WhatsAppAdapterDeps } from '../../src/meta/whatsapp/adapter.js';
import { parseOutboundRequest } from '../../src/api/outbound-schema/index.js';
import { sendTag } from '../../src/outbound/send-tag.js';

const INSTANCE = 'inst-adapters';
const PHONE = '106540352242922';
const IG_ACCOUNT = '17841400000000000';
const PAGE = '102290129340398';

/** Adapters over fakes that record which Meta host and endpoint each call would take. */
function adapters() {
  const calls: unknown[][] = [];
  const whatsapp = whatsappAdapter({
    cloud: {
      sendMessage: async (token, phone, body) => (calls.push(['wa.send', token, phone, body]), { messageId: 'wamid.A' }),
      markRead: async (token, phone, body) => void calls.push(['wa.read', token, phone, body]),
    },
    media: {
      getMediaInfo: async (token, mediaId, phone) => (calls.push(['wa.mediaInfo', token, mediaId, phone]), { id: mediaId, url: 'https://cdn.example/x', mimeType: 'image/png', sha256: '', fileSize: 3 }),
      downloadMedia: async (token, url, opts) => (calls.push(['wa.download', token, url, opts]), { stream: Readable.from(['abc']), mimeType: 'text/html', contentLength: 3 }),
      uploadMedia: async (token, phone, file) => (calls.push(['wa.upload', token, phone, file.contentType]), { id: '42' }),
    } as WhatsAppAdapterDeps['media'],
    templates: {
      list: async (token, waba) => (calls.push(['wa.templates', token, waba]), []),
      create: async (token, waba, t) => (
        calls.push(['wa.createTemplate', token, waba, t.name]), { id: '7', name: t.name, language: t.language, status: 'PENDING', category: t.category, parameter_format: 'positional', components: [] }
      ),
      delete: async (token, waba, name, id) => void calls.push(['wa.deleteTemplate', token, waba, name, id]),
    },
    businessProfile: {
      get: async (token, phone) => (calls.push(['wa.profile', token, phone]), { about: null, address: null, description: null, email: null, profile_picture_url: null, websites: [], vertical: null }),
      update: async (token, phone, update) => void calls.push(['wa.updateProfile', token, phone, update]),
      uploadPhoto: async (token, file) => (calls.push(['wa.uploadPhoto', token, file.type]), '4::h'),
    },
    embeddedSignup: disabledConnector('whatsapp_embedded_signup'),
  });
  const instagram = instagramAdapter({
    pages: {
      sendMessage: async (token, target, body) => (calls.push(['fb.send', token, target, body]), { messageId: 'mid.fb', recipientId: '1' }),
      getSenderProfile: async (token, igsid) => (calls.push(['fb.profile', token, igsid]), { name: 'Ana' }),
    },
    login: {
      sendMessage: async (token, target, body) => (calls.push(['ig.send', token, target, body]), { messageId: undefined, recipientId: '1' }),
      getSenderProfile: async (token, igsid) => (calls.push(['ig.profile', token, igsid]), { username: 'ana' }),
    },
    downloadAttachment: async (url) => (calls.push(['ig.attachment', url]), { stream: Readable.from(['img']), mimeType: 'image/jpeg', contentLength: 3 }),
    facebookLogin: disabledConnector('instagram_facebook_login'),
    instagramLogin: disabledConnector('instagram_login'),
  });
  return { calls, all: { whatsapp, instagram } satisfies ChannelAdapters };
}

const waChannel = { externalId: PHONE, wabaId: '1', pageId: null };

describe('WhatsApp adapter', () => {
  it('sends a message to /{phone-number-id}/messages with the send tag and returns the wamid', async () => {
    const { calls, all } = adapters();
    const request = parseOutboundRequest('whatsapp', { client_message_id: 'cm-1', to: '+16505551234', type: 'text', text: { body: 'Hi' } });
    assert.deepEqual(await all.whatsapp.send({ token: 'T', channel: waChannel, instanceId: INSTANCE }, request), { metaMessageId: 'wamid.A' });
    assert.deepEqual(calls, [
      ['wa.send', 'T', PHONE, { messaging_product: 'whatsapp', recipient_type: 'individual', to: '+16505551234', type: 'text', text: { body: 'Hi' }, biz_opaque_callback_data: sendTag(INSTANCE, 'cm-1') }],
    ]);
  });

  it('marks a message read with the read body, and refuses a read through send and a message through markRead', async () => {
    const { calls, all } = adapters();
    const target = { token: 'T', channel: waChannel, instanceId: INSTANCE };
    const read = parseOutboundRequest('whatsapp', { client_message_id: 'cm-2', type: 'read', message_id: 'wamid.IN', typing_indicator: { type: 'text' } });
    await all.whatsapp.markRead(target, read);
    assert.deepEqual(calls, [['wa.read', 'T', PHONE, { messaging_product: 'whatsapp', status: 'read', message_id: 'wamid.IN', typing_indicator: { type: 'text' } }]]);
    await assert.rejects(all.whatsapp.send(target, read), TypeError);
    await assert.rejects(all.whatsapp.markRead(target, parseOutboundRequest('whatsapp', { client_message_id: 'cm-3', to: '+16505551234', type: 'text', text: { body: 'Hi' } })), TypeError);
  });

  it('refuses a request of the other kind before calling Meta', async () => {
    const { calls, all } = adapters();
    const request = parseOutboundRequest('instagram', { client_message_id: 'cm-1', to: '1234567890', type: 'text', text: { body: 'Hi' } });
    await assert.rejects(all.whatsapp.send({ token: 'T', channel: waChannel, instanceId: INSTANCE }, request), TypeError);
    assert.deepEqual(calls, []);
  });

  it('downloads media of this number only, typed as Meta recorded it (not as the CDN served it)', async () => {
    const { calls, all } = adapters();
    const media = await all.whatsapp.media!.download('T', { externalId: PHONE }, '777');
    assert.equal(media.mimeType, 'image/png');
    assert.deepEqual(calls, [
      ['wa.mediaInfo', 'T', '777', PHONE],
      ['wa.download', 'T', 'https://cdn.example/x', { expectedMimeType: 'image/png' }],
    ]);
    assert.deepEqual(await all.whatsapp.media!.upload('T', { externalId: PHONE }, { body: Readable.from([]), contentType: 'image/png', filename: 'x.png' }), { id: '42' });
    assert.deepEqual(calls.at(-1), ['wa.upload', 'T', PHONE, 'image/png']);
  });
});

describe('Instagram adapter', () => {
  const text = parseOutboundRequest('instagram', { client_message_id: 'cm-1', to: '1234567890', type: 'text', text: { body: 'Hola' } });

  it('sends with the page token on graph.facebook.com when the channel came through Facebook Login (it has a page)', async () => {
    const { calls, all } = adapters();
    const result = await all.instagram.send({ token: 'PAGE-T', channel: { externalId: IG_ACCOUNT, wabaId: null, pageId: PAGE }, instanceId: INSTANCE }, text);
    assert.deepEqual(result, { metaMessageId: 'mid.fb' });
    assert.deepEqual(calls, [['fb.send', 'PAGE-T', 'me', { recipient: { id: '1234567890' }, message: { text: 'Hola' } }]]);
  });

  it('sends with the Instagram user token on graph.instagram.com otherwise, and a sender action has no message id', async () => {
    const { calls, all } = adapters();
    const target = { token: 'IG-T', channel: { externalId: IG_ACCOUNT, wabaId: null, pageId: null }, instanceId: INSTANCE };
    assert.deepEqual(await all.instagram.send(target, text), { metaMessageId: null });
    await all.instagram.markRead(target, parseOutboundRequest('instagram', { client_message_id: 'cm-2', to: '1234567890', type: 'read' }));
    assert.deepEqual(calls, [
      ['ig.send', 'IG-T', 'me', { recipient: { id: '1234567890' }, message: { text: 'Hola' } }],
      ['ig.send', 'IG-T', 'me', { recipient: { id: '1234567890' }, sender_action: 'mark_seen' }],
    ]);
  });

  it('has no media ids: Instagram media travel as URLs', () => {
    assert.equal(adapters().all.instagram.media, undefined);
  });
});

describe('connectorsOf', () => {
  it('collects every connect flow from the adapter of its kind', () => {
    const { all } = adapters();
    const connectors = connectorsOf(all);
    assert.deepEqual(Object.keys(connectors).sort(), ['instagram_facebook_login', 'instagram_login', 'whatsapp_embedded_signup']);
    assert.equal(connectors.instagram_login, all.instagram.connectors.instagram_login);
    assert.equal(connectors.whatsapp_embedded_signup, all.whatsapp.connectors.whatsapp_embedded_signup);
  });

  it('refuses adapters that leave a flow without a connector', () => {
    const { all } = adapters();
    assert.throws(() => connectorsOf({ ...all, instagram: { ...all.instagram, connectors: {} } }), /instagram_facebook_login/);
  });
});
