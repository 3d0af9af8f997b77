import { CancelledFailure, Context } from '@temporalio/activity';
import type { Channels } from '../db/channels.js';
import type { ConnectionSessions } from '../db/connection-sessions.js';
import type { MessageStatusStore } from '../db/message-status.js';
import type { OutboundSends } from '../db/outbound-sends.js';
import type { SendRateLimiter } from '../db/send-rate-slots.js';
import type { ConversationSequences } from '../db/conversation-sequences.js';
import type { WebhookLog } from '../db/webhook-log.js';
import type { Connections } from '../db/connections.js';
import type { DeletionRequests } from '../db/deletion-requests.js';
import type { Instances } from '../db/instances.js';
import type { InstanceQuotas } from '../db/instance-quotas.js';
import type { CustomerWindows } from '../db/customer-windows.js';

const DAY_MS = 24 * 60 * 60 * 1000;
const DEFAULT_BATCH_SIZE = 1000;

/** Each repository purges its own table, one bounded batch per statement. */
export interface RetentionActivityDeps {
  webhookLog: Pick<WebhookLog, 'purgeBatch'>;
  /** Per-conversation sequence counters, kept as long as the webhook log (its dedup window). */
  conversationSequences: Pick<ConversationSequences, 'purgeIdleBatch'>;
  messageStatus: Pick<MessageStatusStore, 'purgeBatch'>;
  outboundSends: Pick<OutboundSends, 'purgeBatch'>;
  sessions: Pick<ConnectionSessions, 'purgeExpiredBatch'>;
  channels: Pick<Channels, 'destroyDeadTokensBatch'>;
  sendRateSlots: Pick<SendRateLimiter, 'purgeIdle'>;
  connections: Pick<Connections, 'purgeEndedBatch'>;
  deletionRequests: Pick<DeletionRequests, 'purgeBatch'>;
  instances: Pick<Instances, 'purgeIdleBatch'>;
  instanceQuotas: Pick<InstanceQuotas, 'purgeBatch'>;
  /** Customer-service windows past their longest window (absent in tests of the other tables). */
  customerWindows?: Pick<CustomerWindows, 'purgeExpiredBatch'>;
  /** Channel records after disconnection (channels.purgeDisconnectedBatch). */
  channelRecords: Pick<Channels, 'purgeDisconnectedBatch'>;
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
    /**
     * The webhook log, and with it the conversation counters idle for as long (a conversation silent
     * for the whole window starts again at 1). Answers the webhook-log rows purged, as before.
     */
    async purgeWebhookLog(input: { olderThanDays: number }): Promise<number> {
      const before = cutoff(input.olderThanDays);
      const purged = await inBatches((limit) => deps.webhookLog.purgeBatch(before, limit));
      await inBatches((limit) => deps.conversationSequences.purgeIdleBatch(before, limit));
      return purged;
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
     * The tables kept for a period of their own (RETENTION in shared/retention.ts): ended connections,
     * disconnected channel records, data-deletion requests, instances nothing refers to any more, and
     * the per-instance request windows. One activity, each table in turn; a retry finds less to do.
     */
    async purgeRecords(input: { connectionDays: number; channelDays: number; deletionRequestDays: number; instanceDays: number; quotaWindowDays: number }): Promise<PurgedRecords> {
      const connections = await inBatches((limit) => deps.connections.purgeEndedBatch(cutoff(input.connectionDays), limit));
      const channels = await inBatches((limit) => deps.channelRecords.purgeDisconnectedBatch(cutoff(input.channelDays), limit));
      const deletionRequests = await inBatches((limit) => deps.deletionRequests.purgeBatch(cutoff(input.deletionRequestDays), limit));
      // After channels and connections: an instance goes only once nothing of it is left.
      const instances = await inBatches((limit) => deps.instances.purgeIdleBatch(cutoff(input.instanceDays), limit));
      const quotaWindows = await inBatches((limit) => deps.instanceQuotas.purgeBatch(cutoff(input.quotaWindowDays), limit));
      // Each row says when it expires (its conversation's longest window): no period to pass in, and
      // so no change to the workflow that schedules this activity.
      const customerWindows = deps.customerWindows ? await inBatches((limit) => deps.customerWindows!.purgeExpiredBatch(limit)) : 0;
      return { connections, channels, deletionRequests, instances, quotaWindows, customerWindows };
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

export interface PurgedRecords {
  connections: number;
  channels: number;
  deletionRequests: number;
  instances: number;
  quotaWindows: number;
  /** Absent in results recorded before customer windows existed. */
  customerWindows?: number;
}

export type RetentionActivities = ReturnType<typeof createRetentionActivities>;
