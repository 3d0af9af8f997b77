import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/**
 * Access to operator endpoints (codec, metrics): a static bearer token when one is configured;
 * without one, callers on this machine only, and only where the deployment allows that at all.
 */
export interface OperatorAccessOptions {
  /** The static bearer token; undefined: see `loopbackWithoutToken`. */
  token: string | undefined;
  /** Without a token: whether loopback callers are let in (false: the endpoint is closed). */
  loopbackWithoutToken: boolean;
  /** Names the variable that enables the endpoint, for the error message. */
  tokenVariable: string;
}

export type OperatorAccess =
  | { ok: true; via: 'token' | 'loopback' }
  | { ok: false; status: 401 | 403; code: 'unauthorized' | 'loopback_only' | 'operator_access_disabled'; message: string };

/** 127.0.0.0/8 and ::1, also as IPv4-mapped IPv6 (a dual-stack socket reports `::ffff:127.0.0.1`). */
export function isLoopbackAddress(address: string | undefined): boolean {
  if (!address) return false;
  const v4 = address.startsWith('::ffff:') ? address.slice(7) : address;
  return v4.startsWith('127.') || address === '::1';
}

/**
 * A request that came through a proxy is not "from this machine" even when the proxy runs here:
 * a TLS terminator on the same host makes every internet caller look like 127.0.0.1.
 */
export function isForwarded(headers: IncomingMessage['headers']): boolean {
  return headers['x-forwarded-for'] !== undefined || headers.forwarded !== undefined || headers['x-real-ip'] !== undefined;
}

export function decideOperatorAccess(request: IncomingMessage, options: OperatorAccessOptions): OperatorAccess {
  if (options.token !== undefined) {
    const header = request.headers.authorization ?? '';
    const given = header.startsWith('Bearer ') ? header.slice(7).trim() : '';
    if (given && sameSecret(given, options.token)) return { ok: true, via: 'token' };
    return { ok: false, status: 401, code: 'unauthorized', message: 'A valid bearer token is required' };
  }
  if (!options.loopbackWithoutToken) {
    return { ok: false, status: 403, code: 'operator_access_disabled', message: `Disabled: set ${options.tokenVariable} to enable this endpoint` };
  }
  // The socket's peer, never X-Forwarded-For: with TRUST_PROXY a client could claim to be 127.0.0.1.
  if (isLoopbackAddress(request.socket.remoteAddress) && !isForwarded(request.headers)) return { ok: true, via: 'loopback' };
  return { ok: false, status: 403, code: 'loopback_only', message: `Only callers on this machine are served while ${options.tokenVariable} is unset` };
}

/** Constant-time comparison of two strings of any length (hashing first equalises the lengths). */
export function sameSecret(given: string, expected: string): boolean {
  return timingSafeEqual(createHash('sha256').update(given).digest(), createHash('sha256').update(expected).digest());
}
