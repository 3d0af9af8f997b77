import type Koa from 'koa';
import {
  createLocalJWKSet,
  createRemoteJWKSet,
  decodeProtectedHeader,
  errors,
  importSPKI,
  jwtVerify,
  type CryptoKey,
  type JWK,
  type JWTPayload,
  type JWTVerifyGetKey,
  type JWTVerifyOptions,
} from 'jose';
import { ApiError } from '../errors.js';
import type { Logger } from '../../logger.js';

/** Where the keys that verify DSK's tokens come from. */
export type DskKeySource =
  | {
      kind: 'jwks';
      url: string;
      /**
       * Minimum time between two fetches triggered by an unknown `kid` (jose default 30 s). It bounds
       * how often a caller sending made-up kids can make us hit DSK's JWKS endpoint.
       */
      cooldownSeconds?: number;
      /** How long a fetched JWKS is used before it is fetched again (jose default 10 min). */
      cacheMaxAgeSeconds?: number;
      /** Fetch timeout (jose default 5 s). */
      timeoutSeconds?: number;
    }
  | { kind: 'public-key'; pem: string; alg: string }
  | { kind: 'secret'; secret: string }
  | { kind: 'jwks-local'; jwks: { keys: JWK[] } };

export interface DskAuthOptions {
  issuer: string;
  audience: string;
  /** Allow-list of JWS algorithms; `none` is never accepted. */
  algorithms: string[];
  /** Claim that carries the DSK instance id, e.g. `instance_id`. */
  instanceClaim: string;
  key: DskKeySource;
  /** Allowed clock skew for `exp`/`nbf`/`iat`; default 30 s. */
  clockToleranceSeconds?: number;
  /** When set, tokens must carry `iat` and be younger than this. */
  maxTokenAgeSeconds?: number;
  /**
   * When set, `exp - iat` may be at most this: a token minted to live for years is refused even while
   * young (with `maxTokenAgeSeconds`, a leaked token is then useful for a bounded time whatever its `exp`).
   */
  maxLifetimeSeconds?: number;
  /** Used only to report an unreachable key source; tokens are never logged. */
  log?: Logger;
}

/** What a verified DSK token tells the routes. */
export interface DskAuth {
  subject?: string;
  instanceId: string;
}

/** `ctx.state` after `createDskAuth` let a request through. */
export interface DskAuthState {
  instanceId: string;
  auth: DskAuth;
}

/** Stable `error.code` values of a rejected DSK token (all 401 except `auth_unavailable`, 503). */
export type DskAuthErrorCode =
  | 'missing_token'
  | 'invalid_token'
  | 'invalid_signature'
  | 'unsupported_algorithm'
  | 'invalid_issuer'
  | 'invalid_audience'
  | 'token_expired'
  | 'missing_instance_claim'
  | 'auth_unavailable';

/** Instance ids end up in workflow ids, search attributes and SQL parameters: keep them boring. */
export const INSTANCE_ID_PATTERN = /^[A-Za-z0-9._:-]{1,128}$/;

const WWW_AUTHENTICATE = 'Bearer error="invalid_token"';
/** Far above any real DSK token; cheap guard before base64/JSON work on attacker input. */
const MAX_TOKEN_LENGTH = 8192;
const DEFAULT_CLOCK_TOLERANCE_SECONDS = 30;
const MIN_HMAC_SECRET_BYTES = 32;

const HMAC_ALGORITHMS = new Set(['HS256', 'HS384', 'HS512']);
const ASYMMETRIC_ALGORITHMS = new Set([
  'RS256', 'RS384', 'RS512',
  'PS256', 'PS384', 'PS512',
  'ES256', 'ES384', 'ES512',
  'EdDSA', 'Ed25519',
]);

/** Case-insensitive `Bearer` scheme; what follows must be an RFC 6750 b64token. */
const BEARER = /^Bearer(?:[ \t]+(.*))?$/i;
const B64TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/;

type Verify = (token: string, options: JWTVerifyOptions) => Promise<JWTPayload>;

/** The part of a Koa/router context auth touches; any route's context fits, whatever its state type. */
type AuthContext = Pick<Koa.Context, 'state' | 'set'>;

/** Thrown by our key resolver when the JWKS endpoint cannot be used: our problem, not the caller's. */
class KeySourceUnavailable extends Error {
  override readonly name = 'KeySourceUnavailable';
}

/**
 * Koa middleware that authenticates DSK's calls to `/v1/*`: a Bearer JWT verified with jose against
 * a fixed issuer, audience and algorithm allow-list, with a required `exp` and an instance claim that
 * then scopes every query. Misconfiguration (empty allow-list, `none`, HMAC algorithms with a public
 * key source or the other way round, a short secret) throws here, at startup.
 */
export function createDskAuth(options: DskAuthOptions): Koa.Middleware {
  const algorithms = checkOptions(options);
  const verify = createVerifier(options, algorithms);
  const verifyOptions: JWTVerifyOptions = {
    issuer: options.issuer,
    audience: options.audience,
    algorithms,
    requiredClaims: ['exp'],
    clockTolerance: options.clockToleranceSeconds ?? DEFAULT_CLOCK_TOLERANCE_SECONDS,
    ...(options.maxTokenAgeSeconds === undefined ? {} : { maxTokenAge: options.maxTokenAgeSeconds }),
  };
  const allowed = new Set(algorithms);

  return async function dskAuth(ctx, next) {
    const token = bearerToken(ctx);
    checkHeaderAlgorithm(ctx, token, allowed);

    let payload: JWTPayload;
    try {
      payload = await verify(token, verifyOptions);
    } catch (err) {
      if (err instanceof KeySourceUnavailable) {
        options.log?.warn({ keySource: options.key.kind, errorName: causeName(err) }, 'DSK key source unavailable');
        throw new ApiError(503, 'auth_unavailable', 'Token keys cannot be fetched right now; retry later');
      }
      const rejection = classify(err);
      if (!rejection) throw err;
      reject(ctx, rejection.code, rejection.message);
    }

    if (options.maxLifetimeSeconds !== undefined) {
      if (typeof payload.iat !== 'number') reject(ctx, 'invalid_token', 'Token must carry a numeric "iat" claim');
      if ((payload.exp as number) - payload.iat > options.maxLifetimeSeconds) {
        reject(ctx, 'invalid_token', `Token lifetime (exp - iat) exceeds ${options.maxLifetimeSeconds} s`);
      }
    }
    const instanceId = payload[options.instanceClaim];
    if (typeof instanceId !== 'string' || !INSTANCE_ID_PATTERN.test(instanceId)) {
      reject(ctx, 'missing_instance_claim', `Token has no valid "${options.instanceClaim}" claim`);
    }
    const auth: DskAuth = typeof payload.sub === 'string' ? { subject: payload.sub, instanceId } : { instanceId };
    ctx.state.instanceId = instanceId;
    ctx.state.auth = auth;
    await next();
  };
}

/** The instance the authenticated caller acts for; fails closed (401) on a route without `createDskAuth`. */
export function requireInstance(ctx: AuthContext): string {
  const instanceId: unknown = ctx.state.instanceId;
  if (typeof instanceId !== 'string' || !INSTANCE_ID_PATTERN.test(instanceId)) {
    reject(ctx, 'missing_token', 'Authentication required');
  }
  return instanceId;
}

function reject(ctx: AuthContext, code: DskAuthErrorCode, message: string): never {
  ctx.set('WWW-Authenticate', WWW_AUTHENTICATE);
  throw new ApiError(401, code, message);
}

function bearerToken(ctx: Koa.Context): string {
  const header = ctx.get('Authorization').trim();
  const match = BEARER.exec(header);
  const token = match?.[1]?.trim();
  if (!token) reject(ctx, 'missing_token', 'Authorization: Bearer <token> is required');
  if (token.length > MAX_TOKEN_LENGTH || !B64TOKEN.test(token) || token.split('.').length !== 3) {
    reject(ctx, 'invalid_token', 'Token is not a compact JWS');
  }
  return token;
}

/**
 * Looks at `alg` before any key is resolved, so `none`, HMAC-vs-public-key confusion and unknown
 * algorithms get their own code and never trigger a JWKS fetch.
 */
function checkHeaderAlgorithm(ctx: Koa.Context, token: string, allowed: Set<string>): void {
  let alg: unknown;
  try {
    alg = decodeProtectedHeader(token).alg;
  } catch {
    reject(ctx, 'invalid_token', 'Token header is not valid');
  }
  if (typeof alg !== 'string' || alg === '') reject(ctx, 'invalid_token', 'Token header has no "alg"');
  if (!allowed.has(alg)) reject(ctx, 'unsupported_algorithm', 'Token algorithm is not accepted');
}

function classify(err: unknown): { code: DskAuthErrorCode; message: string } | undefined {
  if (err instanceof errors.JOSEAlgNotAllowed) {
    return { code: 'unsupported_algorithm', message: 'Token algorithm is not accepted' };
  }
  if (err instanceof errors.JWSSignatureVerificationFailed) {
    return { code: 'invalid_signature', message: 'Token signature does not verify' };
  }
  if (err instanceof errors.JWKSNoMatchingKey) {
    return { code: 'invalid_signature', message: 'No trusted key matches the token' };
  }
  if (err instanceof errors.JWTExpired) {
    return { code: 'token_expired', message: 'Token has expired' };
  }
  if (err instanceof errors.JWTClaimValidationFailed) {
    if (err.claim === 'iss') return { code: 'invalid_issuer', message: 'Token issuer is not accepted' };
    if (err.claim === 'aud') return { code: 'invalid_audience', message: 'Token audience is not accepted' };
    if (err.claim === 'exp') return { code: 'invalid_token', message: 'Token must carry a numeric "exp" claim' };
    if (err.claim === 'nbf') return { code: 'invalid_token', message: 'Token is not valid yet' };
    if (err.claim === 'iat') return { code: 'invalid_token', message: 'Token must carry a past "iat" claim' };
    return { code: 'invalid_token', message: 'Token claims are not valid' };
  }
  // Malformed segments, non-JSON claims, `b64: false`, unknown `crit` extensions.
  if (err instanceof errors.JWSInvalid || err instanceof errors.JWTInvalid || err instanceof errors.JOSENotSupported) {
    return { code: 'invalid_token', message: 'Token is malformed' };
  }
  return undefined;
}

function checkOptions(options: DskAuthOptions): string[] {
  const { algorithms, key } = options;
  if (!options.issuer || !options.audience || !options.instanceClaim) {
    throw new Error('DSK auth needs an issuer, an audience and an instance claim');
  }
  if (algorithms.length === 0) throw new Error('DSK auth needs at least one allowed algorithm');
  for (const alg of algorithms) {
    if (!HMAC_ALGORITHMS.has(alg) && !ASYMMETRIC_ALGORITHMS.has(alg)) {
      throw new Error(`DSK auth: algorithm ${JSON.stringify(alg)} is not supported`);
    }
  }
  if (key.kind === 'secret') {
    if (!algorithms.every((alg) => HMAC_ALGORITHMS.has(alg))) {
      throw new Error('DSK auth: a shared secret only verifies HS256/HS384/HS512');
    }
    if (Buffer.byteLength(key.secret, 'utf8') < MIN_HMAC_SECRET_BYTES) {
      throw new Error(`DSK auth: the shared secret must be at least ${MIN_HMAC_SECRET_BYTES} bytes`);
    }
    return [...algorithms];
  }
  if (algorithms.some((alg) => HMAC_ALGORITHMS.has(alg))) {
    // A public key must never be usable as an HMAC secret (algorithm confusion).
    throw new Error('DSK auth: HMAC algorithms need a `secret` key source');
  }
  if (key.kind === 'public-key') {
    if (!algorithms.includes(key.alg)) {
      throw new Error(`DSK auth: the public key's algorithm ${key.alg} is not in the allow-list`);
    }
    return [key.alg];
  }
  if (key.kind === 'jwks') {
    const url = new URL(key.url);
    if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new Error('DSK auth: the JWKS URL must be http(s)');
  }
  return [...algorithms];
}

function createVerifier(options: DskAuthOptions, algorithms: string[]): Verify {
  const { key } = options;
  switch (key.kind) {
    case 'secret': {
      const secret = new TextEncoder().encode(key.secret);
      return async (token, verifyOptions) => (await jwtVerify(token, secret, verifyOptions)).payload;
    }
    case 'public-key': {
      const alg = algorithms[0] as string;
      // Imported on first use and kept; a bad PEM surfaces as a 500 on every request, never a 401.
      let imported: Promise<CryptoKey> | undefined;
      return async (token, verifyOptions) => {
        imported ??= importSPKI(key.pem, alg);
        return (await jwtVerify(token, await imported, verifyOptions)).payload;
      };
    }
    case 'jwks-local':
      return verifyWithKeySet(createLocalJWKSet(key.jwks));
    case 'jwks': {
      // One resolver per middleware instance: it caches the fetched set and rate-limits refetches.
      const remote = createRemoteJWKSet(new URL(key.url), {
        ...(key.cooldownSeconds === undefined ? {} : { cooldownDuration: key.cooldownSeconds * 1000 }),
        ...(key.cacheMaxAgeSeconds === undefined ? {} : { cacheMaxAge: key.cacheMaxAgeSeconds * 1000 }),
        ...(key.timeoutSeconds === undefined ? {} : { timeoutDuration: Math.round(key.timeoutSeconds * 1000) }),
      });
      const resolve: JWTVerifyGetKey = async (header, token) => {
        try {
          return await remote(header, token);
        } catch (err) {
          if (err instanceof errors.JWKSNoMatchingKey || err instanceof errors.JWKSMultipleMatchingKeys) throw err;
          throw new KeySourceUnavailable('JWKS could not be fetched or used', { cause: err });
        }
      };
      return verifyWithKeySet(resolve);
    }
  }
}

/**
 * jose leaves several matching keys (a rotation where DSK omits `kid`) to the caller: try each, the
 * token is good if one of them verifies it.
 */
function verifyWithKeySet(keySet: JWTVerifyGetKey): Verify {
  return async (token, verifyOptions) => {
    try {
      return (await jwtVerify(token, keySet, verifyOptions)).payload;
    } catch (err) {
      if (!(err instanceof errors.JWKSMultipleMatchingKeys)) throw err;
      for await (const candidate of err) {
        try {
          return (await jwtVerify(token, candidate, verifyOptions)).payload;
        } catch (candidateErr) {
          if (!(candidateErr instanceof errors.JWSSignatureVerificationFailed)) throw candidateErr;
        }
      }
      throw new errors.JWSSignatureVerificationFailed();
    }
  };
}

function causeName(err: Error): string {
  const cause = err.cause;
  return cause instanceof Error ? cause.name : typeof cause;
}
