import assert from 'node:assert/strict';
import { splitWebhook } from '../../src/meta/webhook/split.js';
import type { InboundEvent } from '../../src/shared/inbound-events.js';
import { metaBody } from './meta-webhook-sender.js';

/*
 * Helpers of the webhook projection tests (webhook-split, whatsapp-webhook, instagram-webhook): every
 * payload goes through Meta's wire bytes (escaped `\/` and `\uXXXX`) before it is split.
 */

export const RECEIVED_AT = new Date('2026-07-29T08:03:12.000Z');
export const SAFE_KEY = /^[\x21-\x7e]{1,200}$/;

/** Splits a payload after a trip through Meta's wire bytes (escaped `\/` and `\uXXXX`). */
export function split(payload: unknown): InboundEvent[] {
  return splitWebhook(JSON.parse(metaBody(payload).toString('utf8')), { receivedAt: RECEIVED_AT });
}

export function only(payload: unknown): InboundEvent {
  const events = split(payload);
  assert.equal(events.length, 1, `expected one event, got ${events.map((e) => e.key).join(', ')}`);
  return events[0] as InboundEvent;
}

/** The normalized message of a `message.received`/`message.echo` event. */
export function messageOf(event: InboundEvent) {
  assert.ok(event.kind === 'message.received' || event.kind === 'message.echo', `kind ${event.kind}`);
  return event.data.message;
}
