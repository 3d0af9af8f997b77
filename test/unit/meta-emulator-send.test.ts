import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { createMetaEmulator, type MetaEmulator, type RunningMetaEmulator } from '../../dev/meta-emulator/app.js';
import { instagramGraphBody } from '../../src/meta/instagram/send-bodies.js';
import { whatsappGraphBody } from '../../src/meta/whatsapp/send-bodies.js';
import { parseOutboundRequest } from '../../src/api/outbound-schema/index.js';
import { type InstagramOutboundRequest, type WhatsAppOutboundRequest } from '../../src/shared/outbound-request.js';

/**
 * The emulated Send APIs check bodies like Meta (reference §6.1, §6.3, §7.1): every body the service
 * builds for a valid DSK request is accepted, and each kind of mistake gets Meta's code and error
 * shape. The accepted bodies come from the service's own builders (send-bodies.ts), so a drift
 * between what the service sends and what the emulator (written from the reference) takes shows up
 * here; the rejected ones are written by hand.
 */

const INSTANCE = 'inst-send';
const WAMID = 'wamid.HBgLMTY1MDU1NTEyMzQVAgARGBI5QTNDQTVCM0Q0Q0Q2RTY3RTcA';
const IGSID = '6841100000000000';
const MID = 'aWdfZG1fMTc4NDE0MDAwMDAwMDAwMDA6MzQwMjgyMzY2ODQxNzEw';

interface GraphErrorJson {
  error: { message: string; type: string; code: number; error_subcode?: number; error_data?: { messaging_product: string; details: string }; fbtrace_id: string };
}

const WA_MESSAGES: Record<number, string> = {
  100: '(#100) Invalid parameter',
  131008: '(#131008) Required parameter is missing',
  131009: '(#131009) Parameter value is not valid',
};

/** Meta's WhatsApp error JSON (reference §7.1), without the random fbtrace_id. */
function waError(code: 100 | 131008 | 131009, details: string) {
  return { message: WA_MESSAGES[code], type: 'OAuthException', code, error_data: { messaging_product: 'whatsapp', details } };
}

async function errorOf(res: Response): Promise<{ status: number; error: Omit<GraphErrorJson['error'], 'fbtrace_id'> }> {
  const { error } = (await res.json()) as GraphErrorJson;
  const { fbtrace_id, ...rest } = error;
  assert.match(fbtrace_id, /^[A-Za-z0-9_-]{11}$/);
  return { status: res.status, error: rest };
}

function wa(fields: Record<string, unknown>): WhatsAppOutboundRequest {
  return parseOutboundRequest('whatsapp', { client_message_id: 'cm-1', to: '+16505551234', ...fields }).request as WhatsAppOutboundRequest;
}

function ig(fields: Record<string, unknown>): InstagramOutboundRequest {
  return parseOutboundRequest('instagram', { client_message_id: 'cm-1', to: IGSID, ...fields }).request as InstagramOutboundRequest;
}

/** A valid text message's envelope, for bodies broken by hand. */
const TEXT = { messaging_product: 'whatsapp', recipient_type: 'individual', to: '+16505551234', type: 'text', text: { body: 'Hi' } };

describe('Meta emulator Send APIs: body validation', () => {
  let emulator: MetaEmulator;
  let running: RunningMetaEmulator;
  let phoneNumberId: string;
  let waToken: string;

  before(async () => {
    emulator = createMetaEmulator({ clock: () => new Date('2026-09-01T12:00:00.000Z') });
    running = await emulator.listen();
  });
  after(async () => {
    await running?.close();
  });
  beforeEach(() => {
    emulator.state.reset();
    const number = [...emulator.state.phoneNumbers.values()][0]!;
    number.registered = true;
    phoneNumberId = number.id;
    waToken = emulator.state.issueToken({ kind: 'business_integration', scopes: ['whatsapp_business_messaging'], assets: [phoneNumberId] });
  });

  const waSend = (body: unknown) =>
    fetch(`${running.url}/v26.0/${phoneNumberId}/messages`, {
      method: 'POST',
      headers: { authorization: `Bearer ${waToken}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

  describe('WhatsApp: POST /{phone-number-id}/messages accepts every body the service builds', () => {
    const requests: Array<[string, Record<string, unknown>]> = [
      ['text with link preview and reply context', { type: 'text', text: { body: 'Hi! https://acme.com', preview_url: true }, reply_to: { message_id: WAMID } }],
      ['text of 4096 characters, emoji counted as one', { type: 'text', text: { body: `${'a'.repeat(4095)}😀` } }],
      ['text to a BSUID (recipient instead of to)', { to: 'US.13491208655302741918', type: 'text', text: { body: 'Hi' } }],
      ['image by media id', { type: 'image', image: { id: '1203045' } }],
      ['image by link with caption', { type: 'image', image: { link: 'https://cdn.acme.com/a.jpg', caption: 'Our shop' } }],
      ['audio', { type: 'audio', audio: { id: '11' } }],
      ['video with caption', { type: 'video', video: { id: '12', caption: 'Tour' } }],
      ['document with filename and caption', { type: 'document', document: { link: 'https://acme.com/inv.pdf', filename: 'inv.pdf', caption: 'Invoice' } }],
      ['sticker', { type: 'sticker', sticker: { id: '13' } }],
      ['location', { type: 'location', location: { latitude: 38.9, longitude: -77.0, name: 'Shop', address: '1 Main St' } }],
      [
        'contacts',
        {
          type: 'contacts',
          contacts: [
            {
              name: { formatted_name: 'Ana Díaz', first_name: 'Ana', last_name: 'Díaz' },
              phones: [{ phone: '+16505550000', type: 'WORK', wa_id: '16505550000' }],
              emails: [{ email: 'ana@acme.com', type: 'WORK' }],
              urls: [{ url: 'https://acme.com', type: 'WORK' }],
              addresses: [{ street: '1 Main St', city: 'Springfield', country_code: 'US', type: 'WORK' }],
              org: { company: 'Acme', title: 'CEO' },
              birthday: '1990-05-01',
            },
          ],
        },
      ],
      [
        'interactive reply buttons with an image header and a footer',
        {
          type: 'interactive',
          interactive: {
            type: 'button',
            header: { type: 'image', image: { link: 'https://cdn.acme.com/h.jpg' } },
            body: { text: 'Confirm?' },
            footer: { text: 'Acme' },
            action: { buttons: [{ type: 'reply', reply: { id: 'yes', title: 'Yes' } }, { type: 'reply', reply: { id: 'no', title: 'No' } }, { type: 'reply', reply: { id: 'later', title: 'Ask me later please' } }] },
          },
        },
      ],
      [
        'interactive reply buttons with a video header by uploaded media id (WA-HDR: id or link)',
        {
          type: 'interactive',
          interactive: { type: 'button', header: { type: 'video', video: { id: '1203048' } }, body: { text: 'Watch' }, action: { buttons: [{ type: 'reply', reply: { id: 'ok', title: 'OK' } }] } },
        },
      ],
      [
        'interactive list of two titled sections, ten rows',
        {
          type: 'interactive',
          interactive: {
            type: 'list',
            header: { type: 'text', text: 'Menu' },
            body: { text: 'Pick one' },
            action: {
              button: 'Options',
              sections: [
                { title: 'A', rows: Array.from({ length: 5 }, (_, i) => ({ id: `a${i}`, title: `Row A${i}`, description: 'd' })) },
                { title: 'B', rows: Array.from({ length: 5 }, (_, i) => ({ id: `b${i}`, title: `Row B${i}` })) },
              ],
            },
          },
        },
      ],
      [
        'interactive cta_url with a document header',
        {
          type: 'interactive',
          interactive: {
            type: 'cta_url',
            header: { type: 'document', document: { link: 'https://acme.com/c.pdf', filename: 'c.pdf' } },
            body: { text: 'See the catalog' },
            action: { name: 'cta_url', parameters: { display_text: 'Open', url: 'https://acme.com/catalog' } },
          },
        },
      ],
      ['reaction', { type: 'reaction', reaction: { message_id: WAMID, emoji: '👍' } }],
      ['reaction with a keycap emoji', { type: 'reaction', reaction: { message_id: WAMID, emoji: '1️⃣' } }],
      ['reaction removal (empty emoji)', { type: 'reaction', reaction: { message_id: WAMID, emoji: '' } }],
      ['template without components', { type: 'template', template: { name: 'hello_world', language: { code: 'en_US' } } }],
      [
        'template with body and quick-reply parameters',
        {
          type: 'template',
          template: {
            name: 'order_update',
            language: { code: 'en_US' },
            components: [
              { type: 'body', parameters: [{ type: 'text', text: '#1234' }] },
              { type: 'button', sub_type: 'quick_reply', index: 0, parameters: [{ type: 'payload', payload: 'CONFIRM_1234' }] },
            ],
          },
        },
      ],
      [
        'template with media header, currency, date_time and URL button',
        {
          type: 'template',
          template: {
            name: 'receipt',
            language: { code: 'en', policy: 'deterministic' },
            components: [
              { type: 'header', parameters: [{ type: 'image', image: { link: 'https://cdn.acme.com/h.jpg' } }] },
              {
                type: 'body',
                parameters: [
                  { type: 'currency', currency: { fallback_value: '$10.99', code: 'USD', amount_1000: 10990 } },
                  { type: 'date_time', date_time: { fallback_value: 'May 1, 2026' } },
                ],
              },
              { type: 'button', sub_type: 'url', index: '1', parameters: [{ type: 'text', text: 'orders/1234' }] },
            ],
          },
        },
      ],
    ];

    for (const [name, fields] of requests) {
      it(`${name}: 200 with a wamid, recorded with the body as sent`, async () => {
        const body = whatsappGraphBody(wa(fields), INSTANCE);
        const res = await waSend(body);
        const answer = (await res.json()) as { messaging_product: string; contacts: unknown[]; messages: Array<{ id: string; message_status?: string }> };
        assert.equal(res.status, 200, JSON.stringify(answer));
        assert.equal(answer.messaging_product, 'whatsapp');
        assert.match(answer.messages[0]!.id, /^wamid\./);
        assert.equal(emulator.state.businessMessages.length, 1);
        const sent = emulator.state.businessMessages[0]!;
        assert.deepEqual([sent.messageId, sent.type, sent.body], [answer.messages[0]!.id, fields.type, body]);
      });
    }

    it('answers a phone recipient with its wa_id and a BSUID recipient with user_id (reference §2.2)', async () => {
      const phone = (await (await waSend(whatsappGraphBody(wa({ type: 'text', text: { body: 'Hi' } }), INSTANCE))).json()) as { contacts: unknown[] };
      assert.deepEqual(phone.contacts, [{ input: '+16505551234', wa_id: '16505551234' }]);
      const bsuid = (await (await waSend(whatsappGraphBody(wa({ to: 'US.13491208655302741918', type: 'text', text: { body: 'Hi' } }), INSTANCE))).json()) as { contacts: unknown[] };
      assert.deepEqual(bsuid.contacts, [{ input: 'US.13491208655302741918', user_id: 'US.13491208655302741918' }]);
    });

    it('marks a message read, with or without typing indicator: {success: true}, not recorded as a message', async () => {
      for (const fields of [{ message_id: WAMID }, { message_id: WAMID, typing_indicator: { type: 'text' } }]) {
        const body = whatsappGraphBody(wa({ type: 'read', ...fields }), INSTANCE);
        const res = await waSend(body);
        assert.deepEqual([res.status, await res.json()], [200, { success: true }]);
      }
      assert.equal(emulator.state.businessMessages.length, 0);
    });
  });

  describe('WhatsApp: rejected bodies get Meta\'s code and error_data.details, and are not recorded', () => {
    const cases: Array<[string, Record<string, unknown>, 100 | 131008 | 131009, string]> = [
      // Envelope
      ['no recipient', { ...TEXT, to: undefined }, 131008, 'The parameter to is required.'],
      ['a recipient that is not a phone number', { ...TEXT, to: 'alice' }, 131009, 'Param to must be a phone number in international format or a business-scoped user id.'],
      ['a recipient field that is not a BSUID', { ...TEXT, to: undefined, recipient: '16505551234' }, 131009, 'Param recipient must be a business-scoped user id.'],
      ['recipient_type group', { ...TEXT, recipient_type: 'group' }, 131009, 'Param recipient_type must be "individual".'],
      ['an unknown message type', { ...TEXT, type: 'sms', sms: { body: 'Hi' } }, 100, 'Param type must be one of {text, image, audio, video, document, sticker, location, contacts, interactive, reaction, template} - got "sms".'],
      ['a type without its payload', { ...TEXT, type: 'image', text: undefined }, 131008, 'The parameter image is required.'],
      ['context without message_id', { ...TEXT, context: {} }, 131008, "The parameter context['message_id'] is required."],
      ['biz_opaque_callback_data over 512 characters', { ...TEXT, biz_opaque_callback_data: 'x'.repeat(513) }, 131009, 'Param biz_opaque_callback_data must be at most 512 characters long.'],
      // text
      ['text without body', { ...TEXT, text: { preview_url: true } }, 131008, "The parameter text['body'] is required."],
      ['text body over 4096 characters', { ...TEXT, text: { body: 'a'.repeat(4097) } }, 131009, "Param text['body'] must be at most 4096 characters long."],
      ['an empty text body', { ...TEXT, text: { body: '' } }, 131009, "Param text['body'] must not be empty."],
      ['preview_url that is not a boolean', { ...TEXT, text: { body: 'Hi', preview_url: 'yes' } }, 131009, "Param text['preview_url'] must be a boolean."],
      ['a misspelt text field', { ...TEXT, text: { body: 'Hi', preview_ulr: true } }, 100, 'Unexpected key "preview_ulr" on param "text".'],
      // media
      ['an image with neither id nor link', { ...TEXT, type: 'image', image: { caption: 'x' } }, 131008, "The parameter image['id'] or image['link'] is required."],
      ['an image with both id and link', { ...TEXT, type: 'image', image: { id: '1', link: 'https://a.example/a.jpg' } }, 131009, 'Param image must have either id or link, not both.'],
      ['an image link that is not http(s)', { ...TEXT, type: 'image', image: { link: 'ftp://a.example/a.jpg' } }, 131009, "Param image['link'] must be an http or https URL."],
      ['an audio caption', { ...TEXT, type: 'audio', audio: { id: '1', caption: 'x' } }, 100, 'Unexpected key "caption" on param "audio".'],
      ['a video media id that is not one', { ...TEXT, type: 'video', video: { id: 'abc' } }, 131009, "Param video['id'] must be a media id."],
      ['an image filename (documents only)', { ...TEXT, type: 'image', image: { id: '1', filename: 'a.jpg' } }, 100, 'Unexpected key "filename" on param "image".'],
      ['an empty document filename', { ...TEXT, type: 'document', document: { id: '1', filename: '' } }, 131009, "Param document['filename'] must not be empty."],
      ['a sticker caption', { ...TEXT, type: 'sticker', sticker: { id: '1', caption: 'x' } }, 100, 'Unexpected key "caption" on param "sticker".'],
      ['an image caption over 1024 characters', { ...TEXT, type: 'image', image: { id: '1', caption: 'c'.repeat(1025) } }, 131009, "Param image['caption'] must be at most 1024 characters long."],
      // location
      ['a location without longitude', { ...TEXT, type: 'location', location: { latitude: 1 } }, 131008, "The parameter location['longitude'] is required."],
      ['a latitude out of range', { ...TEXT, type: 'location', location: { latitude: 91, longitude: 0 } }, 131009, "Param location['latitude'] must be a number between -90 and 90."],
      ['a longitude given as text', { ...TEXT, type: 'location', location: { latitude: 1, longitude: '2' } }, 131009, "Param location['longitude'] must be a number between -180 and 180."],
      // contacts
      ['contacts that are not an array', { ...TEXT, type: 'contacts', contacts: { name: { formatted_name: 'A' } } }, 131009, 'Param contacts must be an array.'],
      ['a contact without formatted_name', { ...TEXT, type: 'contacts', contacts: [{ name: { first_name: 'Ana' } }] }, 131008, "The parameter contacts[0]['name']['formatted_name'] is required."],
      // interactive
      ['an unknown interactive type', { ...TEXT, type: 'interactive', interactive: { type: 'carousel', body: { text: 'x' }, action: {} } }, 100, "Param interactive['type'] must be one of {button, list, cta_url} - got \"carousel\"."],
      ['an interactive message without body', { ...TEXT, type: 'interactive', interactive: { type: 'button', action: { buttons: [{ type: 'reply', reply: { id: 'a', title: 'A' } }] } } }, 131008, "The parameter interactive['body'] is required."],
      [
        'four reply buttons',
        { ...TEXT, type: 'interactive', interactive: { type: 'button', body: { text: 'x' }, action: { buttons: ['a', 'b', 'c', 'd'].map((id) => ({ type: 'reply', reply: { id, title: id } })) } } },
        131009,
        "Param interactive['action']['buttons'] must have between 1 and 3 buttons.",
      ],
      [
        'a button title over 20 characters',
        { ...TEXT, type: 'interactive', interactive: { type: 'button', body: { text: 'x' }, action: { buttons: [{ type: 'reply', reply: { id: 'a', title: 't'.repeat(21) } }] } } },
        131009,
        "Param interactive['action']['buttons'][0]['reply']['title'] must be at most 20 characters long.",
      ],
      [
        'duplicate button ids',
        { ...TEXT, type: 'interactive', interactive: { type: 'button', body: { text: 'x' }, action: { buttons: [{ type: 'reply', reply: { id: 'a', title: 'A' } }, { type: 'reply', reply: { id: 'a', title: 'B' } }] } } },
        131009,
        "Param interactive['action']['buttons'][1]['reply']['id'] must be unique among the buttons.",
      ],
      [
        'a media header by both id and link',
        { ...TEXT, type: 'interactive', interactive: { type: 'button', header: { type: 'image', image: { id: '1', link: 'https://cdn.acme.com/h.jpg' } }, body: { text: 'x' }, action: { buttons: [{ type: 'reply', reply: { id: 'a', title: 'A' } }] } } },
        131009,
        "Param interactive['header']['image'] must have either id or link, not both.",
      ],
      [
        'a list of eleven rows',
        {
          ...TEXT,
          type: 'interactive',
          interactive: { type: 'list', body: { text: 'x' }, action: { button: 'Open', sections: [{ title: 'A', rows: Array.from({ length: 11 }, (_, i) => ({ id: `r${i}`, title: 'Row' })) }] } },
        },
        131009,
        "Param interactive['action']['sections'] must have at most 10 rows in total.",
      ],
      [
        'a list without its button label',
        { ...TEXT, type: 'interactive', interactive: { type: 'list', body: { text: 'x' }, action: { sections: [{ rows: [{ id: 'r', title: 'Row' }] }] } } },
        131008,
        "The parameter interactive['action']['button'] is required.",
      ],
      [
        'a list with an image header',
        { ...TEXT, type: 'interactive', interactive: { type: 'list', header: { type: 'image', image: { link: 'https://a.example/a.jpg' } }, body: { text: 'x' }, action: { button: 'Open', sections: [{ rows: [{ id: 'r', title: 'Row' }] }] } } },
        131009,
        "Param interactive['header']['type'] must be \"text\" for a list message.",
      ],
      [
        'a cta_url action with another name',
        { ...TEXT, type: 'interactive', interactive: { type: 'cta_url', body: { text: 'x' }, action: { name: 'url', parameters: { display_text: 'Open', url: 'https://a.example' } } } },
        131009,
        "Param interactive['action']['name'] must be \"cta_url\".",
      ],
      [
        'a cta_url without url',
        { ...TEXT, type: 'interactive', interactive: { type: 'cta_url', body: { text: 'x' }, action: { name: 'cta_url', parameters: { display_text: 'Open' } } } },
        131008,
        "The parameter interactive['action']['parameters']['url'] is required.",
      ],
      // reaction
      ['a reaction without message_id', { ...TEXT, type: 'reaction', reaction: { emoji: '👍' } }, 131008, "The parameter reaction['message_id'] is required."],
      ['a reaction without emoji', { ...TEXT, type: 'reaction', reaction: { message_id: WAMID } }, 131008, "The parameter reaction['emoji'] is required."],
      ['a reaction with words for an emoji', { ...TEXT, type: 'reaction', reaction: { message_id: WAMID, emoji: 'ok' } }, 131009, "Param reaction['emoji'] must be an emoji, or \"\" to remove the reaction."],
      // template
      ['a template without language', { ...TEXT, type: 'template', template: { name: 'hello_world' } }, 131008, "The parameter template['language'] is required."],
      ['a template without name', { ...TEXT, type: 'template', template: { language: { code: 'en' } } }, 131008, "The parameter template['name'] is required."],
      ['a template component of an unknown type', { ...TEXT, type: 'template', template: { name: 'n', language: { code: 'en' }, components: [{ type: 'footer' }] } }, 131009, "Param template['components'][0]['type'] must be one of {header, body, button, carousel, limited_time_offer}."],
      [
        'a template button without index',
        { ...TEXT, type: 'template', template: { name: 'n', language: { code: 'en' }, components: [{ type: 'button', sub_type: 'quick_reply', parameters: [{ type: 'payload', payload: 'P' }] }] } },
        131008,
        "The parameter template['components'][0]['index'] is required.",
      ],
      [
        'a text parameter without text',
        { ...TEXT, type: 'template', template: { name: 'n', language: { code: 'en' }, components: [{ type: 'body', parameters: [{ type: 'text' }] }] } },
        131008,
        "The parameter template['components'][0]['parameters'][0]['text'] is required.",
      ],
      // mark-as-read
      ['mark-as-read without message_id', { messaging_product: 'whatsapp', status: 'read' }, 131008, 'The parameter message_id is required.'],
      ['a status other than read', { messaging_product: 'whatsapp', status: 'delivered', message_id: WAMID }, 131009, 'Param status must be "read".'],
      ['a typing indicator other than text', { messaging_product: 'whatsapp', status: 'read', message_id: WAMID, typing_indicator: { type: 'audio' } }, 131009, "Param typing_indicator['type'] must be \"text\"."],
    ];

    for (const [name, body, code, details] of cases) {
      it(`${name} → ${code}`, async () => {
        const { status, error } = await errorOf(await waSend(body));
        assert.deepEqual({ status, error }, { status: 400, error: waError(code, details) });
        assert.equal(emulator.state.businessMessages.length, 0);
      });
    }

    it('a body without messaging_product is Graph\'s own 100, as before', async () => {
      const { status, error } = await errorOf(await waSend({ ...TEXT, messaging_product: undefined }));
      assert.deepEqual({ status, error }, { status: 400, error: { message: '(#100) The parameter messaging_product is required', type: 'OAuthException', code: 100 } });
    });
  });

  describe('Instagram Send API (both flavours)', () => {
    let igLoginToken: string;
    let pageToken: string;

    beforeEach(() => {
      const accountId = emulator.state.grantFor('instagram_login').assetIds[0]!;
      igLoginToken = emulator.state.issueToken({ kind: 'instagram', scopes: ['instagram_business_manage_messages'], assets: [accountId] });
      const pageId = emulator.state.grantFor('instagram_facebook_login').pageIds[0]!;
      pageToken = emulator.state.issueToken({ kind: 'page', profileId: pageId, scopes: ['instagram_manage_messages'] });
    });

    const viaInstagramLogin = (body: unknown) =>
      fetch(`${running.hosts['graph.instagram.com']}/v26.0/me/messages`, { method: 'POST', headers: { authorization: `Bearer ${igLoginToken}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const viaFacebookLogin = (body: unknown) =>
      fetch(`${running.url}/v26.0/me/messages`, { method: 'POST', headers: { authorization: `Bearer ${pageToken}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });

    const messages: Array<[string, Record<string, unknown>]> = [
      ['text', { type: 'text', text: { body: 'Hola 👋' } }],
      ['text of exactly 1000 UTF-8 bytes', { type: 'text', text: { body: `${'€'.repeat(333)}a` } }],
      ['text with the HUMAN_AGENT tag', { type: 'text', text: { body: 'Sorry for the wait' }, tag: 'HUMAN_AGENT' }],
      ['image attachment', { type: 'attachment', attachment: { type: 'image', url: 'https://cdn.acme.com/a.jpg' } }],
      ['audio attachment', { type: 'attachment', attachment: { type: 'audio', url: 'https://cdn.acme.com/a.mp3' } }],
      ['video attachment with the HUMAN_AGENT tag', { type: 'attachment', attachment: { type: 'video', url: 'https://cdn.acme.com/a.mp4' }, tag: 'HUMAN_AGENT' }],
      ['file attachment', { type: 'attachment', attachment: { type: 'file', url: 'https://cdn.acme.com/a.pdf' } }],
    ];
    for (const [flavour, send] of [
      ['Instagram Login', (b: unknown) => viaInstagramLogin(b)],
      ['Facebook Login', (b: unknown) => viaFacebookLogin(b)],
    ] as const) {
      for (const [name, fields] of messages) {
        it(`${flavour}: accepts the service's ${name}, answers recipient_id + message_id and records it`, async () => {
          const body = instagramGraphBody(ig(fields));
          const res = await send(body);
          const answer = (await res.json()) as { recipient_id: string; message_id: string };
          assert.equal(res.status, 200, JSON.stringify(answer));
          assert.equal(answer.recipient_id, IGSID);
          assert.match(answer.message_id, /^aWdf/);
          assert.deepEqual(emulator.state.businessMessages.map((m) => [m.messageId, m.body]), [[answer.message_id, body]]);
        });
      }
    }

    it('accepts the service\'s reaction, reaction removal and mark_seen as sender actions: recipient_id only, nothing recorded', async () => {
      for (const fields of [
        { type: 'reaction', reaction: { message_id: MID, emoji: '❤️' } },
        { type: 'reaction', reaction: { message_id: MID, emoji: 'love' } },
        { type: 'reaction', reaction: { message_id: MID, emoji: '' } },
        { type: 'read' },
      ]) {
        const body = instagramGraphBody(ig(fields));
        const res = await viaInstagramLogin(body);
        assert.deepEqual([res.status, await res.json()], [200, { recipient_id: IGSID }], JSON.stringify(body));
      }
      for (const action of ['typing_on', 'typing_off']) {
        assert.deepEqual(await (await viaFacebookLogin({ recipient: { id: IGSID }, sender_action: action })).json(), { recipient_id: IGSID });
      }
      assert.equal(emulator.state.businessMessages.length, 0);
    });

    const rejections: Array<[string, Record<string, unknown>, string, number?]> = [
      ['text over 1000 UTF-8 bytes (334 characters)', { recipient: { id: IGSID }, message: { text: '€'.repeat(334) } }, '(#100) Length of param message[text] must be less than or equal to 1000 bytes'],
      ['no recipient', { message: { text: 'Hi' } }, '(#100) The parameter recipient is required'],
      ['a recipient id that is no Instagram-scoped id', { recipient: { id: 'bob' }, message: { text: 'Hi' } }, '(#100) No matching user found', 2534014],
      ['no message', { recipient: { id: IGSID } }, '(#100) The parameter message is required'],
      ['text and attachment together', { recipient: { id: IGSID }, message: { text: 'Hi', attachment: { type: 'image', payload: { url: 'https://a.example/a.jpg' } } } }, '(#100) param message must have either text or attachment, not both'],
      ['an attachment type Instagram does not send', { recipient: { id: IGSID }, message: { attachment: { type: 'template', payload: { url: 'https://a.example' } } } }, '(#100) param message[attachment][type] must be one of {image, audio, video, file}'],
      ['an attachment without URL', { recipient: { id: IGSID }, message: { attachment: { type: 'image', payload: {} } } }, '(#100) param message[attachment][payload][url] must be an http or https URL'],
      ['a message field Instagram does not have', { recipient: { id: IGSID }, message: { text: 'Hi', metadata: 'x' } }, '(#100) param message[metadata] is not a valid parameter'],
      ['tag CONFIRMED_EVENT_UPDATE', { recipient: { id: IGSID }, messaging_type: 'MESSAGE_TAG', tag: 'CONFIRMED_EVENT_UPDATE', message: { text: 'Hi' } }, '(#100) Tag CONFIRMED_EVENT_UPDATE is no longer supported'],
      ['tag ACCOUNT_UPDATE', { recipient: { id: IGSID }, messaging_type: 'MESSAGE_TAG', tag: 'ACCOUNT_UPDATE', message: { text: 'Hi' } }, '(#100) Tag ACCOUNT_UPDATE is no longer supported'],
      ['tag POST_PURCHASE_UPDATE', { recipient: { id: IGSID }, messaging_type: 'MESSAGE_TAG', tag: 'POST_PURCHASE_UPDATE', message: { text: 'Hi' } }, '(#100) Tag POST_PURCHASE_UPDATE is no longer supported'],
      ['MESSAGE_TAG without a tag', { recipient: { id: IGSID }, messaging_type: 'MESSAGE_TAG', message: { text: 'Hi' } }, '(#100) The parameter tag is required'],
      ['a tag without messaging_type MESSAGE_TAG', { recipient: { id: IGSID }, tag: 'HUMAN_AGENT', message: { text: 'Hi' } }, '(#100) param tag is only allowed with messaging_type MESSAGE_TAG'],
      ['an unknown sender action', { recipient: { id: IGSID }, sender_action: 'wave' }, '(#100) param sender_action must be one of {mark_seen, typing_on, typing_off, react, unreact}'],
      ['react without a reaction', { recipient: { id: IGSID }, sender_action: 'react', payload: { message_id: MID } }, '(#100) The parameter payload[reaction] is required'],
      ['a sender action with a message', { recipient: { id: IGSID }, sender_action: 'typing_on', message: { text: 'Hi' } }, '(#100) param sender_action cannot be sent with message'],
    ];
    for (const [name, body, message, subcode] of rejections) {
      it(`rejects ${name} with 100 on both hosts, recording nothing`, async () => {
        const expected = { status: 400, error: { message, type: 'OAuthException', code: 100, ...(subcode === undefined ? {} : { error_subcode: subcode }) } };
        assert.deepEqual(await errorOf(await viaInstagramLogin(body)), expected);
        assert.deepEqual(await errorOf(await viaFacebookLogin(body)), expected);
        assert.equal(emulator.state.businessMessages.length, 0);
      });
    }
  });
});
