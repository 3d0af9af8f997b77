import { z } from 'zod';
import { MetaRequestError } from '../graph/errors.js';
import { IdString } from '../graph/transport.js';

const InstagramSendResponse = z.object({ recipient_id: IdString, message_id: z.string().min(1).max(1024).optional() }).loose();

/** What the Instagram Send API answers, on graph.facebook.com and graph.instagram.com alike (reference §6.3). */
export interface InstagramSendResult {
  /** The `mid` an echo webhook repeats; absent for sender actions (react, unreact, mark_seen). */
  messageId: string | undefined;
  recipientId: string;
}

/** A send's answer; anything without the recipient is `invalid_response` (the send may still have gone out). */
export function parseInstagramSendBody(json: unknown): InstagramSendResult {
  const parsed = InstagramSendResponse.safeParse(json);
  if (!parsed.success) throw new MetaRequestError('sendMessage', 'invalid_response');
  return { messageId: parsed.data.message_id, recipientId: parsed.data.recipient_id };
}
