import { z } from 'zod';
import { DEFAULT_TASK_QUEUE } from './shared/task-queue.js';

/**
 * The only reader of process.env. Every variable is parsed once, here, with a schema; a missing or
 * malformed one stops the process with a message naming it (never its value: several are secrets).
 * `.env.example` documents each variable.
 */

const csv = (value: string | undefined) =>
  (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

const nonEmpty = z.string().trim().min(1);
const port = z.coerce.number().int().min(1).max(65535);
const optionalString = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v));

/** `id:key` pairs, newest first. Values are Fernet keys (32 bytes, base64url). */
const keyList = z
  .string()
  .trim()
  .min(1)
  .transform((value, ctx) => {
    const keys = csv(value).map((pair) => {
      const at = pair.indexOf(':');
      return at > 0 ? { id: pair.slice(0, at), key: pair.slice(at + 1) } : undefined;
    });
    if (keys.some((k) => k === undefined)) {
      ctx.addIssue({ code: 'custom', message: 'expected comma-separated "keyId:base64urlKey" pairs, newest first' });
      return z.NEVER;
    }
    return keys as Array<{ id: string; key: string }>;
  });

const EnvSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),

  HTTP_HOST: z.string().default('127.0.0.1'),
  HTTP_PORT: port.default(3000),
  PUBLIC_BASE_URL: z.url().default('http://localhost:3000'),
  TRUST_PROXY: z.enum(['true', 'false']).default('false').transform((v) => v === 'true'),

  DATABASE_URL: z.string().regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL'),
  DATABASE_POOL_MAX: z.coerce.number().int().min(1).max(200).default(10),

  TEMPORAL_ADDRESS: nonEmpty.default('127.0.0.1:7233'),
  TEMPORAL_NAMESPACE: nonEmpty.default('default'),
  TEMPORAL_TASK_QUEUE: nonEmpty.default(DEFAULT_TASK_QUEUE),
  TEMPORAL_UI_URL: z.url().default('http://localhost:8233'),

  TOKEN_ENCRYPTION_KEYS: keyList,

  DSK_JWT_ISSUER: nonEmpty,
  DSK_JWT_AUDIENCE: nonEmpty,
  DSK_JWT_ALGORITHMS: nonEmpty.default('ES256,RS256,EdDSA').transform(csv),
  DSK_JWT_INSTANCE_CLAIM: nonEmpty.default('instance_id'),
  DSK_JWT_JWKS_URL: optionalString.pipe(z.url().optional()),
  DSK_JWT_PUBLIC_KEY: optionalString,
  DSK_JWT_SECRET: optionalString.pipe(z.string().min(32, 'must be at least 32 characters').optional()),

  SERVICE_JWT_PRIVATE_KEY: nonEmpty,
  SERVICE_JWT_KEY_ID: nonEmpty.default('service-1'),
  SERVICE_JWT_ALG: z.enum(['ES256', 'RS256', 'EdDSA']).default('ES256'),
  SERVICE_JWT_ISSUER: nonEmpty.default('meta-integration-service'),
  SERVICE_JWT_AUDIENCE: nonEmpty.default('dsk-platform'),

  META_APP_SECRETS: nonEmpty.transform(csv),
  META_VERIFY_TOKEN: z.string().min(8, 'must be at least 8 characters'),
  META_WEBHOOK_MAX_BYTES: z.coerce.number().int().min(4 * 1024 * 1024, 'Meta sends up to 3 MB; keep at least 4 MiB').default(8 * 1024 * 1024),

  DSK_DELIVERY_HORIZON: nonEmpty.default('7 days'),
  DSK_DELIVERY_TIMEOUT_MS: z.coerce.number().int().min(100).default(10_000),
});

export type Env = z.input<typeof EnvSchema>;

export interface Config {
  env: 'development' | 'production' | 'test';
  logLevel: string;
  http: { host: string; port: number; publicBaseUrl: string; trustProxy: boolean };
  database: { url: string; poolMax: number };
  temporal: { address: string; namespace: string; taskQueue: string; uiUrl: string };
  tokenKeys: Array<{ id: string; key: string }>;
  dskAuth: {
    issuer: string;
    audience: string;
    algorithms: string[];
    instanceClaim: string;
    key: { kind: 'jwks'; url: string } | { kind: 'public-key'; pem: string } | { kind: 'secret'; secret: string };
  };
  serviceJwt: { privateKey: string; keyId: string; alg: 'ES256' | 'RS256' | 'EdDSA'; issuer: string; audience: string };
  meta: { appSecrets: string[]; verifyToken: string; webhookMaxBytes: number };
  delivery: { horizon: string; timeoutMs: number };
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Parses the environment once into a frozen Config, or throws a ConfigError naming every bad variable. */
export function loadConfig(env: Record<string, string | undefined>): Config {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((issue) => `${issue.path.join('.') || '(environment)'}: ${describe(issue)}`));
  }
  const e = parsed.data;
  const dskKeys = [
    e.DSK_JWT_JWKS_URL && ({ kind: 'jwks', url: e.DSK_JWT_JWKS_URL } as const),
    e.DSK_JWT_PUBLIC_KEY && ({ kind: 'public-key', pem: e.DSK_JWT_PUBLIC_KEY } as const),
    e.DSK_JWT_SECRET && ({ kind: 'secret', secret: e.DSK_JWT_SECRET } as const),
  ].filter((k) => !!k);
  if (dskKeys.length !== 1) {
    throw new ConfigError([
      'DSK_JWT_JWKS_URL / DSK_JWT_PUBLIC_KEY / DSK_JWT_SECRET: set exactly one of them (how DSK tokens are verified)',
    ]);
  }
  const key = dskKeys[0]!;
  if (key.kind === 'secret' && !e.DSK_JWT_ALGORITHMS.every((a) => a.startsWith('HS'))) {
    throw new ConfigError(['DSK_JWT_ALGORITHMS: with DSK_JWT_SECRET only HS256/HS384/HS512 are allowed']);
  }
  if (key.kind !== 'secret' && e.DSK_JWT_ALGORITHMS.some((a) => a.startsWith('HS') || a === 'none')) {
    throw new ConfigError(['DSK_JWT_ALGORITHMS: symmetric or "none" algorithms need DSK_JWT_SECRET and are refused with public keys']);
  }
  const ids = e.TOKEN_ENCRYPTION_KEYS.map((k) => k.id);
  if (new Set(ids).size !== ids.length) throw new ConfigError(['TOKEN_ENCRYPTION_KEYS: key ids must be unique']);

  const config: Config = {
    env: e.NODE_ENV,
    logLevel: e.LOG_LEVEL,
    http: { host: e.HTTP_HOST, port: e.HTTP_PORT, publicBaseUrl: e.PUBLIC_BASE_URL.replace(/\/$/, ''), trustProxy: e.TRUST_PROXY },
    database: { url: e.DATABASE_URL, poolMax: e.DATABASE_POOL_MAX },
    temporal: { address: e.TEMPORAL_ADDRESS, namespace: e.TEMPORAL_NAMESPACE, taskQueue: e.TEMPORAL_TASK_QUEUE, uiUrl: e.TEMPORAL_UI_URL },
    tokenKeys: e.TOKEN_ENCRYPTION_KEYS,
    dskAuth: { issuer: e.DSK_JWT_ISSUER, audience: e.DSK_JWT_AUDIENCE, algorithms: e.DSK_JWT_ALGORITHMS, instanceClaim: e.DSK_JWT_INSTANCE_CLAIM, key },
    serviceJwt: {
      privateKey: e.SERVICE_JWT_PRIVATE_KEY,
      keyId: e.SERVICE_JWT_KEY_ID,
      alg: e.SERVICE_JWT_ALG,
      issuer: e.SERVICE_JWT_ISSUER,
      audience: e.SERVICE_JWT_AUDIENCE,
    },
    meta: { appSecrets: e.META_APP_SECRETS, verifyToken: e.META_VERIFY_TOKEN, webhookMaxBytes: e.META_WEBHOOK_MAX_BYTES },
    delivery: { horizon: e.DSK_DELIVERY_HORIZON, timeoutMs: e.DSK_DELIVERY_TIMEOUT_MS },
  };
  return deepFreeze(config);
}

function describe(issue: z.core.$ZodIssue): string {
  if (issue.code === 'invalid_type' && issue.input === undefined) return 'is required but missing';
  return issue.message;
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}
