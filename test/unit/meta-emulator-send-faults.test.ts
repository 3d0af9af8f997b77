import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, beforeEach, describe, it } from 'node:test';
import { createMetaEmulator, type MetaEmulator, type RunningMetaEmulator } from '../../dev/meta-emulator/app.js';
import { DEFAULT_INSTAGRAM_SEND_RATE, DEFAULT_PAIR_RATE, DEFAULT_WHATSAPP_THROUGHPUT } from '../../dev/meta-emulator/state.js';

/**
 * What the emulated Send APIs do besides checking bodies: the ambiguous failures a client must
 * reconcile (a send that went out although the answer failed, reference §0.14, §7.2), Meta's
 * throughput limits (§6.1 WA-TPUT, §6.3 IG-OV) and the status / echo webhooks that follow an
 * accepted send (§2.5, §3.2), signed like every Meta webhook (§1.3).
 */

const T0 = Date.parse('2026-09-01T12:00:00.000Z');
const CUSTOMER = '+16505551234';
const IGSID = '6841100000000000';

interface Received {
  headers: IncomingHttpHeaders;
  raw: Buffer;
  json: Record<string, unknown>;
}

/** The app's webhook callback: records every POST; `hold()` keeps answers back until released. */
async function startCallback(): Promise<{ url: string; received: Received[]; hold(): () => void; close(): Promise<void> }> {
  const received: Received[] = [];
  let held: Promise<void> | undefined;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      received.push({ headers: req.headers, raw, json: JSON.parse(raw.toString('utf8')) as Record<string, unknown> });
      void (held ?? Promise.resolve()).then(() => res.writeHead(200, { 'content-type': 'text/plain' }).end('EVENT_RECEIVED'));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks/meta`,
    received,
    hold() {
      let release!: () => void;
      held = new Promise<void>((resolve) => (release = resolve));
      return () => {
        held = undefined;
        release();
      };
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const signature = (raw: Buffer, secret: string) => `sha256=${createHmac('sha256', secret).update(raw).digest('hex')}`;

describe('Meta emulator Send APIs: ambiguous failures, throughput, status and echo webhooks', () => {
  let emulator: MetaEmulator;
  let running: RunningMetaEmulator;
  let callback: Awaited<ReturnType<typeof startCallback>>;
  let nowMs: number;
  let phoneNumberId: string;
  let wabaId: string;
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
    // Webhooks still in flight from the previous test must not land in this one's callback log.
    await emulator.state.webhooksSettled();
    nowMs = T0;
    const { state } = emulator;
    state.reset();
    state.webhookCallbackUrl = callback.url;
    callback.received.length = 0;
    const number = [...state.phoneNumbers.values()][0]!;
    number.registered = true;
    phoneNumberId = number.id;
    wabaId = number.wabaId;
    // What onboarding's POST /{waba-id}/subscribed_apps does: without it Meta delivers no webhooks.
    state.wabas.get(wabaId)!.subscriptions.set(state.metaApp.id, {});
    waToken = state.issueToken({ kind: 'business_integration', scopes: ['whatsapp_business_messaging'], assets: [phoneNumberId] });
    igAccountId = state.grantFor('instagram_login').assetIds[0]!;
    state.instagramAccounts.get(igAccountId)!.loginSubscription = ['messages'];
    igToken = state.issueToken({ kind: 'instagram', scopes: ['instagram_business_manage_messages'], assets: [igAccountId] });
  });

  const waSend = (fields: Record<string, unknown> = {}) =>
    fetch(`${running.url}/v26.0/${phoneNumberId}/messages`, {
      method: 'POST',
      headers: { authorization: `Bearer ${waToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ messaging_product: 'whatsapp', recipient_type: 'individual', to: CUSTOMER, type: 'text', text: { body: 'Hi' }, ...fields }),
    });
  const igSend = (body: Record<string, unknown> = { recipient: { id: IGSID }, message: { text: 'Hola' } }) =>
    fetch(`${running.hosts['graph.instagram.com']}/v26.0/me/messages`, { method: 'POST', headers: { authorization: `Bearer ${igToken}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const codeOf = async (res: Response) => ((await res.json()) as { error?: { code: number } }).error?.code ?? res.status;

  describe('afterSend faults: the message goes out, the answer fails', () => {
    beforeEach(() => {
      emulator.state.sendStatusWebhooks = true;
    });

    it('reset: the connection drops without an answer; the message is recorded and its sent status delivered', async () => {
      emulator.state.injectFault({ method: 'POST', path: /\/messages$/, afterSend: 'reset' });
      await assert.rejects(waSend({ biz_opaque_callback_data: 'dsk:reset-1' }), TypeError);
      await emulator.state.webhooksSettled();

      const [sent] = emulator.state.businessMessages;
      assert.equal(emulator.state.businessMessages.length, 1);
      assert.equal(sent!.afterSend, 'reset');
      const statuses = callback.received.map((r) => statusOf(r.json));
      assert.deepEqual(statuses.map((s) => [s.id, s.status, s.biz_opaque_callback_data]), [[sent!.messageId, 'sent', 'dsk:reset-1']]);
      const request = emulator.state.requests.at(-1)!;
      assert.deepEqual([request.path, request.status, request.afterSend], [`/v26.0/${phoneNumberId}/messages`, undefined, 'reset']);
    });

    it('error-but-sent: HTTP 500 with code 1 / subcode 1357046; the message is recorded and its sent status delivered', async () => {
      emulator.state.injectFault({ method: 'POST', path: /\/messages$/, afterSend: 'error-but-sent' });
      const res = await waSend({ biz_opaque_callback_data: 'dsk:ebs-1' });
      const { error } = (await res.json()) as { error: Record<string, unknown> };
      assert.equal(res.status, 500);
      assert.deepEqual({ ...error, fbtrace_id: undefined }, { message: 'An unknown error has occurred.', type: 'OAuthException', code: 1, error_subcode: 1357046, fbtrace_id: undefined });
      await emulator.state.webhooksSettled();
      const sent = emulator.state.businessMessages[0]!;
      assert.equal(sent.afterSend, 'error-but-sent');
      assert.deepEqual(callback.received.map((r) => statusOf(r.json).id), [sent.messageId]);
    });

    it('invalid-json: HTTP 200 with a JSON content type and an unparseable body; the message is recorded and its sent status delivered', async () => {
      emulator.state.injectFault({ method: 'POST', path: /\/messages$/, afterSend: 'invalid-json' });
      const res = await waSend();
      assert.equal(res.status, 200);
      assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
      await assert.rejects(res.json(), SyntaxError);
      await emulator.state.webhooksSettled();
      const sent = emulator.state.businessMessages[0]!;
      assert.equal(sent.afterSend, 'invalid-json');
      assert.deepEqual(callback.received.map((r) => statusOf(r.json).id), [sent.messageId]);
    });

    it('Instagram error-but-sent: the echo carries the mid the lost answer would have had', async () => {
      emulator.state.injectFault({ method: 'POST', host: 'graph.instagram.com', path: /\/messages$/, afterSend: 'error-but-sent' });
      const res = await igSend();
      assert.deepEqual([res.status, ((await res.json()) as { error: { code: number; error_subcode: number } }).error.error_subcode], [500, 1357046]);
      await emulator.state.webhooksSettled();
      const sent = emulator.state.businessMessages[0]!;
      assert.deepEqual([sent.kind, sent.afterSend], ['instagram', 'error-but-sent']);
      const echo = callback.received[0]!.json as { entry: Array<{ messaging: Array<{ message: { mid: string; is_echo: boolean } }> }> };
      assert.deepEqual(echo.entry[0]!.messaging[0]!.message, { mid: sent.messageId, is_echo: true, text: 'Hola' });
    });

    it('stays armed through a rejected body and a mark-as-read, and fires on the next accepted send only', async () => {
      emulator.state.injectFault({ method: 'POST', path: /\/messages$/, afterSend: 'invalid-json' });
      assert.equal(await codeOf(await waSend({ text: {} })), 131008);
      const read = await fetch(`${running.url}/v26.0/${phoneNumberId}/messages`, {
        method: 'POST',
        headers: { authorization: `Bearer ${waToken}`, 'content-type': 'application/json' },
        body: JSON.stringify({ messaging_product: 'whatsapp', status: 'read', message_id: 'wamid.abc' }),
      });
      assert.deepEqual(await read.json(), { success: true });
      await assert.rejects((await waSend()).json(), SyntaxError);
      assert.match(((await (await waSend()).json()) as { messages: Array<{ id: string }> }).messages[0]!.id, /^wamid\./);
    });

    it('leaves the plain fault API as it was: an injected error answers before the send is processed', async () => {
      emulator.state.injectFault({ method: 'POST', path: /\/messages$/, error: { code: 131047, errorData: { messaging_product: 'whatsapp', details: 'Re-engagement' } } });
      const res = await waSend();
      const { error } = (await res.json()) as { error: Record<string, unknown> };
      assert.deepEqual([res.status, error.code, error.error_data], [400, 131047, { messaging_product: 'whatsapp', details: 'Re-engagement' }]);
      await emulator.state.webhooksSettled();
      assert.deepEqual([emulator.state.businessMessages.length, callback.received.length], [0, 0]);
    });
  });

  describe('WhatsApp throughput (130429) and pair rate (131056)', () => {
    it('defaults to 80 messages/s per number, a pair rate of 1 per 6 s after a burst of 45, Instagram 100/s and 10/s for audio/video', () => {
      assert.equal(DEFAULT_WHATSAPP_THROUGHPUT, 80);
      assert.equal(emulator.state.throughputOf(phoneNumberId), 80);
      assert.deepEqual(emulator.state.pairRate, DEFAULT_PAIR_RATE);
      assert.deepEqual(DEFAULT_PAIR_RATE, { intervalMs: 6000, burst: 45 });
      assert.deepEqual(emulator.state.instagramSendRate, DEFAULT_INSTAGRAM_SEND_RATE);
      assert.deepEqual(DEFAULT_INSTAGRAM_SEND_RATE, { perSecond: 100, mediaPerSecond: 10 });
    });

    it('answers 130429 with Meta\'s error once the number\'s messages in the last second reach its limit, and records only accepted sends', async () => {
      emulator.state.setThroughput(phoneNumberId, 3);
      const codes: Array<number | string> = [];
      for (let i = 0; i < 5; i += 1) {
        const res = await waSend({ to: `+1650555000${i}` });
        codes.push(res.status === 200 ? 'ok' : await codeOf(res));
      }
      assert.deepEqual(codes, ['ok', 'ok', 'ok', 130429, 130429]);
      assert.equal(emulator.state.businessMessages.length, 3);

      nowMs = T0 + 999;
      const still = await waSend({ to: '+16505550009' });
      const { error } = (await still.json()) as { error: Record<string, unknown> };
      assert.deepEqual({ status: still.status, error: { ...error, fbtrace_id: undefined } }, {
        status: 400,
        error: { message: '(#130429) Rate limit hit', type: 'OAuthException', code: 130429, error_data: { messaging_product: 'whatsapp', details: 'Cloud API message throughput has been reached.' }, fbtrace_id: undefined },
      });
      nowMs = T0 + 1000;
      assert.equal((await waSend({ to: '+16505550009' })).status, 200);
    });

    it('never accepts more than the limit in any one-second window of a steady stream', async () => {
      const limit = 4;
      emulator.state.setThroughput(phoneNumberId, limit);
      let accepted = 0;
      let rejected = 0;
      for (let i = 0; i < 60; i += 1) {
        nowMs = T0 + i * 70;
        const res = await waSend({ to: `+165055510${String(i).padStart(2, '0')}` });
        if (res.status === 200) accepted += 1;
        else {
          assert.equal(await codeOf(res), 130429);
          rejected += 1;
        }
      }
      const times = emulator.state.businessMessages.map((m) => m.at.getTime());
      assert.equal(times.length, accepted);
      for (const start of times) assert.ok(times.filter((t) => t >= start && t < start + 1000).length <= limit, `more than ${limit} sends in the second from ${start - T0} ms`);
      // Every 70 ms: a full window frees its first slot 1000 ms after its first send, i.e. at the
      // next 70 ms tick (1050 ms), so 4 sends go through every 1050 ms: at 0, 1050, 2100 and 3150 ms.
      assert.deepEqual([accepted, rejected], [16, 44]);
    });

    it('keeps other numbers at their own limit', async () => {
      emulator.state.setThroughput(phoneNumberId, 1);
      const other = emulator.state.configureGrant({ flow: 'whatsapp_embedded_signup', assets: [{ phoneNumbers: [{}] }] }).phoneNumberIds[0]!;
      emulator.state.phoneNumbers.get(other)!.registered = true;
      const otherToken = emulator.state.issueToken({ kind: 'business_integration', scopes: ['whatsapp_business_messaging'], assets: [other] });
      assert.equal((await waSend()).status, 200);
      assert.equal(await codeOf(await waSend({ to: '+16505550001' })), 130429);
      const res = await fetch(`${running.url}/v26.0/${other}/messages`, {
        method: 'POST',
        headers: { authorization: `Bearer ${otherToken}`, 'content-type': 'application/json' },
        body: JSON.stringify({ messaging_product: 'whatsapp', to: CUSTOMER, type: 'text', text: { body: 'Hi' } }),
      });
      assert.equal(res.status, 200);
    });

    it('lets a burst of 45 through to one recipient, then answers 131056 until the pair\'s interval has passed', async () => {
      for (let i = 0; i < 45; i += 1) assert.equal((await waSend({ text: { body: `m${i}` } })).status, 200, `message ${i}`);
      const hit = await waSend();
      const { error } = (await hit.json()) as { error: Record<string, unknown> };
      assert.deepEqual({ status: hit.status, error: { ...error, fbtrace_id: undefined } }, {
        status: 400,
        error: {
          message: '(#131056) (Business Account, Consumer Account) pair rate limit hit',
          type: 'OAuthException',
          code: 131056,
          error_data: { messaging_product: 'whatsapp', details: 'Too many messages sent from the sender phone number to the same recipient phone number in a short period of time.' },
          fbtrace_id: undefined,
        },
      });
      // Another recipient is a different pair.
      assert.equal((await waSend({ to: '+16505559999' })).status, 200);
      nowMs = T0 + 5999;
      assert.equal(await codeOf(await waSend()), 131056);
      nowMs = T0 + 6000;
      assert.equal((await waSend()).status, 200);
      assert.equal(await codeOf(await waSend()), 131056);
      assert.equal(emulator.state.businessMessages.length, 47);
    });

    it('applies a configured pair rate, keyed by the recipient\'s digits (with or without +)', async () => {
      emulator.state.setPairRate({ intervalMs: 1000, burst: 2 });
      assert.equal((await waSend({ to: '+16505551234' })).status, 200);
      assert.equal((await waSend({ to: '16505551234' })).status, 200);
      assert.equal(await codeOf(await waSend({ to: '+16505551234' })), 131056);
      nowMs = T0 + 1000;
      assert.equal((await waSend()).status, 200);
      assert.equal(await codeOf(await waSend()), 131056);
    });

    it('does not count mark-as-read calls, which are not messages', async () => {
      emulator.state.setThroughput(phoneNumberId, 1);
      for (let i = 0; i < 3; i += 1) {
        const res = await fetch(`${running.url}/v26.0/${phoneNumberId}/messages`, {
          method: 'POST',
          headers: { authorization: `Bearer ${waToken}`, 'content-type': 'application/json' },
          body: JSON.stringify({ messaging_product: 'whatsapp', status: 'read', message_id: `wamid.r${i}` }),
        });
        assert.equal(res.status, 200);
      }
      assert.equal((await waSend()).status, 200);
    });
  });

  describe('Instagram calls per second (613)', () => {
    it('answers 613 over the account\'s calls/s, with audio and video on their own lower rate', async () => {
      emulator.state.setInstagramSendRate({ perSecond: 2, mediaPerSecond: 1 });
      const attachment = (type: string) => ({ recipient: { id: IGSID }, message: { attachment: { type, payload: { url: `https://cdn.acme.com/a.${type}` } } } });
      assert.equal((await igSend(attachment('audio'))).status, 200);
      const media = await igSend(attachment('video'));
      const { error } = (await media.json()) as { error: Record<string, unknown> };
      assert.deepEqual({ status: media.status, error: { ...error, fbtrace_id: undefined } }, {
        status: 400,
        error: { message: '(#613) Calls to this api have exceeded the rate limit.', type: 'OAuthException', code: 613, fbtrace_id: undefined },
      });
      assert.equal((await igSend(attachment('image'))).status, 200);
      assert.equal((await igSend({ recipient: { id: IGSID }, sender_action: 'typing_on' })).status, 200);
      assert.equal(await codeOf(await igSend()), 613);
      assert.deepEqual(emulator.state.businessMessages.map((m) => m.type), ['audio', 'image']);
      nowMs = T0 + 1000;
      assert.equal((await igSend()).status, 200);
      assert.equal((await igSend(attachment('video'))).status, 200);
    });
  });

  describe('status and echo webhooks after a send', () => {
    it('are off by default: no webhook follows a send', async () => {
      assert.equal(emulator.state.sendStatusWebhooks, false);
      assert.equal((await waSend()).status, 200);
      assert.equal((await igSend()).status, 200);
      await emulator.state.webhooksSettled();
      assert.deepEqual([callback.received.length, emulator.state.sendWebhooks.length], [0, 0]);
    });

    it('WhatsApp: a signed statuses webhook with status sent, the wamid, recipient_id, timestamp and biz_opaque_callback_data (reference §2.5)', async () => {
      emulator.state.sendStatusWebhooks = true;
      nowMs = T0 + 1234;
      const answer = (await (await waSend({ biz_opaque_callback_data: 'dsk:0123456789abcdef0123456789abcdef' })).json()) as { messages: Array<{ id: string }> };
      await emulator.state.webhooksSettled();

      assert.equal(callback.received.length, 1);
      const [delivery] = callback.received;
      assert.equal(delivery!.headers['x-hub-signature-256'], signature(delivery!.raw, emulator.state.metaApp.secret));
      assert.equal(delivery!.headers['content-type'], 'application/json');
      const number = emulator.state.phoneNumbers.get(phoneNumberId)!;
      assert.deepEqual(delivery!.json, {
        object: 'whatsapp_business_account',
        entry: [
          {
            id: wabaId,
            changes: [
              {
                field: 'messages',
                value: {
                  messaging_product: 'whatsapp',
                  metadata: { display_phone_number: number.displayPhoneNumber.replace(/\D/g, ''), phone_number_id: phoneNumberId },
                  statuses: [{ id: answer.messages[0]!.id, status: 'sent', timestamp: String(Math.floor((T0 + 1234) / 1000)), recipient_id: '16505551234', biz_opaque_callback_data: 'dsk:0123456789abcdef0123456789abcdef' }],
                },
              },
            ],
          },
        ],
      });
      // Meta's wire form (reference §1.3): pure ASCII, every `/` escaped (base64 wamids may carry one).
      assert.match(delivery!.raw.toString('latin1'), /^[\x20-\x7e]*$/);
      assert.doesNotMatch(delivery!.raw.toString('latin1'), /[^\\]\//);
      assert.deepEqual(
        emulator.state.sendWebhooks.map((w) => [w.kind, w.channelId, w.messageId, w.callbackUrl, w.status]),
        [['status', phoneNumberId, answer.messages[0]!.id, callback.url, 200]],
      );
    });

    it('WhatsApp: a send to a BSUID gets recipient_user_id instead of recipient_id; no biz_opaque_callback_data when the send had none', async () => {
      emulator.state.sendStatusWebhooks = true;
      assert.equal((await waSend({ to: undefined, recipient: 'US.13491208655302741918' })).status, 200);
      await emulator.state.webhooksSettled();
      const status = statusOf(callback.received[0]!.json);
      assert.deepEqual({ ...status, id: undefined }, { id: undefined, status: 'sent', timestamp: String(T0 / 1000), recipient_user_id: 'US.13491208655302741918' });
    });

    it('WhatsApp: goes to the WABA\'s override callback URL when one is set', async () => {
      emulator.state.sendStatusWebhooks = true;
      emulator.state.webhookCallbackUrl = 'http://127.0.0.1:9/not-this-one';
      emulator.state.wabas.get(wabaId)!.subscriptions.set(emulator.state.metaApp.id, { overrideCallbackUri: callback.url });
      assert.equal((await waSend()).status, 200);
      await emulator.state.webhooksSettled();
      assert.equal(callback.received.length, 1);
    });

    it('does not hold the send\'s answer until the callback answers', async () => {
      emulator.state.sendStatusWebhooks = true;
      const release = callback.hold();
      try {
        const res = await waSend();
        assert.equal(res.status, 200);
        await res.json();
      } finally {
        release();
      }
      await emulator.state.webhooksSettled();
      assert.equal(emulator.state.sendWebhooks[0]!.status, 200);
    });

    it('is skipped, and logged as such, when the app is not subscribed to the WABA or no callback URL is set', async () => {
      emulator.state.sendStatusWebhooks = true;
      emulator.state.dropSubscription(wabaId);
      assert.equal((await waSend()).status, 200);
      emulator.state.wabas.get(wabaId)!.subscriptions.set(emulator.state.metaApp.id, {});
      emulator.state.webhookCallbackUrl = undefined;
      assert.equal((await waSend({ to: '+16505550001' })).status, 200);
      await emulator.state.webhooksSettled();
      assert.equal(callback.received.length, 0);
      assert.deepEqual(emulator.state.sendWebhooks.map((w) => w.skipped).sort(), ['no_callback_url', 'not_subscribed']);
    });

    it('logs a callback that does not answer, without failing the send', async () => {
      emulator.state.sendStatusWebhooks = true;
      emulator.state.webhookCallbackUrl = `${running.url.replace(/:\d+$/, '')}:9/webhooks/meta`;
      assert.equal((await waSend()).status, 200);
      await emulator.state.webhooksSettled();
      const [logged] = emulator.state.sendWebhooks;
      assert.deepEqual([logged!.status, logged!.skipped], [undefined, undefined]);
      assert.match(logged!.detail, /fetch failed/);
    });

    it('Instagram Login: an is_echo message webhook, sender and recipient swapped, signed with the Instagram app secret (reference §3.2)', async () => {
      emulator.state.sendStatusWebhooks = true;
      nowMs = T0 + 42;
      const answer = (await (await igSend()).json()) as { message_id: string };
      const attachment = (await (await igSend({ recipient: { id: IGSID }, message: { attachment: { type: 'image', payload: { url: 'https://cdn.acme.com/a.jpg' } } } })).json()) as { message_id: string };
      await emulator.state.webhooksSettled();

      assert.equal(callback.received.length, 2);
      for (const r of callback.received) assert.equal(r.headers['x-hub-signature-256'], signature(r.raw, emulator.state.instagramApp.secret));
      const echo = (message: Record<string, unknown>) => ({
        object: 'instagram',
        entry: [{ id: igAccountId, time: T0 + 42, messaging: [{ sender: { id: igAccountId }, recipient: { id: IGSID }, timestamp: T0 + 42, message }] }],
      });
      const byMid = new Map(callback.received.map((r) => [((r.json.entry as Array<{ messaging: Array<{ message: { mid: string } }> }>)[0]!.messaging[0]!.message.mid), r.json]));
      assert.deepEqual(byMid.get(answer.message_id), echo({ mid: answer.message_id, is_echo: true, text: 'Hola' }));
      assert.deepEqual(byMid.get(attachment.message_id), echo({ mid: attachment.message_id, is_echo: true, attachments: [{ type: 'image', payload: { url: 'https://cdn.acme.com/a.jpg' } }] }));
    });

    it('Instagram via Facebook Login: the echo is signed with the Meta app secret; sender actions have none', async () => {
      emulator.state.sendStatusWebhooks = true;
      const pageId = emulator.state.grantFor('instagram_facebook_login').pageIds[0]!;
      emulator.state.pages.get(pageId)!.subscriptions.set(emulator.state.metaApp.id, ['messages']);
      const pageToken = emulator.state.issueToken({ kind: 'page', profileId: pageId, scopes: ['instagram_manage_messages'] });
      const send = (body: unknown) =>
        fetch(`${running.url}/v26.0/me/messages`, { method: 'POST', headers: { authorization: `Bearer ${pageToken}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
      assert.equal((await send({ recipient: { id: IGSID }, sender_action: 'react', payload: { message_id: 'm_1', reaction: 'love' } })).status, 200);
      const answer = (await (await send({ recipient: { id: IGSID }, message: { text: 'Hi' } })).json()) as { message_id: string };
      await emulator.state.webhooksSettled();

      assert.equal(callback.received.length, 1);
      const [delivery] = callback.received;
      assert.equal(delivery!.headers['x-hub-signature-256'], signature(delivery!.raw, emulator.state.metaApp.secret));
      const accountId = emulator.state.pages.get(pageId)!.instagramAccountId!;
      assert.deepEqual((delivery!.json.entry as Array<{ id: string; messaging: Array<{ message: unknown }> }>).map((e) => [e.id, e.messaging[0]!.message]), [
        [accountId, { mid: answer.message_id, is_echo: true, text: 'Hi' }],
      ]);
    });

    it('the createMetaEmulator option turns them on, and reset() returns to it', async () => {
      const other = createMetaEmulator({ sendStatusWebhooks: true });
      assert.equal(other.state.sendStatusWebhooks, true);
      other.state.sendStatusWebhooks = false;
      other.state.reset();
      assert.equal(other.state.sendStatusWebhooks, true);
    });
  });
});

function statusOf(payload: Record<string, unknown>): Record<string, unknown> {
  const entry = (payload.entry as Array<{ changes: Array<{ value: { statuses: Array<Record<string, unknown>> } }> }>)[0]!;
  return entry.changes[0]!.value.statuses[0]!;
}
