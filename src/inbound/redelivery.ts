import type { UndeliveredStatus, WebhookLog, WebhookLogRow } from '../db/webhook-log.js';
import type { Logger } from '../logger.js';
import type { Workflows } from '../temporal/client.js';

export interface RedeliveryDeps {
  webhookLog: WebhookLog;
  workflows: Pick<Workflows, 'inboundInput' | 'waitForInboundClosed' | 'retryInbound'>;
  clock: () => Date;
  log: Logger;
}

export type RetryResult =
  | { result: 'retrying' }
  | { result: 'not_found' }
  | { result: 'not_retryable'; outcome: string }
  | { result: 'retention_expired' };

/**
 * Failed deliveries are not a dead end: an instance lists what failed or is still retrying, and asks
 * for a failed event again once DSK is fixed. The event's content is not in PostgreSQL (by policy):
 * its only copy is the failed run's (encrypted) history, so a retry replays that run's input into a
 * new run with the same workflow id, which Temporal allows only because the previous run failed. DSK
 * sees the same Idempotency-Key, so it still processes the event once. Once the namespace's retention
 * has removed the history, the event is gone for good.
 */
export function createRedelivery(deps: RedeliveryDeps) {
  return {
    list(instanceId: string, status: UndeliveredStatus | undefined, limit: number, after?: readonly string[]): Promise<Array<WebhookLogRow & { cursorKey: [string, string] }>> {
      return deps.webhookLog.listUndelivered(instanceId, status, limit, after);
    },

    async retry(instanceId: string, key: string): Promise<RetryResult> {
      const row = await deps.webhookLog.get(key);
      if (!row || row.instanceId !== instanceId) return { result: 'not_found' };
      if (row.outcome !== 'failed') return { result: 'not_retryable', outcome: row.outcome };

      const input = await deps.workflows.inboundInput(key);
      if (!input) return { result: 'retention_expired' };
      // The workflow writes "failed" to the log just before it fails, so a retry can arrive while the
      // run is still closing: give it a few seconds rather than refusing the retry.
      await deps.workflows.waitForInboundClosed(key, 5_000);

      // The claim makes concurrent retries of one key start at most one run.
      const claim = await deps.webhookLog.claimRetry(key, instanceId, deps.clock());
      if (!claim.claimed) return claim.outcome === undefined ? { result: 'not_found' } : { result: 'not_retryable', outcome: claim.outcome };

      let started: 'started' | 'not_failed' | undefined;
      try {
        started = await deps.workflows.retryInbound(input);
      } finally {
        if (started !== 'started') await deps.webhookLog.releaseRetry(key, claim.previousAttempts, deps.clock());
      }
      // The last run did not fail after all (it is open or completed): the log is behind Temporal.
      if (started === 'not_failed') return { result: 'not_retryable', outcome: 'failed' };
      deps.log.info({ key, instanceId, kind: row.kind }, 'failed delivery retried');
      return { result: 'retrying' };
    },
  };
}

export type Redelivery = ReturnType<typeof createRedelivery>;
