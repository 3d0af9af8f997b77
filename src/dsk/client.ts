import { createHash } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import { isIP } from 'node:net';
import type { EgressPolicy } from './egress.js';
import { EgressRefusedError } from './egress.js';

/** Signs the short-lived JWT that authenticates one delivery to DSK. */
export interface DeliveryTokenSigner {
  sign(claims: { audience: string; issuer: string; subject: string; ttlSeconds: number; extra?: Record<string, unknown> }): Promise<string>;
}

/**
 * Why a delivery to DSK did not succeed; `status` is DSK's HTTP status when it answered. `reason` is
 * a class, and all an instance ever learns of a failure (with DSK's status): never an address or a
 * network error's text, which would make the events URL a probe of the service's network.
 * `refused` (the egress policy) is reported to the instance as `network`, like any unreachable host.
 */
export class DskDeliveryError extends Error {
  constructor(
    readonly reason: 'http' | 'network' | 'timeout' | 'no_events_url' | 'refused',
    readonly status: number | undefined,
    readonly retryAfterMs: number | undefined,
  ) {
    super(reason === 'http' ? `DSK answered ${status}` : `DSK delivery failed: ${reason === 'refused' ? 'network' : reason}`);
    this.name = 'DskDeliveryError';
  }

  /** The class shown to the instance (`/v1/deliveries` last_error_code). */
  get publicReason(): 'http' | 'network' | 'timeout' | 'no_events_url' {
    return this.reason === 'refused' ? 'network' : this.reason;
  }

  /** 408, 429, 5xx and network problems are worth retrying; any other 4xx means DSK refused this event. */
  get retryable(): boolean {
    if (this.reason === 'no_events_url') return false;
    if (this.reason !== 'http' || this.status === undefined) return true;
    return this.status === 408 || this.status === 429 || this.status >= 500;
  }
}

/** One POST: DSK's status and headers, the body discarded. */
export type DskPost = (url: string, headers: Record<string, string>, body: Buffer, timeoutMs: number) => Promise<{ status: number; headers: Record<string, string | string[] | undefined> }>;

export interface DskClientConfig {
  signer: DeliveryTokenSigner;
  issuer: string;
  audience: string;
  timeoutMs: number;
  /** Where deliveries may go; every connection is checked on the address it resolves to. */
  egress: EgressPolicy;
  /** Injected for tests; defaults to node:http(s) through the egress policy. */
  post?: DskPost;
  now?: () => number;
}

/** The claim DSK checks against the SHA-256 of the exact body bytes it received (base64url, no padding). */
export const BODY_DIGEST_CLAIM = 'body_sha256';
/** The instance the delivery is for, besides `sub`: DSK must refuse a token naming another instance. */
export const INSTANCE_CLAIM = 'instance_id';

/** Parses Retry-After as delta-seconds or an HTTP date; undefined when absent or unusable. */
export function parseRetryAfter(value: string | null, nowMs: number): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}

/**
 * The service's only outbound path to DSK: one POST per event, JWT-authenticated, idempotency-keyed.
 * The token is bound to the body (`body_sha256`) and the instance, so one harvested from a delivery
 * cannot carry another body or speak for another instance while it lives.
 */
export function createDskClient(config: DskClientConfig) {
  const post = config.post ?? egressPost(config.egress);
  const now = config.now ?? Date.now;
  return {
    /** `skipped`: not sent, the instance did not subscribe to the event's type (src/dsk/subscriptions.ts). */
    async deliver(request: { url: string | null; instanceId: string; idempotencyKey: string; envelope: unknown }): Promise<{ status: number; skipped?: true }> {
      if (!request.url) throw new DskDeliveryError('no_events_url', undefined, undefined);
      const body = Buffer.from(JSON.stringify(request.envelope), 'utf8');
      const token = await config.signer.sign({
        audience: config.audience,
        issuer: config.issuer,
        subject: request.instanceId,
        ttlSeconds: 300,
        extra: { [INSTANCE_CLAIM]: request.instanceId, [BODY_DIGEST_CLAIM]: createHash('sha256').update(body).digest('base64url') },
      });
      const headers = {
        authorization: `Bearer ${token}`,
        'content-type': 'application/json',
        'idempotency-key': request.idempotencyKey,
        'user-agent': 'meta-integration-service',
      };
      let response;
      try {
        response = await post(request.url, headers, body, config.timeoutMs);
      } catch (err) {
        if (err instanceof EgressRefusedError) throw new DskDeliveryError('refused', undefined, undefined);
        const timedOut = err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError');
        throw new DskDeliveryError(timedOut ? 'timeout' : 'network', undefined, undefined);
      }
      if (response.status >= 200 && response.status < 300) return { status: response.status };
      const retryAfter = response.headers['retry-after'];
      throw new DskDeliveryError('http', response.status, parseRetryAfter(typeof retryAfter === 'string' ? retryAfter : null, now()));
    },
  };
}

export type DskClient = ReturnType<typeof createDskClient>;

/**
 * POST through node:http(s) with the egress policy's lookup, so the address checked is the address
 * connected to; an address literal in the URL is checked before connecting (no lookup happens for
 * it). Redirects are not followed: a 3xx is DSK's answer.
 */
export function egressPost(policy: EgressPolicy): DskPost {
  // Kept-alive connections were checked when they were made: reusing one reaches the same address.
  const agents = { http: new http.Agent({ keepAlive: true, maxSockets: 64 }), https: new https.Agent({ keepAlive: true, maxSockets: 64 }) };
  return (url, headers, body, timeoutMs) =>
    new Promise((resolve, reject) => {
      const target = new URL(url);
      const host = target.hostname.replace(/^\[(.*)\]$/, '$1');
      const literal = isIP(host) === 0 ? undefined : policy.refusal(host);
      if (literal) return reject(new EgressRefusedError(literal));
      const transport = target.protocol === 'https:' ? https : target.protocol === 'http:' ? http : undefined;
      if (!transport) return reject(new Error('unsupported protocol'));
      const signal = AbortSignal.timeout(timeoutMs);
      const req = transport.request(
        target,
        { method: 'POST', headers: { ...headers, 'content-length': String(body.length) }, lookup: policy.lookup, signal, agent: target.protocol === 'https:' ? agents.https : agents.http },
        (res) => {
          // The body is not needed and may be large: drained without being kept.
          res.on('error', () => undefined);
          res.resume();
          resolve({ status: res.statusCode ?? 0, headers: res.headers });
        },
      );
      req.on('error', (err) => reject(signal.aborted ? Object.assign(new Error('timed out'), { name: 'TimeoutError' }) : err));
      req.end(body);
    });
}
