import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { WorkflowNotFoundError, type WorkflowClient } from '@temporalio/client';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createInboundActivities, type InboundActivityDeps } from '../../src/activities/inbound.js';
import { splitWebhook } from '../../src/meta/webhook/split.js';
import { disconnectSignal } from '../../src/workflows/messages.js';
import { waAccountUpdate } from '../support/meta-webhook-sender.js';

const NOW = new Date('2026-07-29T08:03:12Z');
const CHANNEL = '5f0c7c52-8f0e-4d43-9a51-0d6f4ad2b7a1';
const CONNECTION = '0b9f3c1e-3d5a-4f7e-9c2b-8a6d4e2f1a0c';

interface Calls {
  signals: Array<{ workflowId: string; name: string; arg: unknown }>;
  disconnected: string[];
  deliveredTo: Array<string | null>;
}

/** Activities over in-memory fakes; `signal` decides what the connection workflow's handle does. */
function activitiesWith(options: { connectionId?: string | null; signal?: () => Promise<void>; storedStatus?: string }) {
  const calls: Calls = { signals: [], disconnected: [], deliveredTo: [] };
  const workflows = {
    getHandle: (workflowId: string) => ({
      async signal(def: { name: string }, arg: unknown) {
        calls.signals.push({ workflowId, name: def.name, arg });
        await (options.signal ?? (async () => undefined))();
      },
    }),
  } as unknown as WorkflowClient;
  const deps = {
    routing: {
      resolve: async () => undefined,
      eventsUrlOfChannel: async () => 'https://dsk.example/events',
    },
    webhookLog: { recordAttempt: async () => undefined, recordDelivered: async () => undefined },
    messageStatus: { merge: async () => options.storedStatus ?? 'read' },
    channels: {
      liveOnSameWaba: async (channelId: string) => (options.connectionId === undefined ? [] : [{ id: channelId, connectionId: options.connectionId }]),
      disconnect: async (channelId: string) => {
        calls.disconnected.push(channelId);
        return true;
      },
    },
    dsk: {
      deliver: async (request: { url: string | null }) => {
        calls.deliveredTo.push(request.url);
        return { status: 200 };
      },
    },
    workflows,
    clock: () => NOW,
  } as unknown as InboundActivityDeps;
  return { activities: createInboundActivities(deps), calls, env: new MockActivityEnvironment() };
}

describe('requestChannelDisconnect', () => {
  it('signals disconnect to the connection workflow of the channel and leaves the channel to it', async () => {
    const { activities, calls, env } = activitiesWith({ connectionId: CONNECTION });
    const result = await env.run(activities.requestChannelDisconnect, { channelId: CHANNEL, reason: 'meta_account_update' });
    assert.deepEqual(result, { via: 'connection_workflow' });
    assert.deepEqual(calls.signals, [{ workflowId: `connection-${CONNECTION}`, name: disconnectSignal.name, arg: { reason: 'meta_account_update' } }]);
    assert.deepEqual(calls.disconnected, []);
  });

  it('disconnects the channel itself when its connection workflow does not exist (or has ended)', async () => {
    const { activities, calls, env } = activitiesWith({
      connectionId: CONNECTION,
      signal: async () => {
        throw new WorkflowNotFoundError('workflow not found', `connection-${CONNECTION}`, undefined);
      },
    });
    assert.deepEqual(await env.run(activities.requestChannelDisconnect, { channelId: CHANNEL, reason: 'meta_account_update' }), { via: 'direct' });
    assert.deepEqual(calls.disconnected, [CHANNEL]);
  });

  it('disconnects a channel that has no connection directly, without signalling', async () => {
    const { activities, calls, env } = activitiesWith({ connectionId: null });
    assert.deepEqual(await env.run(activities.requestChannelDisconnect, { channelId: CHANNEL, reason: 'meta_account_update' }), { via: 'direct' });
    assert.deepEqual(calls.signals, []);
    assert.deepEqual(calls.disconnected, [CHANNEL]);
  });

  it('fails (to be retried) when Temporal cannot be reached, without touching the channel', async () => {
    const { activities, calls, env } = activitiesWith({
      connectionId: CONNECTION,
      signal: async () => {
        throw new Error('14 UNAVAILABLE');
      },
    });
    await assert.rejects(env.run(activities.requestChannelDisconnect, { channelId: CHANNEL, reason: 'meta_account_update' }), /UNAVAILABLE/);
    assert.deepEqual(calls.disconnected, []);
  });

  it('does nothing for a channel that no longer exists', async () => {
    const { activities, calls, env } = activitiesWith({ connectionId: undefined });
    assert.deepEqual(await env.run(activities.requestChannelDisconnect, { channelId: CHANNEL, reason: 'meta_account_update' }), { via: 'no_channel' });
    assert.deepEqual([calls.signals, calls.disconnected], [[], []]);
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
