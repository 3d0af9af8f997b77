import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { TemplateCreateBody } from '../../src/api/template-schema.js';
import { metaTemplateBody } from '../../src/meta/whatsapp/templates-api.js';
import { MetaTemplateRow, toTemplateView, variablesOf } from '../../src/meta/whatsapp/template-shape.js';
import { eventExtrasRequest, withEventExtras } from '../../src/shared/event-extras.js';
import type { InboundEvent } from '../../src/shared/inbound-events.js';
import type { TemplateView } from '../../src/shared/templates.js';
import { checkTemplateSend } from '../../src/templates/check.js';
import { projectRoot } from '../../dev/infra/tools.js';
import { only } from '../support/webhook-split.js';

const ORDER_UPDATE: TemplateView = {
  id: '1',
  name: 'order_update',
  language: 'en_US',
  category: 'UTILITY',
  status: 'APPROVED',
  parameter_format: 'positional',
  components: [
    { type: 'body', text: 'Your order {{1}} has shipped.', parameter_count: 1 },
    { type: 'button', index: 0, sub_type: 'quick_reply', text: 'OK', parameter_count: 0 },
  ],
};

const NAMED: TemplateView = {
  id: '2',
  name: 'greeting',
  language: 'en',
  category: 'MARKETING',
  status: 'APPROVED',
  parameter_format: 'named',
  components: [{ type: 'body', text: 'Hi {{first_name}}', parameter_count: 1, parameter_names: ['first_name'] }],
};

describe('Meta templates normalized for DSK', () => {
  it('counts distinct variables, positional or named, and gives buttons their index', () => {
    assert.deepEqual(variablesOf('{{1}} and {{2}} and {{1}} again'), ['1', '2']);
    assert.deepEqual(variablesOf('Hi {{ first_name }}'), ['first_name']);
    // Meta's JSON as the list parses it: a numeric id becomes a string.
    const view = toTemplateView(MetaTemplateRow.parse({
      id: 77,
      name: 'receipt',
      language: 'en',
      status: 'approved',
      category: 'utility',
      parameter_format: 'NAMED',
      components: [
        { type: 'HEADER', format: 'TEXT', text: 'For {{name}}' },
        { type: 'BODY', text: 'You paid {{amount}} on {{date}}.' },
        { type: 'FOOTER', text: 'Thanks' },
        { type: 'BUTTONS', buttons: [{ type: 'COPY_CODE', text: 'Copy' }, { type: 'URL', text: 'Open', url: 'https://a.example/static' }] },
      ],
    }));
    assert.deepEqual(view, {
      id: '77',
      name: 'receipt',
      language: 'en',
      category: 'UTILITY',
      status: 'APPROVED',
      parameter_format: 'named',
      components: [
        { type: 'header', format: 'text', text: 'For {{name}}', parameter_count: 1, parameter_names: ['name'] },
        { type: 'body', text: 'You paid {{amount}} on {{date}}.', parameter_count: 2, parameter_names: ['amount', 'date'] },
        { type: 'footer', text: 'Thanks', parameter_count: 0 },
        { type: 'button', index: 0, sub_type: 'copy_code', text: 'Copy', parameter_count: 1 },
        { type: 'button', index: 1, sub_type: 'url', text: 'Open', url: 'https://a.example/static', parameter_count: 0 },
      ],
    });
  });

  it('turns a create request into Meta\'s body: upper-case types, examples where Meta wants them', () => {
    const request = TemplateCreateBody.parse({
      name: 'greeting',
      language: 'en',
      category: 'MARKETING',
      parameter_format: 'named',
      components: [{ type: 'body', text: 'Hi {{first_name}}', examples: { first_name: 'Ana' } }, { type: 'buttons', buttons: [{ type: 'copy_code', example: 'SAVE10' }] }],
    });
    assert.deepEqual(metaTemplateBody(request), {
      name: 'greeting',
      language: 'en',
      category: 'MARKETING',
      parameter_format: 'NAMED',
      components: [
        { type: 'BODY', text: 'Hi {{first_name}}', example: { body_text_named_params: [{ param_name: 'first_name', example: 'Ana' }] } },
        { type: 'BUTTONS', buttons: [{ type: 'COPY_CODE', example: 'SAVE10' }] },
      ],
    });
  });

  it('refuses create requests Meta would refuse: no body, variables out of order, examples missing', () => {
    const issues = (body: unknown) => (TemplateCreateBody.safeParse(body).error?.issues ?? []).map((i) => `${i.path.join('.')}: ${i.message}`);
    const base = { name: 'x', language: 'en', category: 'UTILITY' };
    assert.deepEqual(issues({ ...base, components: [{ type: 'footer', text: 'f' }] }), ['components: a template needs a body']);
    assert.deepEqual(issues({ ...base, components: [{ type: 'body', text: 'Hi {{2}}', examples: ['a'] }] }), ['components.0.text: positional variables must be {{1}}, {{2}}, … in order']);
    assert.deepEqual(issues({ ...base, components: [{ type: 'body', text: 'Hi {{1}}' }] }), ['components.0.examples: give one example for each variable: {{1}}']);
    assert.deepEqual(issues({ ...base, parameter_format: 'named', components: [{ type: 'body', text: 'Hi {{1}}', examples: ['a'] }] }), ['components.0.text: a named template uses variables like {{first_name}}']);
  });
});

describe('a template send checked against its template', () => {
  it('accepts a send that fills every variable, with or without a quick-reply payload', () => {
    assert.deepEqual(checkTemplateSend([ORDER_UPDATE], { name: 'order_update', language: { code: 'en_US' }, components: [{ type: 'body', parameters: [{ type: 'text', text: '#1' }] }] }), []);
    assert.deepEqual(
      checkTemplateSend([ORDER_UPDATE], {
        name: 'order_update',
        language: { code: 'en_US' },
        components: [
          { type: 'body', parameters: [{ type: 'text', text: '#1' }] },
          { type: 'button', sub_type: 'quick_reply', index: '0', parameters: [{ type: 'payload', payload: 'P' }] },
        ],
      }),
      [],
    );
  });

  it('names the field for a button the template does not have, or of another kind', () => {
    const send = (index: number, subType: 'url' | 'quick_reply') =>
      checkTemplateSend([ORDER_UPDATE], {
        name: 'order_update',
        language: { code: 'en_US' },
        components: [{ type: 'body', parameters: [{ type: 'text', text: '#1' }] }, subType === 'url' ? { type: 'button', sub_type: 'url', index, parameters: [{ type: 'text', text: 'x' }] } : { type: 'button', sub_type: 'quick_reply', index, parameters: [{ type: 'payload', payload: 'x' }] }],
      });
    assert.deepEqual(send(3, 'quick_reply'), [{ path: 'template.components[1].index', message: 'the template has no button at index 3' }]);
    assert.deepEqual(send(0, 'url'), [{ path: 'template.components[1].index', message: 'button 0 of the template is quick_reply, not url' }]);
  });

  it('wants named parameters for a named template, and positional ones otherwise', () => {
    assert.deepEqual(checkTemplateSend([NAMED], { name: 'greeting', language: { code: 'en' }, components: [{ type: 'body', parameters: [{ type: 'text', text: 'Ana', parameter_name: 'first_name' }] }] }), []);
    assert.deepEqual(checkTemplateSend([NAMED], { name: 'greeting', language: { code: 'en' }, components: [{ type: 'body', parameters: [{ type: 'text', text: 'Ana' }] }] }), [
      { path: 'template.components[0].parameters[0].parameter_name', message: "must name one of the template's parameters: first_name" },
    ]);
    assert.deepEqual(checkTemplateSend([ORDER_UPDATE], { name: 'order_update', language: { code: 'en_US' }, components: [{ type: 'body', parameters: [{ type: 'text', text: '#1', parameter_name: 'order' }] }] }), [
      { path: 'template.components[0].parameters[0].parameter_name', message: 'the template takes positional parameters, not named ones' },
    ]);
  });
});

describe('template webhooks and the inbound extras step', () => {
  const fixture = (name: string) => JSON.parse(readFileSync(path.join(projectRoot(), 'test/fixtures/meta-real/whatsapp', name), 'utf8')) as unknown;
  const route = { channelId: 'ch-1', instanceId: 'inst-1', channelType: 'whatsapp' as const, externalId: '106540352242922' };

  it('projects template_category_update as a template.status CATEGORY_UPDATE and asks the catalog to apply it', () => {
    const event = only(fixture('template-category-update.json'));
    assert.equal(event.kind, 'template.status');
    assert.deepEqual(event.data, { event: 'CATEGORY_UPDATE', update: 'category', template_id: '12345678', template_name: 'my_message_template', language: 'he', category: 'MARKETING', new_category: 'MARKETING' });
    assert.deepEqual(eventExtrasRequest(event, route, '2026-07-29T08:03:12.000Z')?.template, { wabaId: '57438975935', templateId: '12345678', name: 'my_message_template', language: 'he', category: 'MARKETING' });
  });

  it('asks for nothing for a WhatsApp text, and folds media URLs and the profile into a message', () => {
    const text: InboundEvent = { key: 'wa:msg:1', kind: 'message.received', channelType: 'whatsapp', businessId: 'x', occurredAt: 't', receivedAt: 't', data: { sender: { id: '1' }, message: { id: 'm', type: 'text', text: 'hi' } }, raw: {} };
    assert.equal(eventExtrasRequest(text, route, 't'), undefined);
    const image: InboundEvent = {
      ...text,
      key: 'ig:msg:2',
      channelType: 'instagram',
      data: { sender: { id: '684' }, message: { id: 'm2', type: 'image', attachments: [{ type: 'image', url: 'https://cdn/1' }, { type: 'share', url: 'https://instagram/p/1' }] } },
    };
    const igRoute = { ...route, channelType: 'instagram' as const };
    assert.deepEqual(eventExtrasRequest(image, igRoute, 't'), { key: 'ig:msg:2', channelId: 'ch-1', instanceId: 'inst-1', channelType: 'instagram', receivedAt: 't', senderId: '684', media: [{ index: 0, url: 'https://cdn/1' }] });
    const merged = withEventExtras(image, { sender: { name: 'Ana', username: 'ana' }, media: [{ index: 0, service_url: 'https://svc/media/ig1' }] });
    assert.deepEqual(merged.data, {
      sender: { id: '684', name: 'Ana', username: 'ana' },
      message: { id: 'm2', type: 'image', attachments: [{ type: 'image', url: 'https://cdn/1', service_url: 'https://svc/media/ig1' }, { type: 'share', url: 'https://instagram/p/1' }] },
    });
  });
});
