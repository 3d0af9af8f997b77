import assert from 'node:assert/strict';
import { createHmac, hkdfSync, randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { keyedHash } from '../../src/vault/keyed-hash.js';

describe('keyedHash (conversation counters, pair-rate keys, customer windows)', () => {
  const tokenKey = randomBytes(32).toString('base64url');

  it('gives exactly the hashes already stored: HMAC-SHA256 under HKDF-SHA256(token key, no salt, label), base64url', () => {
    const raw = Buffer.from(hkdfSync('sha256', Buffer.from(tokenKey, 'base64url'), Buffer.alloc(0), 'customer-window-key', 32));
    const stored = createHmac('sha256', raw).update('channel-1\n15551234567', 'utf8').digest('base64url');
    assert.equal(keyedHash(tokenKey, 'customer-window-key')('channel-1\n15551234567'), stored);
  });

  it('keys each label apart', () => {
    assert.notEqual(keyedHash(tokenKey, 'customer-window-key')('x'), keyedHash(tokenKey, 'send-rate-recipient-key')('x'));
  });
});
