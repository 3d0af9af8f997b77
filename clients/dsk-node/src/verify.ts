import { createHash } from 'node:crypto';
import { createRemoteJWKSet, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import type { components } from './api.js';

/** An event as the service sends it (docs/schemas/dsk-event.v1.schema.json). Unknown fields must be ignored. */
export type ServiceEvent = components['schemas']['DskEvent'];

export interface ServiceEventVerifierOptions {
  /** The service's base URL: its keys are read from `<serviceUrl>/.well-known/jwks.json` (cached, refreshed on an unknown `kid`). */
  serviceUrl?: string;
  /** Or the keys themselves (tests, air-gapped setups). */
  keys?: JWTVerifyGetKey;
  /** The service's `SERVICE_JWT_ISSUER` (default `meta-integration-service`). */
  issuer?: string;
  /** The service's `SERVICE_JWT_AUDIENCE` (default `dsk-platform`). */
  audience?: string;
  /** Refuse tokens issued longer ago than this (the service's tokens live 300 s). */
  maxAgeSeconds?: number;
  clockToleranceSeconds?: number;
}

/** What a receiver hands over: the headers and the exact body bytes, before any JSON parsing. */
export interface ReceivedRequest {
  headers: Headers | Record<string, string | string[] | undefined>;
  body: Uint8Array | string;
}

export interface VerifiedServiceEvent {
  event: ServiceEvent;
  /** The instance the event belongs to (the token's `instance_id`, equal to `sub` and the envelope's `instance_id`). */
  instanceId: string;
  /** Process each key once; a repeat is answered 2xx again. */
  idempotencyKey: string;
  claims: JWTPayload;
}

export type ServiceEventRejection = 'missing_token' | 'invalid_token' | 'body_digest_mismatch' | 'instance_mismatch' | 'invalid_body';

export class ServiceEventError extends Error {
  constructor(
    readonly code: ServiceEventRejection,
    message: string,
  ) {
    super(message);
    this.name = 'ServiceEventError';
  }
}

function header(headers: ReceivedRequest['headers'], name: string): string | undefined {
  if (headers instanceof Headers) return headers.get(name) ?? undefined;
  const value = headers[name] ?? headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * Verifies one delivery from the service the way its contract asks DSK to (the `serviceJwt`
 * security scheme of docs/openapi.json): the bearer token's signature against the service's JWKS,
 * `iss`, `aud`, `exp`, its age, `body_sha256` against the exact body bytes, and `instance_id` against
 * `sub` and the envelope. Answer 401 on a `ServiceEventError`; the service retries only 408, 429 and 5xx.
 */
export function serviceEventVerifier(options: ServiceEventVerifierOptions) {
  const keys = options.keys ?? (options.serviceUrl ? createRemoteJWKSet(new URL('/.well-known/jwks.json', options.serviceUrl)) : undefined);
  if (!keys) throw new TypeError('serviceEventVerifier needs serviceUrl or keys');
  const issuer = options.issuer ?? 'meta-integration-service';
  const audience = options.audience ?? 'dsk-platform';
  const maxAge = options.maxAgeSeconds ?? 300;

  return async function verifyServiceEvent(request: ReceivedRequest): Promise<VerifiedServiceEvent> {
    const token = /^Bearer ([A-Za-z0-9._-]+)$/.exec(header(request.headers, 'authorization') ?? '')?.[1];
    if (!token) throw new ServiceEventError('missing_token', 'Authorization: Bearer <token> is required');
    let claims: JWTPayload;
    try {
      ({ payload: claims } = await jwtVerify(token, keys, {
        issuer,
        audience,
        maxTokenAge: maxAge,
        clockTolerance: options.clockToleranceSeconds ?? 30,
        requiredClaims: ['iss', 'aud', 'sub', 'iat', 'exp', 'jti'],
      }));
    } catch (err) {
      throw new ServiceEventError('invalid_token', `the token does not verify: ${(err as Error).message}`);
    }
    const bytes = typeof request.body === 'string' ? Buffer.from(request.body, 'utf8') : request.body;
    if (claims.body_sha256 !== createHash('sha256').update(bytes).digest('base64url')) {
      throw new ServiceEventError('body_digest_mismatch', 'the body is not the one the token was issued for');
    }
    if (typeof claims.instance_id !== 'string' || claims.instance_id !== claims.sub) {
      throw new ServiceEventError('instance_mismatch', 'the token names no single instance');
    }
    let event: ServiceEvent;
    try {
      event = JSON.parse(Buffer.from(bytes).toString('utf8')) as ServiceEvent;
    } catch {
      throw new ServiceEventError('invalid_body', 'the body is not JSON');
    }
    if (event.instance_id !== claims.instance_id) throw new ServiceEventError('instance_mismatch', 'the event belongs to another instance than the token');
    return { event, instanceId: claims.instance_id, idempotencyKey: header(request.headers, 'idempotency-key') ?? event.id, claims };
  };
}

/** One-off verification; prefer `serviceEventVerifier` once per process (it caches the service's keys). */
export async function verifyServiceEvent(request: ReceivedRequest, options: ServiceEventVerifierOptions): Promise<VerifiedServiceEvent> {
  return serviceEventVerifier(options)(request);
}
