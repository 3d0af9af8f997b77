import { CancelledFailure, Context } from '@temporalio/activity';
import type { Channels } from '../db/channels.js';
import type { ConnectionSessions } from '../db/connection-sessions.js';
import type { MessageStatusStore } from '../db/message-status.js';
import type { OutboundSends } from '../db/outbound-sends.js';
import type { SendRateLimiter } from '../db/send-rate-slots.js';
import type { WebhookLog } from '../db/webhook-log.js';

const DAY_MS = 24 * 60 * 60 * 1000;
const DEFAULT_BATCH_SIZE = 1000;

/** Each repository purges its own table, one bounded batch per statement. */
export interface RetentionActivityDeps {
  webhookLog: Pick<WebhookLog, 'purgeBatch'>;
  messageStatus: Pick<MessageStatusStore, 'purgeBatch'>;
  outboundSends: Pick<OutboundSends, 'purgeBatch'>;
  sessions: Pick<ConnectionSessions, 'purgeExpiredBatch'>;
  channels: Pick<Channels, 'destroyDeadTokensBatch'>;
  sendRateSlots: Pick<SendRateLimiter, 'purgeIdle'>;
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
      return inBatches((limit) => deps.webhookLog.purgeBatch(before, limit));
    },

    async purgeMessageStatus(input: { olderThanDays: number }): Promise<number> {
      const before = cutoff(input.olderThanDays);
      return inBatches((limit) => deps.messageStatus.purgeBatch(before, limit));
    },

    async purgeOutboundSends(input: { olderThanDays: number }): Promise<number> {
      const before = cutoff(input.olderThanDays);
      return inBatches((limit) => deps.outboundSends.purgeBatch(before, limit));
    },

    async purgeExpiredSessions(): Promise<number> {
      const now = deps.clock();
      return inBatches((limit) => deps.sessions.purgeExpiredBatch(now, limit));
    },

    async destroyDeadTokens(): Promise<number> {
      const now = deps.clock();
      return inBatches((limit) => deps.channels.destroyDeadTokensBatch(now, limit));
    },

    /**
     * Idle send-rate rows; they hold recipient HMACs, so they go as soon as they no longer pace anything.
     * Judged by the database clock, as the limiter is, never by the injected one: deleting a row whose
     * slot is still ahead would let a send through early.
     */
    async purgeIdleSendRateSlots(): Promise<number> {
      return inBatches((limit) => deps.sendRateSlots.purgeIdle(limit));
    },
  };
}

export type RetentionActivities = ReturnType<typeof createRetentionActivities>;
