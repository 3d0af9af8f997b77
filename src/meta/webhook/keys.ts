import { createHash } from 'node:crypto';

/*
 * Idempotency keys of webhook events: canonical JSON and its hash for events without an id of their
 * own, and the length limit a key must fit in to become part of a Temporal workflow id.
 */

/** JSON with object keys sorted at every depth, so equal content always hashes the same. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) {
    return `[${value.map((item) => (item === undefined || typeof item === 'function' ? 'null' : canonicalJson(item))).join(',')}]`;
  }
  if (value !== null && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    const keys = Object.keys(record)
      .filter((key) => record[key] !== undefined && typeof record[key] !== 'function')
      .sort();
    return `{${keys.map((key) => `${JSON.stringify(key)}:${canonicalJson(record[key])}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

export function hashOf(value: unknown): string {
  return sha256Hex(canonicalJson(value));
}

export const MAX_KEY_LENGTH = 200;
const SAFE_KEY = /^[\x21-\x7e]+$/;
const HASH_SUFFIX_LENGTH = 65; // '~' + 64 hex

/**
 * Makes a key usable inside a Temporal workflow id: printable ASCII, at most 200 characters. Longer or
 * unusual keys keep their readable head and replace the tail with its SHA-256, so distinct keys stay
 * distinct and the same key always maps to the same result.
 */
export function safeKey(key: string): string {
  if (key.length > 0 && key.length <= MAX_KEY_LENGTH && SAFE_KEY.test(key)) return key;
  let head = '';
  for (const char of key) {
    if (head.length >= MAX_KEY_LENGTH - HASH_SUFFIX_LENGTH || !SAFE_KEY.test(char)) break;
    head += char;
  }
  return `${head}~${sha256Hex(key.slice(head.length))}`;
}
