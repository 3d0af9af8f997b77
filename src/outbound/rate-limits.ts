import type { SendRateLimit } from '../db/send-rate-slots.js';
import type { OutboundChannelType } from '../shared/outbound-request.js';

/**
 * How fast the workers send, per sender, whatever the number of worker processes
 * (sendRateLimits below turns these into the keys of src/db/send-rate-slots.ts). Meta's
 * figures, from reference meta-platform.md §6.1 (WA-TPUT) and §6.3 (IG-OV) unless noted:
 */
export interface OutboundRateLimits {
  /**
   * WHATSAPP_SENDS_PER_SECOND, default 80: a number's default throughput. Meta upgrades numbers up to
   * 1000/s and fixes coexistence numbers (shared with the WhatsApp Business app) at 20/s; above the
   * limit sends fail with 130429. Meta counts inbound messages against it too, which the limiter does
   * not see: a number with heavy inbound traffic needs a lower value.
   */
  whatsappSendsPerSecond: number;
  /**
   * WHATSAPP_PAIR_INTERVAL_MS, default 6000: the pair rate, ≈ 1 message per 6 s from one number to one
   * user (error 131056); the reference has it from a dev.to article only (⚠).
   */
  whatsappPairIntervalMs: number;
  /**
   * WHATSAPP_PAIR_BURST, default 45: messages to one user at once before the pair interval applies.
   * Not in the reference: Meta's throughput page from memory, "bursts of up to 45 messages in 6 s" (⚠).
   * Third-party summaries of that page say a burst must then be paid back in full before the next
   * message (a burst of 20 blocks the pair for ~2 minutes), whereas the limiter (GCRA) allows one
   * message per interval during the payback: only 1 can never draw 131056.
   */
  whatsappPairBurst: number;
  /** INSTAGRAM_SENDS_PER_SECOND, default 100: Send API calls per Instagram account (text, links, reactions, stickers). */
  instagramSendsPerSecond: number;
  /** INSTAGRAM_MEDIA_SENDS_PER_SECOND, default 10: Send API calls with audio or video per Instagram account. */
  instagramMediaSendsPerSecond: number;
}

export interface SendRateTarget {
  channelType: OutboundChannelType;
  /** The sending asset: the phone-number id (WhatsApp) or the Instagram account id. */
  senderId: string;
  /**
   * Stands for the recipient in the pair key (WhatsApp only): opaque and stable per recipient, e.g. an
   * HMAC of the phone number, so that PostgreSQL never holds the number itself. Undefined for what is
   * not a message to a recipient (mark-as-read): it counts towards the number's rate only.
   */
  recipientKey: string | undefined;
  /** Audio or video (Instagram only): these have a rate of their own (reference §6.3). */
  isMedia: boolean;
}

/**
 * The limits one send must reserve (src/db/send-rate-limiter.ts, all or none):
 * - WhatsApp: the number's throughput `wa:<phone-number-id>` and the pair rate
 *   `wa-pair:<phone-number-id>:<recipientKey>`;
 * - Instagram: the account's rate `ig:<ig-account-id>`, plus `ig-media:<ig-account-id>` for audio or
 *   video. Meta does not say whether audio and video also count toward the 100/s; pacing them by both
 *   costs nothing when they do not.
 * Per-second limits get a burst of 1, an even spacing: Meta does not say over which window it measures
 * a rate per second, and evenly spaced sends are within it over any window.
 */
export function sendRateLimits(limits: OutboundRateLimits, target: SendRateTarget): SendRateLimit[] {
  // A ':' in the sender id would let two different (sender, recipient) pairs share a key.
  if (!target.senderId || target.senderId.includes(':')) throw new RangeError('senderId must be a non-empty id without ":"');
  const perSecond = (key: string, rate: number): SendRateLimit => ({ key, intervalMs: 1000 / rate, burst: 1 });
  if (target.channelType === 'whatsapp') {
    const number = perSecond(`wa:${target.senderId}`, limits.whatsappSendsPerSecond);
    if (target.recipientKey === undefined) return [number];
    if (!target.recipientKey) throw new RangeError('recipientKey must not be empty');
    return [number, { key: `wa-pair:${target.senderId}:${target.recipientKey}`, intervalMs: limits.whatsappPairIntervalMs, burst: limits.whatsappPairBurst }];
  }
  const account = perSecond(`ig:${target.senderId}`, limits.instagramSendsPerSecond);
  return target.isMedia ? [account, perSecond(`ig-media:${target.senderId}`, limits.instagramMediaSendsPerSecond)] : [account];
}
