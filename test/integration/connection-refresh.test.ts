import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import type { WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { bundleWorkflowsQuietly, connectionInput, fakeConnectionActivities, withConnectionWorker, type Calls } from '../support/connection-fakes.js';
import type { ConnectionActivities } from '../../src/activities/connection.js';
import type { ConnectionWorkflowInput, TokenCheck } from '../../src/shared/connections.js';
import { registerSearchAttributes } from '../../src/temporal/register-search-attributes.js';
import { connectionWorkflow } from '../../src/workflows/connection.js';
import { connectionStatusQuery, disconnectSignal } from '../../src/workflows/messages.js';

const DAY = 24 * 60 * 60 * 1000;

/**
 * The connection workflow against Temporal's time-skipping test server (the official binary,
 * installed by scripts/bootstrap.sh), with activities faked: weeks and months of refresh timers run
 * in seconds. Fakes are typed against the real activity factory, so a renamed activity fails to compile.
 */
describe('connection workflow: token refresh over months (time-skipping server)', () => {
  let env: TestWorkflowEnvironment;
  let bundle: WorkflowBundleWithSourceMap;
  before(async () => {
    const path = process.env.TEMPORAL_TEST_SERVER_PATH;
    if (!path) throw new Error('TEMPORAL_TEST_SERVER_PATH is not set: run via `npm test`');
    env = await TestWorkflowEnvironment.createTimeSkipping({ server: { executable: { type: 'existing-path', path } } });
    await registerSearchAttributes(env.connection, 'default');
    bundle = await bundleWorkflowsQuietly();
  });
  after(async () => {
    await env?.teardown();
  });

  const fakeActivities = fakeConnectionActivities;
  const withWorker = <T>(activities: ConnectionActivities, fn: (taskQueue: string) => Promise<T>) => withConnectionWorker(env, bundle, activities, fn);
  const input = connectionInput;


  /** A connection that is already active (its authorization is covered by connection-workflow.test.ts). */
  function activeSince(nowMs: number, tokenExpiresAt: number | null, overrides: Partial<ConnectionWorkflowInput> = {}): ConnectionWorkflowInput {
    return input({
      sessionExpiresAt: new Date(nowMs).toISOString(),
      carried: { phase: 'active', channelId: 'ch-1', tokenExpiresAt: tokenExpiresAt === null ? null : new Date(tokenExpiresAt).toISOString(), round: 1 },
      ...overrides,
    });
  }

  const start = (taskQueue: string, args: ConnectionWorkflowInput) =>
    env.client.workflow.start(connectionWorkflow, { taskQueue, workflowId: `connection-${args.connectionId}`, args: [args] });

  it('refreshes a 60-day Instagram token before it expires, month after month', async () => {
    const calls: Calls = [];
    let expiresAt = 0;
    const refreshes: number[] = [];
    const activities = fakeActivities(calls, {
      checkChannelToken: async ({ refreshBeforeMs }): Promise<TokenCheck> => {
        const now = await env.currentTimeMs();
        assert.ok(now < expiresAt, 'the token was allowed to expire');
        if (expiresAt - now <= refreshBeforeMs) {
          refreshes.push(now);
          expiresAt = now + 60 * DAY;
          return { state: 'refreshed', expiresAt: new Date(expiresAt).toISOString(), expiringSoon: false, resubscribed: false };
        }
        return { state: 'valid', expiresAt: new Date(expiresAt).toISOString(), expiringSoon: false, resubscribed: false };
      },
    });
    await withWorker(activities, async (tq) => {
      const began = await env.currentTimeMs();
      expiresAt = began + 60 * DAY;
      const handle = await start(tq, activeSince(began, expiresAt, { channelType: 'instagram', flow: 'instagram_login', timing: { checkEveryMs: 7 * DAY, refreshBeforeMs: 7 * DAY } }));
      await env.sleep(200 * DAY);
      const status = await handle.query(connectionStatusQuery);
      assert.equal(status.phase, 'active');
      assert.ok(Date.parse(status.tokenExpiresAt!) > (await env.currentTimeMs()), 'token still valid after 200 days');
      assert.equal(refreshes.length, 3, `refreshed ${refreshes.length} times in 200 days`);
      for (const at of refreshes) assert.ok(at > began);
      await handle.signal(disconnectSignal, { reason: 'dsk_request' });
      await handle.result();
    });
  });

  it('marks the channel reauth_required and tells DSK when the token is revoked, then waits', async () => {
    const calls: Calls = [];
    let revoked = false;
    const activities = fakeActivities(calls, {
      checkChannelToken: async () => {
        calls.push({ name: 'checkChannelToken', args: {} });
        return { state: revoked ? 'invalid' : 'valid', expiresAt: null, expiringSoon: false, resubscribed: false };
      },
    });
    await withWorker(activities, async (tq) => {
      const handle = await start(tq, activeSince(await env.currentTimeMs(), null, { timing: { checkEveryMs: DAY } }));
      await env.sleep(2 * DAY);
      revoked = true;
      await env.sleep(DAY + 60_000);
      const status = await handle.query(connectionStatusQuery);
      assert.equal(status.phase, 'reauth_required');
      await env.sleep(30 * DAY);
      assert.equal((await handle.query(connectionStatusQuery)).phase, 'reauth_required');
      await handle.signal(disconnectSignal, { reason: 'dsk_request' });
      assert.equal((await handle.result()).phase, 'disconnected');
    });
    assert.ok(calls.some((c) => c.name === 'markChannelStatus' && (c.args as { status: string }).status === 'reauth_required'));
    assert.ok(calls.some((c) => c.name === 'notifyChannelStatus' && (c.args as { status: string }).status === 'reauth_required'));
  });

  it('warns DSK once per expiry when a token that cannot be refreshed is about to expire', async () => {
    const calls: Calls = [];
    let expiresAt = 0;
    const activities = fakeActivities(calls, {
      checkChannelToken: async ({ refreshBeforeMs }) => {
        const now = await env.currentTimeMs();
        return { state: now < expiresAt ? 'valid' : 'invalid', expiresAt: new Date(expiresAt).toISOString(), expiringSoon: expiresAt - now <= refreshBeforeMs, resubscribed: false };
      },
    });
    await withWorker(activities, async (tq) => {
      const now = await env.currentTimeMs();
      expiresAt = now + 60 * DAY;
      const handle = await start(tq, activeSince(now, expiresAt, { channelType: 'instagram', flow: 'instagram_facebook_login', timing: { checkEveryMs: DAY, refreshBeforeMs: 7 * DAY } }));
      await env.sleep(58 * DAY);
      await handle.signal(disconnectSignal, { reason: 'dsk_request' });
      await handle.result();
    });
    const warnings = calls.filter((c) => c.name === 'notifyChannelStatus' && (c.args as { reason: string }).reason === 'token_expiring');
    assert.equal(warnings.length, 1);
  });
});
