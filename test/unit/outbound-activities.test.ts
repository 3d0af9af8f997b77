import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { ApplicationFailure } from '@temporalio/common';
import { createOutboundActivities, type OutboundActivityDeps } from '../../src/activities/outbound.js';
import type { ChannelRow } from '../../src/db/channels.js';
import { freePort } from '../../src/infra/local-temporal.js';
import { createMetaEmulator, type MetaEmulator, type RunningMetaEmulator } from '../../src/meta-emulator/app.js';
import { createGraphClient } from '../../src/meta/graph-client.js';
import { createInstagramClient } from '../../src/meta/instagram-client.js';
import { sendTag } from '../../src/outbound/graph-bodies.js';
import { parseOutboundRequest } from '../../src/outbound/message-schema.js';
import type { OutboundError } from '../../src/shared/outbound.js';

const INSTANCE = 'inst-1';
const CLIENT_TIMEOUT_MS = 300;

/**
 * The send activity against the Meta emulator with real Graph/Instagram clients; only the channel
 * store and the vault are fakes (the vault "decrypts" `enc:<token>`).
 */
describe('sendOutboundMessage against the Meta emulator', () => {
  let emulator: MetaEmulator;
  let running: RunningMetaEmulator;
  let phoneNumberId: string;
  let channels: Map<string, ChannelRow & { ciphertext: string | null }>;

  before(async () => {
    emulator = createMetaEmulator();
    running = await emulator.listen();
  });
  after(async () => {
    await running?.close();
  });
  beforeEach(() => {
    emulator.state.reset();
    const number = [...emulator.state.phoneNumbers.values()][0]!;
    // What activation's `POST /{phone-number-id}/register` does; the Send API refuses unregistered numbers (133010).
    number.registered = true;
    phoneNumberId = number.id;
    const token = emulator.state.issueToken({ kind: 'business_integration', scopes: ['whatsapp_business_messaging'], assets: [phoneNumberId] });
    channels = new Map([['ch-wa', channelRow({ id: 'ch-wa', channelType: 'whatsapp', externalId: phoneNumberId, ciphertext: `enc:${token}` })]]);
  });

  function activities() {
    const deps: OutboundActivityDeps = {
      channels: {
        getForInstance: async (id, instanceId) => {
          const row = channels.get(id);
          return row && row.instanceId === instanceId ? row : undefined;
        },
        tokenCiphertext: async (id) => channels.get(id)?.ciphertext ?? null,
      },
      vault: { decrypt: (stored) => stored.replace(/^enc:/, '') },
      graph: createGraphClient({ baseUrl: running.url, version: 'v26.0', mediaHosts: [], timeoutMs: CLIENT_TIMEOUT_MS }),
      instagram: createInstagramClient({ graphBaseUrl: running.hosts['graph.instagram.com'], apiBaseUrl: running.hosts['api.instagram.com'], version: 'v26.0', timeoutMs: CLIENT_TIMEOUT_MS }),
      clock: () => new Date(),
    };
    return createOutboundActivities(deps);
  }

  const waText = (clientMessageId = 'cm-1') =>
    parseOutboundRequest('whatsapp', { client_message_id: clientMessageId, to: '+16505551234', type: 'text', text: { body: 'Hi there', preview_url: false } });

  it('sends a WhatsApp text and returns the wamid; the emulator received the exact Graph body', async () => {
    const { metaMessageId } = await activities().sendOutboundMessage({ channelId: 'ch-wa', instanceId: INSTANCE, request: waText() });
    assert.match(metaMessageId ?? '', /^wamid\./);
    assert.equal(emulator.state.businessMessages.length, 1);
    const sent = emulator.state.businessMessages[0]!;
    assert.equal(sent.messageId, metaMessageId);
    assert.equal(sent.channelId, phoneNumberId);
    assert.deepEqual(sent.body, {
      messaging_product: 'whatsapp',
      recipient_type: 'individual',
      to: '+16505551234',
      type: 'text',
      text: { body: 'Hi there', preview_url: false },
      biz_opaque_callback_data: sendTag(INSTANCE, 'cm-1'),
    });
  });

  it('maps 131047 to a non-retryable outside_customer_window failure carrying Meta code and reason', async () => {
    emulator.state.injectFault({ method: 'POST', path: /\/messages$/, error: { code: 131047 } });
    const failure = await failureOf(activities().sendOutboundMessage({ channelId: 'ch-wa', instanceId: INSTANCE, request: waText() }));
    assert.equal(failure.type, 'send.outside_customer_window');
    assert.equal(failure.nonRetryable, true);
    const details = failure.details?.[0] as OutboundError;
    assert.deepEqual({ ...details, reason: typeof details.reason }, { code: 'outside_customer_window', meta_code: 131047, meta_subcode: null, reason: 'string' });
    assert.match(details.reason, /24 hours/);
  });

  it('maps 130429 (throughput) to a retryable meta_throttled failure', async () => {
    emulator.state.injectFault({ method: 'POST', path: /\/messages$/, error: { code: 130429 } });
    const failure = await failureOf(activities().sendOutboundMessage({ channelId: 'ch-wa', instanceId: INSTANCE, request: waText() }));
    assert.equal(failure.type, 'send.meta_throttled');
    assert.equal(failure.nonRetryable, false);
    assert.equal((failure.details?.[0] as OutboundError).meta_code, 130429);
  });

  it('uses Meta\'s Retry-After as the next retry delay of a throttled send', async () => {
    emulator.state.injectFault({ method: 'POST', path: /\/messages$/, error: { code: 4 }, headers: { 'retry-after': '7' } });
    const failure = await failureOf(activities().sendOutboundMessage({ channelId: 'ch-wa', instanceId: INSTANCE, request: waText() }));
    assert.equal(failure.nonRetryable, false);
    assert.equal(failure.nextRetryDelay, 7000);
  });

  it('turns a timeout (the send may have reached Meta) into a non-retryable send.ambiguous failure', async () => {
    emulator.state.injectFault({ method: 'POST', path: /\/messages$/, delayMs: CLIENT_TIMEOUT_MS * 4 });
    const failure = await failureOf(activities().sendOutboundMessage({ channelId: 'ch-wa', instanceId: INSTANCE, request: waText() }));
    assert.equal(failure.type, 'send.ambiguous');
    assert.equal(failure.nonRetryable, true);
    assert.deepEqual((failure.details?.[0] as OutboundError).code, 'ambiguous_send');
  });

  it('treats a connection that never opened as retryable: nothing was sent', async () => {
    const closedUrl = `http://127.0.0.1:${await freePort()}`;
    const closed = createOutboundActivities({
      channels: { getForInstance: async (id, i) => (i === INSTANCE ? channels.get(id) : undefined), tokenCiphertext: async (id) => channels.get(id)?.ciphertext ?? null },
      vault: { decrypt: (s) => s.replace(/^enc:/, '') },
      // A free loopback port nobody listens on: connection refused.
      graph: createGraphClient({ baseUrl: closedUrl, version: 'v26.0', mediaHosts: [], timeoutMs: CLIENT_TIMEOUT_MS }),
      instagram: createInstagramClient({ graphBaseUrl: closedUrl, apiBaseUrl: closedUrl, version: 'v26.0' }),
      clock: () => new Date(),
    });
    const failure = await failureOf(closed.sendOutboundMessage({ channelId: 'ch-wa', instanceId: INSTANCE, request: waText() }));
    assert.equal(failure.type, 'send.meta_unavailable');
    assert.equal(failure.nonRetryable, false);
  });

  it('refuses a disconnected channel and a channel of another instance without calling Meta', async () => {
    channels.set('ch-gone', channelRow({ id: 'ch-gone', channelType: 'whatsapp', externalId: phoneNumberId, status: 'disconnected', ciphertext: null }));
    const gone = await failureOf(activities().sendOutboundMessage({ channelId: 'ch-gone', instanceId: INSTANCE, request: waText() }));
    assert.deepEqual([gone.type, gone.nonRetryable], ['channel_disconnected', true]);
    const foreign = await failureOf(activities().sendOutboundMessage({ channelId: 'ch-wa', instanceId: 'inst-2', request: waText() }));
    assert.deepEqual([foreign.type, foreign.nonRetryable], ['channel_not_found', true]);
    assert.equal(emulator.state.businessMessages.length, 0);
  });

  it('sends an Instagram Login text through graph.instagram.com and returns the mid', async () => {
    const account = [...emulator.state.instagramAccounts.values()].find((a) => !a.pageId) ?? [...emulator.state.instagramAccounts.values()][0]!;
    const token = emulator.state.issueToken({ kind: 'instagram', scopes: ['instagram_business_manage_messages'], assets: [account.id] });
    channels.set('ch-ig', channelRow({ id: 'ch-ig', channelType: 'instagram', externalId: account.id, ciphertext: `enc:${token}` }));
    const request = parseOutboundRequest('instagram', { client_message_id: 'cm-ig', to: '1234567890', type: 'text', text: { body: 'Hola' } });
    const { metaMessageId } = await activities().sendOutboundMessage({ channelId: 'ch-ig', instanceId: INSTANCE, request });
    const sent = emulator.state.businessMessages.at(-1)!;
    assert.equal(sent.messageId, metaMessageId);
    assert.deepEqual(sent.body, { recipient: { id: '1234567890' }, message: { text: 'Hola' } });
  });
});

async function failureOf(promise: Promise<unknown>): Promise<ApplicationFailure> {
  try {
    await promise;
  } catch (err) {
    assert.ok(err instanceof ApplicationFailure, `expected an ApplicationFailure, got ${String(err)}`);
    return err;
  }
  assert.fail('expected the send to fail');
}

function channelRow(init: { id: string; channelType: 'whatsapp' | 'instagram'; externalId: string; status?: ChannelRow['status']; ciphertext: string | null; pageId?: string | null }): ChannelRow & { ciphertext: string | null } {
  const now = new Date();
  return {
    id: init.id,
    instanceId: INSTANCE,
    connectionId: 'conn-1',
    channelType: init.channelType,
    externalId: init.externalId,
    wabaId: null,
    pageId: init.pageId ?? null,
    businessId: null,
    displayName: null,
    phoneNumber: null,
    username: null,
    labels: {},
    verification: {},
    status: init.status ?? 'active',
    tokenKeyId: null,
    tokenKind: null,
    tokenExpiresAt: null,
    tokenCheckedAt: null,
    hasToken: init.ciphertext !== null,
    createdAt: now,
    updatedAt: now,
    disconnectedAt: null,
    ciphertext: init.ciphertext,
  };
}
