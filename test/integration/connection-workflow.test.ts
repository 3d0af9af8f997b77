import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { testInfrastructure } from '../support/service.js';
import type { WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { bundleWorkflowsQuietly, connectionInput, fakeConnectionActivities, withConnectionWorker, type Calls } from '../support/connection-fakes.js';
import type { ConnectionActivities } from '../../src/activities/connection.js';
import type { AssetOption, ConnectionWorkflowInput } from '../../src/shared/connections.js';
import { connectionWorkflow } from '../../src/workflows/connection.js';
import { authorizeUpdate, chooseAssetUpdate, disconnectSignal, cancelSignal } from '../../src/workflows/messages.js';

/**
 * The connection workflow's message handling on the real Temporal dev server, with activities faked
 * (typed against the real factory, so a renamed activity fails to compile). Long timers are covered
 * by connection-refresh.test.ts on the time-skipping server.
 */
describe('connection workflow: authorization, choice, cancel, expiry, disconnect', () => {
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

  const fakeActivities = fakeConnectionActivities;
  const withWorker = <T>(activities: ConnectionActivities, fn: (taskQueue: string) => Promise<T>) => withConnectionWorker(env, bundle, activities, fn);
  const input = connectionInput;


  const start = (taskQueue: string, args: ConnectionWorkflowInput) =>
    env.client.workflow.start(connectionWorkflow, { taskQueue, workflowId: `connection-${args.connectionId}`, args: [args] });

  it('ends as expired, deleting the session, when nobody authorizes before the session expires', async () => {
    const calls: Calls = [];
    const result = await withWorker(fakeActivities(calls), async (tq) => (await start(tq, input({ sessionExpiresAt: new Date(Date.now() + 1500).toISOString() }))).result());
    assert.equal(result.phase, 'expired');
    assert.deepEqual(calls.map((c) => c.name), ['finishConnection']);
    assert.equal((calls[0]!.args as { status: string }).status, 'expired');
  });

  it('activates the only granted asset and tells DSK, then disconnects on request', async () => {
    const calls: Calls = [];
    await withWorker(fakeActivities(calls), async (tq) => {
      const handle = await start(tq, input());
      const status = await handle.executeUpdate(authorizeUpdate);
      assert.equal(status.phase, 'active');
      assert.equal(status.channelId, 'ch-1');
      await handle.signal(disconnectSignal, { reason: 'dsk_request' });
      const final = await handle.result();
      assert.equal(final.phase, 'disconnected');
    });
    assert.deepEqual(calls.map((c) => c.name), ['exchangeAuthorization', 'activateChannel', 'notifyChannelStatus', 'disconnectChannel', 'notifyChannelStatus']);
    assert.deepEqual(calls[2]!.args, { channelId: 'ch-1', status: 'active', reason: 'connected' });
    assert.deepEqual(calls[4]!.args, { channelId: 'ch-1', status: 'disconnected', reason: 'dsk_request' });
  });

  it('lets the person choose when Meta grants several numbers, and refuses an asset that was not offered', async () => {
    const calls: Calls = [];
    const options: AssetOption[] = [
      { id: 'pn-1', name: 'Acme Sales', detail: '+1 555-0100' },
      { id: 'pn-2', name: 'Acme Support', detail: '+1 555-0101' },
    ];
    await withWorker(fakeActivities(calls, { exchangeAuthorization: async () => ({ options }) }), async (tq) => {
      const handle = await start(tq, input());
      const choosing = await handle.executeUpdate(authorizeUpdate);
      assert.equal(choosing.phase, 'choosing_asset');
      assert.deepEqual(choosing.assetOptions, options);
      await assert.rejects(handle.executeUpdate(chooseAssetUpdate, { args: [{ assetId: 'pn-9' }] }), updateRefused(/unknown asset/));
      const active = await handle.executeUpdate(chooseAssetUpdate, { args: [{ assetId: 'pn-2' }] });
      assert.equal(active.phase, 'active');
    });
    assert.equal((calls.find((c) => c.name === 'activateChannel')!.args as { assetId: string }).assetId, 'pn-2');
  });

  it('refuses a second authorization (a replayed callback) before it reaches history', async () => {
    const calls: Calls = [];
    await withWorker(fakeActivities(calls), async (tq) => {
      const handle = await start(tq, input());
      await handle.executeUpdate(authorizeUpdate);
      await assert.rejects(handle.executeUpdate(authorizeUpdate), updateRefused(/not awaiting authorization/));
    });
    assert.equal(calls.filter((c) => c.name === 'exchangeAuthorization').length, 1);
  });

  it('ends as cancelled when the person cancels at Meta', async () => {
    const calls: Calls = [];
    const result = await withWorker(fakeActivities(calls), async (tq) => {
      const handle = await start(tq, input());
      await handle.signal(cancelSignal, { reason: 'user_cancelled' });
      return handle.result();
    });
    assert.equal(result.phase, 'cancelled');
    assert.deepEqual(calls.map((c) => c.name), ['finishConnection']);
  });

  /** An update refused by the workflow's validator: the reason is the failure's cause. */
  function updateRefused(reason: RegExp) {
    return (err: unknown) => err instanceof WorkflowUpdateFailedError && reason.test(String((err.cause as Error | undefined)?.message));
  }
});
