import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import type { WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { freePort, startLocalTemporal, type LocalTemporal } from '../../dev/infra/local-temporal.js';
import { findTemporalCli } from '../../dev/infra/tools.js';
import { createLogger } from '../../src/logger.js';
import type { TokenCheck } from '../../src/shared/connections.js';
import { searchAttributeFlags } from '../../src/shared/search-attributes.js';
import { connectionWorkflow } from '../../src/workflows/connection.js';
import { connectionStatusQuery, disconnectSignal } from '../../src/workflows/messages.js';
import { bundleWorkflowsQuietly, connectionInput, fakeConnectionActivities, withConnectionWorker, type Calls } from '../support/connection-fakes.js';

/** History events after which this test's server suggests continue-as-new (Temporal's default is 4,000). */
const SUGGEST_AFTER_EVENTS = 40;

/**
 * A connection lives for months: its history would grow without end, so the workflow continues as new
 * when the server suggests it, carrying its state. Here a Temporal dev server of the test's own
 * suggests it after 40 events instead of thousands, and the token check runs every 200 ms, so a few
 * runs go by in seconds. The activities are fakes (as in connection-refresh.test.ts).
 */
describe('connection workflow: continue-as-new keeps the connection (dev server suggesting it early)', () => {
  let temporal: LocalTemporal;
  let env: TestWorkflowEnvironment;
  let bundle: WorkflowBundleWithSourceMap;

  before(async () => {
    temporal = await startLocalTemporal({
      binary: findTemporalCli(process.env),
      port: await freePort(),
      headless: true,
      searchAttributes: searchAttributeFlags(),
      dynamicConfig: { 'limit.historyCount.suggestContinueAsNew': SUGGEST_AFTER_EVENTS },
      log: createLogger({ level: process.env.TEST_LOG_LEVEL ?? 'silent', name: 'continue-as-new-test' }),
    });
    env = await TestWorkflowEnvironment.createFromExistingServer({ address: temporal.address, namespace: 'default' });
    bundle = await bundleWorkflowsQuietly();
  });
  after(async () => {
    await env?.teardown();
    await temporal?.stop();
  });

  it('continues as new with its phase, channel and token expiry, still answers its status, and still disconnects', async () => {
    const calls: Calls = [];
    const expiresAt = new Date(Date.now() + 50 * 24 * 60 * 60 * 1000).toISOString();
    const activities = fakeConnectionActivities(calls, {
      checkChannelToken: async (): Promise<TokenCheck> => {
        calls.push({ name: 'checkChannelToken', args: null });
        return { state: 'valid', expiresAt, expiringSoon: false, resubscribed: false };
      },
    });
    const args = connectionInput({
      timing: { checkEveryMs: 200 },
      carried: { phase: 'active', channelId: 'ch-can', tokenExpiresAt: expiresAt, round: 1 },
    });
    await withConnectionWorker(env, bundle, activities, async (taskQueue) => {
      const handle = await env.client.workflow.start(connectionWorkflow, { taskQueue, workflowId: `connection-${args.connectionId}`, args: [args] });
      const firstRunId = handle.firstExecutionRunId;
      const latest = env.client.workflow.getHandle(handle.workflowId);

      // Wait (bounded) until at least two further runs exist: a continue-as-new that is itself continued.
      const deadline = Date.now() + 60_000;
      const runs = new Set<string>([firstRunId]);
      while (runs.size < 3) {
        assert.ok(Date.now() < deadline, `only ${runs.size} runs after 60 s`);
        runs.add((await latest.describe()).runId);
        await new Promise((r) => setTimeout(r, 100));
      }
      const first = await env.client.workflow.getHandle(handle.workflowId, firstRunId).describe();
      assert.equal(first.status.name, 'CONTINUED_AS_NEW');

      const status = await latest.query(connectionStatusQuery);
      assert.deepEqual([status.phase, status.channelId, status.tokenExpiresAt, status.round], ['active', 'ch-can', expiresAt, 1]);

      // The latest run still disconnects the channel it carried.
      await latest.signal(disconnectSignal, { reason: 'dsk_request' });
      const final = await latest.result();
      assert.equal(final.phase, 'disconnected');
      assert.deepEqual(
        calls.filter((c) => c.name === 'disconnectChannel').map((c) => c.args),
        [{ connectionId: args.connectionId, channelId: 'ch-can', reason: 'dsk_request' }],
      );
    });
  });
});
