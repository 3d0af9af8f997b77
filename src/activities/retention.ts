import { CancelledFailure, Context } from '@temporalio/activity';
import type { Pool } from '../db/pool.js';
import { createRetentionStore } from '../db/retention.js';

const DAY_MS = 24 * 60 * 60 * 1000;
const DEFAULT_BATCH_SIZE = 1000;

export interface RetentionActivityDeps {
  pool: Pool;
  /** Injected so a test can purge "as of" any time. */
  clock: () => Date;
  /** Rows per statement; default 1000. */
  retentionBatchSize?: number;
}

/**
 * The daily purge (DESIGN flow 4), one activity per kind of data so each retries on its own. Every
 * activity repeats its batch until a short one, heartbeating the running count, and returns how many
 * rows it removed. All are idempotent: a retry just finds less to do.
 */
export function createRetentionActivities(deps: RetentionActivityDeps) {
  const store = createRetentionStore(deps.pool);
  const batchSize = deps.retentionBatchSize ?? DEFAULT_BATCH_SIZE;

  async function inBatches(batch: (limit: number) => Promise<number>): Promise<number> {
    let total = 0;
    for (;;) {
      const n = await batch(batchSize);
      total += n;
      if (n < batchSize) return total;
      Context.current().heartbeat({ total });
      if (Context.current().cancellationSignal.aborted) throw new CancelledFailure('retention purge cancelled');
    }
  }

  const cutoff = (days: number) => new Date(deps.clock().getTime() - days * DAY_MS);

  return {
    async purgeWebhookLog(input: { olderThanDays: number }): Promise<number> {
      const before = cutoff(input.olderThanDays);
      return inBatches((limit) => store.deleteWebhookLogBatch(before, limit));
    },

    async purgeMessageStatus(input: { olderThanDays: number }): Promise<number> {
      const before = cutoff(input.olderThanDays);
      return inBatches((limit) => store.deleteMessageStatusBatch(before, limit));
    },

    async purgeOutboundSends(input: { olderThanDays: number }): Promise<number> {
      const before = cutoff(input.olderThanDays);
      return inBatches((limit) => store.deleteOutboundSendsBatch(before, limit));
    },

    async purgeExpiredSessions(): Promise<number> {
      const now = deps.clock();
      return inBatches((limit) => store.deleteExpiredSessionsBatch(now, limit));
    },

    async destroyDeadTokens(): Promise<number> {
      const now = deps.clock();
      return inBatches((limit) => store.destroyDeadTokensBatch(now, limit));
    },

    /** Idle send-rate rows; they hold recipient HMACs, so they go as soon as they no longer pace anything. */
    async purgeIdleSendRateSlots(): Promise<number> {
      return inBatches((limit) => store.deleteIdleSendRateSlotsBatch(limit));
    },
  };
}

export type RetentionActivities = ReturnType<typeof createRetentionActivities>;
