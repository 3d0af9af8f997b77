import { z } from 'zod';
import { INSTAGRAM_ATTACHMENT_TYPES, INSTAGRAM_IGSID } from '../../shared/outbound-request.js';
import { clientMessageId, httpsUrl, igMid, INSTAGRAM_LIMITS, isSingleEmoji, utf8Length } from './common.js';

/* Instagram Send API bodies (reference §6.3). */

const igMessage = {
  client_message_id: clientMessageId,
  to: z.string().regex(INSTAGRAM_IGSID, { message: 'must be an Instagram-scoped user id (digits)' }),
  // Not in the reference's Send API: rejected explicitly so DSK does not assume it worked.
  reply_to: z.never({ error: 'is not supported for Instagram channels' }).optional(),
};

/** Outside the 24 h window, within 7 days; needs the Human Agent feature (App Review). */
const humanAgentTag = z.literal('HUMAN_AGENT', { error: 'must be "HUMAN_AGENT", the only tag Instagram accepts' }).optional();

export const instagramOutboundSchema = z.discriminatedUnion('type', [
  z.strictObject({
    ...igMessage,
    type: z.literal('text'),
    text: z.strictObject({
      body: z
        .string()
        .min(1, { message: 'must not be empty' })
        .refine((s) => utf8Length(s) <= INSTAGRAM_LIMITS.textBytes, { message: `must be at most ${INSTAGRAM_LIMITS.textBytes} bytes of UTF-8` }),
    }),
    tag: humanAgentTag,
  }),
  z.strictObject({
    ...igMessage,
    type: z.literal('attachment'),
    attachment: z.strictObject({
      type: z.enum(INSTAGRAM_ATTACHMENT_TYPES, { error: 'must be one of image, audio, video, file' }),
      url: httpsUrl(),
    }),
    tag: humanAgentTag,
  }),
  /*
   * ⚠ Business-side reactions are not in the reference's Send API section; it only notes they
   * trigger no webhook (§3.2). Meta's Messenger sender-actions page documents `react` / `unreact`
   * with `payload: {message_id, reaction}` and its Instagram pages list reactions among sendable
   * content; Instagram examples have used the name "love" where Messenger takes any emoji.
   */
  z.strictObject({
    ...igMessage,
    type: z.literal('reaction'),
    reaction: z.strictObject({
      message_id: igMid,
      // "love" because Instagram's own examples send that name; an emoji because Messenger documents one.
      emoji: z.string().refine((s) => s === '' || s === 'love' || isSingleEmoji(s), { message: 'must be a single emoji, "love", or "" to remove the reaction' }),
    }),
  }),
  /*
   * `sender_action: mark_seen` (reference §6.3, Instagram support added 2025-09 ⚠). It marks the
   * conversation seen, so a message_id is accepted for parity with WhatsApp but not sent.
   */
  z.strictObject({
    ...igMessage,
    type: z.literal('read'),
    message_id: igMid.optional(),
  }),
]);
