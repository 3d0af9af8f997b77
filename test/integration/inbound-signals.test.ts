import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import type { InboundActivities } from '../../src/activities/inbound.js';
import { splitWebhook } from '../../src/meta/webhook/split.js';
import type { ChannelRef } from '../../src/shared/connections.js';
import { connectionWorkflowId, inboundWorkflowId } from '../../src/shared/ids.js';
import { connectionWorkflow } from '../../src/workflows/connection.js';
import { inboundEventWorkflow } from '../../src/workflows/inbound.js';
import { bundleWorkflowsQuietly, connectionInput, fakeConnectionActivities, signalsReceived, type Calls } from '../support/connection-fakes.js';
import { waAccountUpdate } from '../support/meta-webhook-sender.js';
import { testInfrastructure } from '../support/service.js';

/**
 * The inbound workflow tells other workflows itself (no activity holds a Temporal client): on a
 * WhatsApp account_update that removes the app, it signals the connection workflow of every channel
 * on the WABA, and disconnects in the database the channels that have none running. Real workflows on
 * the real dev server; activities are fakes typed against the real factories. What the activities
 * name is specified in test/unit/inbound-activities.test.ts, the whole path with the emulator in
 * test/integration/connection-lifecycle.test.ts.
 */
describe('inbound workflow: signals connection workflows on an account_update that removes the app', () => {
  let env: TestWorkflowEnvironment;
  let bundle: WorkflowBundleWithSourceMap;
  before(async () => {
    const infra = testInfrastructure();
    env = await TestWorkflowEnvironment.createFromExistingServer({ address: infra.temporalAddress, namespace: infra.namespace });
    bundle = await bundleWorkflowsQuietly();
  });
  after(async () => {
    await env?.teardown();
  });

  const receivedAt = new Date();
  const [accountUpdate] = splitWebhook(waAccountUpdate({ event: 'PARTNER_APP_UNINSTALLED', time: receivedAt.getTime() }), { receivedAt });

  interface Seen {
    looked: Array<{ channelId: string }>;
    direct: Array<{ channelId: string; reason: string }>;
    delivered: Array<{ channelDisconnected: boolean }>;
  }

  /** A worker with the inbound activities faked (the WABA has `channels`) and the connection workflow's too. */
  async function withWorker<T>(channels: ChannelRef[], fn: (taskQueue: string, seen: Seen) => Promise<T>): Promise<{ result: T; seen: Seen }> {
    const seen: Seen = { looked: [], direct: [], delivered: [] };
    const connectionCalls: Calls = [];
    const inbound: InboundActivities = {
      resolveInboundRoute: async () => ({ channelId: channels[0]?.id ?? 'ch-gone', instanceId: 'inst-1', channelType: 'whatsapp', externalId: '106540352242922' }),
      deliverToDsk: async (input) => {
        seen.delivered.push({ channelDisconnected: input.channelDisconnected ?? false });
        return { status: 200, attempt: 1 };
      },
      recordInboundOutcome: async () => undefined,
      mergeMessageStatus: async ({ status }) => ({ currentStatus: status }),
      matchSendStatus: async () => null,
      recordSendFailure: async () => {
        throw new Error('no failed status of a send here');
      },
      findSendsForEcho: async () => ({ known: null, candidates: [] }),
      channelsOnSameWaba: async (input) => {
        seen.looked.push(input);
        return channels;
      },
      disconnectChannelDirectly: async (input) => {
        seen.direct.push(input);
      },
      requestChannelDisconnect: async () => {
        throw new Error('retired: only runs scheduled before the workflow signalled itself call it');
      },
    };
    const taskQueue = `test-${randomUUID()}`;
    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue,
      workflowBundle: bundle,
      activities: { ...fakeConnectionActivities(connectionCalls), ...inbound },
    });
    const result = await worker.runUntil(fn(taskQueue, seen));
    return { result, seen };
  }

  const runInbound = (taskQueue: string) =>
    env.client.workflow.execute(inboundEventWorkflow, {
      taskQueue,
      workflowId: inboundWorkflowId(`${accountUpdate!.key}:${randomUUID()}`),
      args: [{ event: accountUpdate!, receivedAt: receivedAt.toISOString(), deliveryHorizon: '1 minute' }],
    });

  /** A connection workflow waiting for authorization: it takes a disconnect signal and ends as cancelled. */
  const startConnection = (taskQueue: string, overrides: Parameters<typeof connectionInput>[0] = {}) => {
    const input = connectionInput(overrides);
    return env.client.workflow.start(connectionWorkflow, { taskQueue, workflowId: connectionWorkflowId(input.connectionId), args: [input] });
  };

  it('signals disconnect to the connection workflow of every channel on the WABA, disconnects none itself, and still delivers the event', async () => {
    const [first, second] = [randomUUID(), randomUUID()];
    const { result, seen } = await withWorker(
      [
        { id: 'ch-a', connectionId: first },
        { id: 'ch-b', connectionId: second },
      ],
      async (tq) => {
        const connections = [await startConnection(tq, { connectionId: first }), await startConnection(tq, { connectionId: second })];
        const outcome = await runInbound(tq);
        const phases = await Promise.all(connections.map(async (c) => (await c.result()).phase));
        return { outcome, phases, signals: await Promise.all(connections.map(signalsReceived)) };
      },
    );
    assert.deepEqual(result.signals, [
      [{ name: 'disconnect', args: [{ reason: 'meta_account_update' }] }],
      [{ name: 'disconnect', args: [{ reason: 'meta_account_update' }] }],
    ]);
    assert.deepEqual(result.phases, ['cancelled', 'cancelled']);
    assert.deepEqual(seen.looked, [{ channelId: 'ch-a' }]);
    assert.deepEqual(seen.direct, []);
    assert.deepEqual(seen.delivered, [{ channelDisconnected: true }]);
    assert.deepEqual(result.outcome, { outcome: 'delivered', dskStatus: 200, attempts: 1 });
  });

  it('disconnects in the database a channel whose connection workflow has ended or never ran, and one without a connection', async () => {
    const [ended, neverStarted] = [randomUUID(), randomUUID()];
    const { seen } = await withWorker(
      [
        { id: 'ch-ended', connectionId: ended },
        { id: 'ch-never', connectionId: neverStarted },
        { id: 'ch-none', connectionId: null },
      ],
      async (tq) => {
        // Its session is already over: the workflow ends as expired at once.
        const closed = await startConnection(tq, { connectionId: ended, sessionExpiresAt: new Date(Date.now() - 1000).toISOString() });
        assert.equal((await closed.result()).phase, 'expired');
        await runInbound(tq);
      },
    );
    assert.deepEqual(seen.direct, [
      { channelId: 'ch-ended', reason: 'meta_account_update' },
      { channelId: 'ch-never', reason: 'meta_account_update' },
      { channelId: 'ch-none', reason: 'meta_account_update' },
    ]);
    assert.deepEqual(seen.delivered, [{ channelDisconnected: true }]);
  });

  it('disconnects nothing for a channel that no longer exists, and still delivers the event', async () => {
    const { seen } = await withWorker([], (tq) => runInbound(tq));
    assert.deepEqual([seen.looked, seen.direct, seen.delivered], [[{ channelId: 'ch-gone' }], [], [{ channelDisconnected: true }]]);
  });
});
