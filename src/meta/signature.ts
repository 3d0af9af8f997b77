import { createHmac, timingSafeEqual } from 'node:crypto';

export type SignatureCheck = { ok: true; secretIndex: number } | { ok: false };

const SHA256_HEADER = /^sha256=([0-9a-fA-F]{64})$/;

/**
 * Checks `X-Hub-Signature-256` against the exact bytes Meta sent, with each configured secret.
 *
 * The body must never be re-serialized first: Meta signs its escaped-ASCII bytes (`\u00e9`, `\/`),
 * which `JSON.stringify(JSON.parse(raw))` changes. Several secrets are accepted because secrets are
 * rotated and Instagram-Login deliveries are signed with the Instagram app secret; `secretIndex` tells
 * the caller which one matched (log it, never the secret). A header with only the legacy `sha1=` form,
 * a malformed header or an empty secret list is "unsigned": `{ ok: false }`, never an exception.
 */
export function verifyMetaSignature(raw: Buffer, header: string | undefined, secrets: readonly string[]): SignatureCheck {
  const match = typeof header === 'string' ? SHA256_HEADER.exec(header.trim()) : null;
  if (!match?.[1]) return { ok: false };
  const received = Buffer.from(match[1].toLowerCase(), 'hex');
  // Every secret is tried even after a match, so the time taken does not reveal which one matched.
  let secretIndex = -1;
  secrets.forEach((secret, index) => {
    if (secret.length === 0) return;
    const expected = createHmac('sha256', secret).update(raw).digest();
    if (expected.length === received.length && timingSafeEqual(expected, received) && secretIndex === -1) {
      secretIndex = index;
    }
  });
  return secretIndex === -1 ? { ok: false } : { ok: true, secretIndex };
}

export interface SignedRequestPayload {
  algorithm: string;
  user_id?: string;
  issued_at?: number;
  expires?: number;
  [field: string]: unknown;
}

export type SignedRequestFailure = 'malformed' | 'bad_payload' | 'unsupported_algorithm' | 'bad_signature';

export type SignedRequestCheck =
  | { ok: true; payload: SignedRequestPayload; secretIndex: number }
  | { ok: false; reason: SignedRequestFailure };

// Meta sends no padding; a padded part is tolerated because decoding does not depend on it.
const BASE64URL = /^[A-Za-z0-9_-]+={0,2}$/;

/**
 * Verifies Meta's `signed_request` (deauthorize and data-deletion callbacks): `<sig>.<payload>`, both
 * base64url without padding, where `sig` is the raw HMAC-SHA256 of the payload string *as received*
 * (still encoded). Only `HMAC-SHA256` is accepted, so a payload cannot downgrade the check.
 * `user_id` is returned as a string even when Meta encodes it as a number.
 */
export function verifySignedRequest(signedRequest: string, secrets: readonly string[]): SignedRequestCheck {
  const parts = typeof signedRequest === 'string' ? signedRequest.trim().split('.') : [];
  const [encodedSig, encodedPayload] = parts;
  if (parts.length !== 2 || !encodedSig || !encodedPayload || !BASE64URL.test(encodedSig) || !BASE64URL.test(encodedPayload)) {
    return { ok: false, reason: 'malformed' };
  }
  let payload: unknown;
  try {
    payload = JSON.parse(Buffer.from(encodedPayload, 'base64url').toString('utf8'));
  } catch {
    return { ok: false, reason: 'bad_payload' };
  }
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) return { ok: false, reason: 'bad_payload' };
  const fields = payload as Record<string, unknown>;
  if (typeof fields.algorithm !== 'string' || fields.algorithm.toUpperCase() !== 'HMAC-SHA256') {
    return { ok: false, reason: 'unsupported_algorithm' };
  }
  const received = Buffer.from(encodedSig, 'base64url');
  let secretIndex = -1;
  secrets.forEach((secret, index) => {
    if (secret.length === 0) return;
    const expected = createHmac('sha256', secret).update(encodedPayload, 'utf8').digest();
    if (expected.length === received.length && timingSafeEqual(expected, received) && secretIndex === -1) {
      secretIndex = index;
    }
  });
  if (secretIndex === -1) return { ok: false, reason: 'bad_signature' };
  const userId = fields.user_id;
  const normalized: SignedRequestPayload = {
    ...fields,
    algorithm: fields.algorithm,
    ...(typeof userId === 'string' || typeof userId === 'number' ? { user_id: String(userId) } : {}),
  };
  return { ok: true, payload: normalized, secretIndex };
}
