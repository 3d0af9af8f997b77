import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { createMetaEmulator, type MetaEmulator, type RunningMetaEmulator } from '../../dev/meta-emulator/app.js';
import { signedDelivery } from '../../dev/meta-emulator/webhook-sender.js';
import type { TemplateView } from '../../src/shared/templates.js';
import { connectViaApi, dskApi } from '../support/connect.js';
import { startDskFake, type DskFake } from '../support/dsk-fake.js';
import { metaEmulatorEnv } from '../support/meta-env.js';
import { seedChannel, startTestService, uniqueMetaId, type TestService } from '../support/service.js';

const CUSTOMER = '+16505551234';

/**
 * Message templates end to end (issue #13): the catalog read from the emulator's WABA when a channel
 * connects, listed with parameter counts, created at Meta (reviewed asynchronously, the status
 * webhook updating the catalog), deleted, and template sends refused with a field-level 422 before
 * Meta is called. Real API, worker, PostgreSQL and Temporal; Meta and DSK are the fakes.
 */
describe('message templates (Meta emulator, PostgreSQL and Temporal)', () => {
  let emulator: MetaEmulator;
  let meta: RunningMetaEmulator;
  let service: TestService;
  let dsk: DskFake;
  const metaAppSecret = randomBytes(16).toString('hex');
  const instanceId = `inst-tpl-${uniqueMetaId()}`;

  before(async () => {
    emulator = createMetaEmulator({ appSecret: metaAppSecret });
    meta = await emulator.listen();
    // Token checks (and with them the template sync) every 2 s, so the periodic sync is seen in a test.
    service = await startTestService({ env: metaEmulatorEnv(meta), metaAppSecret, connectionTiming: { checkEveryMs: 2_000 } });
    dsk = await startDskFake({ jwks: () => service.foundation.signingKey.publicJwks(), issuer: service.config.serviceJwt.issuer, audience: service.config.serviceJwt.audience });
    await service.foundation.repos.instances.setEventsUrl(instanceId, dsk.url);
    emulator.state.webhookCallbackUrl = `${service.baseUrl}/webhooks/meta`;
  });
  after(async () => {
    await service?.stop();
    await dsk?.close();
    await meta?.close();
  });

  async function whatsappChannel() {
    const grant = emulator.state.configureGrant({ flow: 'whatsapp_embedded_signup', assets: [{ phoneNumbers: [{}] }] });
    const { channelId } = await connectViaApi(service, instanceId, 'whatsapp');
    assert.ok(channelId, 'the WhatsApp channel connected');
    // The connection workflow reads the templates right after activation, after the connect answer:
    // wait for it, so that no test counts that read as its own.
    const wabaId = grant.wabaIds[0]!;
    await until('the connection to read its templates', async () => emulator.state.requests.some((r) => r.method === 'GET' && r.path === `/v26.0/${wabaId}/message_templates`));
    return { channelId, wabaId, phoneNumberId: grant.phoneNumberIds[0]! };
  }

  const list = async (channelId: string, query = '') => dskApi(service, instanceId, 'GET', `/v1/channels/${channelId}/templates${query}`);
  const templatesOf = async (channelId: string) => ((await list(channelId)).body.templates as TemplateView[]).map((t) => `${t.name}/${t.language}/${t.status}`);
  const send = (channelId: string, template: Record<string, unknown>) =>
    dskApi(service, instanceId, 'POST', `/v1/channels/${channelId}/messages`, { client_message_id: `cm-${randomUUID()}`, to: CUSTOMER, type: 'template', template });
  const sendsAtMeta = (phoneNumberId: string) => emulator.state.requests.filter((r) => r.method === 'POST' && r.path.endsWith(`/${phoneNumberId}/messages`)).length;

  async function until(what: string, predicate: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!(await predicate())) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  it('lists the WABA\'s templates, read from Meta when the channel connected, with each component\'s parameter count', async () => {
    const { channelId, wabaId } = await whatsappChannel();
    await until('the connection workflow to sync the templates', async () => (await service.foundation.repos.messageTemplates.syncedAt(wabaId)) !== null);
    const listed = await list(channelId);
    assert.equal(listed.status, 200);
    assert.equal(listed.body.next_cursor, null);
    const receipt = (listed.body.templates as TemplateView[]).find((t) => t.name === 'receipt')!;
    assert.deepEqual(
      { ...receipt, id: 'x' },
      {
        id: 'x',
        name: 'receipt',
        language: 'en',
        category: 'UTILITY',
        status: 'APPROVED',
        parameter_format: 'positional',
        components: [
          { type: 'header', format: 'image', parameter_count: 1 },
          { type: 'body', text: 'You paid {{1}} on {{2}}.', parameter_count: 2 },
          { type: 'button', index: 0, sub_type: 'phone_number', text: 'Call us', phone_number: '+15550100', parameter_count: 0 },
          { type: 'button', index: 1, sub_type: 'url', text: 'Your order', url: 'https://acme.example/{{1}}', parameter_count: 1 },
        ],
      },
    );
    assert.deepEqual(await templatesOf(channelId), ['hello_world/en_US/APPROVED', 'order_update/en_US/APPROVED', 'receipt/en/APPROVED']);
  });

  it('pages with a cursor and filters by status and name', async () => {
    const { channelId } = await whatsappChannel();
    const first = await list(channelId, '?limit=2');
    assert.deepEqual((first.body.templates as TemplateView[]).map((t) => t.name), ['hello_world', 'order_update']);
    assert.equal(typeof first.body.next_cursor, 'string');
    const second = await list(channelId, `?limit=2&after=${String(first.body.next_cursor)}`);
    assert.deepEqual((second.body.templates as TemplateView[]).map((t) => t.name), ['receipt']);
    assert.equal(second.body.next_cursor, null);
    assert.deepEqual(((await list(channelId, '?name=order_update')).body.templates as TemplateView[]).map((t) => t.language), ['en_US']);
    assert.deepEqual((await list(channelId, '?status=PENDING')).body.templates, []);
    const bad = await list(channelId, '?after=not-a-cursor');
    assert.equal(bad.status, 422);
    assert.deepEqual((bad.body.error as { details: unknown }).details, [{ path: 'after', message: 'must be a next_cursor from a previous page' }]);
  });

  it('reads a WABA never synced from Meta on the first list, once', async () => {
    const grant = emulator.state.configureGrant({ flow: 'whatsapp_embedded_signup', assets: [{ phoneNumbers: [{}] }] });
    const token = emulator.state.issueToken({ kind: 'business_integration', assets: [grant.wabaIds[0]!, grant.phoneNumberIds[0]!] });
    const channelId = await seedChannel(service, { instanceId, channelType: 'whatsapp', externalId: grant.phoneNumberIds[0]!, wabaId: grant.wabaIds[0]!, eventsUrl: dsk.url, token });
    const reads = () => emulator.state.requests.filter((r) => r.method === 'GET' && r.path === `/v26.0/${grant.wabaIds[0]}/message_templates`).length;
    assert.equal(reads(), 0);
    assert.equal((await templatesOf(channelId)).length, 3);
    assert.equal((await templatesOf(channelId)).length, 3);
    assert.equal(reads(), 1);
  });

  it('creates a template at Meta as PENDING; Meta\'s review webhook makes it APPROVED here and reaches DSK', async () => {
    const { channelId, wabaId } = await whatsappChannel();
    const body = {
      name: 'order_shipped',
      language: 'en_US',
      category: 'UTILITY',
      components: [
        { type: 'body', text: 'Hi {{1}}, your order {{2}} is on its way.', examples: ['Ana', '#1234'] },
        { type: 'buttons', buttons: [{ type: 'url', text: 'Track', url: 'https://acme.example/track/{{1}}', example: 'https://acme.example/track/1234' }] },
      ],
    };
    const created = await dskApi(service, instanceId, 'POST', `/v1/channels/${channelId}/templates`, body);
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.equal(created.body.status, 'PENDING');
    assert.deepEqual(created.body.components, [
      { type: 'body', text: 'Hi {{1}}, your order {{2}} is on its way.', parameter_count: 2 },
      { type: 'button', index: 0, sub_type: 'url', text: 'Track', url: 'https://acme.example/track/{{1}}', parameter_count: 1 },
    ]);
    const atMeta = [...emulator.state.catalog.templatesOf(wabaId).values()].find((t) => t.name === 'order_shipped')!;
    assert.deepEqual(atMeta.components, [
      { type: 'BODY', text: 'Hi {{1}}, your order {{2}} is on its way.', example: { body_text: [['Ana', '#1234']] } },
      { type: 'BUTTONS', buttons: [{ type: 'URL', text: 'Track', url: 'https://acme.example/track/{{1}}', example: ['https://acme.example/track/1234'] }] },
    ]);

    await until('the review webhook to approve the template', async () => (await templatesOf(channelId)).includes('order_shipped/en_US/APPROVED'));
    // This template's approval, by its id: DSK's fake is shared by the file's tests, and another WABA's
    // template of the same name may have been approved before.
    const isApproval = (d: (typeof dsk.accepted)[number]) => d.body.type === 'template.status' && (d.body.data as { template_id?: string }).template_id === created.body.id;
    await dsk.waitFor(() => dsk.accepted.some(isApproval), 20_000, 'template.status');
    const event = dsk.accepted.find(isApproval)!;
    assert.deepEqual(event.body.data, { event: 'APPROVED', update: 'status', template_id: created.body.id, template_name: 'order_shipped', language: 'en_US', reason: 'NONE', category: 'UTILITY' });

    const again = await dskApi(service, instanceId, 'POST', `/v1/channels/${channelId}/templates`, body);
    assert.equal(again.status, 502);
    assert.deepEqual(again.body.error, {
      code: 'bad_request',
      message: 'Meta refused the request as invalid',
      details: { meta_code: 100, meta_subcode: 2388024, reason: 'Meta rejected a parameter of the request as invalid.', retryable: false },
    });
  });

  it('refuses a template body whose variables and examples disagree, before Meta is called', async () => {
    const { channelId } = await whatsappChannel();
    const since = emulator.state.requests.length;
    const refused = await dskApi(service, instanceId, 'POST', `/v1/channels/${channelId}/templates`, {
      name: 'bad_one',
      language: 'en',
      category: 'MARKETING',
      components: [{ type: 'body', text: 'Hi {{1}} and {{2}}', examples: ['Ana'] }],
    });
    assert.equal(refused.status, 422);
    assert.deepEqual((refused.body.error as { details: unknown }).details, [{ path: 'components[0].examples', message: 'give one example for each variable: {{1}}, {{2}}' }]);
    // No creation reached Meta (the connection workflow may read the catalog meanwhile: GETs are not counted).
    assert.equal(emulator.state.requests.slice(since).filter((r) => r.method === 'POST' && r.path.endsWith('/message_templates')).length, 0);
  });

  it('deletes every language of a template at Meta and here', async () => {
    const { channelId, wabaId } = await whatsappChannel();
    await templatesOf(channelId);
    const deleted = await dskApi(service, instanceId, 'DELETE', `/v1/channels/${channelId}/templates/order_update`);
    assert.deepEqual([deleted.status, deleted.body], [200, { name: 'order_update', template_id: null, deleted: 1 }]);
    assert.equal([...emulator.state.catalog.templatesOf(wabaId).values()].some((t) => t.name === 'order_update'), false);
    assert.deepEqual(await templatesOf(channelId), ['hello_world/en_US/APPROVED', 'receipt/en/APPROVED']);
    const missing = await dskApi(service, instanceId, 'DELETE', `/v1/channels/${channelId}/templates/order_update`);
    assert.equal(missing.status, 502);
    assert.equal((missing.body.error as { code: string }).code, 'bad_request');
  });

  describe('template sends are checked before Meta is called', () => {
    it('refuses a template the WABA does not have, with the field path', async () => {
      const { channelId, phoneNumberId } = await whatsappChannel();
      const before = sendsAtMeta(phoneNumberId);
      const answer = await send(channelId, { name: 'no_such_template', language: { code: 'en_US' } });
      assert.equal(answer.status, 422);
      assert.deepEqual(answer.body.error, {
        code: 'validation_failed',
        message: 'The template send does not match the template',
        details: [{ path: 'template.name', message: 'no template named no_such_template on this WhatsApp Business account' }],
      });
      assert.equal(sendsAtMeta(phoneNumberId), before);
    });

    it('refuses a language the template does not have', async () => {
      const { channelId } = await whatsappChannel();
      const answer = await send(channelId, { name: 'order_update', language: { code: 'pt_BR' }, components: [{ type: 'body', parameters: [{ type: 'text', text: '#1' }] }] });
      assert.deepEqual((answer.body.error as { details: unknown }).details, [{ path: 'template.language.code', message: 'template order_update has no pt_BR version (it has: en_US)' }]);
    });

    it('refuses a wrong number of parameters, per component', async () => {
      const { channelId, phoneNumberId } = await whatsappChannel();
      const before = sendsAtMeta(phoneNumberId);
      const tooMany = await send(channelId, {
        name: 'order_update',
        language: { code: 'en_US' },
        components: [{ type: 'body', parameters: [{ type: 'text', text: '#1' }, { type: 'text', text: 'extra' }] }],
      });
      assert.equal(tooMany.status, 422);
      assert.deepEqual((tooMany.body.error as { details: unknown }).details, [{ path: 'template.components[0].parameters', message: "the template's body takes 1 parameter, 2 given" }]);
      const none = await send(channelId, { name: 'receipt', language: { code: 'en' } });
      assert.deepEqual((none.body.error as { details: unknown }).details, [
        { path: 'template.components', message: "the template's header takes 1 parameter; none given" },
        { path: 'template.components', message: "the template's body takes 2 parameters; none given" },
        { path: 'template.components', message: "the template's button 1 (url) takes 1 parameter; none given" },
      ]);
      const wrongHeader = await send(channelId, {
        name: 'receipt',
        language: { code: 'en' },
        components: [
          { type: 'header', parameters: [{ type: 'text', text: 'not an image' }] },
          { type: 'body', parameters: [{ type: 'text', text: '$1' }, { type: 'text', text: 'today' }] },
          { type: 'button', sub_type: 'url', index: 1, parameters: [{ type: 'text', text: '1234' }] },
        ],
      });
      assert.deepEqual((wrongHeader.body.error as { details: unknown }).details, [{ path: 'template.components[0].parameters[0].type', message: "the template's header is image: give a parameter of type image" }]);
      assert.equal(sendsAtMeta(phoneNumberId), before);
    });

    it('refuses a template that is not approved yet', async () => {
      const { channelId, wabaId } = await whatsappChannel();
      emulator.state.catalog.reviewDelayMs = null;
      try {
        const created = await dskApi(service, instanceId, 'POST', `/v1/channels/${channelId}/templates`, { name: 'spring_sale', language: 'en', category: 'MARKETING', components: [{ type: 'body', text: 'Spring sale!' }] });
        assert.equal(created.status, 201);
        const answer = await send(channelId, { name: 'spring_sale', language: { code: 'en' } });
        assert.deepEqual((answer.body.error as { details: unknown }).details, [{ path: 'template.name', message: 'template spring_sale (en) is PENDING; only APPROVED templates can be sent' }]);
        await emulator.state.catalog.review(wabaId, String(created.body.id), 'APPROVED');
        await until('the approval to arrive', async () => (await templatesOf(channelId)).includes('spring_sale/en/APPROVED'));
        assert.equal((await send(channelId, { name: 'spring_sale', language: { code: 'en' } })).status, 200);
      } finally {
        emulator.state.catalog.reviewDelayMs = 50;
      }
    });

    it('lets a matching template send through to Meta', async () => {
      const { channelId, phoneNumberId } = await whatsappChannel();
      const before = sendsAtMeta(phoneNumberId);
      const answer = await send(channelId, {
        name: 'order_update',
        language: { code: 'en_US' },
        components: [
          { type: 'body', parameters: [{ type: 'text', text: '#1234' }] },
          { type: 'button', sub_type: 'quick_reply', index: 0, parameters: [{ type: 'payload', payload: 'OK' }] },
        ],
      });
      assert.equal(answer.status, 200, JSON.stringify(answer.body));
      assert.equal(sendsAtMeta(phoneNumberId), before + 1);
      const page = await (await fetch(`${meta.url}/sandbox`)).text();
      assert.match(page, /business → customer.*<em>template<\/em> <code>order_update<\/code> \(en_US\): #1234/, 'the sandbox page shows the template send');
    });
  });

  it('keeps the catalog current without a list: the connection workflow re-reads it at each token check', async () => {
    const { channelId, wabaId } = await whatsappChannel();
    await until('the first sync', async () => (await service.foundation.repos.messageTemplates.syncedAt(wabaId)) !== null);
    emulator.state.catalog.addTemplate(wabaId, { name: 'made_in_manager', language: 'de', category: 'UTILITY', status: 'APPROVED', parameterFormat: 'POSITIONAL', components: [{ type: 'BODY', text: 'Hallo' }] });
    await until('the periodic sync', async () => (await service.foundation.repos.messageTemplates.byName(wabaId, 'made_in_manager')).length === 1);
    assert.ok((await templatesOf(channelId)).includes('made_in_manager/de/APPROVED'));
  });

  it('applies template_category_update webhooks to the catalog', async () => {
    const { channelId, wabaId } = await whatsappChannel();
    const [order] = (await list(channelId, '?name=order_update')).body.templates as TemplateView[];
    const payload = {
      object: 'whatsapp_business_account',
      entry: [{ id: wabaId, time: Math.floor(Date.now() / 1000), changes: [{ field: 'template_category_update', value: { message_template_id: Number(order!.id), message_template_name: 'order_update', message_template_language: 'en_US', previous_category: 'UTILITY', new_category: 'MARKETING' } }] }],
    };
    const { body, headers } = signedDelivery(payload, metaAppSecret);
    const res = await fetch(`${service.baseUrl}/webhooks/meta`, { method: 'POST', headers, body });
    assert.equal(res.status, 200);
    await until('the category to change', async () => ((await list(channelId, '?name=order_update')).body.templates as TemplateView[])[0]!.category === 'MARKETING');
  });

  it('answers 409 unsupported_channel_type for an Instagram channel', async () => {
    const token = emulator.state.issueToken({ kind: 'instagram' });
    const channelId = await seedChannel(service, { instanceId, channelType: 'instagram', externalId: `1784${uniqueMetaId().slice(-13)}`, eventsUrl: null, token });
    const answer = await list(channelId);
    assert.deepEqual([answer.status, (answer.body.error as { code: string }).code], [409, 'unsupported_channel_type']);
  });
});
