import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { WithStartWorkflowOperation, WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import type { OutboundActivities, SendOutboundInput } from '../../src/activities/outbound.js';
import type { ChannelRef } from '../../src/shared/connections.js';
import { connectionWorkflowId, outboundWorkflowId } from '../../src/shared/ids.js';
import { OUTBOUND_START_POLICY, sendFailureType, type OutboundError, type OutboundResult, type OutboundWorkflowInput } from '../../src/shared/outbound.js';
import { sendFailedSignal, sendObservedSignal, sendResultQuery, sendResultUpdate } from '../../src/workflows/messages.js';
import { connectionWorkflow } from '../../src/workflows/connection.js';
import { outboundMessageWorkflow } from '../../src/workflows/outbound.js';
import { bundleWorkflowsQuietly, connectionInput, signalsReceived } from '../support/connection-fakes.js';
import { testInfrastructure } from '../support/service.js';

/**
 * The outbound workflow on the real Temporal dev server with the send activity faked (typed against
 * the real factory). The activity's own error mapping is covered by test/unit/outbound-activities.test.ts.
 */
describe('outbound message workflow: result, error mapping, no resend, synchronous answer', () => {
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

  type Send = OutboundActivities['sendOutboundMessage'];
  type Notified = Parameters<OutboundActivities['notifySendOutcome']>[0];
  /** What the workflow told DSK, looked up about a refused token, and marked itself, per test. */
  let notified: Notified[];
  let tokenTargets: Array<{ channelId: string }>;
  let markedDirectly: Array<{ channelId: string }>;
  /** What the token lookup answers: the channel and its connection, or null for a channel no longer active. */
  let tokenTarget: ChannelRef | null;
  async function withWorker<T>(send: Send, fn: (taskQueue: string) => Promise<T>): Promise<T> {
    const taskQueue = `test-${randomUUID()}`;
    notified = [];
    tokenTargets = [];
    markedDirectly = [];
    const activities: OutboundActivities = {
      sendOutboundMessage: send,
      notifySendOutcome: async (n) => {
        notified.push(n);
        return { delivered: true };
      },
      tokenRejectionTarget: async (t) => {
        tokenTargets.push(t);
        return tokenTarget;
      },
      markReauthRequiredDirectly: async (m) => {
        markedDirectly.push(m);
      },
      reportTokenRejected: async () => {
        throw new Error('retired: only runs scheduled before the workflow signalled itself call it');
      },
    };
    const worker = await Worker.create({ connection: env.nativeConnection, taskQueue, workflowBundle: bundle, activities });
    return worker.runUntil(fn(taskQueue));
  }

  function input(overrides: Partial<OutboundWorkflowInput> = {}): OutboundWorkflowInput {
    const clientMessageId = `cm-${randomUUID()}`;
    return {
      ...overrides,
      instanceId: 'inst-1',
      channelId: 'ch-1',
      channelType: 'whatsapp',
      clientMessageId,
      request: { client_message_id: clientMessageId, to: '+16505551234', type: 'text', text: { body: 'Hi there' } },
    };
  }

  const start = (taskQueue: string, args: OutboundWorkflowInput) =>
    env.client.workflow.start(outboundMessageWorkflow, { taskQueue, workflowId: outboundWorkflowId(args.instanceId, args.clientMessageId), args: [args], ...OUTBOUND_START_POLICY });

  function counting(impl: (input: SendOutboundInput) => Promise<{ metaMessageId: string | null }>) {
    const calls: SendOutboundInput[] = [];
    const send: Send = async (i) => {
      calls.push(i);
      return impl(i);
    };
    return { calls, send };
  }

  function mapped(error: OutboundError, opts: { retryable: boolean; nextRetryDelay?: number }) {
    return ApplicationFailure.create({ message: `send failed: ${error.code}`, type: sendFailureType(error.code), nonRetryable: !opts.retryable, details: [error], ...(opts.nextRetryDelay ? { nextRetryDelay: opts.nextRetryDelay } : {}) });
  }

  it('returns sent with the Meta message id and passes only ids and the request to the activity', async () => {
    const { calls, send } = counting(async () => ({ metaMessageId: 'wamid.AAA' }));
    const args = input();
    const result = await withWorker(send, async (tq) => (await start(tq, args)).result());
    assert.deepEqual(result, { status: 'sent', metaMessageId: 'wamid.AAA' });
    assert.deepEqual(calls, [{ channelId: 'ch-1', instanceId: 'inst-1', request: { channelType: 'whatsapp', request: args.request } }]);
  });

  it('returns failed with our code, Meta code and reason for a permanent Meta error', async () => {
    const error: OutboundError = { code: 'outside_customer_window', meta_code: 131047, meta_subcode: null, reason: 'More than 24 hours have passed since the customer last wrote; only an approved template can be sent now.' };
    const { calls, send } = counting(async () => {
      throw mapped(error, { retryable: false });
    });
    const result = await withWorker(send, async (tq) => (await start(tq, input())).result());
    assert.deepEqual(result, { status: 'failed', error });
    assert.equal(calls.length, 1);
  });

  it('retries a throttled send and then returns sent', async () => {
    const throttled: OutboundError = { code: 'meta_throttled', meta_code: 130429, meta_subcode: null, reason: 'throttled' };
    const { calls, send } = counting(async () => {
      if (calls.length < 3) throw mapped(throttled, { retryable: true, nextRetryDelay: 50 });
      return { metaMessageId: 'wamid.BBB' };
    });
    const result = await withWorker(send, async (tq) => (await start(tq, input())).result());
    assert.deepEqual(result, { status: 'sent', metaMessageId: 'wamid.BBB' });
    assert.equal(calls.length, 3);
  });

  it('returns unknown for an ambiguous send and never calls the activity again', async () => {
    const error: OutboundError = { code: 'ambiguous_send', meta_code: null, meta_subcode: null, reason: 'No answer came back from Meta.' };
    const { calls, send } = counting(async () => {
      throw mapped(error, { retryable: false });
    });
    // No webhook proves the send within the window: it stays unknown.
    const result = await withWorker(send, async (tq) => (await start(tq, input({ reconcileWindowMs: 300 }))).result());
    assert.deepEqual(result, { status: 'unknown', error });
    assert.equal(calls.length, 1);
    assert.deepEqual(notified.map((n) => [n.result.status, n.reconciled ?? false]), [['unknown', false]]);
  });

  it('resolves an ambiguous send from a status webhook: sent with its wamid, DSK told unknown then accepted, never resent', async () => {
    const error: OutboundError = { code: 'ambiguous_send', meta_code: null, meta_subcode: null, reason: 'No answer came back from Meta.' };
    const { calls, send } = counting(async () => {
      throw mapped(error, { retryable: false });
    });
    const args = input();
    const result = await withWorker(send, async (tq) => {
      const handle = await start(tq, args);
      assert.deepEqual(await handle.executeUpdate(sendResultUpdate, { args: [{ waitMs: 10_000 }] }), { status: 'unknown', error });
      await handle.signal(sendObservedSignal, { metaMessageId: 'wamid.LATE' });
      return handle.result();
    });
    assert.deepEqual(result, { status: 'sent', metaMessageId: 'wamid.LATE' });
    assert.equal(calls.length, 1);
    assert.deepEqual(notified.map((n) => [n.result.status, n.reconciled ?? false]), [['unknown', false], ['sent', true]]);
  });

  const WINDOW_CLOSED: OutboundError = { code: 'outside_customer_window', meta_code: 131047, meta_subcode: null, reason: 'More than 24 hours have passed since the customer last wrote; only an approved template can be sent now.' };

  it('resolves an ambiguous send from a failed status as failed, and leaves telling DSK to that status event', async () => {
    const ambiguous: OutboundError = { code: 'ambiguous_send', meta_code: null, meta_subcode: null, reason: 'No answer came back from Meta.' };
    const { calls, send } = counting(async () => {
      throw mapped(ambiguous, { retryable: false });
    });
    const result = await withWorker(send, async (tq) => {
      const handle = await start(tq, input());
      await handle.executeUpdate(sendResultUpdate, { args: [{ waitMs: 10_000 }] });
      await handle.signal(sendFailedSignal, WINDOW_CLOSED);
      return handle.result();
    });
    assert.deepEqual(result, { status: 'failed', error: WINDOW_CLOSED });
    assert.equal(calls.length, 1);
    assert.deepEqual(notified.map((n) => n.result.status), ['unknown']);
  });

  it('takes a failed status that beats Meta\'s answer: the send is failed, and no accepted outcome reaches DSK', async () => {
    let answer!: () => void;
    const answered = new Promise<void>((resolve) => (answer = resolve));
    const { send } = counting(async () => {
      await answered;
      return { metaMessageId: 'wamid.RACE' };
    });
    const result = await withWorker(send, async (tq) => {
      const handle = await start(tq, input());
      await handle.signal(sendFailedSignal, WINDOW_CLOSED);
      answer();
      return handle.result();
    });
    assert.deepEqual(result, { status: 'failed', error: WINDOW_CLOSED });
    assert.deepEqual(notified, []);
  });

  it('takes an Instagram echo only when it goes to the same recipient with the same text', async () => {
    const error: OutboundError = { code: 'ambiguous_send', meta_code: 1, meta_subcode: 1357046, reason: 'Meta reported an invalid reply although the message was sent.' };
    const { send } = counting(async () => {
      throw mapped(error, { retryable: false });
    });
    const clientMessageId = `cm-${randomUUID()}`;
    const args: OutboundWorkflowInput = {
      instanceId: 'inst-1',
      channelId: 'ch-ig',
      channelType: 'instagram',
      clientMessageId,
      request: { client_message_id: clientMessageId, to: '1234567890', type: 'text', text: { body: 'Hola' } },
    };
    const result = await withWorker(send, async (tq) => {
      const handle = await start(tq, args);
      await handle.executeUpdate(sendResultUpdate, { args: [{ waitMs: 10_000 }] });
      await handle.signal(sendObservedSignal, { metaMessageId: 'mid.other-text', echo: { recipientId: '1234567890', text: 'Adiós' } });
      await handle.signal(sendObservedSignal, { metaMessageId: 'mid.other-person', echo: { recipientId: '999', text: 'Hola' } });
      assert.equal((await handle.query(sendResultQuery))?.status, 'unknown');
      await handle.signal(sendObservedSignal, { metaMessageId: 'mid.this-one', echo: { recipientId: '1234567890', text: 'Hola' } });
      return handle.result();
    });
    assert.deepEqual(result, { status: 'sent', metaMessageId: 'mid.this-one' });
  });

  describe("Meta's refusal of the channel's token", () => {
    const refused: OutboundError = { code: 'reauth_required', meta_code: 190, meta_subcode: 463, reason: 'expired' };
    const refusedSend = () =>
      counting(async () => {
        throw mapped(refused, { retryable: false });
      }).send;

    it("is signalled to the channel's connection workflow by the outbound workflow, but not its own check of a channel already waiting", async () => {
      const ownCheck: OutboundError = { code: 'reauth_required', meta_code: null, meta_subcode: null, reason: 'waiting for re-authorization' };
      for (const error of [refused, ownCheck]) {
        const { send } = counting(async () => {
          throw mapped(error, { retryable: false });
        });
        const { result, signals } = await withWorker(send, async (tq) => {
          const connectionId = randomUUID();
          // A connection workflow of the channel, running (it ignores the signal until the channel is active).
          const connection = await env.client.workflow.start(connectionWorkflow, { taskQueue: tq, workflowId: connectionWorkflowId(connectionId), args: [connectionInput({ connectionId })] });
          tokenTarget = { id: 'ch-1', connectionId };
          const result = await (await start(tq, input())).result();
          const signals = await signalsReceived(connection);
          await connection.terminate();
          return { result, signals };
        });
        assert.deepEqual(result, { status: 'failed', error });
        assert.deepEqual(tokenTargets, error === refused ? [{ channelId: 'ch-1' }] : []);
        assert.deepEqual(signals, error === refused ? [{ name: 'tokenRejected', args: [{ metaCode: 190 }] }] : []);
        assert.deepEqual(markedDirectly, []);
        assert.deepEqual(notified.map((n) => n.result.status), ['failed']);
      }
    });

    it('marks the channel reauth_required itself when no connection workflow of the channel is running', async () => {
      for (const connectionId of [randomUUID(), null]) {
        tokenTarget = { id: 'ch-1', connectionId };
        const result = await withWorker(refusedSend(), async (tq) => (await start(tq, input())).result());
        assert.deepEqual(result, { status: 'failed', error: refused });
        assert.deepEqual(markedDirectly, [{ channelId: 'ch-1' }]);
      }
    });

    it('tells nobody when the channel is no longer active', async () => {
      tokenTarget = null;
      await withWorker(refusedSend(), async (tq) => (await start(tq, input())).result());
      assert.deepEqual([tokenTargets, markedDirectly], [[{ channelId: 'ch-1' }], []]);
    });
  });

  it('answers a repeated start with the first run: joined while running, refused (and read) once finished', async () => {
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const { calls, send } = counting(async () => {
      await released;
      return { metaMessageId: 'wamid.CCC' };
    });
    const args = input();
    await withWorker(send, async (tq) => {
      const first = await start(tq, args);
      const second = await start(tq, args);
      assert.equal(second.firstExecutionRunId, first.firstExecutionRunId);
      release();
      assert.deepEqual(await second.result(), { status: 'sent', metaMessageId: 'wamid.CCC' });
      await assert.rejects(start(tq, args), WorkflowExecutionAlreadyStartedError);
      assert.deepEqual(await env.client.workflow.getHandle(first.workflowId).result(), { status: 'sent', metaMessageId: 'wamid.CCC' });
    });
    assert.equal(calls.length, 1);
  });

  it('sendResult answers with the result when the send finishes within waitMs, and null when it does not', async () => {
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const { send } = counting(async () => {
      await released;
      return { metaMessageId: 'wamid.DDD' };
    });
    await withWorker(send, async (tq) => {
      const handle = await start(tq, input());
      const startedAt = Date.now();
      assert.equal(await handle.executeUpdate(sendResultUpdate, { args: [{ waitMs: 300 }] }), null);
      assert.ok(Date.now() - startedAt < 5000);
      const waiting = handle.executeUpdate(sendResultUpdate, { args: [{ waitMs: 30_000 }] });
      release();
      const expected: OutboundResult = { status: 'sent', metaMessageId: 'wamid.DDD' };
      assert.deepEqual(await waiting, expected);
      assert.deepEqual(await handle.result(), expected);
    });
  });

  it('answers through update-with-start in one call, and a repeat reads the same result without sending again', async () => {
    const { calls, send } = counting(async () => ({ metaMessageId: 'wamid.EEE' }));
    const args = input();
    await withWorker(send, async (tq) => {
      const withStart = () =>
        new WithStartWorkflowOperation(outboundMessageWorkflow, { taskQueue: tq, workflowId: outboundWorkflowId(args.instanceId, args.clientMessageId), args: [args], workflowIdConflictPolicy: 'USE_EXISTING' });
      const answer = await env.client.workflow.executeUpdateWithStart(sendResultUpdate, { args: [{ waitMs: 10_000 }], startWorkflowOperation: withStart() });
      assert.deepEqual(answer, { status: 'sent', metaMessageId: 'wamid.EEE' });
      assert.deepEqual(await env.client.workflow.getHandle(outboundWorkflowId(args.instanceId, args.clientMessageId)).result(), answer);
    });
    assert.equal(calls.length, 1);
  });

  it('a lean run (as the workflow client starts it) answers in two workflow tasks and one activity task, DSK told by a local activity', async () => {
    const { calls, send } = counting(async () => ({ metaMessageId: 'wamid.LEAN' }));
    const args: OutboundWorkflowInput = { ...input(), shape: 'lean' };
    const workflowId = outboundWorkflowId(args.instanceId, args.clientMessageId);
    await withWorker(send, async (tq) => {
      const answer = await env.client.workflow.executeUpdateWithStart(sendResultUpdate, {
        args: [{ waitMs: 10_000 }],
        startWorkflowOperation: new WithStartWorkflowOperation(outboundMessageWorkflow, { taskQueue: tq, workflowId, args: [args], ...OUTBOUND_START_POLICY }),
      });
      assert.deepEqual(answer, { status: 'sent', metaMessageId: 'wamid.LEAN' });
      await env.client.workflow.getHandle(workflowId).result();
    });
    assert.equal(calls.length, 1);
    assert.deepEqual(notified.map((n) => [n.clientMessageId, n.result]), [[args.clientMessageId, { status: 'sent', metaMessageId: 'wamid.LEAN' }]]);
    const events = (await env.client.workflow.getHandle(workflowId).fetchHistory()).events ?? [];
    const count = (has: (e: (typeof events)[number]) => unknown) => events.filter(has).length;
    assert.deepEqual(
      [count((e) => e.workflowTaskCompletedEventAttributes), count((e) => e.activityTaskScheduledEventAttributes), count((e) => e.markerRecordedEventAttributes)],
      [2, 1, 1],
    );
  });
});
