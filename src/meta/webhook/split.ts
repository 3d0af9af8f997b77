import { z } from 'zod';
import type { ChannelType, InboundEvent, UnsupportedReason } from '../../shared/inbound-events.js';
import { splitIgEntry } from '../instagram/webhook.js';
import { splitWaEntry } from '../whatsapp/webhook.js';
import { splitMessengerEntry } from './messenger.js';
import { event, guarded, hashOrFallback, isRecord, omit, optString, stringOr, unsupportedEntry, type Ctx } from './projection.js';

/*
 * Meta's webhook projection, this module and the WhatsApp and Instagram ones it dispatches to
 * (whatsapp/webhook.ts, instagram/webhook.ts), is the only code that reads Meta's webhook field names
 * (reference: shared/reference/meta-platform.md §1.6, §2, §3). It turns one verified POST body into
 * normalized events, one per message, status, messaging item or change, each with a stable
 * idempotency key.
 *
 * Parsing is deliberately lenient: Meta adds fields and types without notice, and a correctly signed
 * body that we fail to understand must still be acknowledged and recorded (otherwise WhatsApp resends
 * it for 7 days). So nothing here throws and nothing is dropped: whatever is not understood becomes an
 * `unsupported` event carrying its raw object. A field of an unexpected type is ignored, not fatal.
 */

const envelopeSchema = z.looseObject({ object: optString, entry: z.array(z.unknown()) });

export interface SplitOptions {
  /** When the POST arrived; also the `occurredAt` of events Meta gives no time for. */
  receivedAt: Date;
}

/**
 * Splits one verified Meta webhook body into normalized events, one per message, status, messaging
 * item or change (a POST carries up to 1000). Never throws and never drops anything: shapes it does
 * not understand come back as `unsupported` events with their raw object.
 */
export function splitWebhook(body: unknown, opts: SplitOptions): InboundEvent[] {
  const time = opts.receivedAt.getTime();
  const ctx: Ctx = { receivedAt: new Date(Number.isFinite(time) ? time : 0).toISOString() };
  // Some Instagram doc samples wrap the body in a top-level array; real deliveries are one object.
  const bodies = Array.isArray(body) ? body : [body];
  return bodies.flatMap((item) => guarded(() => splitBody(item, ctx), () => unsupportedBody(item, 'malformed', ctx)));
}

function splitBody(body: unknown, ctx: Ctx): InboundEvent[] {
  const object = isRecord(body) && typeof body.object === 'string' ? body.object : undefined;
  if (object === 'page' && isRecord(body) && Array.isArray(body.entry)) {
    const pageRest = omit(body, 'entry');
    return body.entry.flatMap((entry) => guarded(() => splitMessengerEntry(entry, pageRest, ctx), () => unsupportedBody(body, 'unsupported_channel', ctx)));
  }
  const channelType = channelOfObject(object);
  if (channelType === 'unknown') return [unsupportedBody(body, object === undefined ? 'malformed' : object === 'page' ? 'unsupported_channel' : 'unknown_object', ctx)];
  const envelope = envelopeSchema.safeParse(body);
  if (!envelope.success || !isRecord(body)) return [unsupportedBody(body, 'malformed', ctx)];
  const bodyRest = omit(body, 'entry');
  return envelope.data.entry.flatMap((entry) =>
    guarded(
      () => (channelType === 'whatsapp' ? splitWaEntry(entry, bodyRest, ctx) : splitIgEntry(entry, bodyRest, ctx)),
      () => unsupportedEntry(channelType, entry, bodyRest, 'malformed', ctx),
    ),
  );
}

/** `page` (Messenger) is no channel of ours: it must never be taken for Instagram (messenger.ts). */
function channelOfObject(object: string | undefined): ChannelType | 'unknown' {
  if (object === 'whatsapp_business_account') return 'whatsapp';
  if (object === 'instagram') return 'instagram';
  return 'unknown';
}

function unsupportedBody(body: unknown, reason: UnsupportedReason, ctx: Ctx): InboundEvent {
  const object = isRecord(body) ? stringOr(body.object) : undefined;
  const channelType = channelOfObject(object);
  const prefix = channelType === 'whatsapp' ? 'wa' : channelType === 'instagram' ? 'ig' : 'meta';
  return event('unsupported', {
    key: `${prefix}:unsupported:${hashOrFallback(body, ctx)}`,
    channelType,
    businessId: '',
    data: { reason, object },
    raw: body,
  }, ctx);
}
