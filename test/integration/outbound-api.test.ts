import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { createMetaEmulator, type MetaEmulator, type RunningMetaEmulator } from '../../dev/meta-emulator/app.js';
import type { BusinessMessage } from '../../dev/meta-emulator/conversation.js';
import { sendTag } from '../../src/outbound/send-tag.js';
import { outboundWorkflowId } from '../../src/shared/ids.js';
import { connectViaApi, dskApi } from '../support/connect.js';
import { startDskFake, type DskFake } from '../support/dsk-fake.js';
import { metaEmulatorEnv } from '../support/meta-env.js';
import { startTestService, uniqueMetaId, type TestService } from '../support/service.js';
import { workerProcesses } from '../support/worker-process.js';

const WAMID = 'wamid.HBgLMTY1MDU1NTEyMzQVAgARGBJEQTk3RTQ4QjJFNzE3MUNBAA==';
const CUSTOMER = '+16505551234';

interface SendAnswer {
  status: number;
  body: Record<string, unknown> & { error?: { code: string; message: string; details?: Record<string, unknown> | Array<{ path: string; message: string }> } };
}

/**
 * `POST /v1/channels/:id/messages` end to end: the real API, worker, PostgreSQL and Temporal, the Meta
 * emulator validating each body as Meta does, and the DSK fake receiving `message.status` events.
 * Channels are connected through the real connect flow, so each has its connection workflow.
 */
describe('outbound messages through the API (Meta emulator, PostgreSQL and Temporal)', () => {
  let emulator: MetaEmulator;
  let meta: RunningMetaEmulator;
  let service: TestService;
  let dsk: DskFake;
  const workers = workerProcesses(() => service);
  const metaAppSecret = randomBytes(16).toString('hex');
  const instanceId = `inst-out-${uniqueMetaId()}`;

  before(async () => {
    emulator = createMetaEmulator({ appSecret: metaAppSecret });
    meta = await emulator.listen();
    service = await startTestService({
      env: { ...metaEmulatorEnv(meta), WHATSAPP_SENDS_PER_SECOND: '10', WHATSAPP_PAIR_INTERVAL_MS: '1000', WHATSAPP_PAIR_BURST: '3' },
      metaAppSecret,
      outbound: { reconcileWindowMs: 60_000 },
    });
    dsk = await startDskFake({ jwks: () => service.foundation.signingKey.publicJwks(), issuer: service.config.serviceJwt.issuer, audience: service.config.serviceJwt.audience });
    await service.foundation.repos.instances.setEventsUrl(instanceId, dsk.url);
    // Status and echo webhooks (when a test switches them on) come back to the service like Meta's.
    emulator.state.webhookCallbackUrl = `${service.baseUrl}/webhooks/meta`;
    // The service paces each customer at a burst of 3 per second; the emulator allows one more for arrival jitter.
    emulator.state.setPairRate({ intervalMs: 1000, burst: 4 });
  });
  after(async () => {
    await workers.stopAll();
    await service?.stop();
    await dsk?.close();
    await meta?.close();
  });

  async function whatsappChannel(): Promise<{ channelId: string; phoneNumberId: string }> {
    const grant = emulator.state.configureGrant({ flow: 'whatsapp_embedded_signup', assets: [{ phoneNumbers: [{}] }] });
    const { channelId } = await connectViaApi(service, instanceId, 'whatsapp');
    assert.ok(channelId, 'the WhatsApp channel connected');
    return { channelId, phoneNumberId: grant.phoneNumberIds[0]! };
  }

  async function instagramChannel(): Promise<{ channelId: string; accountId: string }> {
    const grant = emulator.state.configureGrant({ flow: 'instagram_facebook_login', assets: [{ instagram: { username: `out_${uniqueMetaId().slice(-6)}` } }] });
    const { channelId } = await connectViaApi(service, instanceId, 'instagram');
    assert.ok(channelId, 'the Instagram channel connected');
    return { channelId, accountId: grant.instagramAccountIds[0]! };
  }

  const send = (channelId: string, body: Record<string, unknown>, query = ''): Promise<SendAnswer> =>
    dskApi(service, instanceId, 'POST', `/v1/channels/${channelId}/messages${query}`, body) as Promise<SendAnswer>;
  const cm = () => `cm-${randomUUID()}`;
  const sentTo = (channel: string) => emulator.state.businessMessages.filter((m: BusinessMessage) => m.channelId === channel);
  const sendEvents = (clientMessageId: string) =>
    dsk.accepted.filter((d) => d.body.type === 'message.status' && (d.body.data as { client_message_id?: string }).client_message_id === clientMessageId).map((d) => d.body.data as Record<string, unknown>);

  describe('every message type reaches Meta in the shape Meta accepts', () => {
    let wa: { channelId: string; phoneNumberId: string };
    before(async () => {
      wa = await whatsappChannel();
    });

    const whatsappBodies: Array<[string, Record<string, unknown>]> = [
      ['text', { type: 'text', text: { body: 'Hi there' } }],
      ['text with link preview', { type: 'text', text: { body: 'See https://acme.com', preview_url: true } }],
      ['text as a reply (context)', { type: 'text', text: { body: 'Yes' }, reply_to: { message_id: WAMID } }],
      [
        'template with parameters',
        {
          type: 'template',
          template: {
            name: 'order_update',
            language: { code: 'en_US' },
            components: [
              { type: 'body', parameters: [{ type: 'text', text: '#1234' }] },
              { type: 'button', sub_type: 'quick_reply', index: '0', parameters: [{ type: 'payload', payload: 'CONFIRM_1234' }] },
            ],
          },
        },
      ],
      ['image by media id', { type: 'image', image: { id: '1203045' } }],
      ['image by link with caption', { type: 'image', image: { link: 'https://cdn.acme.com/a.jpg', caption: 'Our shop' } }],
      ['audio', { type: 'audio', audio: { id: '1203046' } }],
      ['video', { type: 'video', video: { link: 'https://cdn.acme.com/v.mp4', caption: 'Tour' } }],
      ['document with filename', { type: 'document', document: { link: 'https://cdn.acme.com/inv.pdf', filename: 'inv.pdf', caption: 'Invoice' } }],
      ['sticker', { type: 'sticker', sticker: { id: '1203047' } }],
      ['location', { type: 'location', location: { latitude: 38.9, longitude: -77.0, name: 'Shop', address: '1 Main St' } }],
      ['contacts', { type: 'contacts', contacts: [{ name: { formatted_name: 'Ana Díaz', first_name: 'Ana' }, phones: [{ phone: '+16505550000', type: 'WORK' }] }] }],
      ['interactive reply buttons', { type: 'interactive', interactive: { type: 'button', body: { text: 'Confirm?' }, action: { buttons: [{ type: 'reply', reply: { id: 'yes', title: 'Yes' } }] } } }],
      [
        'interactive list',
        { type: 'interactive', interactive: { type: 'list', body: { text: 'Pick' }, action: { button: 'Options', sections: [{ title: 'Sizes', rows: [{ id: 'r1', title: 'Small', description: 'Fits 1' }] }] } } },
      ],
      ['interactive CTA URL', { type: 'interactive', interactive: { type: 'cta_url', body: { text: 'Track it' }, action: { name: 'cta_url', parameters: { display_text: 'Track', url: 'https://acme.com/t/1' } } } }],
      ['reaction', { type: 'reaction', reaction: { message_id: WAMID, emoji: '👍' } }],
    ];

    for (const [name, body] of whatsappBodies) {
      it(`WhatsApp ${name}: 200 with Meta's wamid, and DSK hears "accepted"`, async () => {
        const clientMessageId = cm();
        const before = sentTo(wa.phoneNumberId).length;
        // Each body goes to its own recipient: the pair rate is tested on its own below.
        const to = `+1650555${String(Math.floor(Math.random() * 1e4)).padStart(4, '0')}`;
        const answer = await send(wa.channelId, { client_message_id: clientMessageId, to, ...body });
        assert.equal(answer.status, 200, JSON.stringify(answer.body));
        assert.equal(answer.body.status, 'accepted');
        assert.match(String(answer.body.message_id), /^wamid\./);
        const recorded = sentTo(wa.phoneNumberId).slice(before);
        assert.equal(recorded.length, 1);
        assert.equal(recorded[0]!.messageId, answer.body.message_id);
        assert.equal((recorded[0]!.body as { biz_opaque_callback_data?: string }).biz_opaque_callback_data, sendTag(instanceId, clientMessageId));
        await dsk.waitFor(() => sendEvents(clientMessageId).length === 1);
        // Meta's answer names the recipient as it normalised it (contacts[0].wa_id): DSK gets it with the outcome.
        const waId = to.replace(/\D/g, '');
        assert.deepEqual(answer.body.recipient, { wa_id: waId });
        assert.deepEqual(sendEvents(clientMessageId), [{ source: 'send', client_message_id: clientMessageId, status: 'accepted', message_id: answer.body.message_id, recipient: { id: waId, wa_id: waId } }]);
      });
    }

    it('WhatsApp mark-as-read: 200 without a message id', async () => {
      const answer = await send(wa.channelId, { client_message_id: cm(), type: 'read', message_id: WAMID, typing_indicator: { type: 'text' } });
      assert.equal(answer.status, 200, JSON.stringify(answer.body));
      assert.deepEqual([answer.body.status, answer.body.message_id], ['accepted', null]);
    });

    it('Instagram text, attachments, reaction and the HUMAN_AGENT tag: 200 with the mid', async () => {
      const ig = await instagramChannel();
      const bodies: Array<Record<string, unknown>> = [
        { type: 'text', text: { body: 'Hola 👋' } },
        { type: 'text', text: { body: 'Still here to help' }, tag: 'HUMAN_AGENT' },
        ...(['image', 'audio', 'video', 'file'] as const).map((type) => ({ type: 'attachment', attachment: { type, url: `https://cdn.acme.com/${type}` } })),
        { type: 'reaction', reaction: { message_id: 'aWdfZG1fbWlkOjEyMzQ1', emoji: 'love' } },
      ];
      for (const body of bodies) {
        const answer = await send(ig.channelId, { client_message_id: cm(), to: '1234567890123456', ...body });
        assert.equal(answer.status, 200, `${JSON.stringify(body)} → ${JSON.stringify(answer.body)}`);
        assert.equal(answer.body.status, 'accepted');
      }
      const recorded = sentTo(ig.accountId);
      // A reaction is a sender action: Meta gives it no message id, and the emulator records messages only.
      assert.ok(recorded.length >= 6, `${recorded.length} Instagram messages recorded`);
      assert.ok(recorded.some((m) => (m.body as { tag?: string }).tag === 'HUMAN_AGENT'));
    });
  });

  describe('bad input', () => {
    it('answers 422 with field-level details and starts nothing', async () => {
      const { channelId, phoneNumberId } = await whatsappChannel();
      const clientMessageId = cm();
      const answer = await send(channelId, { client_message_id: clientMessageId, to: CUSTOMER, type: 'image', image: { link: 'http://insecure.example/a.jpg', captoin: 'typo' } });
      assert.equal(answer.status, 422);
      assert.equal(answer.body.error?.code, 'validation_failed');
      const paths = (answer.body.error?.details as Array<{ path: string }>).map((d) => d.path).sort();
      assert.deepEqual(paths, ['image.captoin', 'image.link']);
      assert.equal(sentTo(phoneNumberId).length, 0);
      await assert.rejects(service.client.workflow.getHandle(outboundWorkflowId(instanceId, clientMessageId)).describe(), /not found/i);
    });

    it("answers 404 for another instance's channel and 422 for a body of the other channel type", async () => {
      const { channelId } = await whatsappChannel();
      const other = await dskApi(service, `${instanceId}-other`, 'POST', `/v1/channels/${channelId}/messages`, { client_message_id: cm(), to: CUSTOMER, type: 'text', text: { body: 'Hi' } });
      assert.equal(other.status, 404);
      assert.equal((other.body.error as { code: string }).code, 'channel_not_found');
      const igShaped = await send(channelId, { client_message_id: cm(), to: CUSTOMER, type: 'attachment', attachment: { type: 'image', url: 'https://cdn.acme.com/a.jpg' } });
      assert.equal(igShaped.status, 422);
    });
  });

  it('takes the longest ids there are: a 128-character instance and a 128-character client_message_id', async () => {
    const longInstance = `i${'n'.repeat(127)}`;
    await service.foundation.repos.instances.setEventsUrl(longInstance, dsk.url);
    emulator.state.configureGrant({ flow: 'whatsapp_embedded_signup', assets: [{ phoneNumbers: [{}] }] });
    const { channelId } = await connectViaApi(service, longInstance, 'whatsapp');
    const clientMessageId = `c${'m'.repeat(127)}`;
    const answer = await dskApi(service, longInstance, 'POST', `/v1/channels/${channelId}/messages`, { client_message_id: clientMessageId, to: CUSTOMER, type: 'text', text: { body: 'Long ids' } });
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    // `outbound:128:` + 128 + `:` + 128: far under Temporal's 1000-character limit on workflow ids.
    assert.equal(outboundWorkflowId(longInstance, clientMessageId).length, 270);
  });

  it('accepts a send while no worker runs (202 pending), and sends it once a worker is back', async () => {
    const { channelId, phoneNumberId } = await whatsappChannel();
    await service.stopWorker();
    const clientMessageId = cm();
    let answer: SendAnswer;
    try {
      answer = await send(channelId, { client_message_id: clientMessageId, to: CUSTOMER, type: 'text', text: { body: 'Queued' } }, '?wait_ms=500');
    } finally {
      await service.startWorker();
    }
    assert.deepEqual([answer.status, answer.body.status], [202, 'pending']);
    await dsk.waitFor(() => sendEvents(clientMessageId).some((e) => e.status === 'accepted'));
    const read = await dskApi(service, instanceId, 'GET', `/v1/channels/${channelId}/messages/${clientMessageId}`);
    assert.equal(read.body.status, 'accepted');
    assert.equal(sentTo(phoneNumberId).length, 1);
  });

  describe('idempotency: one client_message_id, one message', () => {
    it('a repeat returns the first result without sending again', async () => {
      const { channelId, phoneNumberId } = await whatsappChannel();
      const body = { client_message_id: cm(), to: CUSTOMER, type: 'text', text: { body: 'Once' } };
      const first = await send(channelId, body);
      const second = await send(channelId, body);
      assert.equal(first.status, 200);
      assert.deepEqual(second, first);
      assert.equal(sentTo(phoneNumberId).length, 1);
      // The information right lists the send ledger too: one accepted send.
      const data = await dskApi(service, instanceId, 'GET', `/v1/channels/${channelId}/data`);
      assert.deepEqual((data.body.sends as { by_state: unknown }).by_state, [{ state: 'accepted', count: 1 }]);
    });

    it('ten concurrent repeats give one message and the same answer', async () => {
      const { channelId, phoneNumberId } = await whatsappChannel();
      const body = { client_message_id: cm(), to: CUSTOMER, type: 'text', text: { body: 'Racing' } };
      const answers = await Promise.all(Array.from({ length: 10 }, () => send(channelId, body)));
      assert.deepEqual(new Set(answers.map((a) => a.status)), new Set([200]));
      assert.equal(new Set(answers.map((a) => a.body.message_id)).size, 1);
      assert.equal(sentTo(phoneNumberId).length, 1);
    });

    it('a repeat of a failed send returns the same error, and GET reads any send back', async () => {
      const { channelId, phoneNumberId } = await whatsappChannel();
      emulator.state.injectFault({ method: 'POST', path: new RegExp(`/${phoneNumberId}/messages$`), error: { code: 131047 } });
      const body = { client_message_id: cm(), to: CUSTOMER, type: 'text', text: { body: 'Late' } };
      const first = await send(channelId, body);
      const second = await send(channelId, body);
      assert.equal(first.status, 502);
      assert.deepEqual(second, first);
      const read = await dskApi(service, instanceId, 'GET', `/v1/channels/${channelId}/messages/${body.client_message_id}`);
      assert.equal(read.status, 200);
      assert.equal(read.body.status, 'failed');
      assert.equal((read.body.error as { code: string }).code, 'outside_customer_window');
    });
  });

  describe("Meta's errors, classified by code", () => {
    const permanent: Array<[string, { code: number; subcode?: number }, number, string]> = [
      ['24-hour window', { code: 131047 }, 502, 'outside_customer_window'],
      ['invalid recipient', { code: 131021 }, 502, 'invalid_recipient'],
      ['template not found', { code: 132001 }, 502, 'template_error'],
      ['permission', { code: 10 }, 409, 'permission_missing'],
      ['policy (account locked)', { code: 131031 }, 409, 'policy_blocked'],
      ['undeliverable', { code: 131026 }, 502, 'undeliverable'],
      ['bad request', { code: 100 }, 502, 'bad_request'],
      ['quality (spam limit)', { code: 131048 }, 502, 'quality_limited'],
    ];
    for (const [name, error, httpStatus, code] of permanent) {
      it(`${name} (${error.code}) fails at once with ${httpStatus} ${code}, Meta's code, a reason, and the same to DSK`, async () => {
        const { channelId, phoneNumberId } = await whatsappChannel();
        emulator.state.injectFault({ method: 'POST', path: new RegExp(`/${phoneNumberId}/messages$`), error });
        const clientMessageId = cm();
        const answer = await send(channelId, { client_message_id: clientMessageId, to: CUSTOMER, type: 'text', text: { body: 'Hi' } });
        assert.equal(answer.status, httpStatus, JSON.stringify(answer.body));
        assert.equal(answer.body.error?.code, code);
        assert.deepEqual(answer.body.error?.details, { client_message_id: clientMessageId, meta_code: error.code, meta_subcode: null });
        assert.ok((answer.body.error?.message.length ?? 0) > 10);
        await dsk.waitFor(() => sendEvents(clientMessageId).length === 1);
        const [event] = sendEvents(clientMessageId);
        assert.deepEqual({ ...event, error: { ...(event!.error as object), reason: '…' } }, { source: 'send', client_message_id: clientMessageId, status: 'failed', error: { code, meta_code: error.code, reason: '…' } });
        // One attempt only: permanent errors are not retried.
        assert.equal(emulator.state.requests.filter((r) => r.method === 'POST' && r.path.endsWith(`/${phoneNumberId}/messages`)).length, 1);
      });
    }

    for (const [name, code] of [
      ['throughput (130429)', 130429],
      ['transient (131000)', 131000],
      ['pair rate (131056)', 131056],
    ] as const) {
      it(`${name} is retried with backoff and then goes out once`, async () => {
        const { channelId, phoneNumberId } = await whatsappChannel();
        emulator.state.injectFault({ method: 'POST', path: new RegExp(`/${phoneNumberId}/messages$`), error: { code }, times: 2 });
        const answer = await send(channelId, { client_message_id: cm(), to: CUSTOMER, type: 'text', text: { body: 'Eventually' } }, '?wait_ms=15000');
        assert.equal(answer.status, 200, JSON.stringify(answer.body));
        assert.equal(sentTo(phoneNumberId).length, 1);
        assert.equal(emulator.state.requests.filter((r) => r.method === 'POST' && r.path.endsWith(`/${phoneNumberId}/messages`)).length, 3);
      });
    }

    it("a token Meta refuses fails the send with 409 reauth_required and flips the channel through its connection workflow", async () => {
      const { channelId } = await whatsappChannel();
      const stored = await service.foundation.pool.query<{ token_ciphertext: string }>(`SELECT token_ciphertext FROM channels WHERE id = $1`, [channelId]);
      emulator.state.revokeToken(service.foundation.vault.decrypt(stored.rows[0]!.token_ciphertext), 460);
      const answer = await send(channelId, { client_message_id: cm(), to: CUSTOMER, type: 'text', text: { body: 'Hi' } });
      assert.equal(answer.status, 409);
      assert.equal(answer.body.error?.code, 'reauth_required');
      assert.equal((answer.body.error?.details as { meta_code: number }).meta_code, 190);
      await dsk.waitFor(() => dsk.accepted.some((d) => d.body.type === 'channel.status' && (d.body.channel as { id: string }).id === channelId && (d.body.data as { status: string }).status === 'reauth_required'));
      const channel = await dskApi(service, instanceId, 'GET', `/v1/channels/${channelId}`);
      assert.equal(channel.body.status, 'reauth_required');
      // Later sends are refused before Meta is called.
      const next = await send(channelId, { client_message_id: cm(), to: CUSTOMER, type: 'text', text: { body: 'Hi again' } });
      assert.deepEqual([next.status, next.body.error?.code], [409, 'reauth_required']);
    });
  });

  describe('ambiguous sends are resolved from webhooks, never sent twice', () => {
    it('a reset after Meta took the message: 202 unknown, then the status webhook makes it accepted', async () => {
      const { channelId, phoneNumberId } = await whatsappChannel();
      emulator.state.sendStatusWebhooks = true;
      try {
        emulator.state.injectFault({ method: 'POST', path: new RegExp(`/${phoneNumberId}/messages$`), afterSend: 'reset' });
        const clientMessageId = cm();
        const answer = await send(channelId, { client_message_id: clientMessageId, to: CUSTOMER, type: 'text', text: { body: 'Did it go?' } });
        // The status webhook may even beat the lost answer: either way DSK ends with one accepted message.
        assert.ok(answer.status === 202 || answer.status === 200, JSON.stringify(answer.body));
        const wamid = sentTo(phoneNumberId)[0]!.messageId;
        await dsk.waitFor(() => sendEvents(clientMessageId).some((e) => e.status === 'accepted' && e.source === 'send'));
        const outcome = sendEvents(clientMessageId).filter((e) => e.source === 'send');
        assert.deepEqual(outcome.at(-1), { source: 'send', client_message_id: clientMessageId, status: 'accepted', message_id: wamid, reconciled: true });
        // The webhook's own status event names the send too.
        await dsk.waitFor(() => sendEvents(clientMessageId).some((e) => e.source === undefined));
        assert.deepEqual(sendEvents(clientMessageId).find((e) => e.source === undefined)?.message_id, wamid);
        const read = await dskApi(service, instanceId, 'GET', `/v1/channels/${channelId}/messages/${clientMessageId}`);
        assert.deepEqual([read.body.status, read.body.message_id], ['accepted', wamid]);
        assert.equal(sentTo(phoneNumberId).length, 1);
      } finally {
        emulator.state.sendStatusWebhooks = false;
      }
    });
  });

  describe('ambiguous Instagram sends are resolved from the echo', () => {
    it("Meta's 'error but sent' (1/1357046): the echo with this recipient and text makes it accepted, once", async () => {
      const { channelId, accountId } = await instagramChannel();
      emulator.state.sendStatusWebhooks = true;
      try {
        emulator.state.injectFault({ method: 'POST', path: /\/me\/messages$/, afterSend: 'error-but-sent' });
        const clientMessageId = cm();
        const answer = await send(channelId, { client_message_id: clientMessageId, to: '1234567890123456', type: 'text', text: { body: 'Did this one go?' } });
        assert.ok(answer.status === 202 || answer.status === 200, JSON.stringify(answer.body));
        const mid = sentTo(accountId).at(-1)!.messageId;
        await dsk.waitFor(() => sendEvents(clientMessageId).some((e) => e.status === 'accepted'));
        assert.deepEqual(sendEvents(clientMessageId).at(-1), { source: 'send', client_message_id: clientMessageId, status: 'accepted', message_id: mid, reconciled: true });
        const read = await dskApi(service, instanceId, 'GET', `/v1/channels/${channelId}/messages/${clientMessageId}`);
        assert.deepEqual([read.body.status, read.body.message_id], ['accepted', mid]);
        assert.equal(sentTo(accountId).filter((m) => m.text === 'Did this one go?').length, 1);
      } finally {
        emulator.state.sendStatusWebhooks = false;
      }
    });
  });

  it("the Instagram echo of a send reaches DSK with the send's client_message_id", async () => {
    const { channelId } = await instagramChannel();
    emulator.state.sendStatusWebhooks = true;
    try {
      const clientMessageId = cm();
      const answer = await send(channelId, { client_message_id: clientMessageId, to: '1234567890123456', type: 'text', text: { body: 'Echo me' } });
      assert.equal(answer.status, 200);
      await dsk.waitFor(() => dsk.accepted.some((d) => d.body.type === 'message.echo' && (d.body.data as { message: { id: string } }).message.id === answer.body.message_id));
      const echo = dsk.accepted.find((d) => d.body.type === 'message.echo' && (d.body.data as { message: { id: string } }).message.id === answer.body.message_id)!;
      assert.equal((echo.body.data as { client_message_id?: string }).client_message_id, clientMessageId);
    } finally {
      emulator.state.sendStatusWebhooks = false;
    }
  });

  describe("Meta's throughput limits hold under a burst", () => {
    it('paces a burst to one number at its messages per second, and to one customer at the pair rate, across two worker processes: all sent, none refused', async () => {
      const { channelId, phoneNumberId } = await whatsappChannel();
      // A second worker process on the same task queue, with its own PostgreSQL pool: the limit must hold across both.
      const second = await workers.start();
      /*
       * The service paces this number at 10/s (its WHATSAPP_SENDS_PER_SECOND for this test) and each
       * customer at 3 then 1 per second. The emulator refuses above 15/s and a pair burst of 5: room
       * for the jitter between the service's slot and the request's arrival, none for an unpaced
       * burst, which would put all 35 sends into well under a second.
       */
      emulator.state.setThroughput(phoneNumberId, 15);
      emulator.state.setPairRate({ intervalMs: 1000, burst: 5 });
      try {
        const recipients = Array.from({ length: 30 }, (_, i) => `+1650556${String(i).padStart(4, '0')}`);
        const sameCustomer = Array.from({ length: 5 }, () => CUSTOMER);
        const sends = [...recipients, ...sameCustomer].map((to) => ({ client_message_id: cm(), to, type: 'text', text: { body: 'Burst' } }));
        // Every slot is reserved after this instant, so each paced send leaves no earlier than its slot's
        // offset from here, however late a loaded machine runs the first one (measuring from the first
        // arrival instead made the spread shrink by that first send's lateness).
        const burstStart = Date.now();
        const answers = await Promise.all(sends.map((body) => send(channelId, body, '?wait_ms=20000')));
        assert.deepEqual(answers.filter((a) => a.status !== 200).map((a) => a.body), []);
        const accepted = sentTo(phoneNumberId);
        assert.equal(accepted.length, 35);
        const refused = emulator.state.requests.filter((r) => r.path.endsWith(`/${phoneNumberId}/messages`) && r.status !== 200);
        assert.deepEqual(refused.map((r) => r.status), []);
        // 35 sends at 10 per second: the last leaves at least 3.4 s after the burst began.
        const times = accepted.map((m) => m.at.getTime()).sort((a, b) => a - b);
        assert.ok(times.at(-1)! - burstStart >= 3_300, `35 sends left within ${times.at(-1)! - burstStart} ms of the burst`);
        // Five to one customer at a burst of 3, then 1 per second: the fifth leaves at least 2 s after the burst began.
        const toCustomer = accepted.filter((m) => m.to === CUSTOMER).map((m) => m.at.getTime()).sort((a, b) => a - b);
        assert.equal(toCustomer.length, 5);
        assert.ok(toCustomer[4]! - burstStart >= 1_950, `the customer's 5 sends left within ${toCustomer[4]! - burstStart} ms of the burst`);
        // Both processes sent: the identities of the workers that ran the send activities.
        const senders = new Set<string>();
        for (const body of sends) {
          const history = await service.client.workflow.getHandle(outboundWorkflowId(instanceId, body.client_message_id)).fetchHistory();
          for (const event of history.events ?? []) {
            const identity = event.activityTaskStartedEventAttributes?.identity;
            if (identity) senders.add(identity.split('@')[0]!);
          }
        }
        assert.ok(senders.has(String(second.pid)) && senders.has(String(process.pid)), `activities ran in ${[...senders].join(', ')}`);
      } finally {
        emulator.state.setPairRate({ intervalMs: 1000, burst: 4 });
        await second.kill();
      }
    });
  });
});
