import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, beforeEach, describe, it } from 'node:test';
import { createMetaEmulator, type MetaEmulator, type RunningMetaEmulator } from '../../dev/meta-emulator/app.js';
import { metaWebhookProblems } from '../../dev/meta-emulator/rules/webhook-shapes.js';
import { emitBusinessAppEcho, emitHistoryChunk } from '../../dev/meta-emulator/send-webhooks.js';
import { splitWebhook } from '../../src/meta/webhook/split.js';
import type { InboundEvent } from '../../src/shared/inbound-events.js';

/**
 * What the emulator makes observable about Meta beyond single requests (issue #12, docs/meta-behaviours.md
 * O1–O6): the customer-service windows, the statuses that follow a send, numbers already registered,
 * coexistence echoes and history, and standby threads. Every webhook it sends is a shape Meta sends
 * (rules/webhook-shapes.ts) and one the service's projection understands.
 */

const T0 = Date.parse('2026-09-01T12:00:00.000Z');
const HOUR = 60 * 60 * 1000;
const CUSTOMER = '16505551234';
const IGSID = '6841100000000000';

async function startCallback(): Promise<{ url: string; received: Array<Record<string, unknown>>; close(): Promise<void> }> {
  const received: Array<Record<string, unknown>> = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push(JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>);
      res.writeHead(200).end('EVENT_RECEIVED');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks/meta`,
    received,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

describe('Meta emulator: windows, status sequences, registration, coexistence and standby', () => {
  let emulator: MetaEmulator;
  let running: RunningMetaEmulator;
  let callback: Awaited<ReturnType<typeof startCallback>>;
  let nowMs = T0;
  let phoneNumberId: string;
  let waToken: string;
  let igAccountId: string;
  let igToken: string;

  before(async () => {
    emulator = createMetaEmulator({ clock: () => new Date(nowMs) });
    running = await emulator.listen();
    callback = await startCallback();
  });
  after(async () => {
    await running?.close();
    await callback?.close();
  });
  beforeEach(async () => {
    await emulator.state.webhooksSettled();
    nowMs = T0;
    const { state } = emulator;
    state.reset();
    state.webhookCallbackUrl = callback.url;
    state.sendStatusWebhooks = true;
    state.messaging.windowsEnforced = true;
    callback.received.length = 0;
    const number = [...state.phoneNumbers.values()][0]!;
    number.registered = true;
    phoneNumberId = number.id;
    state.wabas.get(number.wabaId)!.subscriptions.set(state.metaApp.id, {});
    waToken = state.issueToken({ kind: 'business_integration', scopes: ['whatsapp_business_messaging', 'whatsapp_business_management'], assets: [phoneNumberId, number.wabaId] });
    igAccountId = state.grantFor('instagram_login').assetIds[0]!;
    state.instagramAccounts.get(igAccountId)!.loginSubscription = ['messages'];
    igToken = state.issueToken({ kind: 'instagram', scopes: ['instagram_business_manage_messages'], assets: [igAccountId] });
  });

  const waSend = (fields: Record<string, unknown> = {}, version = 'v26.0') =>
    fetch(`${running.url}/${version}/${phoneNumberId}/messages`, {
      method: 'POST',
      headers: { authorization: `Bearer ${waToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ messaging_product: 'whatsapp', to: `+${CUSTOMER}`, type: 'text', text: { body: 'Hi' }, ...fields }),
    });
  const igSend = (fields: Record<string, unknown> = {}) =>
    fetch(`${running.hosts['graph.instagram.com']}/v26.0/me/messages`, {
      method: 'POST',
      headers: { authorization: `Bearer ${igToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ recipient: { id: IGSID }, message: { text: 'Hola' }, ...fields }),
    });
  const errorOf = async (res: Response) => ((await res.json()) as { error: { code: number; error_subcode?: number; type: string } }).error;
  /** Each webhook the callback got: Meta's shape, and what the service's projection makes of it. */
  async function delivered(): Promise<InboundEvent[]> {
    await emulator.state.webhooksSettled();
    for (const body of callback.received) assert.deepEqual(metaWebhookProblems(body), [], JSON.stringify(body));
    return callback.received.flatMap((body) => splitWebhook(body, { receivedAt: new Date(nowMs) }));
  }
  const statuses = (events: InboundEvent[]) => events.flatMap((e) => (e.kind === 'message.status' ? [e.data] : []));

  describe('O1: the WhatsApp customer-service window', () => {
    it('sends a free-form message inside the 24 hours: accepted, then sent', async () => {
      emulator.state.messaging.customerWrote(phoneNumberId, CUSTOMER);
      nowMs += 23 * HOUR;
      assert.equal((await waSend()).status, 200);
      assert.deepEqual(statuses(await delivered()).map((s) => s.status), ['sent']);
    });

    it('accepts a free-form message after 24 hours, then fails it with 131047 (W1, S4)', async () => {
      emulator.state.messaging.customerWrote(phoneNumberId, CUSTOMER);
      emulator.state.messaging.ageConversation(phoneNumberId, CUSTOMER, 25 * HOUR);
      const res = await waSend();
      assert.equal(res.status, 200);
      const { messages } = (await res.json()) as { messages: Array<{ id: string }> };
      const [failed] = statuses(await delivered());
      assert.deepEqual([failed!.message_id, failed!.status, failed!.errors?.map((e) => e.code), failed!.error?.code], [messages[0]!.id, 'failed', [131047], 'outside_customer_window']);
      assert.equal(callback.received.length, 1, 'no sent status before the failure');
    });

    it('fails a free-form message to a customer who never wrote, but not a template', async () => {
      assert.equal((await waSend()).status, 200);
      assert.equal((await waSend({ type: 'template', text: undefined, template: { name: 'hello_world', language: { code: 'en_US' } } })).status, 200);
      assert.deepEqual(statuses(await delivered()).map((s) => s.status), ['failed', 'sent']);
    });
  });

  describe('O2: the Instagram window', () => {
    it('refuses outside 24 hours with 10/2534022 (IGApiException, 403), takes HUMAN_AGENT up to 7 days (W2)', async () => {
      const never = await igSend();
      assert.equal(never.status, 403);
      assert.deepEqual(await errorOf(never).then((e) => [e.code, e.error_subcode, e.type]), [10, 2534022, 'IGApiException']);
      emulator.state.messaging.customerWrote(igAccountId, IGSID);
      assert.equal((await igSend()).status, 200);
      nowMs += 25 * HOUR;
      assert.equal((await igSend()).status, 403);
      const tagged = { messaging_type: 'MESSAGE_TAG', tag: 'HUMAN_AGENT' };
      assert.equal((await igSend(tagged)).status, 200);
      nowMs += 6 * 24 * HOUR;
      assert.deepEqual(await errorOf(await igSend(tagged)).then((e) => [e.code, e.error_subcode]), [10, 2534022]);
    });

    it('answers 551/1545041 for a customer who blocked the account, whatever the window (W3)', async () => {
      emulator.state.messaging.customerWrote(igAccountId, IGSID);
      emulator.state.messaging.blocked.add(`${igAccountId}:${IGSID}`);
      const res = await igSend();
      assert.equal(res.status, 400);
      assert.deepEqual(await errorOf(res).then((e) => [e.code, e.error_subcode]), [551, 1545041]);
    });
  });

  describe('O3: statuses after a send', () => {
    beforeEach(() => emulator.state.messaging.customerWrote(phoneNumberId, CUSTOMER));

    it('sends sent, delivered and read as separate webhooks in order; from v24 PMP pricing on the first of delivered/read and no conversation (S1, S6)', async () => {
      emulator.state.messaging.whatsappStatusSequence = ['sent', 'delivered', 'read'];
      await waSend();
      const got = statuses(await delivered());
      assert.deepEqual(got.map((s) => s.status), ['sent', 'delivered', 'read']);
      assert.deepEqual(got.map((s) => s.pricing), [undefined, { billable: false, pricing_model: 'PMP', type: 'free_customer_service', category: 'service' }, undefined]);
      assert.deepEqual(got.map((s) => s.conversation), [undefined, undefined, undefined]);
    });

    it('reads without delivered puts the pricing on read (S2); up to v23 every status has conversation and CBP pricing', async () => {
      emulator.state.messaging.whatsappStatusSequence = ['sent', 'read'];
      await waSend();
      assert.deepEqual(statuses(await delivered()).map((s) => [s.status, s.pricing?.pricing_model]), [['sent', undefined], ['read', 'PMP']]);
      callback.received.length = 0;
      await waSend({}, 'v23.0');
      const old = statuses(await delivered());
      assert.deepEqual(old.map((s) => [s.status, s.pricing?.pricing_model, s.conversation?.origin_type]), [['sent', 'CBP', 'service'], ['read', 'CBP', 'service']]);
      assert.ok(old[0]!.conversation?.expires_at);
    });

    it('fails a send to a failing recipient after accepting it, with the code in errors[] (S4)', async () => {
      for (const [code, ours] of [[131026, 'undeliverable'], [131049, 'quality_limited'], [130472, 'quality_limited'], [131053, 'undeliverable'], [132015, 'template_error']] as const) {
        callback.received.length = 0;
        emulator.state.messaging.failingRecipients.set(CUSTOMER, code);
        assert.equal((await waSend()).status, 200);
        const [failed] = statuses(await delivered());
        assert.deepEqual([failed!.status, failed!.errors?.[0]?.code, failed!.error?.code], ['failed', code, ours]);
      }
    });

    it("answers with the id WhatsApp knows the customer by (X1: Brazil's 9th digit)", async () => {
      emulator.state.messaging.whatsappIds.set('5511987654321', '551187654321');
      emulator.state.messaging.customerWrote(phoneNumberId, '551187654321');
      const res = await waSend({ to: '+5511987654321' });
      const body = (await res.json()) as { contacts: unknown[] };
      assert.deepEqual(body.contacts, [{ input: '+5511987654321', wa_id: '551187654321' }]);
      assert.deepEqual(statuses(await delivered()).map((s) => [s.status, s.recipient?.wa_id]), [['sent', '551187654321']]);
    });
  });

  describe('O4: numbers already registered, and the register limits', () => {
    const node = (id: string, fields: string) => fetch(`${running.url}/v26.0/${id}?fields=${fields}`, { headers: { authorization: `Bearer ${waToken}` } });
    const register = (id: string, pin: string) =>
      fetch(`${running.url}/v26.0/${id}/register`, { method: 'POST', headers: { authorization: `Bearer ${waToken}`, 'content-type': 'application/json' }, body: JSON.stringify({ messaging_product: 'whatsapp', pin }) });
    function grantNumber(spec: { pin?: string; registered?: boolean; onBizApp?: boolean }) {
      const grant = emulator.state.configureGrant({ flow: 'whatsapp_embedded_signup', assets: [{ phoneNumbers: [spec] }] });
      const id = grant.phoneNumberIds[0]!;
      waToken = emulator.state.issueToken({ kind: 'business_integration', assets: [id] });
      return id;
    }

    it('shows a number registered with a PIN as CONNECTED on CLOUD_API with is_pin_enabled, and refuses another PIN with 133005 (P2–P5)', async () => {
      const id = grantNumber({ registered: true, pin: '135790' });
      assert.deepEqual(await (await node(id, 'status,platform_type,is_pin_enabled,is_on_biz_app')).json(), {
        status: 'CONNECTED',
        platform_type: 'CLOUD_API',
        is_pin_enabled: true,
        is_on_biz_app: false,
        id,
      });
      assert.equal((await errorOf(await register(id, '000000'))).code, 133005);
      assert.equal((await register(id, '135790')).status, 200);
    });

    it('refuses the 11th register call within 72 hours with 133016, whatever the PIN, and allows it again after (P6)', async () => {
      const id = grantNumber({ pin: '246810' });
      for (let i = 0; i < 10; i += 1) assert.equal((await errorOf(await register(id, '000000'))).code, 133005);
      assert.equal((await errorOf(await register(id, '246810'))).code, 133016);
      nowMs += 73 * HOUR;
      assert.equal((await register(id, '246810')).status, 200);
    });

    it('shows a WhatsApp Business app number as is_on_biz_app and does not register it (C5)', async () => {
      const id = grantNumber({ onBizApp: true });
      assert.deepEqual(await (await node(id, 'status,platform_type,is_on_biz_app')).json(), { status: 'CONNECTED', platform_type: 'CLOUD_API', is_on_biz_app: true, id });
      assert.equal((await errorOf(await register(id, '123456'))).code, 100);
    });
  });

  describe('O5: coexistence echoes and history', () => {
    it('sends what the business writes in the WhatsApp Business app as smb_message_echoes, and history chunks', async () => {
      const number = emulator.state.phoneNumbers.get(phoneNumberId)!;
      assert.throws(() => emitBusinessAppEcho(emulator.state, number, { to: CUSTOMER, text: 'x' }), /not on the WhatsApp Business app/);
      number.onBizApp = true;
      const wamid = emitBusinessAppEcho(emulator.state, number, { to: CUSTOMER, text: 'Sent from the app' });
      emitHistoryChunk(emulator.state, number, {
        phase: 0,
        chunkOrder: 1,
        progress: 100,
        threads: [{ customer: CUSTOMER, messages: [{ wamid: 'wamid.h1', at: new Date(T0 - 48 * HOUR), text: 'Old question', fromBusiness: false }, { wamid: 'wamid.h2', at: new Date(T0 - 47 * HOUR), text: 'Old answer', fromBusiness: true }] }],
      });
      const events = await delivered();
      assert.deepEqual(events.map((e) => [e.kind, e.key.replace(/[0-9a-f]{64}$/, '<hash>')]), [
        ['message.echo', `wa:echo:${wamid}`],
        ['conversation.history', `wa:history:${phoneNumberId}:0:1:${CUSTOMER}:<hash>`],
      ]);
      const history = events[1]!;
      assert.deepEqual(history.kind === 'conversation.history' && history.data.messages.map((m) => [m.direction, m.message.text, m.status]), [
        ['inbound', 'Old question', 'READ'],
        ['outbound', 'Old answer', 'DELIVERED'],
      ]);
    });
  });

  describe('O6: threads another app owns (standby)', () => {
    const writeStandby = () =>
      fetch(`${running.url}/sandbox/messages`, { method: 'POST', headers: { accept: 'application/json' }, body: new URLSearchParams({ channel: igAccountId, from: IGSID, text: 'Hola', standby: 'on' }) });

    it('delivers a standby message only to an app subscribed to standby, in standby[] (I2)', async () => {
      const refused = await writeStandby();
      assert.equal(refused.status, 409);
      assert.equal(callback.received.length, 0);
      emulator.state.instagramAccounts.get(igAccountId)!.loginSubscription = ['messages', 'standby'];
      assert.equal((await writeStandby()).status, 200);
      const [event] = await delivered();
      assert.ok(Array.isArray((callback.received[0]!.entry as Array<Record<string, unknown>>)[0]!.standby));
      assert.deepEqual(event!.kind === 'message.received' && [event.data.standby, event.data.message.text], [true, 'Hola']);
      // The customer wrote, standby or not: the window is open.
      assert.equal(emulator.state.messaging.instagramWindow(igAccountId, IGSID), 'open');
    });
  });
});
