import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createInboundActivities, type InboundActivityDeps } from '../../src/activities/inbound.js';
import { splitWebhook } from '../../src/meta/webhook/split.js';
import { waAccountUpdate } from '../support/meta-webhook-sender.js';

const NOW = new Date('2026-07-29T08:03:12Z');
const CHANNEL = '5f0c7c52-8f0e-4d43-9a51-0d6f4ad2b7a1';
const CONNECTION = '0b9f3c1e-3d5a-4f7e-9c2b-8a6d4e2f1a0c';

interface Calls {
  disconnected: string[];
  deliveredTo: Array<string | null>;
}

interface FakeSend {
  tag: string;
  instanceId: string;
  channelId: string;
  clientMessageId: string;
  workflowId: string;
  state: 'sending' | 'accepted' | 'failed' | 'unknown';
  metaMessageId: string | null;
  attemptedAt: Date | null;
  error: null;
}

/** Activities over in-memory fakes: the channels on the WABA, the send ledger, the stored status. */
function activitiesWith(options: { channels?: Array<{ id: string; connectionId: string | null }>; sends?: FakeSend[]; storedStatus?: string }) {
  const calls: Calls = { disconnected: [], deliveredTo: [] };
  const sends = options.sends ?? [];
  const deps = {
    routing: {
      resolve: async () => undefined,
      eventsUrlOfChannel: async () => 'https://dsk.example/events',
    },
    webhookLog: { recordAttempt: async () => undefined, recordDelivered: async () => undefined },
    messageStatus: { merge: async () => options.storedStatus ?? 'read' },
    channels: {
      liveOnSameWaba: async () => options.channels ?? [],
      disconnect: async (channelId: string) => {
        calls.disconnected.push(channelId);
        return true;
      },
    },
    outboundSends: {
      byTag: async (tag: string) => sends.find((s) => s.tag === tag),
      byMetaMessageId: async (channelId: string, mid: string) => sends.find((s) => s.channelId === channelId && s.metaMessageId === mid),
      unresolved: async (channelId: string) => sends.filter((s) => s.channelId === channelId && (s.state === 'sending' || s.state === 'unknown')),
    },
    dsk: {
      deliver: async (request: { url: string | null }) => {
        calls.deliveredTo.push(request.url);
        return { status: 200 };
      },
    },
    clock: () => NOW,
  } as unknown as InboundActivityDeps;
  return { activities: createInboundActivities(deps), calls, env: new MockActivityEnvironment() };
}

/*
 * Which workflows these activities name is specified here; that the inbound workflow then signals
 * them (or disconnects in the database when a connection workflow is gone) is specified with the
 * real workflow in test/integration/inbound-signals.test.ts.
 */
describe('channels of an account_update disconnect', () => {
  it('names the channel and every live channel on its WABA, each with its connection', async () => {
    const channels = [
      { id: CHANNEL, connectionId: CONNECTION },
      { id: 'ch-same-waba', connectionId: null },
    ];
    const { activities, calls, env } = activitiesWith({ channels });
    assert.deepEqual(await env.run(activities.channelsOnSameWaba, { channelId: CHANNEL }), channels);
    assert.deepEqual(calls.disconnected, []);
  });

  it('names nothing for a channel that no longer exists', async () => {
    const { activities, env } = activitiesWith({ channels: [] });
    assert.deepEqual(await env.run(activities.channelsOnSameWaba, { channelId: CHANNEL }), []);
  });

  it('disconnects a channel in the database when asked to directly (no connection workflow to do it)', async () => {
    const { activities, calls, env } = activitiesWith({});
    await env.run(activities.disconnectChannelDirectly, { channelId: CHANNEL, reason: 'meta_account_update' });
    assert.deepEqual(calls.disconnected, [CHANNEL]);
  });

  it('answers a run scheduled before the workflow signalled itself with the channels to disconnect, and disconnects nothing', async () => {
    const { activities, calls, env } = activitiesWith({ channels: [{ id: CHANNEL, connectionId: CONNECTION }] });
    assert.deepEqual(await env.run(activities.requestChannelDisconnect, { channelId: CHANNEL, reason: 'meta_account_update' }), {
      via: 'workflow',
      channels: [{ id: CHANNEL, connectionId: CONNECTION }],
    });
    assert.deepEqual(calls.disconnected, []);
  });
});

describe('sends a status or echo webhook proves', () => {
  const send = (over: Partial<FakeSend>): FakeSend => {
    const clientMessageId = over.clientMessageId ?? 'cm-1';
    return { tag: 'dsk:t1', instanceId: 'inst_1', channelId: CHANNEL, clientMessageId, workflowId: `outbound:6:inst_1:${clientMessageId}`, state: 'sending', metaMessageId: null, attemptedAt: null, error: null, ...over };
  };

  it('names the send a status tag belongs to, and whether it still waits for proof', async () => {
    const { activities, env } = activitiesWith({ sends: [send({}), send({ tag: 'dsk:t2', clientMessageId: 'cm-2', state: 'accepted' })] });
    assert.deepEqual(await env.run(activities.matchSendStatus, { channelId: CHANNEL, tag: 'dsk:t1', metaMessageId: 'wamid.A' }), { instanceId: 'inst_1', clientMessageId: 'cm-1', workflowId: 'outbound:6:inst_1:cm-1', unresolved: true });
    assert.deepEqual(await env.run(activities.matchSendStatus, { channelId: CHANNEL, tag: 'dsk:t2', metaMessageId: 'wamid.B' }), { instanceId: 'inst_1', clientMessageId: 'cm-2', workflowId: 'outbound:6:inst_1:cm-2', unresolved: false });
  });

  it('ignores a tag of another channel or of no send', async () => {
    const { activities, env } = activitiesWith({ sends: [send({ channelId: 'ch-other' })] });
    assert.equal(await env.run(activities.matchSendStatus, { channelId: CHANNEL, tag: 'dsk:t1', metaMessageId: 'wamid.A' }), null);
    assert.equal(await env.run(activities.matchSendStatus, { channelId: CHANNEL, tag: 'dsk:none', metaMessageId: 'wamid.A' }), null);
  });

  it('names the send of an echo whose mid is known, else every unresolved send on the channel as a candidate', async () => {
    const sends = [send({ state: 'accepted', metaMessageId: 'mid.known' }), send({ tag: 'dsk:t2', clientMessageId: 'cm-2', state: 'unknown' }), send({ tag: 'dsk:t3', clientMessageId: 'cm-3' })];
    const { activities, env } = activitiesWith({ sends });
    assert.deepEqual(await env.run(activities.findSendsForEcho, { channelId: CHANNEL, metaMessageId: 'mid.known' }), { known: { instanceId: 'inst_1', clientMessageId: 'cm-1', workflowId: 'outbound:6:inst_1:cm-1' }, candidates: [] });
    assert.deepEqual(await env.run(activities.findSendsForEcho, { channelId: CHANNEL, metaMessageId: 'mid.new' }), {
      known: null,
      candidates: [
        { instanceId: 'inst_1', clientMessageId: 'cm-2', workflowId: 'outbound:6:inst_1:cm-2' },
        { instanceId: 'inst_1', clientMessageId: 'cm-3', workflowId: 'outbound:6:inst_1:cm-3' },
      ],
    });
  });
});

describe('deliverToDsk after the event disconnected its channel', () => {
  it('delivers to the events URL of the channel’s instance although routing no longer finds the channel', async () => {
    const { activities, calls, env } = activitiesWith({});
    const [event] = splitWebhook(waAccountUpdate({ event: 'PARTNER_APP_UNINSTALLED' }), { receivedAt: NOW });
    const route = { channelId: CHANNEL, instanceId: 'inst_1', channelType: 'whatsapp', externalId: '106540352242922' } as const;
    await env.run(activities.deliverToDsk, { event: event!, route, receivedAt: NOW.toISOString(), channelDisconnected: true });
    assert.deepEqual(calls.deliveredTo, ['https://dsk.example/events']);
  });
});

describe('mergeMessageStatus', () => {
  it('returns the merged view of the message', async () => {
    const { activities, env } = activitiesWith({ storedStatus: 'read' });
    assert.deepEqual(await env.run(activities.mergeMessageStatus, { channelId: CHANNEL, messageId: 'wamid.X', status: 'delivered' as const }), { currentStatus: 'read' });
  });

  it('refuses to pass on a stored value that is not a message status', async () => {
    const { activities, env } = activitiesWith({ storedStatus: 'seen' });
    await assert.rejects(env.run(activities.mergeMessageStatus, { channelId: CHANNEL, messageId: 'wamid.X', status: 'delivered' as const }), /not a known status/);
  });
});
