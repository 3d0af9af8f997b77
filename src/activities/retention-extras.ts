import { CancelledFailure, Context } from '@temporalio/activity';
import type { MessageTemplates } from '../db/message-templates.js';
import type { MediaStore } from '../media/store.js';

export interface RetentionExtrasDeps {
  media: Pick<MediaStore, 'purgeExpiredBatch'>;
  templates: Pick<MessageTemplates, 'purgeUnusedBatch'>;
  /** Rows per statement; default 500. */
  batchSize?: number;
}

/**
 * Retention of what issue #13 stores (run by the daily retention workflow): captured media past its
 * horizon, bytes and rows, and the templates of WABAs no channel uses any more.
 */
export function createRetentionExtrasActivities(deps: RetentionExtrasDeps) {
  const batchSize = deps.batchSize ?? 500;

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

  return {
    async purgeExpiredMedia(): Promise<number> {
      return inBatches((limit) => deps.media.purgeExpiredBatch(limit));
    },

    async purgeUnusedTemplates(): Promise<number> {
      return inBatches((limit) => deps.templates.purgeUnusedBatch(limit));
    },
  };
}

export type RetentionExtrasActivities = ReturnType<typeof createRetentionExtrasActivities>;
