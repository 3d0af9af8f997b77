import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { createMetaEmulator, type MetaEmulator, type RunningMetaEmulator } from '../../dev/meta-emulator/app.js';
import { deliverWebhook, instagramTextWebhook, newEmulatorMid, newEmulatorWamid, whatsappTextWebhook } from '../../dev/meta-emulator/webhook-sender.js';
import { connectViaApi, dskApi } from '../support/connect.js';
import { startDskFake, type DskFake } from '../support/dsk-fake.js';
import { metaEmulatorEnv } from '../support/meta-env.js';
import { startTestService, uniqueMetaId, type TestService } from '../support/service.js';

const HOUR = 60 * 60 * 1000;

/**
 * Issue #13 item 2: the service tracks each conversation's customer-service window from inbound
 * events, tells DSK in `message.received`, answers it at `GET /v1/channels/:id/windows/:customer`,
 * and refuses a free-form send outside it with 409 before Meta is called (ENFORCE_CUSTOMER_WINDOW).
 * The emulator enforces the same windows as Meta, so a send the service lets through is one Meta takes.
 */
describe('customer-service windows (Meta emulator with windows, PostgreSQL and Temporal)', () => {
  let emulator: MetaEmulator;
  let meta: RunningMetaEmulator;
  let service: TestService;
  let dsk: DskFake;
  const metaAppSecret = randomBytes(16).toString('hex');
  const instanceId = `inst-win-${uniqueMetaId()}`;
  const otherInstance = `inst-win-other-${uniqueMetaId()}`;
  let wa: { channelId: string; phoneNumberId: string; wabaId: string };
  let ig: { channelId: string; accountId: string };

  before(async () => {
    emulator = createMetaEmulator({ appSecret: metaAppSecret, messagingWindows: true });
    meta = await emulator.listen();
    service = await startTestService({ env: { ...metaEmulatorEnv(meta), ENFORCE_CUSTOMER_WINDOW: 'true' }, metaAppSecret });
    dsk = await startDskFake({ jwks: () => service.foundation.signingKey.publicJwks(), issuer: service.config.serviceJwt.issuer, audience: service.config.serviceJwt.audience });
    await service.foundation.repos.instances.setEventsUrl(instanceId, dsk.url);
    emulator.state.webhookCallbackUrl = `${service.baseUrl}/webhooks/meta`;
    const grant = emulator.state.configureGrant({ flow: 'whatsapp_embedded_signup', assets: [{ phoneNumbers: [{}] }] });
    const waConnected = await connectViaApi(service, instanceId, 'whatsapp');
    const waChannel = await dskApi(service, instanceId, 'GET', `/v1/channels/${waConnected.channelId}`);
    wa = { channelId: waConnected.channelId!, phoneNumberId: grant.phoneNumberIds[0]!, wabaId: String(waChannel.body.waba_id) };
    const igGrant = emulator.state.configureGrant({ flow: 'instagram_facebook_login', assets: [{ instagram: { username: `win_${uniqueMetaId().slice(-6)}` } }] });
    const igConnected = await connectViaApi(service, instanceId, 'instagram');
    ig = { channelId: igConnected.channelId!, accountId: igGrant.instagramAccountIds[0]! };
  });
  after(async () => {
    await service?.stop();
    await dsk?.close();
    await meta?.close();
  });

  /** The customer writes at `at` (Meta's timestamp): the emulator's window opens, and the webhook reaches the service. */
  async function customerWrites(kind: 'whatsapp' | 'instagram', from: string, at: Date): Promise<string> {
    const id = kind === 'whatsapp' ? newEmulatorWamid() : newEmulatorMid();
    const payload =
      kind === 'whatsapp'
        ? whatsappTextWebhook({ wabaId: wa.wabaId, phoneNumberId: wa.phoneNumberId, displayPhoneNumber: '15550100000', from, customerName: 'Ana', text: 'Is it blue?', wamid: id, at })
        : instagramTextWebhook({ accountId: ig.accountId, senderId: from, text: 'Is it blue?', mid: id, at });
    emulator.state.messaging.customerWrote(kind === 'whatsapp' ? wa.phoneNumberId : ig.accountId, from, at);
    const outcome = await deliverWebhook(`${service.baseUrl}/webhooks/meta`, payload, metaAppSecret);
    assert.equal(outcome.status, 200);
    const key = kind === 'whatsapp' ? `wa:msg:${id}` : `ig:msg:${id}`;
    await dsk.waitFor(() => dsk.acceptCount(key) === 1);
    return key;
  }

  const send = (channelId: string, body: Record<string, unknown>) => dskApi(service, instanceId, 'POST', `/v1/channels/${channelId}/messages`, { client_message_id: `cm-${randomUUID()}`, ...body });
  const windowOf = (channelId: string, customer: string, as = instanceId) => dskApi(service, as, 'GET', `/v1/channels/${channelId}/windows/${encodeURIComponent(customer)}`);
  const sentTo = (externalId: string) => emulator.state.businessMessages.filter((m) => m.channelId === externalId).length;
  const waCustomer = () => `1650${String(Math.floor(Math.random() * 1e7)).padStart(7, '0')}`;

  it('refuses a free-form WhatsApp send to a customer who never wrote with 409 outside_customer_window, and Meta is never called', async () => {
    const before = sentTo(wa.phoneNumberId);
    const res = await send(wa.channelId, { to: `+${waCustomer()}`, type: 'text', text: { body: 'Hello' } });
    assert.equal(res.status, 409);
    const error = res.body.error as { code: string; details: Record<string, unknown> };
    assert.equal(error.code, 'outside_customer_window');
    assert.equal(error.details.window_expires_at, null);
    assert.equal(sentTo(wa.phoneNumberId), before);
  });

  it('opens the window with the customer\'s message: message.received carries window_expires_at, the read endpoint answers it, and the send goes out', async () => {
    const customer = waCustomer();
    const at = new Date(Math.floor(Date.now() / 1000) * 1000 - 2 * HOUR);
    const key = await customerWrites('whatsapp', customer, at);
    const event = dsk.accepted.find((d) => d.idempotencyKey === key)!;
    const expires = new Date(at.getTime() + 24 * HOUR).toISOString();
    assert.equal((event.body.data as Record<string, unknown>).window_expires_at, expires);
    assert.equal((event.body.data as Record<string, unknown>).human_agent_window_expires_at, undefined);

    // Any spelling of the number names the same conversation.
    const read = await windowOf(wa.channelId, `+${customer.slice(0, 1)} ${customer.slice(1, 4)} ${customer.slice(4)}`);
    assert.equal(read.status, 200);
    assert.deepEqual(read.body, { channel_id: wa.channelId, open: true, expires_at: expires });

    const sent = await send(wa.channelId, { to: `+${customer}`, type: 'text', text: { body: 'Yes, in blue' } });
    assert.equal(sent.status, 200, JSON.stringify(sent.body));
    assert.equal(sent.body.status, 'accepted');
  });

  it('refuses a free-form send once 24 hours have passed since the customer\'s last message; a template still goes', async () => {
    const customer = waCustomer();
    const at = new Date(Math.floor(Date.now() / 1000) * 1000 - 25 * HOUR);
    await customerWrites('whatsapp', customer, at);
    // The record expires with the window: once closed, the service no longer knows when the customer wrote.
    const closed = null;
    assert.deepEqual((await windowOf(wa.channelId, customer)).body, { channel_id: wa.channelId, open: false, expires_at: closed });

    const before = sentTo(wa.phoneNumberId);
    const refused = await send(wa.channelId, { to: customer, type: 'text', text: { body: 'Still there?' } });
    assert.equal(refused.status, 409);
    assert.deepEqual((refused.body.error as { details: unknown }).details, { client_message_id: (refused.body.error as { details: { client_message_id: string } }).details.client_message_id, window_expires_at: closed });
    assert.equal(sentTo(wa.phoneNumberId), before, 'Meta was not called');

    const template = await send(wa.channelId, { to: customer, type: 'template', template: { name: 'hello_world', language: { code: 'en_US' } } });
    assert.equal(template.status, 200, JSON.stringify(template.body));
    assert.equal(sentTo(wa.phoneNumberId), before + 1);
  });

  it('keeps an older message arriving late from shortening the window', async () => {
    const customer = waCustomer();
    const recent = new Date(Math.floor(Date.now() / 1000) * 1000 - HOUR);
    await customerWrites('whatsapp', customer, recent);
    await customerWrites('whatsapp', customer, new Date(recent.getTime() - 30 * HOUR));
    assert.deepEqual((await windowOf(wa.channelId, customer)).body, { channel_id: wa.channelId, open: true, expires_at: new Date(recent.getTime() + 24 * HOUR).toISOString() });
  });

  it('Instagram: after 24 hours only a HUMAN_AGENT reply goes, for up to 7 days', async () => {
    const customer = `68411${uniqueMetaId().slice(-11)}`;
    const at = new Date(Date.now() - 2 * 24 * HOUR);
    const key = await customerWrites('instagram', customer, at);
    const data = dsk.accepted.find((d) => d.idempotencyKey === key)!.body.data as Record<string, unknown>;
    assert.equal(data.window_expires_at, new Date(at.getTime() + 24 * HOUR).toISOString());
    assert.equal(data.human_agent_window_expires_at, new Date(at.getTime() + 7 * 24 * HOUR).toISOString());
    assert.deepEqual((await windowOf(ig.channelId, customer)).body, {
      channel_id: ig.channelId,
      open: false,
      expires_at: new Date(at.getTime() + 24 * HOUR).toISOString(),
      human_agent: { open: true, expires_at: new Date(at.getTime() + 7 * 24 * HOUR).toISOString() },
    });

    const before = sentTo(ig.accountId);
    const untagged = await send(ig.channelId, { to: customer, type: 'text', text: { body: 'Following up' } });
    assert.equal(untagged.status, 409);
    const error = untagged.body.error as { code: string; details: Record<string, unknown> };
    assert.equal(error.code, 'outside_customer_window');
    assert.equal(error.details.human_agent_window_expires_at, new Date(at.getTime() + 7 * 24 * HOUR).toISOString());
    assert.equal(sentTo(ig.accountId), before);

    const tagged = await send(ig.channelId, { to: customer, type: 'text', text: { body: 'Following up' }, tag: 'HUMAN_AGENT' });
    assert.equal(tagged.status, 200, JSON.stringify(tagged.body));
    assert.equal(sentTo(ig.accountId), before + 1);
  });

  it('stores only a keyed hash and times, and the retention purge deletes a conversation once its longest window has passed', async () => {
    const customer = waCustomer();
    await customerWrites('whatsapp', customer, new Date(Math.floor(Date.now() / 1000) * 1000 - 3 * HOUR));
    const { rows } = await service.foundation.pool.query<Record<string, unknown>>('SELECT * FROM customer_windows');
    assert.ok(rows.length > 0);
    for (const row of rows) {
      assert.deepEqual(Object.keys(row).sort(), ['conversation_hash', 'expires_at', 'last_message_at']);
      assert.ok(!JSON.stringify(row).includes(customer), 'no customer id in the table');
    }
    // A conversation whose window has passed (25 hours ago) goes at the next purge; an open one stays.
    const stale = waCustomer();
    await customerWrites('whatsapp', stale, new Date(Math.floor(Date.now() / 1000) * 1000 - 25 * HOUR));
    const expired = async () => (await service.foundation.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM customer_windows WHERE expires_at <= now()')).rows[0]!.n;
    assert.ok((await expired()) >= 1);
    assert.ok((await service.foundation.repos.customerWindows.purgeExpiredBatch(100_000)) >= 1);
    assert.equal(await expired(), 0);
    assert.notEqual(await service.foundation.repos.customerWindows.lastMessageAt(wa.channelId, 'whatsapp', customer, new Date()), undefined);
  });

  it("answers another instance's channel as not found", async () => {
    const res = await windowOf(wa.channelId, '16505551234', otherInstance);
    assert.equal(res.status, 404);
    assert.equal((res.body.error as { code: string }).code, 'channel_not_found');
  });
});
