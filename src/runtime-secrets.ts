import { randomBytes } from 'node:crypto';
import { generateServiceSigningKey } from './dsk/service-keys.js';
import { generatePayloadKey } from './temporal/encryption-codec.js';
import { generateFernetKey } from './vault/fernet.js';

/**
 * Fresh secrets for a new deployment's .env (docs/deploy.md "Secrets"), as `NAME='value'` lines:
 * single quotes, because docker compose takes single-quoted .env values literally (JWK quotes and
 * base64 `+/=` stay as they are). Key ids carry the month, so a later rotation adds a distinct id.
 */
export async function generateDeploymentSecrets(now: Date = new Date()): Promise<Array<[string, string]>> {
  const month = now.toISOString().slice(0, 7).replace('-', '');
  const password = () => randomBytes(24).toString('base64url');
  const token = () => randomBytes(32).toString('base64url');
  const keyId = `service-${month}`;
  const { privateJwk } = await generateServiceSigningKey('ES256', keyId);
  return [
    ['POSTGRES_PASSWORD', password()],
    ['TEMPORAL_DB_PASSWORD', password()],
    ['APP_DB_PASSWORD', password()],
    ['TOKEN_ENCRYPTION_KEYS', `k${month}:${generateFernetKey()}`],
    ['PAYLOAD_ENCRYPTION_KEYS', `p${month}:${generatePayloadKey()}`],
    ['SERVICE_JWT_PRIVATE_KEY', privateJwk],
    ['SERVICE_JWT_KEY_ID', keyId],
    ['CODEC_AUTH_TOKEN', token()],
    ['METRICS_TOKEN', token()],
    ['META_VERIFY_TOKEN', token()],
  ];
}

export function envLines(pairs: ReadonlyArray<readonly [string, string]>): string {
  return pairs.map(([name, value]) => `${name}='${value}'`).join('\n');
}
