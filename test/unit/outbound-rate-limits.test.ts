import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { OutboundRateLimits } from '../../src/config.js';
import { sendRateLimits } from '../../src/outbound/rate-limits.js';

const DEFAULTS: OutboundRateLimits = {
  whatsappSendsPerSecond: 80,
  whatsappPairIntervalMs: 6000,
  whatsappPairBurst: 45,
  instagramSendsPerSecond: 100,
  instagramMediaSendsPerSecond: 10,
};
const PHONE_NUMBER_ID = '106540352242922';
const IG_ACCOUNT_ID = '17841400000000000';
/** What a caller passes: an HMAC of the recipient, never the number. */
const RECIPIENT_KEY = 'b7e1c0a4f5d2e3a9c8b7a6f5e4d3c2b1a0f9e8d7c6b5a4f3e2d1c0b9a8f7e6d5';

describe('sendRateLimits', () => {
  it('paces a WhatsApp send by the number (evenly, 80/s) and by the number-recipient pair (burst, then 1 per 6 s)', () => {
    assert.deepEqual(sendRateLimits(DEFAULTS, { channelType: 'whatsapp', senderId: PHONE_NUMBER_ID, recipientKey: RECIPIENT_KEY, isMedia: false }), [
      { key: `wa:${PHONE_NUMBER_ID}`, intervalMs: 12.5, burst: 1 },
      { key: `wa-pair:${PHONE_NUMBER_ID}:${RECIPIENT_KEY}`, intervalMs: 6000, burst: 45 },
    ]);
  });

  it('paces a mark-as-read (no recipient) by the number only', () => {
    assert.deepEqual(sendRateLimits(DEFAULTS, { channelType: 'whatsapp', senderId: PHONE_NUMBER_ID, recipientKey: undefined, isMedia: false }), [
      { key: `wa:${PHONE_NUMBER_ID}`, intervalMs: 12.5, burst: 1 },
    ]);
  });

  it('gives WhatsApp media no limit of its own', () => {
    assert.deepEqual(
      sendRateLimits(DEFAULTS, { channelType: 'whatsapp', senderId: PHONE_NUMBER_ID, recipientKey: RECIPIENT_KEY, isMedia: true }).map((l) => l.key),
      [`wa:${PHONE_NUMBER_ID}`, `wa-pair:${PHONE_NUMBER_ID}:${RECIPIENT_KEY}`],
    );
  });

  it('paces an Instagram send by the account only, and audio or video by the media rate as well', () => {
    assert.deepEqual(sendRateLimits(DEFAULTS, { channelType: 'instagram', senderId: IG_ACCOUNT_ID, recipientKey: RECIPIENT_KEY, isMedia: false }), [
      { key: `ig:${IG_ACCOUNT_ID}`, intervalMs: 10, burst: 1 },
    ]);
    assert.deepEqual(sendRateLimits(DEFAULTS, { channelType: 'instagram', senderId: IG_ACCOUNT_ID, recipientKey: RECIPIENT_KEY, isMedia: true }), [
      { key: `ig:${IG_ACCOUNT_ID}`, intervalMs: 10, burst: 1 },
      { key: `ig-media:${IG_ACCOUNT_ID}`, intervalMs: 100, burst: 1 },
    ]);
  });

  it('follows the configured rates', () => {
    const coexistence: OutboundRateLimits = { ...DEFAULTS, whatsappSendsPerSecond: 20, whatsappPairIntervalMs: 7000, whatsappPairBurst: 1 };
    assert.deepEqual(sendRateLimits(coexistence, { channelType: 'whatsapp', senderId: PHONE_NUMBER_ID, recipientKey: RECIPIENT_KEY, isMedia: false }), [
      { key: `wa:${PHONE_NUMBER_ID}`, intervalMs: 50, burst: 1 },
      { key: `wa-pair:${PHONE_NUMBER_ID}:${RECIPIENT_KEY}`, intervalMs: 7000, burst: 1 },
    ]);
  });

  it('refuses a sender id that could make two pairs share a key, and an empty recipient key', () => {
    assert.throws(() => sendRateLimits(DEFAULTS, { channelType: 'whatsapp', senderId: '1:2', recipientKey: 'r', isMedia: false }), RangeError);
    assert.throws(() => sendRateLimits(DEFAULTS, { channelType: 'instagram', senderId: '', recipientKey: 'r', isMedia: false }), RangeError);
    assert.throws(() => sendRateLimits(DEFAULTS, { channelType: 'whatsapp', senderId: PHONE_NUMBER_ID, recipientKey: '', isMedia: false }), RangeError);
  });
});
