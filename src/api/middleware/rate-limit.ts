import type Koa from 'koa';
import { ApiError } from '../errors.js';
import { html, page } from '../pages/html.js';

export interface TokenBucketOptions {
  /** Requests a client may make at once. */
  burst: number;
  /** Sustained rate: tokens added per minute, up to `burst`. */
  perMinute: number;
  /** Clients remembered at most; the least recently seen are forgotten first (bounded memory under a flood). */
  maxClients?: number;
  /** Milliseconds, monotonic enough for refills; tests pass a fake. */
  now?: () => number;
}

export type TakeResult = { ok: true } | { ok: false; retryAfterSeconds: number };

/**
 * Token buckets keyed by client, in memory. Each api replica counts on its own: this is a backstop
 * against a single client hammering the unauthenticated pages, not a global quota (the proxy in front
 * of production limits too). A forgotten client starts again with a full bucket, which only ever
 * errs on the side of letting a request through.
 */
export function createTokenBuckets(options: TokenBucketOptions) {
  const capacity = options.burst;
  const perMs = options.perMinute / 60_000;
  const maxClients = options.maxClients ?? 10_000;
  const now = options.now ?? (() => performance.now());
  // Map order is insertion order: re-inserting on every use keeps the least recently seen first.
  const buckets = new Map<string, { tokens: number; at: number }>();

  return {
    take(client: string): TakeResult {
      const t = now();
      const bucket = buckets.get(client) ?? { tokens: capacity, at: t };
      buckets.delete(client);
      bucket.tokens = Math.min(capacity, bucket.tokens + Math.max(0, t - bucket.at) * perMs);
      bucket.at = t;
      buckets.set(client, bucket);
      if (buckets.size > maxClients) buckets.delete(buckets.keys().next().value!);
      if (bucket.tokens >= 1) {
        bucket.tokens -= 1;
        return { ok: true };
      }
      return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - bucket.tokens) / perMs / 1000)) };
    },
    get size(): number {
      return buckets.size;
    },
  };
}

export type TokenBuckets = ReturnType<typeof createTokenBuckets>;

/**
 * Koa middleware for one shared set of buckets, keyed by `ctx.ip` (the socket's peer, or with
 * TRUST_PROXY the address the one trusted proxy appended to X-Forwarded-For). Over the limit:
 * `429 rate_limited` with `Retry-After`, as a page for browsers and as JSON otherwise.
 *
 * Mounted by the routers of the public pages and Meta's callbacks only. Meta's signed webhooks are
 * never behind it: Meta sends bursts from a few addresses, and a throttled webhook is redelivered
 * late or, after days, dropped.
 */
export function rateLimit(buckets: TokenBuckets, options: { onLimited?: () => void } = {}): Koa.Middleware {
  return async function limitRate(ctx, next) {
    const result = buckets.take(ctx.ip || 'unknown');
    if (result.ok) return next();
    options.onLimited?.();
    ctx.set('Retry-After', String(result.retryAfterSeconds));
    const wantsPage = (ctx.method === 'GET' || ctx.method === 'HEAD') && ctx.accepts('json', 'html') === 'html';
    if (!wantsPage) {
      throw new ApiError(429, 'rate_limited', `Too many requests from this address; retry in ${result.retryAfterSeconds} s`);
    }
    ctx.status = 429;
    ctx.type = 'html';
    ctx.body = page(
      'Too many requests',
      html`<p>This address has made too many requests. Please wait ${result.retryAfterSeconds} seconds and try again.</p>
<p><small>Error code: <code>rate_limited</code></small></p>`,
      { status: 'error' },
    );
  };
}
