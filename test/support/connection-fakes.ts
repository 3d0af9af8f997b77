import { randomUUID } from 'node:crypto';
import type { WorkflowHandle } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import type { ConnectionActivities } from '../../src/activities/connection.js';
import type { TemplateActivities } from '../../src/activities/templates.js';
import type { ConnectionWorkflowInput } from '../../src/shared/connections.js';
import { WORKFLOWS_ENTRY } from '../../src/temporal/worker.js';

/** Activity calls a fake recorded, in order. */
export type Calls = Array<{ name: keyof ConnectionActivities; args: unknown }>;

/**
 * The connection workflow's activities as fakes that record their calls and answer a connected
 * channel. Typed against the real factory, so a renamed activity fails to compile. The template sync
 * (issue #13) answers "no templates" without being recorded: these tests are about the lifecycle.
 */
export function fakeConnectionActivities(calls: Calls, overrides: Partial<ConnectionActivities> = {}): ConnectionActivities & TemplateActivities {
  const record = <K extends keyof ConnectionActivities>(name: K, result: Awaited<ReturnType<ConnectionActivities[K]>>) =>
    (async (args: unknown) => {
      calls.push({ name, args });
      return result;
    }) as unknown as ConnectionActivities[K];
  return {
    exchangeAuthorization: record('exchangeAuthorization', { options: [{ id: 'pn-1', name: 'Acme' }] }),
    activateChannel: record('activateChannel', { channelId: 'ch-1', tokenExpiresAt: null }),
    checkChannelToken: record('checkChannelToken', { state: 'valid', expiresAt: null, expiringSoon: false, resubscribed: false }),
    markChannelStatus: record('markChannelStatus', undefined),
    notifyChannelStatus: record('notifyChannelStatus', { delivered: true }),
    holdSession: record('holdSession', undefined),
    discardSession: record('discardSession', undefined),
    finishConnection: record('finishConnection', undefined),
    disconnectChannel: record('disconnectChannel', undefined),
    syncChannelTemplates: async () => ({ templates: null }),
    ...overrides,
  };
}

/** Bundles the workflow code once per test file (quietly). */
export function bundleWorkflowsQuietly(): Promise<WorkflowBundleWithSourceMap> {
  return bundleWorkflowCode({ workflowsPath: WORKFLOWS_ENTRY, logger: { trace() {}, debug() {}, info() {}, warn() {}, error() {} } as never });
}

/** Runs `fn` with a worker of its own task queue, so concurrent tests cannot steal each other's tasks. */
export async function withConnectionWorker<T>(
  env: TestWorkflowEnvironment,
  bundle: WorkflowBundleWithSourceMap,
  activities: ConnectionActivities,
  fn: (taskQueue: string) => Promise<T>,
): Promise<T> {
  const taskQueue = `test-${randomUUID()}`;
  const worker = await Worker.create({ connection: env.nativeConnection, taskQueue, workflowBundle: bundle, activities });
  return worker.runUntil(fn(taskQueue));
}

export function connectionInput(overrides: Partial<ConnectionWorkflowInput> = {}): ConnectionWorkflowInput {
  return {
    connectionId: randomUUID(),
    instanceId: 'inst-1',
    channelType: 'whatsapp',
    flow: 'whatsapp_embedded_signup',
    sessionExpiresAt: new Date(Date.now() + 30 * 60 * 1000).toISOString(),
    ...overrides,
  };
}

/** The signals a workflow received, in order, with their decoded arguments (read from its history). */
export async function signalsReceived(handle: WorkflowHandle): Promise<Array<{ name: string; args: unknown[] }>> {
  const history = await handle.fetchHistory();
  return (history.events ?? []).flatMap((event) => {
    const signaled = event.workflowExecutionSignaledEventAttributes;
    if (!signaled) return [];
    return [{ name: signaled.signalName ?? '', args: (signaled.input?.payloads ?? []).map((p) => defaultPayloadConverter.fromPayload(p)) }];
  });
}
