import { msToNumber } from '@temporalio/common/lib/time.js';
import { z } from 'zod';
import type { OutboundRateLimits } from './outbound/rate-limits.js';

export type { OutboundRateLimits };
import { toAllowedOrigin } from './meta/allowed-origins.js';
import { normalizeBaseUrl } from './meta/base-url.js';
import type { ConnectFlow } from './shared/connections.js';
import { DEFAULT_TASK_QUEUE } from './shared/task-queue.js';
import { parseCidr } from './dsk/egress.js';

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

/** A count or duration that must be at least 1; the limit only stops typos (an extra zero or two). */
const positiveInt = z.coerce.number().int('must be a positive integer').min(1, 'must be a positive integer').max(1_000_000, 'must be at most 1000000');

/** A Meta id (app, configuration): digits only, optional. */
const optionalMetaId = optionalString.pipe(z.string().trim().regex(/^\d{1,32}$/, 'must be a numeric Meta id').optional());

/** A Meta host's base URL; a path is allowed (the emulator serves each host under a prefix). */
const baseUrl = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .transform((value, ctx) => {
      try {
        return normalizeBaseUrl(value);
      } catch {
        ctx.addIssue({ code: 'custom', message: 'must be an http(s) URL without query or fragment' });
        return z.NEVER;
      }
    });

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

/** An AES-256 key in base64 or base64url: 43 characters (+ padding) are exactly 32 bytes. */
const AES_256_KEY = /^[A-Za-z0-9+/_-]{43}=?$/;
/** Key ids travel in clear payload metadata: short and plain. */
const PAYLOAD_KEY_ID = /^[A-Za-z0-9._-]{1,64}$/;

/** Browsers send the exact origin, so only an already normalized one (no bare host, no slash) can match. */
function isExactOrigin(value: string): boolean {
  try {
    return toAllowedOrigin(value) === value;
  } catch {
    return false;
  }
}

const EnvSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),

  HTTP_HOST: z.string().default('127.0.0.1'),
  HTTP_PORT: port.default(3000),
  PUBLIC_BASE_URL: z.url().default('http://localhost:3000'),
  TRUST_PROXY: z.enum(['true', 'false']).default('false').transform((v) => v === 'true'),
  // Native TLS (instead of, or behind, a TLS-terminating proxy): PEM files, both or neither.
  TLS_CERT_FILE: optionalString,
  TLS_KEY_FILE: optionalString,
  // Per client IP on the public pages and Meta's callbacks (never on /webhooks/meta); 0 turns it off.
  RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(0).max(100_000).default(60),
  RATE_LIMIT_BURST: z.coerce.number().int().min(1).max(10_000).default(30),

  DATABASE_URL: z.string().regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL'),
  DATABASE_POOL_MAX: z.coerce.number().int().min(1).max(200).default(10),

  TEMPORAL_ADDRESS: nonEmpty.default('127.0.0.1:7233'),
  TEMPORAL_NAMESPACE: nonEmpty.default('default'),
  TEMPORAL_TASK_QUEUE: nonEmpty.default(DEFAULT_TASK_QUEUE),
  TEMPORAL_UI_URL: z.url().default('http://localhost:8233'),
  // Temporal anywhere (src/temporal/connection-options.ts): TLS with an optional private CA and server
  // name, mTLS with a client certificate, or an API key (Temporal Cloud; implies TLS). PEM files.
  TEMPORAL_TLS: z.enum(['true', 'false']).optional(),
  TEMPORAL_TLS_CA_FILE: optionalString,
  TEMPORAL_TLS_CERT_FILE: optionalString,
  TEMPORAL_TLS_KEY_FILE: optionalString,
  TEMPORAL_TLS_SERVER_NAME: optionalString,
  TEMPORAL_API_KEY: optionalString,
  // Namespace retention set by `npm run temporal:setup`: closed workflows (and their message content) are deleted after it.
  TEMPORAL_RETENTION: z
    .string()
    .trim()
    .default('192h')
    .transform((value, ctx) => {
      const m = /^(\d+)\s*(h|d)$/.exec(value);
      const hours = m ? Number(m[1]) * (m[2] === 'd' ? 24 : 1) : NaN;
      if (!(hours >= 192 && hours <= 24 * 3650)) {
        // Meta redelivers webhooks for up to 7 days; workflow-id dedup of inbound events lasts as long as closed runs are kept.
        ctx.addIssue({ code: 'custom', message: 'must be hours or days like 192h or 8d, at least 8 days (192h)' });
        return z.NEVER;
      }
      return hours;
    }),
  // AES-256-GCM keys for every Temporal payload; loadConfig requires them in production.
  PAYLOAD_ENCRYPTION_KEYS: optionalString.pipe(keyList.optional()),
  // The codec endpoint the Web UI (operator's browser) and the CLI decode payloads through.
  CODEC_CORS_ORIGINS: z.string().default('http://localhost:8233,http://127.0.0.1:8233').transform((value, ctx) => {
    const origins = csv(value);
    if (origins.some((o) => !isExactOrigin(o))) {
      ctx.addIssue({ code: 'custom', message: 'expected comma-separated origins like https://temporal-ui.example.com (no path, no wildcard)' });
      return z.NEVER;
    }
    return origins;
  }),
  CODEC_AUTH_TOKEN: optionalString.pipe(z.string().min(32, 'must be at least 32 characters').optional()),
  CODEC_MAX_BYTES: z.coerce.number().int().min(64 * 1024).max(64 * 1024 * 1024).default(4 * 1024 * 1024),
  METRICS_TOKEN: optionalString.pipe(z.string().min(32, 'must be at least 32 characters').optional()),
  // Before every metric name, the Temporal SDK's included (`<prefix>temporal_…`); e.g. mis_.
  METRICS_PREFIX: z.string().trim().regex(/^([a-zA-Z_][a-zA-Z0-9_]*)?$/, 'must be letters, digits and underscores, e.g. mis_').default(''),
  WORKER_METRICS_PORT: optionalString.pipe(z.coerce.number<string | undefined>().int().min(1).max(65535).optional()),
  WORKER_METRICS_HOST: nonEmpty.default('127.0.0.1'),

  TOKEN_ENCRYPTION_KEYS: keyList,

  DSK_JWT_ISSUER: nonEmpty,
  DSK_JWT_AUDIENCE: nonEmpty,
  DSK_JWT_ALGORITHMS: nonEmpty.default('ES256,RS256,EdDSA').transform(csv),
  DSK_JWT_INSTANCE_CLAIM: nonEmpty.default('instance_id'),
  DSK_JWT_JWKS_URL: optionalString.pipe(z.url().optional()),
  DSK_JWT_PUBLIC_KEY: optionalString,
  DSK_JWT_SECRET: optionalString.pipe(z.string().min(32, 'must be at least 32 characters').optional()),
  // The oldest a DSK token may be (its iat), and the longest it may be valid for (exp - iat).
  DSK_JWT_MAX_AGE_SECONDS: z.coerce.number().int().min(60).max(86_400).default(3600),

  SERVICE_JWT_PRIVATE_KEY: nonEmpty,
  SERVICE_JWT_KEY_ID: nonEmpty.default('service-1'),
  SERVICE_JWT_ALG: z.enum(['ES256', 'RS256', 'EdDSA']).default('ES256'),
  SERVICE_JWT_ISSUER: nonEmpty.default('meta-integration-service'),
  SERVICE_JWT_AUDIENCE: nonEmpty.default('dsk-platform'),
  // Public JWKS ({"keys":[...]}) of the signing keys before SERVICE_JWT_PRIVATE_KEY, still published during a rotation.
  SERVICE_JWT_PREVIOUS_PUBLIC_JWKS: optionalString,

  META_APP_SECRETS: nonEmpty.transform(csv),
  META_VERIFY_TOKEN: z.string().min(8, 'must be at least 8 characters'),
  META_WEBHOOK_MAX_BYTES: z.coerce.number().int().min(4 * 1024 * 1024, 'Meta sends up to 3 MB; keep at least 4 MiB').default(8 * 1024 * 1024),
  // Graph API: the Meta emulator's URL in dev/tests. The version is pinned here, never implied (reference §9).
  META_GRAPH_BASE_URL: z
    .url({ protocol: /^https?$/, message: 'must be an http(s) URL' })
    .default('https://graph.facebook.com')
    .refine((u) => new URL(u).pathname.replace(/\/+$/, '') === '' && !new URL(u).search, 'must be an origin without path, e.g. https://graph.facebook.com'),
  META_GRAPH_VERSION: z.string().trim().regex(/^v\d+\.0$/, 'must look like v26.0').default('v26.0'),
  META_GRAPH_TIMEOUT_MS: z.coerce.number().int().min(100).default(10_000),
  /** Hosts media may be downloaded from besides the Graph host: hostnames (https) or http(s) origins. */
  META_MEDIA_HOSTS: z.string().default('lookaside.fbsbx.com').transform((value, ctx) => {
    const origins: string[] = [];
    for (const entry of csv(value)) {
      try {
        origins.push(toAllowedOrigin(entry));
      } catch {
        ctx.addIssue({ code: 'custom', message: 'expected comma-separated hostnames or http(s) origins without path' });
        return z.NEVER;
      }
    }
    return origins;
  }),

  // Connect flows (reference §4). The Meta app's secret is META_APP_SECRETS' first entry.
  META_APP_ID: optionalMetaId,
  META_CONFIG_ID: optionalMetaId,
  META_IG_CONFIG_ID: optionalMetaId,
  META_DIALOG_BASE_URL: baseUrl('https://www.facebook.com'),
  INSTAGRAM_APP_ID: optionalMetaId,
  INSTAGRAM_APP_SECRET: optionalString,
  INSTAGRAM_GRAPH_BASE_URL: baseUrl('https://graph.instagram.com'),
  INSTAGRAM_API_BASE_URL: baseUrl('https://api.instagram.com'),
  INSTAGRAM_DIALOG_BASE_URL: baseUrl('https://www.instagram.com'),
  WHATSAPP_REGISTRATION_PIN: optionalString.pipe(z.string().regex(/^\d{6}$/, 'must be 6 digits').optional()),

  // Outbound send pacing per sender (OutboundRateLimits below), shared by every worker through PostgreSQL.
  WHATSAPP_SENDS_PER_SECOND: positiveInt.default(80),
  WHATSAPP_PAIR_INTERVAL_MS: positiveInt.default(6000),
  WHATSAPP_PAIR_BURST: positiveInt.default(45),
  INSTAGRAM_SENDS_PER_SECOND: positiveInt.default(100),
  INSTAGRAM_MEDIA_SENDS_PER_SECOND: positiveInt.default(10),

  DSK_DELIVERY_HORIZON: nonEmpty.default('7 days').refine((v) => {
    try {
      return msToNumber(v as Parameters<typeof msToNumber>[0]) > 0;
    } catch {
      return false;
    }
  }, 'must be a duration such as "7 days" or "36 hours"'),
  // CIDR ranges of non-public addresses events URLs may reach (the dev stand-in, a private DSK); link-local stays refused.
  DSK_EGRESS_ALLOW: z.string().default('').transform((value, ctx) => {
    const entries = csv(value);
    for (const entry of entries) {
      try {
        parseCidr(entry);
      } catch {
        ctx.addIssue({ code: 'custom', message: 'expected comma-separated IP addresses or CIDR ranges, e.g. 127.0.0.1/32,10.1.0.0/16' });
        return z.NEVER;
      }
    }
    return entries;
  }),
  // Per-instance quotas on /v1: requests per minute, sends not yet answered, connections not yet finished.
  INSTANCE_REQUESTS_PER_MINUTE: z.coerce.number().int().min(0).max(1_000_000).default(6000),
  INSTANCE_OPEN_SENDS: z.coerce.number().int().min(1).max(1_000_000).default(2000),
  INSTANCE_OPEN_CONNECTIONS: z.coerce.number().int().min(1).max(100_000).default(50),
  DSK_DELIVERY_TIMEOUT_MS: z.coerce.number().int().min(100).max(25_000, 'at most 25000: a delivery attempt must fit the 30 s activity timeout').default(10_000),

  // Captured inbound media (src/media/): where the sealed bytes live, and the keys that seal them.
  MEDIA_STORE: z.enum(['postgres', 's3']).default('postgres'),
  MEDIA_ENCRYPTION_KEYS: optionalString.pipe(keyList.optional()),
  MEDIA_S3_BUCKET: optionalString,
  MEDIA_S3_REGION: nonEmpty.default('us-east-1'),
  MEDIA_S3_ENDPOINT: optionalString.pipe(z.url({ protocol: /^https?$/, message: 'must be an http(s) URL' }).optional()),
  MEDIA_S3_FORCE_PATH_STYLE: z.enum(['true', 'false']).default('false').transform((v) => v === 'true'),
  MEDIA_S3_ACCESS_KEY_ID: optionalString,
  MEDIA_S3_SECRET_ACCESS_KEY: optionalString,
  MEDIA_S3_PREFIX: z.string().regex(/^[A-Za-z0-9._/-]{0,200}$/, 'letters, digits, . _ - /').default('media/'),
});

export type Env = z.input<typeof EnvSchema>;

/** Where captured media is stored: PostgreSQL large objects, or an S3-compatible bucket. */
export type MediaStoreConfig =
  | { kind: 'postgres' }
  | {
      kind: 's3';
      bucket: string;
      region: string;
      endpoint: string | undefined;
      forcePathStyle: boolean;
      credentials: { accessKeyId: string; secretAccessKey: string } | undefined;
      prefix: string;
    };


export interface Config {
  env: 'development' | 'production' | 'test';
  logLevel: string;
  http: {
    host: string;
    port: number;
    publicBaseUrl: string;
    trustProxy: boolean;
    /** Serve HTTPS directly with these PEM files; undefined: plain HTTP (TLS terminated in front). */
    tls: { certFile: string; keyFile: string } | undefined;
    /**
     * Token bucket per client IP on the connect pages, OAuth callback, Meta's deauthorize/data-deletion
     * callbacks, the deletion status page and /privacy: `burst` at once, refilled at `perMinute`.
     * undefined: no limit (RATE_LIMIT_PER_MINUTE=0).
     */
    rateLimit: { perMinute: number; burst: number } | undefined;
  };
  database: { url: string; poolMax: number };
  temporal: {
    address: string;
    namespace: string;
    taskQueue: string;
    uiUrl: string;
    /** undefined: plaintext gRPC (a frontend on a private network). PEM file paths, read at connect. */
    tls: { caFile: string | undefined; clientCertFile: string | undefined; clientKeyFile: string | undefined; serverName: string | undefined } | undefined;
    /** Temporal Cloud API key (sent as a bearer token over TLS). */
    apiKey: string | undefined;
    /** Namespace retention the setup command registers, in hours. */
    retentionHours: number;
  };
  tokenKeys: Array<{ id: string; key: string }>;
  dskAuth: {
    issuer: string;
    audience: string;
    algorithms: string[];
    instanceClaim: string;
    /** Oldest `iat` and longest `exp - iat` accepted, in seconds. */
    maxAgeSeconds: number;
    key: { kind: 'jwks'; url: string } | { kind: 'public-key'; pem: string } | { kind: 'secret'; secret: string };
  };
  serviceJwt: {
    privateKey: string;
    keyId: string;
    alg: 'ES256' | 'RS256' | 'EdDSA';
    issuer: string;
    audience: string;
    /** The previous keys' public JWKS (JSON), published beside the current key until their tokens expire. */
    previousPublicJwks: string | undefined;
  };
  meta: {
    appSecrets: string[];
    verifyToken: string;
    webhookMaxBytes: number;
    graphBaseUrl: string;
    graphVersion: string;
    graphTimeoutMs: number;
    /** Origins media may be fetched from, besides the Graph origin. */
    mediaOrigins: string[];
    /** The Meta app (Facebook Login for Business); undefined: no Facebook-based connect flow. */
    appId: string | undefined;
    /** Facebook Login for Business configuration of WhatsApp Embedded Signup. */
    whatsappConfigId: string | undefined;
    /** Configuration for Instagram via Facebook Login; undefined: the dialog asks for scopes instead. */
    instagramConfigId: string | undefined;
    /** www.facebook.com (the OAuth dialog host). */
    dialogBaseUrl: string;
    /** Two-step verification PIN set when registering numbers; undefined: one derived per number. */
    whatsappRegistrationPin: string | undefined;
  };
  /** Instagram API with Instagram Login: its own app, hosts and dialog. */
  instagram: {
    appId: string | undefined;
    appSecret: string | undefined;
    graphBaseUrl: string;
    apiBaseUrl: string;
    dialogBaseUrl: string;
  };
  /**
   * The connect flows this deployment offers, the default one per channel type first: WhatsApp
   * Embedded Signup (META_APP_ID + META_CONFIG_ID), Instagram Login (INSTAGRAM_APP_ID +
   * INSTAGRAM_APP_SECRET), Instagram via Facebook Login (META_APP_ID).
   */
  enabledFlows: ConnectFlow[];
  delivery: {
    horizon: string;
    horizonMs: number;
    timeoutMs: number;
    /** Non-public CIDR ranges events URLs may reach; link-local and metadata addresses never. */
    egressAllow: string[];
  };
  /** Per instance: /v1 requests per minute (0: unlimited), unanswered sends, unfinished connections. */
  quotas: { requestsPerMinute: number; openSends: number; openConnections: number };
  /** Captured inbound media: the store, and its own AES-256 keys (empty: derived from the token keys). */
  media: { store: MediaStoreConfig; keys: Array<{ id: string; key: string }> };
  outbound: { rateLimits: OutboundRateLimits };
  /** AES-256-GCM keys (base64) for Temporal payloads, newest first: the first encrypts, all decrypt. Empty only outside production. */
  payloadKeys: Array<{ id: string; key: string }>;
  /**
   * `/codec/*` for the Temporal Web UI and CLI. Without `authToken` the endpoint answers loopback
   * callers only, and only outside production.
   */
  codec: { corsOrigins: string[]; authToken: string | undefined; maxBytes: number };
  /** `/metrics` (api) and the worker's metrics port; without `token` they answer loopback callers only. */
  metrics: { token: string | undefined; workerPort: number | undefined; workerHost: string; prefix: string };
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
    throw new ConfigError(parsed.error.issues.map((issue) => `${issue.path.join('.') || '(environment)'}: ${describe(issue, env)}`));
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
  if (e.NODE_ENV === 'production' && key.kind === 'jwks' && !key.url.startsWith('https://')) {
    // Whoever can answer for the JWKS URL can mint a token for any instance.
    throw new ConfigError(['DSK_JWT_JWKS_URL: must be https in production']);
  }
  if (key.kind === 'secret' && !e.DSK_JWT_ALGORITHMS.every((a) => a.startsWith('HS'))) {
    throw new ConfigError(['DSK_JWT_ALGORITHMS: with DSK_JWT_SECRET only HS256/HS384/HS512 are allowed']);
  }
  if (key.kind !== 'secret' && e.DSK_JWT_ALGORITHMS.some((a) => a.startsWith('HS') || a === 'none')) {
    throw new ConfigError(['DSK_JWT_ALGORITHMS: symmetric or "none" algorithms need DSK_JWT_SECRET and are refused with public keys']);
  }
  if (e.NODE_ENV === 'production' && [e.META_GRAPH_BASE_URL, ...e.META_MEDIA_HOSTS].some((u) => !u.startsWith('https://'))) {
    // Tokens travel to these hosts: plain http is for the local emulator only.
    throw new ConfigError(['META_GRAPH_BASE_URL / META_MEDIA_HOSTS: must be https in production']);
  }
  if (!!e.TLS_CERT_FILE !== !!e.TLS_KEY_FILE) {
    throw new ConfigError(['TLS_CERT_FILE / TLS_KEY_FILE: native TLS needs both (or neither)']);
  }
  const publicHttps = e.PUBLIC_BASE_URL.startsWith('https://');
  if (!!e.TEMPORAL_TLS_CERT_FILE !== !!e.TEMPORAL_TLS_KEY_FILE) {
    throw new ConfigError(['TEMPORAL_TLS_CERT_FILE / TEMPORAL_TLS_KEY_FILE: mTLS needs the client certificate and its key (or neither)']);
  }
  const temporalTlsImplied = !!(e.TEMPORAL_TLS_CA_FILE || e.TEMPORAL_TLS_CERT_FILE || e.TEMPORAL_TLS_SERVER_NAME || e.TEMPORAL_API_KEY);
  if (e.TEMPORAL_TLS === 'false' && temporalTlsImplied) {
    throw new ConfigError(['TEMPORAL_TLS: is false, but a TEMPORAL_TLS_* file, server name or TEMPORAL_API_KEY needs TLS']);
  }
  const temporalTls =
    e.TEMPORAL_TLS === 'true' || temporalTlsImplied
      ? { caFile: e.TEMPORAL_TLS_CA_FILE, clientCertFile: e.TEMPORAL_TLS_CERT_FILE, clientKeyFile: e.TEMPORAL_TLS_KEY_FILE, serverName: e.TEMPORAL_TLS_SERVER_NAME }
      : undefined;
  if (e.TLS_CERT_FILE && !publicHttps) {
    throw new ConfigError(['PUBLIC_BASE_URL: must be https when the api serves TLS itself (TLS_CERT_FILE)']);
  }
  const metaHosts = { META_DIALOG_BASE_URL: e.META_DIALOG_BASE_URL, INSTAGRAM_GRAPH_BASE_URL: e.INSTAGRAM_GRAPH_BASE_URL, INSTAGRAM_API_BASE_URL: e.INSTAGRAM_API_BASE_URL, INSTAGRAM_DIALOG_BASE_URL: e.INSTAGRAM_DIALOG_BASE_URL };
  const plainHttp = Object.entries(metaHosts).filter(([, url]) => !url.startsWith('https://'));
  if (e.NODE_ENV === 'production' && plainHttp.length > 0) {
    throw new ConfigError(plainHttp.map(([name]) => `${name}: must be https in production`));
  }
  // No fallback ids in any environment: the dev stack and the tests pass the emulator's app explicitly.
  const appId = e.META_APP_ID;
  const whatsappConfigId = e.META_CONFIG_ID;
  if (!appId && (e.META_CONFIG_ID || e.META_IG_CONFIG_ID)) {
    throw new ConfigError(['META_CONFIG_ID / META_IG_CONFIG_ID: a Facebook Login for Business configuration needs META_APP_ID']);
  }
  if (!!e.INSTAGRAM_APP_ID !== !!e.INSTAGRAM_APP_SECRET) {
    throw new ConfigError(['INSTAGRAM_APP_ID / INSTAGRAM_APP_SECRET: Instagram Login needs both (or neither)']);
  }
  const enabledFlows: ConnectFlow[] = [];
  if (appId && whatsappConfigId) enabledFlows.push('whatsapp_embedded_signup');
  // An Instagram app is configured on purpose, so Instagram Login is the default Instagram flow when both exist.
  if (e.INSTAGRAM_APP_ID && e.INSTAGRAM_APP_SECRET) enabledFlows.push('instagram_login');
  if (appId) enabledFlows.push('instagram_facebook_login');
  // Instagram-Login webhooks are signed with the Instagram app secret (reference §1.3, §8.1).
  const appSecrets = e.INSTAGRAM_APP_SECRET && !e.META_APP_SECRETS.includes(e.INSTAGRAM_APP_SECRET) ? [...e.META_APP_SECRETS, e.INSTAGRAM_APP_SECRET] : e.META_APP_SECRETS;
  const ids = e.TOKEN_ENCRYPTION_KEYS.map((k) => k.id);
  if (new Set(ids).size !== ids.length) throw new ConfigError(['TOKEN_ENCRYPTION_KEYS: key ids must be unique']);
  const payloadKeys = e.PAYLOAD_ENCRYPTION_KEYS ?? [];
  // The privacy policy keeps the token key apart: a payload key that is also a token key would let
  // whoever holds Temporal's payload key (operators, the codec endpoint) decrypt Meta tokens.
  const tokenKeyValues = new Set(e.TOKEN_ENCRYPTION_KEYS.map((k) => keyBytes(k.key)));
  if (payloadKeys.some((k) => tokenKeyValues.has(keyBytes(k.key)))) {
    throw new ConfigError(['PAYLOAD_ENCRYPTION_KEYS / TOKEN_ENCRYPTION_KEYS: a key must not be used for both (tokens and payloads are encrypted with keys kept apart)']);
  }
  if (e.NODE_ENV === 'production' && payloadKeys.length === 0) {
    // Without it message content would sit in Temporal's database and UI in plain text.
    throw new ConfigError(['PAYLOAD_ENCRYPTION_KEYS: is required in production (Temporal payloads are encrypted with it)']);
  }
  if (payloadKeys.some((k) => !PAYLOAD_KEY_ID.test(k.id) || !AES_256_KEY.test(k.key))) {
    throw new ConfigError(['PAYLOAD_ENCRYPTION_KEYS: each entry must be "keyId:<32 bytes, base64>" with a key id of letters, digits, ".", "_" or "-"']);
  }
  if (new Set(payloadKeys.map((k) => k.id)).size !== payloadKeys.length) throw new ConfigError(['PAYLOAD_ENCRYPTION_KEYS: key ids must be unique']);
  if (e.NODE_ENV === 'production' && !publicHttps) {
    // Meta, browsers (cookies, OAuth codes) and DSK reach the api at this address: the privacy policy promises HTTPS.
    throw new ConfigError(['PUBLIC_BASE_URL: must be https in production']);
  }

  const mediaKeys = e.MEDIA_ENCRYPTION_KEYS ?? [];
  if (mediaKeys.some((k) => !PAYLOAD_KEY_ID.test(k.id) || !AES_256_KEY.test(k.key))) {
    throw new ConfigError(['MEDIA_ENCRYPTION_KEYS: each entry must be "keyId:<32 bytes, base64>" with a key id of letters, digits, ".", "_" or "-"']);
  }
  if (new Set(mediaKeys.map((k) => k.id)).size !== mediaKeys.length) throw new ConfigError(['MEDIA_ENCRYPTION_KEYS: key ids must be unique']);
  let mediaStore: MediaStoreConfig = { kind: 'postgres' };
  if (e.MEDIA_STORE === 's3') {
    if (!e.MEDIA_S3_BUCKET) throw new ConfigError(['MEDIA_S3_BUCKET: is required with MEDIA_STORE=s3']);
    if (!!e.MEDIA_S3_ACCESS_KEY_ID !== !!e.MEDIA_S3_SECRET_ACCESS_KEY) {
      throw new ConfigError(['MEDIA_S3_ACCESS_KEY_ID / MEDIA_S3_SECRET_ACCESS_KEY: give both (or neither, for the SDK\'s default credentials)']);
    }
    if (e.NODE_ENV === 'production' && e.MEDIA_S3_ENDPOINT && !e.MEDIA_S3_ENDPOINT.startsWith('https://')) {
      throw new ConfigError(['MEDIA_S3_ENDPOINT: must be https in production']);
    }
    mediaStore = {
      kind: 's3',
      bucket: e.MEDIA_S3_BUCKET,
      region: e.MEDIA_S3_REGION,
      endpoint: e.MEDIA_S3_ENDPOINT,
      forcePathStyle: e.MEDIA_S3_FORCE_PATH_STYLE,
      credentials: e.MEDIA_S3_ACCESS_KEY_ID && e.MEDIA_S3_SECRET_ACCESS_KEY ? { accessKeyId: e.MEDIA_S3_ACCESS_KEY_ID, secretAccessKey: e.MEDIA_S3_SECRET_ACCESS_KEY } : undefined,
      prefix: e.MEDIA_S3_PREFIX,
    };
  }

  const config: Config = {
    env: e.NODE_ENV,
    logLevel: e.LOG_LEVEL,
    http: {
      host: e.HTTP_HOST,
      port: e.HTTP_PORT,
      publicBaseUrl: e.PUBLIC_BASE_URL.replace(/\/$/, ''),
      trustProxy: e.TRUST_PROXY,
      tls: e.TLS_CERT_FILE && e.TLS_KEY_FILE ? { certFile: e.TLS_CERT_FILE, keyFile: e.TLS_KEY_FILE } : undefined,
      rateLimit: e.RATE_LIMIT_PER_MINUTE > 0 ? { perMinute: e.RATE_LIMIT_PER_MINUTE, burst: e.RATE_LIMIT_BURST } : undefined,
    },
    database: { url: e.DATABASE_URL, poolMax: e.DATABASE_POOL_MAX },
    temporal: {
      address: e.TEMPORAL_ADDRESS,
      namespace: e.TEMPORAL_NAMESPACE,
      taskQueue: e.TEMPORAL_TASK_QUEUE,
      uiUrl: e.TEMPORAL_UI_URL,
      tls: temporalTls,
      apiKey: e.TEMPORAL_API_KEY,
      retentionHours: e.TEMPORAL_RETENTION,
    },
    tokenKeys: e.TOKEN_ENCRYPTION_KEYS,
    dskAuth: {
      issuer: e.DSK_JWT_ISSUER,
      audience: e.DSK_JWT_AUDIENCE,
      algorithms: e.DSK_JWT_ALGORITHMS,
      instanceClaim: e.DSK_JWT_INSTANCE_CLAIM,
      maxAgeSeconds: e.DSK_JWT_MAX_AGE_SECONDS,
      key,
    },
    serviceJwt: {
      privateKey: e.SERVICE_JWT_PRIVATE_KEY,
      keyId: e.SERVICE_JWT_KEY_ID,
      alg: e.SERVICE_JWT_ALG,
      issuer: e.SERVICE_JWT_ISSUER,
      audience: e.SERVICE_JWT_AUDIENCE,
      previousPublicJwks: e.SERVICE_JWT_PREVIOUS_PUBLIC_JWKS,
    },
    meta: {
      appSecrets,
      verifyToken: e.META_VERIFY_TOKEN,
      webhookMaxBytes: e.META_WEBHOOK_MAX_BYTES,
      graphBaseUrl: e.META_GRAPH_BASE_URL.replace(/\/+$/, ''),
      graphVersion: e.META_GRAPH_VERSION,
      graphTimeoutMs: e.META_GRAPH_TIMEOUT_MS,
      mediaOrigins: e.META_MEDIA_HOSTS,
      appId,
      whatsappConfigId,
      instagramConfigId: e.META_IG_CONFIG_ID,
      dialogBaseUrl: e.META_DIALOG_BASE_URL,
      whatsappRegistrationPin: e.WHATSAPP_REGISTRATION_PIN,
    },
    instagram: {
      appId: e.INSTAGRAM_APP_ID,
      appSecret: e.INSTAGRAM_APP_SECRET,
      graphBaseUrl: e.INSTAGRAM_GRAPH_BASE_URL,
      apiBaseUrl: e.INSTAGRAM_API_BASE_URL,
      dialogBaseUrl: e.INSTAGRAM_DIALOG_BASE_URL,
    },
    enabledFlows,
    delivery: {
      horizon: e.DSK_DELIVERY_HORIZON,
      horizonMs: msToNumber(e.DSK_DELIVERY_HORIZON as Parameters<typeof msToNumber>[0]),
      timeoutMs: e.DSK_DELIVERY_TIMEOUT_MS,
      egressAllow: e.DSK_EGRESS_ALLOW,
    },
    quotas: { requestsPerMinute: e.INSTANCE_REQUESTS_PER_MINUTE, openSends: e.INSTANCE_OPEN_SENDS, openConnections: e.INSTANCE_OPEN_CONNECTIONS },
    media: { store: mediaStore, keys: mediaKeys },
    outbound: {
      rateLimits: {
        whatsappSendsPerSecond: e.WHATSAPP_SENDS_PER_SECOND,
        whatsappPairIntervalMs: e.WHATSAPP_PAIR_INTERVAL_MS,
        whatsappPairBurst: e.WHATSAPP_PAIR_BURST,
        instagramSendsPerSecond: e.INSTAGRAM_SENDS_PER_SECOND,
        instagramMediaSendsPerSecond: e.INSTAGRAM_MEDIA_SENDS_PER_SECOND,
      },
    },
    payloadKeys,
    codec: { corsOrigins: e.CODEC_CORS_ORIGINS, authToken: e.CODEC_AUTH_TOKEN, maxBytes: e.CODEC_MAX_BYTES },
    metrics: { token: e.METRICS_TOKEN, workerPort: e.WORKER_METRICS_PORT, workerHost: e.WORKER_METRICS_HOST, prefix: e.METRICS_PREFIX },
  };
  return deepFreeze(config);
}

/** A base64 or base64url key as one canonical string, so the same bytes compare equal in either spelling. */
function keyBytes(key: string): string {
  return Buffer.from(key.replace(/-/g, '+').replace(/_/g, '/'), 'base64').toString('hex');
}

function describe(issue: z.core.$ZodIssue, env: Record<string, string | undefined>): string {
  // Zod leaves the input out of its issues (just as well: values may be secrets), so whether the
  // variable was set is read from the environment; a set but malformed value keeps its own message.
  const name = issue.path[0];
  if (issue.code === 'invalid_type' && typeof name === 'string' && env[name] === undefined) return 'is required but missing';
  return issue.message;
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}

/** Every variable the service reads (documented, one by one, in .env.example). */
export const ENV_VARIABLES: readonly string[] = Object.keys(EnvSchema.shape);
