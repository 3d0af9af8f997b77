import {
  WorkflowExecutionAlreadyStartedError,
  WorkflowNotFoundError,
  isGrpcServiceError,
  type WorkflowClient,
} from '@temporalio/client';
// The helper the client itself decodes workflow payloads with (codecs, then the payload converter).
import { decodeArrayFromPayloads } from '@temporalio/common/lib/internal-non-workflow/index.js';
import type { UndeliveredStatus, WebhookLog, WebhookLogRow } from '../db/webhook-log.js';
import type { Logger } from '../logger.js';
import { inboundWorkflowId } from '../shared/ids.js';
import { EVENT_KIND, STATUS } from '../shared/search-attributes.js';
import type { InboundWorkflowInput, inboundEventWorkflow } from '../workflows/inbound.js';

export interface RedeliveryDeps {
  webhookLog: WebhookLog;
  workflows: WorkflowClient;
  taskQueue: string;
  clock: () => Date;
  log: Logger;
}

export type RetryResult =
  | { result: 'retrying' }
  | { result: 'not_found' }
  | { result: 'not_retryable'; outcome: string }
  | { result: 'retention_expired' };

const GRPC_NOT_FOUND = 5;

/**
 * Failed deliveries are not a dead end: an instance lists what failed or is still retrying, and asks
 * for a failed event again once DSK is fixed. The event's content is not in PostgreSQL (by policy):
 * its only copy is the failed run's (encrypted) history, so a retry replays that run's input into a
 * new run with the same workflow id, which Temporal allows only because the previous run failed. DSK
 * sees the same Idempotency-Key, so it still processes the event once. Once the namespace's retention
 * has removed the history, the event is gone for good.
 */
export function createRedelivery(deps: RedeliveryDeps) {
  /** The failed run's input, or undefined when its history is gone. */
  async function originalInput(key: string): Promise<InboundWorkflowInput | undefined> {
    const workflowId = inboundWorkflowId(key);
    let history;
    try {
      history = await deps.workflows.getHandle(workflowId).fetchHistory();
    } catch (err) {
      if (err instanceof WorkflowNotFoundError || (isGrpcServiceError(err) && err.code === GRPC_NOT_FOUND)) return undefined;
      throw err;
    }
    const started = history.events?.[0]?.workflowExecutionStartedEventAttributes;
    if (!started) return undefined;
    const { loadedDataConverter, namespace } = deps.workflows.options;
    // No external payload storage is configured; with one, references would need resolving first.
    const args = await decodeArrayFromPayloads(loadedDataConverter, started.input?.payloads, { type: 'workflow', namespace, workflowId });
    const input = args[0] as InboundWorkflowInput | undefined;
    if (args.length !== 1 || input?.event?.key !== key) {
      throw new Error('the history of an inbound workflow does not hold its event');
    }
    return input;
  }

  return {
    list(instanceId: string, status: UndeliveredStatus | undefined, limit: number): Promise<WebhookLogRow[]> {
      return deps.webhookLog.listUndelivered(instanceId, status, limit);
    },

    async retry(instanceId: string, key: string): Promise<RetryResult> {
      return retryDelivery(instanceId, key);
    },
  };

  /**
   * The workflow writes "failed" to the log just before it fails, so a retry can arrive while the
   * run is still closing: give it a few seconds rather than refusing the retry.
   */
  async function lastRunClosed(key: string, timeoutMs = 5_000): Promise<void> {
    const handle = deps.workflows.getHandle(inboundWorkflowId(key));
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const { status } = await handle.describe();
      if (status.name !== 'RUNNING') return;
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  async function retryDelivery(instanceId: string, key: string): Promise<RetryResult> {
      const row = await deps.webhookLog.get(key);
      if (!row || row.instanceId !== instanceId) return { result: 'not_found' };
      if (row.outcome !== 'failed') return { result: 'not_retryable', outcome: row.outcome };

      const input = await originalInput(key);
      if (!input) return { result: 'retention_expired' };
      await lastRunClosed(key);

      // The claim makes concurrent retries of one key start at most one run.
      const claim = await deps.webhookLog.claimRetry(key, instanceId, deps.clock());
      if (!claim.claimed) return claim.outcome === undefined ? { result: 'not_found' } : { result: 'not_retryable', outcome: claim.outcome };

      try {
        await deps.workflows.start<typeof inboundEventWorkflow>('inboundEventWorkflow', {
          taskQueue: deps.taskQueue,
          workflowId: inboundWorkflowId(key),
          workflowIdReusePolicy: 'ALLOW_DUPLICATE_FAILED_ONLY',
          workflowIdConflictPolicy: 'FAIL',
          args: [input],
          typedSearchAttributes: [
            { key: EVENT_KIND, value: row.kind },
            { key: STATUS, value: 'accepted' },
          ],
        });
      } catch (err) {
        await deps.webhookLog.releaseRetry(key, claim.previousAttempts, deps.clock());
        // The last run did not fail after all (it is open or completed): the log is behind Temporal.
        if (err instanceof WorkflowExecutionAlreadyStartedError) return { result: 'not_retryable', outcome: 'failed' };
        throw err;
      }
      deps.log.info({ key, instanceId, kind: row.kind }, 'failed delivery retried');
      return { result: 'retrying' };
  }
}

export type Redelivery = ReturnType<typeof createRedelivery>;
