import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { generateServiceSigningKey } from '../src/dsk/service-keys.js';
import { generatePayloadKey } from '../src/temporal/encryption-codec.js';
import { generateFernetKey } from '../src/vault/fernet.js';

/** Secrets the embedded dev stack needs, generated once per checkout and kept in `.data/` (never committed). */
export interface DevSecrets {
  tokenKey: string;
  servicePrivateJwk: string;
  dskSecret: string;
  metaAppSecret: string;
  verifyToken: string;
  /** AES-256 key for Temporal payloads (added later: older .data/dev-secrets.json files get one on start). */
  payloadKey: string;
}

export async function loadOrCreateDevSecrets(dataDir: string): Promise<DevSecrets> {
  const file = path.join(dataDir, 'dev-secrets.json');
  let existing: Partial<DevSecrets> | undefined;
  try {
    existing = JSON.parse(await readFile(file, 'utf8')) as Partial<DevSecrets>;
  } catch {
    existing = undefined;
  }
  if (existing?.tokenKey && !existing.payloadKey) {
    const upgraded = { ...existing, payloadKey: generatePayloadKey() } as DevSecrets;
    await writeFile(file, JSON.stringify(upgraded, null, 2), { mode: 0o600 });
    return upgraded;
  }
  if (existing?.tokenKey) return existing as DevSecrets;
  {
    const { privateJwk } = await generateServiceSigningKey('ES256', 'dev-service-1');
    const secrets: DevSecrets = {
      tokenKey: generateFernetKey(),
      servicePrivateJwk: privateJwk,
      dskSecret: randomBytes(32).toString('base64url'),
      metaAppSecret: randomBytes(16).toString('hex'),
      verifyToken: randomBytes(12).toString('base64url'),
      payloadKey: generatePayloadKey(),
    };
    await mkdir(dataDir, { recursive: true });
    await writeFile(file, JSON.stringify(secrets, null, 2), { mode: 0o600 });
    return secrets;
  }
}

/**
 * The environment the dev stack runs with: the user's variables win over `extra` (e.g. the Meta
 * emulator's URLs), which wins over the generated defaults.
 */
export function devEnvironment(
  secrets: DevSecrets,
  urls: { databaseUrl: string; temporalAddress: string; port: number },
  env: NodeJS.ProcessEnv,
  extra: Record<string, string> = {},
) {
  return {
    NODE_ENV: 'development',
    LOG_LEVEL: 'info',
    HTTP_PORT: String(urls.port),
    PUBLIC_BASE_URL: `http://localhost:${urls.port}`,
    DATABASE_URL: urls.databaseUrl,
    TEMPORAL_ADDRESS: urls.temporalAddress,
    TOKEN_ENCRYPTION_KEYS: `dev1:${secrets.tokenKey}`,
    DSK_JWT_ISSUER: 'dsk-dev',
    DSK_JWT_AUDIENCE: 'meta-integration-service',
    DSK_JWT_ALGORITHMS: 'HS256',
    DSK_JWT_SECRET: secrets.dskSecret,
    // The banner's token lives 12 hours, for a working day with the sandbox.
    DSK_JWT_MAX_AGE_SECONDS: '43200',
    // The DSK stand-in listens on loopback.
    DSK_EGRESS_ALLOW: '127.0.0.1/32,::1/128',
    SERVICE_JWT_PRIVATE_KEY: secrets.servicePrivateJwk,
    SERVICE_JWT_KEY_ID: 'dev-service-1',
    META_APP_SECRETS: secrets.metaAppSecret,
    META_VERIFY_TOKEN: secrets.verifyToken,
    // Payloads are encrypted in development too, so the Web UI shows them through the codec endpoint
    // exactly as operators see them in production.
    PAYLOAD_ENCRYPTION_KEYS: `dev1:${secrets.payloadKey}`,
    ...extra,
    ...env,
  };
}
