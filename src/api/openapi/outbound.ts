import { z } from 'zod';
import { instagramOutboundSchema, whatsappOutboundSchema } from '../outbound-schema/index.js';

/*
 * The body of `POST /v1/channels/{id}/messages`, as the send route validates it: which of the two
 * schemas applies is decided by the channel (src/api/outbound-schema/index.ts), so the document
 * states them as exclusive alternatives. What JSON Schema cannot say (code-point and UTF-8 byte
 * lengths, "a single emoji") is enforced by the route and described in the operation's text.
 */
export const OutboundMessage = z
  .xor([whatsappOutboundSchema.meta({ id: 'OutboundWhatsAppMessage' }), instagramOutboundSchema.meta({ id: 'OutboundInstagramMessage' })])
  .meta({
    id: 'OutboundMessage',
    description:
      'A WhatsApp message (`OutboundWhatsAppMessage`) on a WhatsApp channel, an Instagram message (`OutboundInstagramMessage`) on an Instagram channel; which one applies is decided by the channel, not by the body. Every body needs `client_message_id`, DSK\'s id of the send, unique per instance: a repeat with the same id returns the first send\'s result and never sends again.',
  });
