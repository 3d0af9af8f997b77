import type { Pool } from './pool.js';

/**
 * The per-conversation sequence counters (migrations/1765200000000_conversation-sequences.sql). The
 * intake's accepting statement (./inbound-intake.ts) advances them; this repository only purges them.
 */
export function createConversationSequences(pool: Pool) {
  return {
    /** Counters no event advanced since `cutoff`: that conversation's next event starts again at 1. */
    async purgeIdleBatch(cutoff: Date, limit: number): Promise<number> {
      const { rowCount } = await pool.query(
        `DELETE FROM conversation_sequences WHERE conversation IN (
           SELECT conversation FROM conversation_sequences WHERE updated_at < $1 ORDER BY updated_at LIMIT $2)`,
        [cutoff, limit],
      );
      return rowCount ?? 0;
    },
  };
}

export type ConversationSequences = ReturnType<typeof createConversationSequences>;
