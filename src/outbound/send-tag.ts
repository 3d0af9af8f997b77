import { createHash } from 'node:crypto';
import { SEND_TAG_HEX_CHARS, SEND_TAG_PREFIX } from '../shared/outbound.js';
import type { OutboundRequest } from '../shared/outbound-request.js';

/**
 * The correlation tag of one send: `dsk:` + the first 128 bits of SHA-256 over the instance id and
 * DSK's client_message_id. Deterministic, so a retried send (same client_message_id) carries the
 * same tag and its status webhooks match the one outbound row. A separator that neither id can
 * contain keeps ("ab","c") and ("a","bc") apart.
 */
export function sendTag(instanceId: string, clientMessageId: string): string {
  const digest = createHash('sha256').update(instanceId, 'utf8').update('\u0000').update(clientMessageId, 'utf8').digest('hex');
  return `${SEND_TAG_PREFIX}${digest.slice(0, SEND_TAG_HEX_CHARS)}`;
}

/** The correlation key a send's webhooks will carry, if the channel has one before the answer. */
export function expectedCallbackData(outbound: OutboundRequest, instanceId: string): string | undefined {
  if (outbound.channelType !== 'whatsapp' || outbound.request.type === 'read') return undefined;
  return sendTag(instanceId, outbound.request.client_message_id);
}
