import { createHmac, createSecretKey, hkdfSync } from 'node:crypto';
import type { ConversationRef } from '../shared/conversation.js';

/**
 * The key a conversation's sequence counter is stored under: HMAC-SHA256 under a key derived (HKDF)
 * from the newest token key, as the send-rate recipient keys are, so conversation_sequences never holds
 * a customer or business id and cannot be reversed by enumerating phone numbers. A rotation of the
 * newest token key starts every conversation's numbering again at 1, with a new `started_at` that
 * tells DSK it is a new run (README "Order within a conversation").
 */
export function conversationKeyer(tokenKey: string): (conversation: ConversationRef) => string {
  // A KeyObject made once: createHmac would otherwise import the raw key again for every event.
  const key = createSecretKey(Buffer.from(hkdfSync('sha256', Buffer.from(tokenKey, 'base64url'), Buffer.alloc(0), 'conversation-sequence-key', 32)));
  return (c) => createHmac('sha256', key).update(`${c.channelType}\n${c.businessId}\n${c.customerId}`, 'utf8').digest('base64url').slice(0, 22);
}
