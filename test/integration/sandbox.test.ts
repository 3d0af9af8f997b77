import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { createMetaEmulator, type MetaEmulator, type RunningMetaEmulator } from '../../dev/meta-emulator/app.js';
import { SANDBOX_CUSTOMER } from '../../dev/meta-emulator/sandbox.js';
import { connectViaApi } from '../support/connect.js';
import { startDskFake, type DskFake } from '../support/dsk-fake.js';
import { metaEmulatorEnv } from '../support/meta-env.js';
import { startTestService, uniqueMetaId, type TestService } from '../support/service.js';

/**
 * The sandbox loop of `npm run dev`, end to end: a channel connected through the API and the Meta
 * emulator, a customer writing on the emulator's sandbox page, the signed webhook reaching the
 * service, and the message arriving at DSK. Real PostgreSQL and Temporal; Meta and DSK are the fakes.
 */
describe('the sandbox page: a customer writes to a connected channel and DSK receives it', () => {
  let emulator: MetaEmulator;
  let meta: RunningMetaEmulator;
  let service: TestService;
  let dsk: DskFake;
  const instanceId = `inst-sandbox-${uniqueMetaId()}`;

  before(async () => {
    // One secret for webhook signatures and the OAuth client secret, as in the dev stack.
    const metaAppSecret = randomBytes(16).toString('hex');
    emulator = createMetaEmulator({ appSecret: metaAppSecret });
    meta = await emulator.listen();
    service = await startTestService({ env: metaEmulatorEnv(meta, { instagramAppSecret: emulator.state.instagramApp.secret }), metaAppSecret });
    emulator.state.webhookCallbackUrl = `${service.baseUrl}/webhooks/meta`;
    dsk = await startDskFake({ jwks: () => service.foundation.signingKey.publicJwks(), issuer: service.config.serviceJwt.issuer, audience: service.config.serviceJwt.audience });
    await service.foundation.repos.instances.setEventsUrl(instanceId, dsk.url);
  });
  after(async () => {
    await service?.stop();
    await dsk?.close();
    await meta?.close();
  });

  /** Submits the sandbox form like a browser without JavaScript: a form POST, answered with a redirect to the page. */
  async function writeAsCustomer(fields: Record<string, string>) {
    const res = await fetch(`${meta.url}/sandbox/messages`, { method: 'POST', body: new URLSearchParams(fields), redirect: 'manual' });
    assert.equal(res.status, 303, await res.text());
    const page = await fetch(new URL(res.headers.get('location')!, meta.url));
    return { location: res.headers.get('location')!, html: await page.text() };
  }

  it('delivers a WhatsApp text written on the sandbox page to DSK as message.received, exactly once', async () => {
    const grant = emulator.state.configureGrant({ flow: 'whatsapp_embedded_signup', assets: [{ phoneNumbers: [{ verifiedName: 'Sandbox Shop' }] }] });
    const phoneNumberId = grant.phoneNumberIds[0]!;
    const connected = await connectViaApi(service, instanceId, 'whatsapp');
    assert.equal(connected.status, 200, connected.html);
    assert.ok(connected.channelId);

    const before = await (await fetch(`${meta.url}/sandbox`)).text();
    assert.match(before, new RegExp(`<option value="${phoneNumberId}"`), 'the connected number is offered in the form');

    // Non-ASCII and "/" exercise Meta's escaping: the signature covers the escaped bytes.
    const text = 'Olá / ¿lo tienen en azul? 👋';
    const { location, html } = await writeAsCustomer({ channel: phoneNumberId, text, name: 'Ana' });
    assert.match(location, /^\/sandbox\?sent=\d+$/);
    const sent = emulator.state.customerMessages.at(-1)!;
    assert.equal(sent.status, 200, sent.detail);
    assert.match(html, /id="result" data-status="200"/);

    const key = `wa:msg:${sent.messageId}`;
    await dsk.waitFor(() => dsk.acceptCount(key) === 1, 30_000, `DSK to receive ${key}`);
    const event = dsk.accepted.find((d) => d.idempotencyKey === key)!;
    assert.equal(event.instanceId, instanceId);
    assert.equal(event.body.type, 'message.received');
    assert.deepEqual(event.body.channel, { id: connected.channelId, type: 'whatsapp', external_id: phoneNumberId });
    const data = event.body.data as { sender: { wa_id: string; name: string }; message: { id: string; type: string; text: string } };
    assert.deepEqual(data.message, { id: sent.messageId, type: 'text', text });
    assert.equal(data.sender.wa_id, SANDBOX_CUSTOMER.waId);
    assert.equal(data.sender.name, 'Ana');
    assert.equal(dsk.replays(key), 0);
  });

  it('delivers an Instagram (Instagram Login) text signed with the Instagram app secret', async () => {
    const grant = emulator.state.configureGrant({ flow: 'instagram_login', assets: [{ username: `sandbox_${uniqueMetaId().slice(-6)}` }] });
    const accountId = grant.instagramAccountIds[0]!;
    const connected = await connectViaApi(service, instanceId, 'instagram');
    assert.equal(connected.status, 200, connected.html);

    await writeAsCustomer({ channel: accountId, text: 'Me interesa 😀', from: '6841100000000077' });
    const sent = emulator.state.customerMessages.at(-1)!;
    assert.equal(sent.channel.signingApp, 'instagram');
    assert.equal(sent.status, 200, sent.detail);

    const key = `ig:msg:${sent.messageId}`;
    await dsk.waitFor(() => dsk.acceptCount(key) === 1, 30_000, `DSK to receive ${key}`);
    const event = dsk.accepted.find((d) => d.idempotencyKey === key)!;
    assert.equal(event.body.type, 'message.received');
    assert.deepEqual(event.body.channel, { id: connected.channelId, type: 'instagram', external_id: accountId });
    assert.equal((event.body.data as { message: { text: string } }).message.text, 'Me interesa 😀');
  });

  it('lists what the business sent through the Send API on the sandbox page', async () => {
    const grant = emulator.state.configureGrant({ flow: 'whatsapp_embedded_signup', assets: [{ phoneNumbers: [{}] }] });
    const phoneNumberId = grant.phoneNumberIds[0]!;
    const connected = await connectViaApi(service, instanceId, 'whatsapp');
    const { rows } = await service.foundation.pool.query<{ token_ciphertext: string }>(`SELECT token_ciphertext FROM channels WHERE id = $1`, [connected.channelId]);
    const token = service.foundation.vault.decrypt(rows[0]!.token_ciphertext);

    const res = await fetch(`${meta.hosts['graph.facebook.com']}/v26.0/${phoneNumberId}/messages`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ messaging_product: 'whatsapp', to: SANDBOX_CUSTOMER.waId, type: 'text', text: { body: 'Yes, in blue too!' } }),
    });
    const answer = (await res.json()) as { messaging_product: string; contacts: unknown[]; messages: Array<{ id: string }> };
    assert.equal(res.status, 200, JSON.stringify(answer));
    assert.equal(answer.messaging_product, 'whatsapp');
    assert.deepEqual(answer.contacts, [{ input: SANDBOX_CUSTOMER.waId, wa_id: SANDBOX_CUSTOMER.waId }]);
    assert.match(answer.messages[0]!.id, /^wamid\./);

    const page = await (await fetch(`${meta.url}/sandbox`)).text();
    assert.match(page, /<tr class="out">.*business → customer.*Yes, in blue too!/);
  });

  it('refuses a number the app is not subscribed to, and says so on the page', async () => {
    const grant = emulator.state.configureGrant({ flow: 'whatsapp_embedded_signup', assets: [{ phoneNumbers: [{}] }] });
    const res = await fetch(`${meta.url}/sandbox/messages`, { method: 'POST', body: new URLSearchParams({ channel: grant.phoneNumberIds[0]!, text: 'hello?' }), redirect: 'manual' });
    assert.equal(res.status, 400);
    assert.match(await res.text(), /Choose a connected channel/);
  });
});
