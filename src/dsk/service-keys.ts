import { createPrivateKey, createPublicKey, generateKeyPair, randomUUID, type JsonWebKey, type KeyObject } from 'node:crypto';
import { promisify } from 'node:util';
import { SignJWT, type JWK } from 'jose';
import { z } from 'zod';

/** Algorithms the service signs its DSK-bound tokens with. */
export type ServiceSigningAlg = 'ES256' | 'RS256' | 'EdDSA';

export interface ServiceTokenClaims {
  audience: string;
  issuer: string;
  /** The DSK instance the token is about. */
  subject: string;
  /** 1..3600: tokens to DSK are short-lived by contract. */
  ttlSeconds: number;
  /** Additional claims; the registered ones (iss, sub, aud, exp, iat, nbf, jti) cannot be overridden. */
  extra?: Record<string, unknown>;
}

/** The service's own key for the JWTs it sends to DSK; DSK verifies them via `/.well-known/jwks.json`. */
export interface ServiceSigningKey {
  readonly keyId: string;
  readonly alg: ServiceSigningAlg;
  /** Current public key first, then the previous ones still trusted during a rotation; never private parts. */
  publicJwks(): { keys: JWK[] };
  sign(claims: ServiceTokenClaims): Promise<string>;
}

export interface ServiceSigningKeyInput {
  /** The private key as a JWK in JSON; exactly one of `privateJwk` / `privatePem`. */
  privateJwk?: string;
  /** The private key as PKCS#8 (or SEC1/PKCS#1) PEM. */
  privatePem?: string;
  keyId: string;
  alg: ServiceSigningAlg;
  /** Public keys of earlier signing keys, published until tokens signed with them have expired. */
  previousPublicJwks?: string | { keys: JWK[] };
  /** Milliseconds since the epoch; tests pass a fixed clock. */
  now?: () => number;
}

const ALGORITHMS: readonly ServiceSigningAlg[] = ['ES256', 'RS256', 'EdDSA'];
const KEY_ID = /^[A-Za-z0-9._:-]{1,128}$/;
const MAX_TTL_SECONDS = 3600;
const MIN_RSA_BITS = 2048;
const REGISTERED_CLAIMS = new Set(['iss', 'sub', 'aud', 'exp', 'iat', 'nbf', 'jti']);
/** Allow-list of what a published JWK may contain besides kid/alg/use: anything else is dropped. */
const PUBLIC_MEMBERS: Record<string, readonly string[]> = {
  EC: ['kty', 'crv', 'x', 'y'],
  RSA: ['kty', 'n', 'e'],
  OKP: ['kty', 'crv', 'x'],
};
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k', 'priv'];

const jwksSchema = z.object({ keys: z.array(z.record(z.string(), z.unknown())) });

/**
 * Loads the signing key from configuration. Errors never quote the input: it is private key
 * material and error messages end up in logs.
 */
export async function loadServiceSigningKey(input: ServiceSigningKeyInput): Promise<ServiceSigningKey> {
  const { keyId, alg } = input;
  if (!ALGORITHMS.includes(alg)) throw new Error(`Service signing key: unsupported algorithm ${JSON.stringify(alg)}`);
  if (!KEY_ID.test(keyId)) throw new Error('Service signing key: keyId must match /^[A-Za-z0-9._:-]{1,128}$/');
  if ((input.privateJwk === undefined) === (input.privatePem === undefined)) {
    throw new Error('Service signing key: give exactly one of privateJwk and privatePem');
  }

  const privateKey = input.privateJwk !== undefined ? privateKeyFromJwk(input.privateJwk, alg) : privateKeyFromPem(input.privatePem ?? '');
  checkKeyMatchesAlg(privateKey, alg);

  const current = publishable(createPublicKey(privateKey).export({ format: 'jwk' }) as Record<string, unknown>, keyId, alg);
  const previous = input.previousPublicJwks === undefined ? [] : parsePreviousJwks(input.previousPublicJwks);
  const kids = new Set([keyId]);
  for (const jwk of previous) {
    if (kids.has(jwk.kid as string)) throw new Error(`Service signing key: kid ${JSON.stringify(jwk.kid)} is published twice`);
    kids.add(jwk.kid as string);
  }
  const jwks = { keys: [current, ...previous] };
  const now = input.now ?? Date.now;

  return {
    keyId,
    alg,
    publicJwks: () => structuredClone(jwks),
    async sign(claims) {
      if (!Number.isInteger(claims.ttlSeconds) || claims.ttlSeconds < 1 || claims.ttlSeconds > MAX_TTL_SECONDS) {
        throw new RangeError(`ttlSeconds must be an integer in 1..${MAX_TTL_SECONDS}`);
      }
      const extra = claims.extra ?? {};
      for (const name of Object.keys(extra)) {
        if (REGISTERED_CLAIMS.has(name)) throw new TypeError(`extra must not set the registered claim "${name}"`);
      }
      const issuedAt = Math.floor(now() / 1000);
      return new SignJWT({ ...extra })
        .setProtectedHeader({ alg, kid: keyId, typ: 'JWT' })
        .setIssuer(claims.issuer)
        .setAudience(claims.audience)
        .setSubject(claims.subject)
        .setIssuedAt(issuedAt)
        .setExpirationTime(issuedAt + claims.ttlSeconds)
        .setJti(randomUUID())
        .sign(privateKey);
    },
  };
}

/** A fresh key for the dev stack, which persists `privateJwk` and loads it on the next start. */
export async function generateServiceSigningKey(
  alg: ServiceSigningAlg,
  keyId: string,
): Promise<{ key: ServiceSigningKey; privateJwk: string }> {
  const { privateKey } = await generatePair(alg);
  const jwk = { ...(privateKey.export({ format: 'jwk' }) as Record<string, unknown>), kid: keyId, alg, use: 'sig' };
  const privateJwk = JSON.stringify(jwk);
  return { key: await loadServiceSigningKey({ privateJwk, keyId, alg }), privateJwk };
}

const generateKeyPairAsync = promisify(generateKeyPair);

function generatePair(alg: ServiceSigningAlg): Promise<{ privateKey: KeyObject }> {
  switch (alg) {
    case 'ES256':
      return generateKeyPairAsync('ec', { namedCurve: 'P-256' });
    case 'RS256':
      return generateKeyPairAsync('rsa', { modulusLength: 3072 });
    case 'EdDSA':
      return generateKeyPairAsync('ed25519');
  }
}

function privateKeyFromJwk(json: string, alg: ServiceSigningAlg): KeyObject {
  const invalid = 'Service signing key: privateJwk is not a private JWK in JSON';
  let jwk: unknown;
  try {
    jwk = JSON.parse(json);
  } catch {
    throw new Error(invalid);
  }
  if (typeof jwk !== 'object' || jwk === null || Array.isArray(jwk)) throw new Error(invalid);
  const declaredAlg = (jwk as { alg?: unknown }).alg;
  if (declaredAlg !== undefined && declaredAlg !== alg) {
    throw new Error(`Service signing key: privateJwk is for ${JSON.stringify(declaredAlg)}, configured ${alg}`);
  }
  try {
    return createPrivateKey({ key: jwk as JsonWebKey, format: 'jwk' });
  } catch {
    throw new Error(invalid);
  }
}

function privateKeyFromPem(pem: string): KeyObject {
  try {
    return createPrivateKey({ key: pem, format: 'pem' });
  } catch {
    throw new Error('Service signing key: privatePem is not a PEM private key');
  }
}

function checkKeyMatchesAlg(key: KeyObject, alg: ServiceSigningAlg): void {
  const details = key.asymmetricKeyDetails ?? {};
  const ok =
    (alg === 'ES256' && key.asymmetricKeyType === 'ec' && details.namedCurve === 'prime256v1') ||
    (alg === 'RS256' && key.asymmetricKeyType === 'rsa' && (details.modulusLength ?? 0) >= MIN_RSA_BITS) ||
    (alg === 'EdDSA' && key.asymmetricKeyType === 'ed25519');
  if (!ok) throw new Error(`Service signing key: the key is not a valid ${alg} key`);
}

/** Only the allow-listed public members, plus the metadata verifiers select keys by. */
function publishable(jwk: Record<string, unknown>, kid: string, alg: ServiceSigningAlg): JWK {
  const members = PUBLIC_MEMBERS[String(jwk.kty)];
  if (!members) throw new Error('Service signing key: unsupported key type');
  const out: Record<string, unknown> = {};
  for (const name of members) {
    if (typeof jwk[name] !== 'string') throw new Error(`Service signing key: public JWK lacks "${name}"`);
    out[name] = jwk[name];
  }
  return { ...out, kid, alg, use: 'sig' } as JWK;
}

function parsePreviousJwks(input: string | { keys: JWK[] }): JWK[] {
  let raw: unknown = input;
  if (typeof input === 'string') {
    try {
      raw = JSON.parse(input);
    } catch {
      throw new Error('Service signing key: previousPublicJwks is not JSON');
    }
  }
  const parsed = jwksSchema.safeParse(raw);
  if (!parsed.success) throw new Error('Service signing key: previousPublicJwks must be {"keys": [...]}');
  return parsed.data.keys.map((jwk, index) => {
    if (PRIVATE_MEMBERS.some((name) => name in jwk)) {
      // A private key in a "public" setting is a leak waiting to be published: refuse to start.
      throw new Error(`Service signing key: previousPublicJwks[${index}] contains private key material`);
    }
    const { kid, alg } = jwk;
    if (typeof kid !== 'string' || !KEY_ID.test(kid)) throw new Error(`Service signing key: previousPublicJwks[${index}] needs a kid`);
    if (!ALGORITHMS.includes(alg as ServiceSigningAlg)) {
      throw new Error(`Service signing key: previousPublicJwks[${index}] needs alg ES256, RS256 or EdDSA`);
    }
    let key: KeyObject;
    try {
      key = createPublicKey({ key: jwk as JsonWebKey, format: 'jwk' });
    } catch {
      throw new Error(`Service signing key: previousPublicJwks[${index}] is not a valid public JWK`);
    }
    checkKeyMatchesAlg(key, alg as ServiceSigningAlg);
    return publishable(jwk, kid, alg as ServiceSigningAlg);
  });
}
