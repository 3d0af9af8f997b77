import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { WithStartWorkflowOperation, WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import type { OutboundActivities, SendOutboundInput } from '../../src/activities/outbound.js';
import { outboundWorkflowId } from '../../src/shared/ids.js';
import { OUTBOUND_START_POLICY, sendFailureType, type OutboundError, type OutboundResult, type OutboundWorkflowInput } from '../../src/shared/outbound.js';
import { sendResultUpdate } from '../../src/workflows/messages.js';
import { outboundMessageWorkflow } from '../../src/workflows/outbound.js';
import { bundleWorkflowsQuietly } from '../support/connection-fakes.js';
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
  async function withWorker<T>(send: Send, fn: (taskQueue: string) => Promise<T>): Promise<T> {
    const taskQueue = `test-${randomUUID()}`;
    const activities: OutboundActivities = { sendOutboundMessage: send };
    const worker = await Worker.create({ connection: env.nativeConnection, taskQueue, workflowBundle: bundle, activities });
    return worker.runUntil(fn(taskQueue));
  }

  function input(): OutboundWorkflowInput {
    const clientMessageId = `cm-${randomUUID()}`;
    return {
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
    const result = await withWorker(send, async (tq) => (await start(tq, input())).result());
    assert.deepEqual(result, { status: 'unknown', error });
    assert.equal(calls.length, 1);
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
});
