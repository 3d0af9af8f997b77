import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { createOutboundActivities, type OutboundActivityDeps } from '../../src/activities/outbound.js';
import type { ChannelRow } from '../../src/db/channels.js';
import type { OutboundSendRow } from '../../src/db/outbound-sends.js';
import { createMetaEmulator, type MetaEmulator, type RunningMetaEmulator } from '../../dev/meta-emulator/app.js';
import { parseOutboundRequest } from '../../src/api/outbound-schema/index.js';
import { createChannelAdapters } from '../../src/meta/adapters.js';
import { createGraphTransport } from '../../src/meta/graph/transport.js';
import { createInstagramLoginApi } from '../../src/meta/instagram/login-api.js';

const INSTANCE = 'inst-1';

/**
 * Meta's Send API has no idempotency key: once Meta accepted a message, no failure around the ledger
 * or the activity's completion may make Temporal's retry send it again. test:production found both
 * holes by restarting PostgreSQL under sends.
 */
describe('sendOutboundMessage sends once, whatever fails after Meta accepted', () => {
  let emulator: MetaEmulator;
  let running: RunningMetaEmulator;
  let phoneNumberId: string;
  let token: string;

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
    number.registered = true;
    phoneNumberId = number.id;
    token = emulator.state.issueToken({ kind: 'business_integration', scopes: ['whatsapp_business_messaging'], assets: [phoneNumberId] });
  });

  const request = parseOutboundRequest('whatsapp', { client_message_id: 'cm-once', to: '+16505551234', type: 'text', text: { body: 'Only once' } });
  const deps = (ledger: Omit<OutboundActivityDeps['sends'], 'byTag'>): OutboundActivityDeps => {
    const sends: OutboundActivityDeps['sends'] = { ...ledger, byTag: async () => undefined };
    const now = new Date();
    const channel = { id: 'ch-wa', instanceId: INSTANCE, channelType: 'whatsapp', externalId: phoneNumberId, status: 'active', labels: {}, verification: {}, hasToken: true, createdAt: now, updatedAt: now } as unknown as ChannelRow;
    return {
      channels: { getForInstance: async () => channel, get: async () => channel, tokenCiphertext: async () => `enc:${token}`, setStatus: async () => undefined },
      instances: { get: async () => ({ eventsUrl: 'http://dsk.invalid/events' }) },
      sends,
      vault: { decrypt: (stored) => stored.replace(/^enc:/, '') },
      adapters: createChannelAdapters({
        graph: createGraphTransport({ baseUrl: running.url, version: 'v26.0', timeoutMs: 2_000 }),
        instagram: createInstagramLoginApi({ graphBaseUrl: running.hosts['graph.instagram.com'], apiBaseUrl: running.hosts['api.instagram.com'], version: 'v26.0', timeoutMs: 2_000 }),
        facebookDialogBaseUrl: 'https://www.facebook.invalid',
        instagramDialogBaseUrl: 'https://www.instagram.invalid',
      }),
      rateLimiter: { reserve: async () => ({ granted: true, waitMs: 0, sendAt: new Date() }) },
      rateLimits: { whatsappSendsPerSecond: 80, whatsappPairIntervalMs: 6000, whatsappPairBurst: 45, instagramSendsPerSecond: 100, instagramMediaSendsPerSecond: 10 },
      recipientKey: (recipient) => `key-of-${recipient.length}`,
      dsk: { deliver: async () => ({ status: 200 }) },
      clock: () => new Date(),
    };
  };

  it('answers with Meta’s id when recording the acceptance fails for a while (PostgreSQL restarting), and records it once it can', async () => {
    const settled: string[] = [];
    let failures = 2;
    const activities = createOutboundActivities(
      deps({
        begin: async () => ({ began: true, row: undefined }),
        settle: async (_tag, outcome) => {
          if (failures-- > 0) throw new Error('Connection terminated unexpectedly');
          settled.push(outcome.state);
        },
      }),
    );
    const { metaMessageId } = await activities.sendOutboundMessage({ channelId: 'ch-wa', instanceId: INSTANCE, request });
    assert.equal(metaMessageId, emulator.state.businessMessages[0]!.messageId);
    assert.equal(emulator.state.businessMessages.length, 1);
    assert.deepEqual(settled, ['accepted']);
  });

  /** The ledger row as the send's claim left it; `workflowId` names the run that may call Meta. */
  const row = (overrides: Partial<OutboundSendRow>): OutboundSendRow => ({
    tag: 'tag-once',
    instanceId: INSTANCE,
    channelId: 'ch-wa',
    clientMessageId: 'cm-once',
    workflowId: 'outbound-run-1',
    state: 'sending',
    metaMessageId: null,
    attemptedAt: new Date(),
    error: null,
    failedLate: false,
    ...overrides,
  });

  it('a retried attempt whose ledger row is already accepted answers from it without calling Meta', async () => {
    const activities = createOutboundActivities({
      ...deps({ begin: async () => ({ began: false, row: row({ state: 'accepted', metaMessageId: 'wamid.FIRST' }) }), settle: async () => assert.fail('nothing to settle') }),
      currentWorkflowId: () => 'outbound-run-1',
    });
    assert.deepEqual(await activities.sendOutboundMessage({ channelId: 'ch-wa', instanceId: INSTANCE, request }), { metaMessageId: 'wamid.FIRST' });
    assert.equal(emulator.state.businessMessages.length, 0);
  });

  it('another run never answers from a send it does not hold, accepted or not: it fails as ambiguous_send without calling Meta', async () => {
    for (const state of ['accepted', 'sending'] as const) {
      const activities = createOutboundActivities({
        ...deps({ begin: async () => ({ began: false, row: row({ state, metaMessageId: state === 'accepted' ? 'wamid.FIRST' : null }) }), settle: async () => assert.fail('nothing to settle') }),
        currentWorkflowId: () => 'outbound-run-2',
      });
      await assert.rejects(activities.sendOutboundMessage({ channelId: 'ch-wa', instanceId: INSTANCE, request }), (err: Error & { details?: Array<{ code?: string }>; nonRetryable?: boolean }) => err.details?.[0]?.code === 'ambiguous_send' && err.nonRetryable === true);
    }
    assert.equal(emulator.state.businessMessages.length, 0);
  });
});
