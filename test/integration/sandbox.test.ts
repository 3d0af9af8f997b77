import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { createMetaEmulator, type MetaEmulator, type RunningMetaEmulator } from '../../dev/meta-emulator/app.js';
import { SANDBOX_CUSTOMER } from '../../dev/meta-emulator/sandbox.js';
import { connectViaApi, dskApi } from '../support/connect.js';
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

  /** The dev stack's emulator: windows enforced, statuses after every send (dev/start-meta-emulator.ts). */
  async function asInTheDevStack<T>(run: () => Promise<T>): Promise<T> {
    emulator.state.messaging.windowsEnforced = true;
    emulator.state.sendStatusWebhooks = true;
    try {
      return await run();
    } finally {
      await emulator.state.webhooksSettled();
      emulator.state.messaging.windowsEnforced = false;
      emulator.state.sendStatusWebhooks = false;
    }
  }

  async function ageConversation(channel: string, hours: number) {
    const res = await fetch(`${meta.url}/sandbox/conversations/age`, { method: 'POST', body: new URLSearchParams({ channel, hours: String(hours) }), headers: { accept: 'application/json' } });
    assert.equal(res.status, 200, await res.clone().text());
    return (await res.json()) as { last_customer_message_at: string; windows_enforced: boolean };
  }

  const sendAsDsk = (channelId: string, body: Record<string, unknown>) => dskApi(service, instanceId, 'POST', `/v1/channels/${channelId}/messages`, body);

  it('shows a WhatsApp send outside the 24-hour window failing at DSK with our stable code, once, after Meta accepted it', async () => {
    await asInTheDevStack(async () => {
      const grant = emulator.state.configureGrant({ flow: 'whatsapp_embedded_signup', assets: [{ phoneNumbers: [{}] }] });
      const phoneNumberId = grant.phoneNumberIds[0]!;
      const connected = await connectViaApi(service, instanceId, 'whatsapp');
      const channelId = connected.channelId!;
      await writeAsCustomer({ channel: phoneNumberId, text: 'Hello?' });

      const inside = await sendAsDsk(channelId, { client_message_id: `in-${uniqueMetaId()}`, to: `+${SANDBOX_CUSTOMER.waId}`, type: 'text', text: { body: 'Right away!' } });
      assert.equal(inside.status, 200, JSON.stringify(inside.body));
      const insideKey = `wa:status:${String(inside.body.message_id)}:sent`;
      await dsk.waitFor(() => dsk.acceptCount(insideKey) === 1, 30_000, `DSK to receive ${insideKey}`);

      const aged = await ageConversation(phoneNumberId, 25);
      assert.equal(aged.windows_enforced, true);
      const clientMessageId = `late-${uniqueMetaId()}`;
      const outside = await sendAsDsk(channelId, { client_message_id: clientMessageId, to: `+${SANDBOX_CUSTOMER.waId}`, type: 'text', text: { body: 'Still there?' } });
      // WhatsApp takes it (200, a wamid) and reports the failure afterwards.
      assert.equal(outside.status, 200, JSON.stringify(outside.body));
      const wamid = String(outside.body.message_id);
      const key = `wa:status:${wamid}:failed:131047`;
      await dsk.waitFor(() => dsk.acceptCount(key) === 1, 30_000, `DSK to receive ${key}`);
      const event = dsk.accepted.find((d) => d.idempotencyKey === key)!;
      const data = event.body.data as Record<string, unknown>;
      assert.deepEqual([event.body.type, data.status, data.client_message_id], ['message.status', 'failed', clientMessageId]);
      assert.deepEqual(data.error, {
        code: 'outside_customer_window',
        meta_code: 131047,
        reason: 'More than 24 hours have passed since the customer last wrote; only an approved template can be sent now.',
      });

      const read = await dskApi(service, instanceId, 'GET', `/v1/channels/${channelId}/messages/${clientMessageId}`);
      assert.equal(read.body.status, 'failed');
      assert.deepEqual(read.body.error, { code: 'outside_customer_window', meta_code: 131047, meta_subcode: null, reason: 'More than 24 hours have passed since the customer last wrote; only an approved template can be sent now.' });
      const ledger = await service.foundation.pool.query(
        `SELECT state, error->>'code' AS error_code, (error->>'meta_code')::int AS meta_code, failed_late_at IS NOT NULL AS failed_late FROM outbound_sends WHERE instance_id = $1 AND client_message_id = $2`,
        [instanceId, clientMessageId],
      );
      assert.deepEqual(ledger.rows, [{ state: 'failed', error_code: 'outside_customer_window', meta_code: 131047, failed_late: true }]);
      // Told once: the failed status carries client_message_id; no second outcome event for the same failure.
      const aboutThisSend = dsk.accepted.filter((d) => (d.body.data as { client_message_id?: string }).client_message_id === clientMessageId);
      assert.deepEqual(aboutThisSend.map((d) => [d.idempotencyKey.replace(/^out:dsk:[0-9a-f]+:/, 'out:<tag>:'), (d.body.data as { status: string }).status]), [
        ['out:<tag>:accepted', 'accepted'],
        [key, 'failed'],
      ]);
      assert.equal(dsk.replays(key), 0);

      // A template is not bound by the window.
      const template = await sendAsDsk(channelId, { client_message_id: `tpl-${uniqueMetaId()}`, to: `+${SANDBOX_CUSTOMER.waId}`, type: 'template', template: { name: 'hello_world', language: { code: 'en_US' } } });
      assert.equal(template.status, 200, JSON.stringify(template.body));
      const templateKey = `wa:status:${String(template.body.message_id)}:sent`;
      await dsk.waitFor(() => dsk.acceptCount(templateKey) === 1, 30_000, `DSK to receive ${templateKey}`);
    });
  });

  it('refuses an Instagram send outside the 24-hour window with our stable code, unless HUMAN_AGENT within 7 days', async () => {
    await asInTheDevStack(async () => {
      const grant = emulator.state.configureGrant({ flow: 'instagram_facebook_login', assets: [{ instagram: { username: `window_${uniqueMetaId().slice(-6)}` } }] });
      const accountId = grant.instagramAccountIds[0]!;
      const connected = await connectViaApi(service, instanceId, 'instagram', { flow: 'instagram_facebook_login' });
      const channelId = connected.channelId!;
      await writeAsCustomer({ channel: accountId, text: 'Hola' });
      await ageConversation(accountId, 30);
      const refused = await sendAsDsk(channelId, { client_message_id: `ig-late-${uniqueMetaId()}`, to: SANDBOX_CUSTOMER.igsid, type: 'text', text: { body: '¿Sigues ahí?' } });
      assert.equal(refused.status, 502, JSON.stringify(refused.body));
      const error = refused.body.error as { code: string; details: { meta_code: number; meta_subcode: number } };
      assert.deepEqual([error.code, error.details.meta_code, error.details.meta_subcode], ['outside_customer_window', 10, 2534022]);
      const tagged = await sendAsDsk(channelId, { client_message_id: `ig-agent-${uniqueMetaId()}`, to: SANDBOX_CUSTOMER.igsid, type: 'text', text: { body: 'Un agente te responde' }, tag: 'HUMAN_AGENT' });
      assert.equal(tagged.status, 200, JSON.stringify(tagged.body));

      // The customer blocks the account: 551 is its own code, not the window, and no tag helps.
      emulator.state.messaging.blocked.add(`${accountId}:${SANDBOX_CUSTOMER.igsid}`);
      const blocked = await sendAsDsk(channelId, { client_message_id: `ig-blocked-${uniqueMetaId()}`, to: SANDBOX_CUSTOMER.igsid, type: 'text', text: { body: '¿Hola?' }, tag: 'HUMAN_AGENT' });
      assert.equal(blocked.status, 502, JSON.stringify(blocked.body));
      const unavailable = blocked.body.error as { code: string; details: { meta_code: number; meta_subcode: number } };
      assert.deepEqual([unavailable.code, unavailable.details.meta_code, unavailable.details.meta_subcode], ['recipient_unavailable', 551, 1545041]);
    });
  });

  it('refuses a number the app is not subscribed to, and says so on the page', async () => {
    const grant = emulator.state.configureGrant({ flow: 'whatsapp_embedded_signup', assets: [{ phoneNumbers: [{}] }] });
    const res = await fetch(`${meta.url}/sandbox/messages`, { method: 'POST', body: new URLSearchParams({ channel: grant.phoneNumberIds[0]!, text: 'hello?' }), redirect: 'manual' });
    assert.equal(res.status, 400);
    assert.match(await res.text(), /Choose a connected channel/);
  });
});
