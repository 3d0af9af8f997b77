import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { ApplicationFailure } from '@temporalio/common';
import { createOutboundActivities, type OutboundActivityDeps } from '../../src/activities/outbound.js';
import type { ChannelRow } from '../../src/db/channels.js';
import { freePort } from '../../dev/infra/local-temporal.js';
import { createMetaEmulator, type MetaEmulator, type RunningMetaEmulator } from '../../dev/meta-emulator/app.js';
import { createChannelAdapters } from '../../src/meta/adapters.js';
import { createGraphTransport } from '../../src/meta/graph/transport.js';
import { createInstagramLoginApi } from '../../src/meta/instagram/login-api.js';
import { outboundWorkflowId } from '../../src/shared/ids.js';
import { sendTag } from '../../src/outbound/send-tag.js';
import { parseOutboundRequest } from '../../src/api/outbound-schema/index.js';
import type { OutboundError } from '../../src/shared/outbound.js';
import { parseDskEnvelope } from '../../src/dsk/envelope-schema.js';
import { DskDeliveryError } from '../../src/dsk/client.js';
import type { SendRateLimit } from '../../src/db/send-rate-slots.js';

const INSTANCE = 'inst-1';
// Generous enough that a loaded CI machine never times out a healthy call; the timeout tests wait it out.
const CLIENT_TIMEOUT_MS = 1_500;

/**
 * The send activity against the Meta emulator with the real channel adapters; only the channel
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

  function activities(overrides: Partial<OutboundActivityDeps> = {}) {
    return createOutboundActivities(fakeDeps({ channels, graphUrl: running.url, instagramUrls: running.hosts, overrides }));
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
    emulator.state.injectFault({ method: 'POST', path: /\/messages$/, delayMs: CLIENT_TIMEOUT_MS * 2 });
    const failure = await failureOf(activities().sendOutboundMessage({ channelId: 'ch-wa', instanceId: INSTANCE, request: waText() }));
    assert.equal(failure.type, 'send.ambiguous');
    assert.equal(failure.nonRetryable, true);
    assert.deepEqual((failure.details?.[0] as OutboundError).code, 'ambiguous_send');
  });

  it('treats a connection that never opened as retryable: nothing was sent', async () => {
    const closedUrl = `http://127.0.0.1:${await freePort()}`;
    // A free loopback port nobody listens on: connection refused.
    const closed = createOutboundActivities(fakeDeps({ channels, graphUrl: closedUrl, instagramUrls: { 'graph.instagram.com': closedUrl, 'api.instagram.com': closedUrl } }));
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
  it('records the send in the ledger before calling Meta, and settles it with the wamid', async () => {
    const ledger = recordingLedger();
    const { metaMessageId } = await activities({ sends: ledger }).sendOutboundMessage({ channelId: 'ch-wa', instanceId: INSTANCE, request: waText('cm-ledger') });
    assert.deepEqual(ledger.calls, [
      ['begin', { tag: sendTag(INSTANCE, 'cm-ledger'), instanceId: INSTANCE, channelId: 'ch-wa', clientMessageId: 'cm-ledger', workflowId: outboundWorkflowId(INSTANCE, 'cm-ledger') }],
      ['settle', sendTag(INSTANCE, 'cm-ledger'), { state: 'accepted', metaMessageId }],
    ]);
  });

  it('settles an ambiguous send as unknown and a permanent refusal as failed; a retryable one stays open', async () => {
    const outcomes: Array<[string, unknown]> = [];
    for (const [fault, cm] of [
      [{ delayMs: CLIENT_TIMEOUT_MS * 2 }, 'cm-amb'],
      [{ error: { code: 131047 } }, 'cm-perm'],
      [{ error: { code: 130429 } }, 'cm-retry'],
    ] as const) {
      const ledger = recordingLedger();
      emulator.state.injectFault({ method: 'POST', path: /\/messages$/, ...fault });
      await failureOf(activities({ sends: ledger }).sendOutboundMessage({ channelId: 'ch-wa', instanceId: INSTANCE, request: waText(cm) }));
      outcomes.push([cm, ledger.calls.filter((c) => c[0] === 'settle').map((c) => (c[2] as { state: string }).state)]);
    }
    assert.deepEqual(outcomes, [
      ['cm-amb', ['unknown']],
      ['cm-perm', ['failed']],
      ['cm-retry', []],
    ]);
  });

  it('counts each attempt in outbound_sends_total by outcome', async () => {
    const counted: string[] = [];
    const metrics = { outboundSends: { inc: (labels: { outcome: string }) => void counted.push(labels.outcome) } } as unknown as OutboundActivityDeps['metrics'];
    const acts = activities({ metrics });
    await acts.sendOutboundMessage({ channelId: 'ch-wa', instanceId: INSTANCE, request: waText('cm-m1') });
    for (const fault of [{ error: { code: 130429 } }, { error: { code: 131047 } }, { delayMs: CLIENT_TIMEOUT_MS * 2 }]) {
      emulator.state.injectFault({ method: 'POST', path: /\/messages$/, ...fault });
      await failureOf(acts.sendOutboundMessage({ channelId: 'ch-wa', instanceId: INSTANCE, request: waText(`cm-m-${counted.length}`) }));
    }
    assert.deepEqual(counted, ['sent', 'retryable', 'rejected', 'ambiguous']);
  });

  it('reserves the number slot and the pair slot keyed by the injected recipient hash', async () => {
    const reserved: SendRateLimit[][] = [];
    const rateLimiter: OutboundActivityDeps['rateLimiter'] = {
      reserve: async (limits) => {
        reserved.push([...limits]);
        return { granted: true, waitMs: 0, sendAt: new Date() };
      },
    };
    await activities({ rateLimiter, recipientKey: (r) => `h(${r})` }).sendOutboundMessage({ channelId: 'ch-wa', instanceId: INSTANCE, request: waText() });
    assert.deepEqual(reserved[0]!.map((l) => l.key), [`wa:${phoneNumberId}`, `wa-pair:${phoneNumberId}:h(+16505551234)`]);
  });

  it('does not call Meta when no slot is free soon: a retryable send.rate_limited with the slot\'s delay', async () => {
    const rateLimiter: OutboundActivityDeps['rateLimiter'] = { reserve: async () => ({ granted: false, retryAfterMs: 4200 }) };
    const failure = await failureOf(activities({ rateLimiter }).sendOutboundMessage({ channelId: 'ch-wa', instanceId: INSTANCE, request: waText() }));
    assert.deepEqual([failure.type, failure.nonRetryable, failure.nextRetryDelay], ['send.rate_limited', false, 4200]);
    assert.equal((failure.details?.[0] as OutboundError).code, 'meta_throttled');
    assert.equal(emulator.state.businessMessages.length, 0);
  });

  it('names the live channel whose token Meta refused, with its connection, and nothing for a channel no longer active', async () => {
    const acts = activities();
    assert.deepEqual(await acts.tokenRejectionTarget({ channelId: 'ch-wa' }), { id: 'ch-wa', connectionId: 'conn-1' });
    // The retired activity (runs scheduled before the workflow signalled itself) names the same channel.
    assert.deepEqual(await acts.reportTokenRejected({ channelId: 'ch-wa', metaCode: 190 }), { via: 'workflow', channel: { id: 'ch-wa', connectionId: 'conn-1' } });
    channels.get('ch-wa')!.status = 'reauth_required';
    assert.equal(await acts.tokenRejectionTarget({ channelId: 'ch-wa' }), null);
    assert.equal(await acts.tokenRejectionTarget({ channelId: 'ch-gone' }), null);
  });

  it('marks a channel without a running connection workflow reauth_required itself', async () => {
    const statuses: Array<[string, string]> = [];
    const setStatus = async (id: string, status: 'active' | 'reauth_required') => void statuses.push([id, status]);
    await activities({ channels: { ...fakeChannels(channels), setStatus } }).markReauthRequiredDirectly({ channelId: 'ch-wa' });
    assert.deepEqual(statuses, [['ch-wa', 'reauth_required']]);
  });

  it('tells DSK the outcome as a valid message.status envelope with one idempotency key per outcome', async () => {
    const delivered: Array<{ idempotencyKey: string; envelope: unknown }> = [];
    const dsk: OutboundActivityDeps['dsk'] = {
      deliver: async (request) => {
        delivered.push({ idempotencyKey: request.idempotencyKey, envelope: request.envelope });
        return { status: 200 };
      },
    };
    const acts = activities({ dsk });
    const failed = { status: 'failed', error: { code: 'outside_customer_window', meta_code: 131047, meta_subcode: null, reason: 'closed' } } as const;
    assert.deepEqual(await acts.notifySendOutcome({ instanceId: INSTANCE, channelId: 'ch-wa', clientMessageId: 'cm-9', result: failed }), { delivered: true });
    await acts.notifySendOutcome({ instanceId: INSTANCE, channelId: 'ch-wa', clientMessageId: 'cm-9', result: { status: 'sent', metaMessageId: 'wamid.X' }, reconciled: true });
    const [first, second] = delivered.map((d) => ({ key: d.idempotencyKey, envelope: parseDskEnvelope(d.envelope) }));
    assert.equal(first!.key, `out:${sendTag(INSTANCE, 'cm-9')}:failed`);
    assert.deepEqual(first!.envelope.data, { source: 'send', client_message_id: 'cm-9', status: 'failed', error: { code: 'outside_customer_window', meta_code: 131047, reason: 'closed' } });
    assert.equal(second!.key, `out:${sendTag(INSTANCE, 'cm-9')}:accepted`);
    assert.deepEqual(second!.envelope.data, { source: 'send', client_message_id: 'cm-9', status: 'accepted', message_id: 'wamid.X', reconciled: true });
  });

  it('retries the outcome event while DSK is unreachable, and gives up quietly when DSK refuses it', async () => {
    const refusing = activities({ dsk: { deliver: async () => Promise.reject(new DskDeliveryError('http', 400, undefined)) } });
    assert.deepEqual(await refusing.notifySendOutcome({ instanceId: INSTANCE, channelId: 'ch-wa', clientMessageId: 'cm-1', result: { status: 'sent', metaMessageId: 'wamid.Y' } }), { delivered: false });
    const down = activities({ dsk: { deliver: async () => Promise.reject(new DskDeliveryError('http', 503, 2000)) } });
    const failure = await failureOf(down.notifySendOutcome({ instanceId: INSTANCE, channelId: 'ch-wa', clientMessageId: 'cm-1', result: { status: 'sent', metaMessageId: 'wamid.Y' } }));
    assert.deepEqual([failure.type, failure.nonRetryable, failure.nextRetryDelay, failure.details], ['dsk.http', false, 2000, [{ dskStatus: 503 }]]);
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

type FakeChannel = ChannelRow & { ciphertext: string | null };

function fakeChannels(channels: Map<string, FakeChannel>): OutboundActivityDeps['channels'] {
  return {
    getForInstance: async (id, instanceId) => {
      const row = channels.get(id);
      return row && row.instanceId === instanceId ? row : undefined;
    },
    get: async (id) => channels.get(id),
    tokenCiphertext: async (id) => channels.get(id)?.ciphertext ?? null,
    setStatus: async () => undefined,
  };
}

function recordingLedger() {
  const calls: unknown[][] = [];
  return {
    calls,
    begin: async (input: unknown) => {
      calls.push(['begin', input]);
      return { began: true, row: undefined };
    },
    settle: async (tag: string, outcome: unknown) => void calls.push(['settle', tag, outcome]),
    byTag: async () => undefined,
  };
}

/** The real adapters, their Graph and Instagram hosts at the given URLs; everything else in memory, always willing. */
function fakeDeps(init: { channels: Map<string, FakeChannel>; graphUrl: string; instagramUrls: Record<'graph.instagram.com' | 'api.instagram.com', string>; overrides?: Partial<OutboundActivityDeps> }): OutboundActivityDeps {
  return {
    channels: fakeChannels(init.channels),
    instances: { get: async () => ({ eventsUrl: 'http://dsk.invalid/events' }) },
    sends: { begin: async () => ({ began: true, row: undefined }), settle: async () => undefined, byTag: async () => undefined },
    vault: { decrypt: (stored) => stored.replace(/^enc:/, '') },
    adapters: createChannelAdapters({
      graph: createGraphTransport({ baseUrl: init.graphUrl, version: 'v26.0', timeoutMs: CLIENT_TIMEOUT_MS }),
      instagram: createInstagramLoginApi({ graphBaseUrl: init.instagramUrls['graph.instagram.com'], apiBaseUrl: init.instagramUrls['api.instagram.com'], version: 'v26.0', timeoutMs: CLIENT_TIMEOUT_MS }),
      facebookDialogBaseUrl: 'https://www.facebook.invalid',
      instagramDialogBaseUrl: 'https://www.instagram.invalid',
    }),
    rateLimiter: { reserve: async () => ({ granted: true, waitMs: 0, sendAt: new Date() }) },
    rateLimits: { whatsappSendsPerSecond: 80, whatsappPairIntervalMs: 6000, whatsappPairBurst: 45, instagramSendsPerSecond: 100, instagramMediaSendsPerSecond: 10 },
    recipientKey: (recipient) => `key-of-${recipient.length}`,
    dsk: { deliver: async () => ({ status: 200 }) },
    clock: () => new Date(),
    ...init.overrides,
  };
}
