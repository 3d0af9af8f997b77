import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { whatsappGraphBody } from '../../src/meta/whatsapp/send-bodies.js';
import { parseOutboundRequest } from '../../src/api/outbound-schema/index.js';
import { type WhatsAppOutboundRequest } from '../../src/shared/outbound-request.js';

const INSTANCE = '3f1d6c2e-8a4b-4c55-9d0e-2b7a1f9e4c10';
const CMID = 'crm-42';
const TO = '+16505551234';
const WAMID = 'wamid.HBgLMTY1MDU1NTEyMzQVAgARGBI5QTNDQTVCM0Q0Q0Q2RTY3RTcA';
/** Computed here, independently of the module: `dsk:` + 32 hex of SHA-256(instance \0 client_message_id). */
const TAG = `dsk:${createHash('sha256').update(`${INSTANCE}\u0000${CMID}`).digest('hex').slice(0, 32)}`;

/** Goes through validation first, as the route will: bodies are built from validated requests only. */
function wa(fields: Record<string, unknown>): WhatsAppOutboundRequest {
  const parsed = parseOutboundRequest('whatsapp', { client_message_id: CMID, to: TO, ...fields });
  assert.equal(parsed.channelType, 'whatsapp');
  return parsed.request as WhatsAppOutboundRequest;
}

/** The envelope every WhatsApp message (not mark-as-read) shares, reference §6.1. */
function envelope(type: string, payload: Record<string, unknown>): Record<string, unknown> {
  return { messaging_product: 'whatsapp', recipient_type: 'individual', to: TO, type, ...payload, biz_opaque_callback_data: TAG };
}

describe('WhatsApp bodies: POST /{phone-number-id}/messages', () => {
  it('text, with link preview and reply context (reference §6.1 example)', () => {
    const body = whatsappGraphBody(wa({ type: 'text', text: { body: 'Hi! https://acme.com', preview_url: true }, reply_to: { message_id: WAMID } }), INSTANCE);
    assert.deepEqual(body, {
      messaging_product: 'whatsapp',
      recipient_type: 'individual',
      to: TO,
      type: 'text',
      text: { body: 'Hi! https://acme.com', preview_url: true },
      context: { message_id: WAMID },
      biz_opaque_callback_data: TAG,
    });
  });

  it('text without options has neither preview_url nor context', () => {
    assert.deepEqual(whatsappGraphBody(wa({ type: 'text', text: { body: 'Hi' } }), INSTANCE), envelope('text', { text: { body: 'Hi' } }));
  });

  it('a BSUID recipient goes in recipient, without to (⚠ vendor docs)', () => {
    assert.deepEqual(whatsappGraphBody(wa({ to: 'US.13491208655302741918', type: 'text', text: { body: 'Hi' } }), INSTANCE), {
      messaging_product: 'whatsapp',
      recipient_type: 'individual',
      recipient: 'US.13491208655302741918',
      type: 'text',
      text: { body: 'Hi' },
      biz_opaque_callback_data: TAG,
    });
  });

  it('image by media id', () => {
    assert.deepEqual(whatsappGraphBody(wa({ type: 'image', image: { id: '1203045' } }), INSTANCE), envelope('image', { image: { id: '1203045' } }));
  });

  it('image by link with caption', () => {
    assert.deepEqual(
      whatsappGraphBody(wa({ type: 'image', image: { link: 'https://cdn.acme.com/a.jpg', caption: 'Our shop' } }), INSTANCE),
      envelope('image', { image: { link: 'https://cdn.acme.com/a.jpg', caption: 'Our shop' } }),
    );
  });

  it('document with filename and caption', () => {
    assert.deepEqual(
      whatsappGraphBody(wa({ type: 'document', document: { link: 'https://acme.com/inv.pdf', filename: 'inv.pdf', caption: 'Invoice' } }), INSTANCE),
      envelope('document', { document: { link: 'https://acme.com/inv.pdf', filename: 'inv.pdf', caption: 'Invoice' } }),
    );
  });

  it('audio, video and sticker', () => {
    assert.deepEqual(whatsappGraphBody(wa({ type: 'audio', audio: { id: '11' } }), INSTANCE), envelope('audio', { audio: { id: '11' } }));
    assert.deepEqual(whatsappGraphBody(wa({ type: 'video', video: { id: '12', caption: 'Tour' } }), INSTANCE), envelope('video', { video: { id: '12', caption: 'Tour' } }));
    assert.deepEqual(whatsappGraphBody(wa({ type: 'sticker', sticker: { id: '13' } }), INSTANCE), envelope('sticker', { sticker: { id: '13' } }));
  });

  it('location', () => {
    const location = { latitude: 38.9, longitude: -77.0, name: 'Shop', address: '1 Main St' };
    assert.deepEqual(whatsappGraphBody(wa({ type: 'location', location }), INSTANCE), envelope('location', { location }));
  });

  it('contacts', () => {
    const contacts = [
      {
        name: { formatted_name: 'Ana Díaz', first_name: 'Ana', last_name: 'Díaz' },
        phones: [{ phone: '+16505550000', type: 'WORK', wa_id: '16505550000' }],
        emails: [{ email: 'ana@acme.com', type: 'WORK' }],
        org: { company: 'Acme' },
        birthday: '1990-05-01',
      },
    ];
    assert.deepEqual(whatsappGraphBody(wa({ type: 'contacts', contacts }), INSTANCE), envelope('contacts', { contacts }));
  });

  it('reaction, and removal with an empty emoji; no context', () => {
    assert.deepEqual(
      whatsappGraphBody(wa({ type: 'reaction', reaction: { message_id: WAMID, emoji: '👍' } }), INSTANCE),
      envelope('reaction', { reaction: { message_id: WAMID, emoji: '👍' } }),
    );
    assert.deepEqual(
      whatsappGraphBody(wa({ type: 'reaction', reaction: { message_id: WAMID, emoji: '' } }), INSTANCE),
      envelope('reaction', { reaction: { message_id: WAMID, emoji: '' } }),
    );
  });

  it('template with body and quick-reply parameters (reference §6.1 example); the button index becomes a string', () => {
    const request = wa({
      type: 'template',
      template: {
        name: 'order_update',
        language: { code: 'en_US' },
        components: [
          { type: 'body', parameters: [{ type: 'text', text: '#1234' }] },
          { type: 'button', sub_type: 'quick_reply', index: 0, parameters: [{ type: 'payload', payload: 'CONFIRM_1234' }] },
        ],
      },
    });
    assert.deepEqual(
      whatsappGraphBody(request, INSTANCE),
      envelope('template', {
        template: {
          name: 'order_update',
          language: { code: 'en_US' },
          components: [
            { type: 'body', parameters: [{ type: 'text', text: '#1234' }] },
            { type: 'button', sub_type: 'quick_reply', index: '0', parameters: [{ type: 'payload', payload: 'CONFIRM_1234' }] },
          ],
        },
      }),
    );
  });

  it('template with media header, currency, date_time and URL button parameters', () => {
    const components = [
      { type: 'header', parameters: [{ type: 'image', image: { link: 'https://cdn.acme.com/h.jpg' } }] },
      {
        type: 'body',
        parameters: [
          { type: 'currency', currency: { fallback_value: '$10.99', code: 'USD', amount_1000: 10990 } },
          { type: 'date_time', date_time: { fallback_value: 'May 1, 2026' } },
        ],
      },
      { type: 'button', sub_type: 'url', index: '1', parameters: [{ type: 'text', text: 'orders/1234' }] },
    ];
    assert.deepEqual(
      whatsappGraphBody(wa({ type: 'template', template: { name: 'receipt', language: { code: 'en' }, components } }), INSTANCE),
      envelope('template', { template: { name: 'receipt', language: { code: 'en' }, components } }),
    );
  });

  it('template without components has no components key', () => {
    assert.deepEqual(
      whatsappGraphBody(wa({ type: 'template', template: { name: 'hello_world', language: { code: 'en_US' } } }), INSTANCE),
      envelope('template', { template: { name: 'hello_world', language: { code: 'en_US' } } }),
    );
  });

  it('interactive reply buttons (reference §6.1 example)', () => {
    const interactive = { type: 'button', body: { text: 'Confirm?' }, action: { buttons: [{ type: 'reply', reply: { id: 'yes', title: 'Yes' } }] } };
    assert.deepEqual(whatsappGraphBody(wa({ type: 'interactive', interactive }), INSTANCE), envelope('interactive', { interactive }));
  });

  it('interactive list (reference §6.1 example)', () => {
    const interactive = {
      type: 'list',
      body: { text: 'Pick' },
      action: { button: 'Options', sections: [{ title: 'S', rows: [{ id: 'r1', title: 'Row', description: 'd' }] }] },
    };
    assert.deepEqual(whatsappGraphBody(wa({ type: 'interactive', interactive }), INSTANCE), envelope('interactive', { interactive }));
  });

  it('interactive CTA URL, with header and footer; action name filled in', () => {
    const request = wa({
      type: 'interactive',
      interactive: {
        type: 'cta_url',
        header: { type: 'text', text: 'Your order' },
        body: { text: 'Track it here' },
        footer: { text: 'Acme' },
        action: { parameters: { display_text: 'Track', url: 'https://acme.com/t/1' } },
      },
    });
    assert.deepEqual(
      whatsappGraphBody(request, INSTANCE),
      envelope('interactive', {
        interactive: {
          type: 'cta_url',
          header: { type: 'text', text: 'Your order' },
          body: { text: 'Track it here' },
          footer: { text: 'Acme' },
          action: { name: 'cta_url', parameters: { display_text: 'Track', url: 'https://acme.com/t/1' } },
        },
      }),
    );
  });

  it('mark as read: no recipient, type or tag', () => {
    const request = parseOutboundRequest('whatsapp', { client_message_id: 'read-1', type: 'read', message_id: WAMID }).request as WhatsAppOutboundRequest;
    assert.deepEqual(whatsappGraphBody(request, INSTANCE), { messaging_product: 'whatsapp', status: 'read', message_id: WAMID });
  });

  it('mark as read with typing indicator (reference §6.1)', () => {
    const request = parseOutboundRequest('whatsapp', { client_message_id: 'read-1', type: 'read', message_id: WAMID, typing_indicator: { type: 'text' } })
      .request as WhatsAppOutboundRequest;
    assert.deepEqual(whatsappGraphBody(request, INSTANCE), { messaging_product: 'whatsapp', status: 'read', message_id: WAMID, typing_indicator: { type: 'text' } });
  });

  it('the tag is derived from ids only: the same for any content', () => {
    const a = whatsappGraphBody(wa({ type: 'text', text: { body: 'first' } }), INSTANCE);
    const b = whatsappGraphBody(wa({ type: 'image', image: { id: '1' } }), INSTANCE);
    assert.equal((a as { biz_opaque_callback_data: string }).biz_opaque_callback_data, TAG);
    assert.equal((b as { biz_opaque_callback_data: string }).biz_opaque_callback_data, TAG);
  });
});
