import type { ConversationRef } from '../shared/conversation.js';
import { keyedHash } from '../vault/keyed-hash.js';

/**
 * The key a conversation's sequence counter is stored under: HMAC-SHA256 under a key derived (HKDF)
 * from the newest token key, as the send-rate recipient keys are, so conversation_sequences never holds
 * a customer or business id and cannot be reversed by enumerating phone numbers. A rotation of the
 * newest token key starts every conversation's numbering again at 1, with a new `started_at` that
 * tells DSK it is a new run (README "Order within a conversation").
 */
export function conversationKeyer(tokenKey: string): (conversation: ConversationRef) => string {
  const hash = keyedHash(tokenKey, 'conversation-sequence-key');
  return (c) => hash(`${c.channelType}\n${c.businessId}\n${c.customerId}`).slice(0, 22);
}
