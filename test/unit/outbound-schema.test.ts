import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ApiError } from '../../src/api/errors.js';
import {
  INSTAGRAM_LIMITS,
  parseOutboundRequest,
  validateOutboundRequest,
  WHATSAPP_LIMITS,
} from '../../src/api/outbound-schema/index.js';
import type { OutboundChannelType } from '../../src/shared/outbound-request.js';

type Detail = { path: string; message: string };

const WAMID = 'wamid.HBgLMTY1MDU1NTEyMzQVAgARGBI5QTNDQTVCM0Q0Q0Q2RTY3RTcA';
const MID = 'aWdfZG1fMTc4NDE0MDAwMDAwMDAwMDA6MzQwMjgyMzY2ODQxNzEw';
const IGSID = '6841100000000000';

function wa(fields: Record<string, unknown>): Record<string, unknown> {
  return { client_message_id: 'crm-42', to: '+16505551234', ...fields };
}

function ig(fields: Record<string, unknown>): Record<string, unknown> {
  return { client_message_id: 'crm-42', to: IGSID, ...fields };
}

function accepted(channel: OutboundChannelType, body: unknown): void {
  const result = validateOutboundRequest(channel, body);
  assert.deepEqual(result.success ? [] : result.details, []);
}

function details(channel: OutboundChannelType, body: unknown): Detail[] {
  const result = validateOutboundRequest(channel, body);
  assert.equal(result.success, false, 'expected the body to be rejected');
  return result.success ? [] : result.details;
}

function rejectedWith(channel: OutboundChannelType, body: unknown, expected: Detail[]): void {
  assert.deepEqual(details(channel, body), expected);
}

const button = (id: string, title = id) => ({ type: 'reply', reply: { id, title } });
const rows = (n: number, prefix = 'r') => Array.from({ length: n }, (_, i) => ({ id: `${prefix}${i}`, title: `Row ${i}` }));
const list = (sections: unknown[]) => wa({ type: 'interactive', interactive: { type: 'list', body: { text: 'Pick one' }, action: { button: 'Options', sections } } });
const buttons = (items: unknown[]) => wa({ type: 'interactive', interactive: { type: 'button', body: { text: 'Confirm?' }, action: { buttons: items } } });
const template = (extra: Record<string, unknown>) => wa({ type: 'template', template: { name: 'order_update', language: { code: 'en_US' }, ...extra } });

describe('WhatsApp outbound schema: every type has a minimal valid body', () => {
  const minimal: Array<[string, Record<string, unknown>]> = [
    ['text', wa({ type: 'text', text: { body: 'Hi' } })],
    ['text with link preview', wa({ type: 'text', text: { body: 'See https://acme.com', preview_url: true } })],
    ['image by media id', wa({ type: 'image', image: { id: '1203045' } })],
    ['image by link with caption', wa({ type: 'image', image: { link: 'https://cdn.acme.com/a.jpg', caption: 'Our shop' } })],
    ['audio', wa({ type: 'audio', audio: { id: '1203046' } })],
    ['video', wa({ type: 'video', video: { link: 'https://cdn.acme.com/v.mp4', caption: 'Tour' } })],
    ['document with filename', wa({ type: 'document', document: { link: 'https://cdn.acme.com/inv.pdf', filename: 'inv.pdf', caption: 'Invoice' } })],
    ['sticker', wa({ type: 'sticker', sticker: { id: '1203047' } })],
    ['location', wa({ type: 'location', location: { latitude: 38.9, longitude: -77.0, name: 'Shop', address: '1 Main St' } })],
    ['contacts', wa({ type: 'contacts', contacts: [{ name: { formatted_name: 'Ana Díaz', first_name: 'Ana' }, phones: [{ phone: '+16505550000', type: 'WORK' }] }] })],
    ['template without parameters', template({})],
    [
      'template with body, header and button parameters',
      template({
        components: [
          { type: 'header', parameters: [{ type: 'document', document: { link: 'https://cdn.acme.com/inv.pdf', filename: 'inv.pdf' } }] },
          {
            type: 'body',
            parameters: [
              { type: 'text', text: '#1234' },
              { type: 'currency', currency: { fallback_value: '$10.99', code: 'USD', amount_1000: 10990 } },
              { type: 'date_time', date_time: { fallback_value: 'May 1, 2026' } },
            ],
          },
          { type: 'button', sub_type: 'quick_reply', index: '0', parameters: [{ type: 'payload', payload: 'CONFIRM_1234' }] },
          { type: 'button', sub_type: 'url', index: 1, parameters: [{ type: 'text', text: 'orders/1234' }] },
        ],
      }),
    ],
    ['interactive reply buttons', buttons([button('yes', 'Yes'), button('no', 'No')])],
    ['interactive list', list([{ title: 'Sizes', rows: [{ id: 'r1', title: 'Small', description: 'Fits 1' }] }])],
    [
      'interactive CTA URL',
      wa({ type: 'interactive', interactive: { type: 'cta_url', body: { text: 'Track it' }, action: { name: 'cta_url', parameters: { display_text: 'Track', url: 'https://acme.com/t/1' } } } }),
    ],
    ['reaction', wa({ type: 'reaction', reaction: { message_id: WAMID, emoji: '👍' } })],
    ['reaction removal (empty emoji)', wa({ type: 'reaction', reaction: { message_id: WAMID, emoji: '' } })],
    ['mark as read (no recipient needed)', { client_message_id: 'read-1', type: 'read', message_id: WAMID }],
    ['mark as read with typing indicator', { client_message_id: 'read-1', type: 'read', message_id: WAMID, typing_indicator: { type: 'text' } }],
    ['text as a reply', wa({ type: 'text', text: { body: 'Yes' }, reply_to: { message_id: WAMID } })],
    ['text to a business-scoped user id', wa({ to: 'US.13491208655302741918', type: 'text', text: { body: 'Hi' } })],
    ['text to a phone number without +', wa({ to: '5511987654321', type: 'text', text: { body: 'Oi' } })],
  ];
  for (const [name, body] of minimal) {
    it(`accepts ${name}`, () => accepted('whatsapp', body));
  }

  it('returns the typed request tagged with its channel type', () => {
    const body = wa({ type: 'text', text: { body: 'Hi' } });
    assert.deepEqual(parseOutboundRequest('whatsapp', body), { channelType: 'whatsapp', request: body });
  });

  it('fills in the CTA action name when DSK leaves it out', () => {
    const parsed = parseOutboundRequest(
      'whatsapp',
      wa({ type: 'interactive', interactive: { type: 'cta_url', body: { text: 'Track it' }, action: { parameters: { display_text: 'Track', url: 'https://acme.com/t/1' } } } }),
    );
    assert.equal(parsed.channelType === 'whatsapp' && parsed.request.type === 'interactive' && parsed.request.interactive.type === 'cta_url' && parsed.request.interactive.action.name, 'cta_url');
  });
});

describe('WhatsApp outbound schema: envelope rules', () => {
  it('throws the API 422 validation_failed with field details', () => {
    assert.throws(
      () => parseOutboundRequest('whatsapp', wa({ client_message_id: '', type: 'text', text: { body: 'Hi' } })),
      (err: unknown) =>
        err instanceof ApiError &&
        err.status === 422 &&
        err.code === 'validation_failed' &&
        JSON.stringify(err.details) === JSON.stringify([{ path: 'client_message_id', message: 'must be 1–128 characters of A–Z, a–z, 0–9, ".", "_", ":" or "-"' }]),
    );
  });

  it('requires client_message_id', () => {
    rejectedWith('whatsapp', { to: '+16505551234', type: 'text', text: { body: 'Hi' } }, [{ path: 'client_message_id', message: 'is required' }]);
  });

  it('limits client_message_id to 128 characters of its charset', () => {
    accepted('whatsapp', wa({ client_message_id: 'a'.repeat(128), type: 'text', text: { body: 'Hi' } }));
    const message = 'must be 1–128 characters of A–Z, a–z, 0–9, ".", "_", ":" or "-"';
    rejectedWith('whatsapp', wa({ client_message_id: 'a'.repeat(129), type: 'text', text: { body: 'Hi' } }), [{ path: 'client_message_id', message }]);
    rejectedWith('whatsapp', wa({ client_message_id: 'crm 42', type: 'text', text: { body: 'Hi' } }), [{ path: 'client_message_id', message }]);
  });

  it('requires a phone number or BSUID as recipient', () => {
    const message =
      'must be a phone number in international format (digits with an optional leading +) or a business-scoped user id such as US.13491208655302741918';
    for (const to of ['+1 650 555 1234', '12345', 'abc', 'us.1349', 'US.']) {
      rejectedWith('whatsapp', wa({ to, type: 'text', text: { body: 'Hi' } }), [{ path: 'to', message }]);
    }
    rejectedWith('whatsapp', { client_message_id: 'c', type: 'text', text: { body: 'Hi' } }, [{ path: 'to', message: 'is required' }]);
  });

  it('rejects an unknown type at path type', () => {
    rejectedWith('whatsapp', wa({ type: 'poll' }), [
      {
        path: 'type',
        message: "Invalid discriminator value. Expected 'text' | 'image' | 'audio' | 'video' | 'document' | 'sticker' | 'location' | 'contacts' | 'template' | 'interactive' | 'reaction' | 'read'",
      },
    ]);
  });

  it('rejects a body that is not an object', () => {
    rejectedWith('whatsapp', 'hello', [{ path: '(body)', message: 'Invalid input: expected object, received string' }]);
  });

  it('reports each unknown or misplaced field at its own path', () => {
    rejectedWith('whatsapp', wa({ type: 'text', text: { body: 'Hi', preview_ulr: true }, image: { id: '1' } }), [
      { path: 'text.preview_ulr', message: 'is not an accepted field here' },
      { path: 'image', message: 'is not an accepted field here' },
    ]);
  });

  it('requires a wamid in reply_to', () => {
    rejectedWith('whatsapp', wa({ type: 'text', text: { body: 'Hi' }, reply_to: { message_id: 'crm-41' } }), [
      { path: 'reply_to.message_id', message: 'must be a WhatsApp message id (wamid.…)' },
    ]);
  });
});

describe('WhatsApp outbound schema: text', () => {
  it(`accepts ${WHATSAPP_LIMITS.textBody} characters and rejects one more`, () => {
    accepted('whatsapp', wa({ type: 'text', text: { body: 'a'.repeat(4096) } }));
    rejectedWith('whatsapp', wa({ type: 'text', text: { body: 'a'.repeat(4097) } }), [{ path: 'text.body', message: 'must be at most 4096 characters' }]);
  });

  it('counts an emoji as one character, not two UTF-16 units', () => {
    accepted('whatsapp', wa({ type: 'text', text: { body: '😀'.repeat(4096) } }));
  });

  it('rejects an empty body', () => {
    rejectedWith('whatsapp', wa({ type: 'text', text: { body: '' } }), [{ path: 'text.body', message: 'must not be empty' }]);
  });

  it('requires preview_url to be a boolean', () => {
    rejectedWith('whatsapp', wa({ type: 'text', text: { body: 'Hi', preview_url: 'yes' } }), [
      { path: 'text.preview_url', message: 'Invalid input: expected boolean, received string' },
    ]);
  });
});

describe('WhatsApp outbound schema: media', () => {
  it('needs an id or a link', () => {
    rejectedWith('whatsapp', wa({ type: 'image', image: { caption: 'x' } }), [{ path: 'image', message: 'needs either id or link' }]);
  });

  it('refuses both an id and a link', () => {
    rejectedWith('whatsapp', wa({ type: 'video', video: { id: '1', link: 'https://cdn.acme.com/v.mp4' } }), [
      { path: 'video', message: 'must have either id or link, not both' },
    ]);
  });

  it('requires an https link', () => {
    rejectedWith('whatsapp', wa({ type: 'document', document: { link: 'http://cdn.acme.com/inv.pdf' } }), [
      { path: 'document.link', message: 'must be an absolute https URL' },
    ]);
  });

  it('requires a numeric media id', () => {
    rejectedWith('whatsapp', wa({ type: 'audio', audio: { id: 'abc' } }), [{ path: 'audio.id', message: 'must be a WhatsApp media id (digits)' }]);
  });

  it('refuses a caption on audio and stickers', () => {
    rejectedWith('whatsapp', wa({ type: 'audio', audio: { id: '1', caption: 'x' } }), [{ path: 'audio.caption', message: 'is not an accepted field here' }]);
    rejectedWith('whatsapp', wa({ type: 'sticker', sticker: { id: '1', caption: 'x' } }), [{ path: 'sticker.caption', message: 'is not an accepted field here' }]);
  });

  it('takes a filename on documents only', () => {
    rejectedWith('whatsapp', wa({ type: 'image', image: { id: '1', filename: 'a.jpg' } }), [{ path: 'image.filename', message: 'is not an accepted field here' }]);
  });

  it('refuses a filename with a path', () => {
    rejectedWith('whatsapp', wa({ type: 'document', document: { id: '1', filename: '../etc/passwd' } }), [
      { path: 'document.filename', message: 'must be a file name without path separators or control characters' },
    ]);
  });

  it(`limits captions to ${WHATSAPP_LIMITS.caption} characters`, () => {
    accepted('whatsapp', wa({ type: 'image', image: { id: '1', caption: 'c'.repeat(1024) } }));
    rejectedWith('whatsapp', wa({ type: 'image', image: { id: '1', caption: 'c'.repeat(1025) } }), [{ path: 'image.caption', message: 'must be at most 1024 characters' }]);
  });
});

describe('WhatsApp outbound schema: location and contacts', () => {
  it('keeps latitude within ±90 and longitude within ±180', () => {
    accepted('whatsapp', wa({ type: 'location', location: { latitude: -90, longitude: 180 } }));
    rejectedWith('whatsapp', wa({ type: 'location', location: { latitude: 90.5, longitude: -180.5 } }), [
      { path: 'location.latitude', message: 'must be between -90 and 90' },
      { path: 'location.longitude', message: 'must be between -180 and 180' },
    ]);
  });

  it('requires numeric coordinates', () => {
    rejectedWith('whatsapp', wa({ type: 'location', location: { latitude: '38.9', longitude: -77 } }), [
      { path: 'location.latitude', message: 'Invalid input: expected number, received string' },
    ]);
  });

  it('requires each contact to have a formatted name', () => {
    rejectedWith('whatsapp', wa({ type: 'contacts', contacts: [{ name: { first_name: 'Ana' } }] }), [
      { path: 'contacts[0].name.formatted_name', message: 'is required' },
    ]);
  });

  it('requires at least one contact', () => {
    rejectedWith('whatsapp', wa({ type: 'contacts', contacts: [] }), [{ path: 'contacts', message: 'must have at least one contact' }]);
  });

  it('checks contact emails and birthdays', () => {
    rejectedWith('whatsapp', wa({ type: 'contacts', contacts: [{ name: { formatted_name: 'Ana' }, emails: [{ email: 'nope' }], birthday: '01/02/1990' }] }), [
      { path: 'contacts[0].emails[0].email', message: 'must be an email address' },
      { path: 'contacts[0].birthday', message: 'must be a date YYYY-MM-DD' },
    ]);
  });
});

describe('WhatsApp outbound schema: templates', () => {
  it('requires a lowercase template name', () => {
    rejectedWith('whatsapp', template({ name: 'Order Update' }), [{ path: 'template.name', message: 'must be lowercase letters, digits and underscores' }]);
  });

  it('requires a language code', () => {
    rejectedWith('whatsapp', template({ language: { code: 'english' } }), [
      { path: 'template.language.code', message: 'must be a template language code such as en, en_US or pt_BR' },
    ]);
    rejectedWith('whatsapp', wa({ type: 'template', template: { name: 'order_update' } }), [{ path: 'template.language', message: 'is required' }]);
  });

  it('requires an ISO 4217 code and an integer amount in currency parameters', () => {
    rejectedWith('whatsapp', template({ components: [{ type: 'body', parameters: [{ type: 'currency', currency: { fallback_value: '$1', code: 'usd', amount_1000: 1.5 } }] }] }), [
      { path: 'template.components[0].parameters[0].currency.code', message: 'must be an ISO 4217 currency code such as USD' },
      { path: 'template.components[0].parameters[0].currency.amount_1000', message: 'must be an integer (amount × 1000)' },
    ]);
  });

  it('gives a quick-reply button exactly one payload parameter', () => {
    rejectedWith('whatsapp', template({ components: [{ type: 'button', sub_type: 'quick_reply', index: 0, parameters: [] }] }), [
      { path: 'template.components[0].parameters', message: 'a quick-reply button takes exactly one payload parameter' },
    ]);
  });

  it('keeps button positions within 0–9 and unique', () => {
    const quickReply = (index: unknown) => ({ type: 'button', sub_type: 'quick_reply', index, parameters: [{ type: 'payload', payload: 'P' }] });
    rejectedWith('whatsapp', template({ components: [quickReply(10)] }), [{ path: 'template.components[0].index', message: 'must be a button position 0–9' }]);
    rejectedWith('whatsapp', template({ components: [quickReply(0), quickReply('0')] }), [{ path: 'template.components[1].index', message: 'duplicate button index "0"' }]);
  });

  it('gives a header exactly one parameter', () => {
    rejectedWith('whatsapp', template({ components: [{ type: 'header', parameters: [{ type: 'text', text: 'a' }, { type: 'text', text: 'b' }] }] }), [
      { path: 'template.components[0].parameters', message: 'a header takes exactly one parameter' },
    ]);
  });

  it('takes header media by exactly one of id or https link', () => {
    rejectedWith('whatsapp', template({ components: [{ type: 'header', parameters: [{ type: 'image', image: { link: 'http://cdn.acme.com/a.jpg' } }] }] }), [
      { path: 'template.components[0].parameters[0].image.link', message: 'must be an absolute https URL' },
    ]);
  });

  it('allows one body component', () => {
    const body = { type: 'body', parameters: [{ type: 'text', text: 'a' }] };
    rejectedWith('whatsapp', template({ components: [body, body] }), [{ path: 'template.components[1]', message: 'only one body component is allowed' }]);
  });

  it('rejects an unknown button sub_type', () => {
    rejectedWith('whatsapp', template({ components: [{ type: 'button', sub_type: 'flow', index: 0, parameters: [] }] }), [
      { path: 'template.components[0].sub_type', message: "Invalid discriminator value. Expected 'quick_reply' | 'url'" },
    ]);
  });
});

describe('WhatsApp outbound schema: interactive (limits ⚠ from memory)', () => {
  it(`allows at most ${WHATSAPP_LIMITS.replyButtons} reply buttons`, () => {
    accepted('whatsapp', buttons([button('a'), button('b'), button('c')]));
    rejectedWith('whatsapp', buttons([button('a'), button('b'), button('c'), button('d')]), [
      { path: 'interactive.action.buttons', message: 'at most 3 reply buttons' },
    ]);
  });

  it('requires at least one reply button', () => {
    rejectedWith('whatsapp', buttons([]), [{ path: 'interactive.action.buttons', message: 'must have at least one button' }]);
  });

  it(`limits a button title to ${WHATSAPP_LIMITS.replyButtonTitle} characters`, () => {
    accepted('whatsapp', buttons([button('a', 't'.repeat(20))]));
    rejectedWith('whatsapp', buttons([button('a', 't'.repeat(21))]), [{ path: 'interactive.action.buttons[0].reply.title', message: 'must be at most 20 characters' }]);
  });

  it('requires distinct button ids and titles', () => {
    rejectedWith('whatsapp', buttons([button('a', 'Yes'), button('a', 'Yes')]), [
      { path: 'interactive.action.buttons[1].reply.id', message: 'duplicate button id "a"' },
      { path: 'interactive.action.buttons[1].reply.title', message: 'duplicate button title "Yes"' },
    ]);
  });

  it('takes interactive header media by uploaded media id or by link, exactly one (WA-HDR)', () => {
    const header = (image: Record<string, string>) =>
      wa({ type: 'interactive', interactive: { type: 'button', header: { type: 'image', image }, body: { text: 'Hi' }, action: { buttons: [button('a')] } } });
    accepted('whatsapp', header({ id: '1203045' }));
    accepted('whatsapp', header({ link: 'https://cdn.acme.com/a.jpg' }));
    rejectedWith('whatsapp', header({ id: '1203045', link: 'https://cdn.acme.com/a.jpg' }), [{ path: 'interactive.header.image', message: 'must have either id or link, not both' }]);
  });

  it(`allows at most ${WHATSAPP_LIMITS.listRows} list rows across all sections`, () => {
    accepted('whatsapp', list([{ title: 'A', rows: rows(5, 'a') }, { title: 'B', rows: rows(5, 'b') }]));
    rejectedWith('whatsapp', list([{ title: 'A', rows: rows(6, 'a') }, { title: 'B', rows: rows(5, 'b') }]), [
      { path: 'interactive.action.sections', message: 'at most 10 rows in total across sections (got 11)' },
    ]);
  });

  it(`limits a row title to ${WHATSAPP_LIMITS.listRowTitle} characters`, () => {
    accepted('whatsapp', list([{ rows: [{ id: 'r', title: 't'.repeat(24) }] }]));
    rejectedWith('whatsapp', list([{ rows: [{ id: 'r', title: 't'.repeat(25) }] }]), [
      { path: 'interactive.action.sections[0].rows[0].title', message: 'must be at most 24 characters' },
    ]);
  });

  it('limits a row description to 72 characters', () => {
    rejectedWith('whatsapp', list([{ rows: [{ id: 'r', title: 't', description: 'd'.repeat(73) }] }]), [
      { path: 'interactive.action.sections[0].rows[0].description', message: 'must be at most 72 characters' },
    ]);
  });

  it('requires unique row ids across sections', () => {
    rejectedWith('whatsapp', list([{ title: 'A', rows: [{ id: 'x', title: '1' }] }, { title: 'B', rows: [{ id: 'x', title: '2' }] }]), [
      { path: 'interactive.action.sections[1].rows[0].id', message: 'duplicate row id "x"' },
    ]);
  });

  it('requires section titles once there are several sections', () => {
    rejectedWith('whatsapp', list([{ rows: rows(1, 'a') }, { title: 'B', rows: rows(1, 'b') }]), [
      { path: 'interactive.action.sections[0].title', message: 'is required when the list has more than one section' },
    ]);
  });

  it('takes a text header only on lists', () => {
    const body = wa({
      type: 'interactive',
      interactive: { type: 'list', header: { type: 'image', image: { link: 'https://cdn.acme.com/a.jpg' } }, body: { text: 'Pick' }, action: { button: 'Options', sections: [{ rows: rows(1) }] } },
    });
    rejectedWith('whatsapp', body, [
      { path: 'interactive.header.type', message: 'a list message takes a text header only' },
      { path: 'interactive.header.text', message: 'is required' },
      { path: 'interactive.header.image', message: 'is not an accepted field here' },
    ]);
  });

  it('limits the list button label to 20 characters', () => {
    rejectedWith(
      'whatsapp',
      wa({ type: 'interactive', interactive: { type: 'list', body: { text: 'Pick' }, action: { button: 'b'.repeat(21), sections: [{ rows: rows(1) }] } } }),
      [{ path: 'interactive.action.button', message: 'must be at most 20 characters' }],
    );
  });

  it('requires an https URL and a short display text on CTA buttons', () => {
    const cta = (parameters: unknown) => wa({ type: 'interactive', interactive: { type: 'cta_url', body: { text: 'Go' }, action: { name: 'cta_url', parameters } } });
    rejectedWith('whatsapp', cta({ display_text: 'd'.repeat(21), url: 'http://acme.com' }), [
      { path: 'interactive.action.parameters.display_text', message: 'must be at most 20 characters' },
      { path: 'interactive.action.parameters.url', message: 'must be an absolute https URL' },
    ]);
  });
});

describe('WhatsApp outbound schema: reaction and mark-as-read', () => {
  it('requires a single emoji, or "" to remove', () => {
    for (const emoji of ['👍🏽', '❤️', '🇧🇷', '👨‍👩‍👧‍👦', '1️⃣']) accepted('whatsapp', wa({ type: 'reaction', reaction: { message_id: WAMID, emoji } }));
    for (const emoji of ['ok', '👍 👍', 'a👍']) {
      rejectedWith('whatsapp', wa({ type: 'reaction', reaction: { message_id: WAMID, emoji } }), [
        { path: 'reaction.emoji', message: 'must be a single emoji, or "" to remove the reaction' },
      ]);
    }
  });

  it('requires the wamid of the message reacted to', () => {
    rejectedWith('whatsapp', wa({ type: 'reaction', reaction: { message_id: MID, emoji: '👍' } }), [
      { path: 'reaction.message_id', message: 'must be a WhatsApp message id (wamid.…)' },
    ]);
  });

  it('refuses reply_to on a reaction', () => {
    rejectedWith('whatsapp', wa({ type: 'reaction', reaction: { message_id: WAMID, emoji: '👍' }, reply_to: { message_id: WAMID } }), [
      { path: 'reply_to', message: 'is not an accepted field here' },
    ]);
  });

  it('requires the message id to mark as read', () => {
    rejectedWith('whatsapp', { client_message_id: 'read-1', type: 'read' }, [{ path: 'message_id', message: 'is required' }]);
  });

  it('takes only the text typing indicator', () => {
    rejectedWith('whatsapp', { client_message_id: 'read-1', type: 'read', message_id: WAMID, typing_indicator: { type: 'audio' } }, [
      { path: 'typing_indicator.type', message: 'Invalid input: expected "text"' },
    ]);
  });
});

describe('Instagram outbound schema: every type has a minimal valid body', () => {
  const minimal: Array<[string, Record<string, unknown>]> = [
    ['text', ig({ type: 'text', text: { body: 'Hola 👋' } })],
    ['text with the HUMAN_AGENT tag', ig({ type: 'text', text: { body: 'Following up' }, tag: 'HUMAN_AGENT' })],
    ...(['image', 'audio', 'video', 'file'] as const).map((type): [string, Record<string, unknown>] => [
      `${type} attachment`,
      ig({ type: 'attachment', attachment: { type, url: `https://cdn.acme.com/x.${type}` } }),
    ]),
    ['attachment with the HUMAN_AGENT tag', ig({ type: 'attachment', attachment: { type: 'image', url: 'https://cdn.acme.com/a.jpg' }, tag: 'HUMAN_AGENT' })],
    ['reaction', ig({ type: 'reaction', reaction: { message_id: MID, emoji: '❤️' } })],
    ['reaction removal (empty emoji)', ig({ type: 'reaction', reaction: { message_id: MID, emoji: '' } })],
    ['mark seen', ig({ type: 'read' })],
    ['mark seen naming the message', ig({ type: 'read', message_id: MID })],
  ];
  for (const [name, body] of minimal) {
    it(`accepts ${name}`, () => accepted('instagram', body));
  }

  it('returns the typed request tagged with its channel type', () => {
    const body = ig({ type: 'text', text: { body: 'Hola' } });
    assert.deepEqual(parseOutboundRequest('instagram', body), { channelType: 'instagram', request: body });
  });
});

describe('Instagram outbound schema: rules', () => {
  it(`measures text in UTF-8 bytes: ${INSTAGRAM_LIMITS.textBytes} is the limit`, () => {
    accepted('instagram', ig({ type: 'text', text: { body: 'a'.repeat(1000) } }));
    rejectedWith('instagram', ig({ type: 'text', text: { body: 'a'.repeat(1001) } }), [{ path: 'text.body', message: 'must be at most 1000 bytes of UTF-8' }]);
  });

  it('rejects 501 two-byte characters although the string is only 501 long', () => {
    const body = 'é'.repeat(501);
    assert.equal(body.length, 501);
    accepted('instagram', ig({ type: 'text', text: { body: 'é'.repeat(500) } }));
    rejectedWith('instagram', ig({ type: 'text', text: { body } }), [{ path: 'text.body', message: 'must be at most 1000 bytes of UTF-8' }]);
  });

  it('counts a four-byte emoji as four bytes', () => {
    accepted('instagram', ig({ type: 'text', text: { body: '😀'.repeat(250) } }));
    rejectedWith('instagram', ig({ type: 'text', text: { body: '😀'.repeat(250) + 'a' } }), [{ path: 'text.body', message: 'must be at most 1000 bytes of UTF-8' }]);
  });

  it('rejects empty text', () => {
    rejectedWith('instagram', ig({ type: 'text', text: { body: '' } }), [{ path: 'text.body', message: 'must not be empty' }]);
  });

  it('requires an IGSID as recipient', () => {
    rejectedWith('instagram', ig({ to: '+16505551234', type: 'text', text: { body: 'Hi' } }), [{ path: 'to', message: 'must be an Instagram-scoped user id (digits)' }]);
  });

  it('takes image, audio, video or file attachments by https URL', () => {
    rejectedWith('instagram', ig({ type: 'attachment', attachment: { type: 'document', url: 'http://cdn.acme.com/a.pdf' } }), [
      { path: 'attachment.type', message: 'must be one of image, audio, video, file' },
      { path: 'attachment.url', message: 'must be an absolute https URL' },
    ]);
  });

  it('accepts HUMAN_AGENT as the only tag', () => {
    rejectedWith('instagram', ig({ type: 'text', text: { body: 'Hi' }, tag: 'ACCOUNT_UPDATE' }), [
      { path: 'tag', message: 'must be "HUMAN_AGENT", the only tag Instagram accepts' },
    ]);
  });

  it('takes no tag on reactions and mark-seen', () => {
    rejectedWith('instagram', ig({ type: 'read', tag: 'HUMAN_AGENT' }), [{ path: 'tag', message: 'is not an accepted field here' }]);
  });

  it('refuses reply_to', () => {
    rejectedWith('instagram', ig({ type: 'text', text: { body: 'Hi' }, reply_to: { message_id: MID } }), [
      { path: 'reply_to', message: 'is not supported for Instagram channels' },
    ]);
  });

  it('refuses WhatsApp-only types', () => {
    rejectedWith('instagram', ig({ type: 'template', template: { name: 'x', language: { code: 'en' } } }), [
      { path: 'type', message: "Invalid discriminator value. Expected 'text' | 'attachment' | 'reaction' | 'read'" },
    ]);
  });

  it('takes a single emoji, "love", or "" to remove, on reactions', () => {
    accepted('instagram', ig({ type: 'reaction', reaction: { message_id: MID, emoji: 'love' } }));
    rejectedWith('instagram', ig({ type: 'reaction', reaction: { message_id: MID, emoji: 'smile' } }), [
      { path: 'reaction.emoji', message: 'must be a single emoji, "love", or "" to remove the reaction' },
    ]);
  });
});
