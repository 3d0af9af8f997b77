import { readFileSync } from 'node:fs';
import path from 'node:path';
import { projectRoot } from '../../dev/infra/tools.js';

/**
 * The production topology as `npm run test:production` runs it: each process's command and
 * environment. docker-compose.yml runs the same commands with the same variables;
 * test/unit/production-parity.test.ts compares the two, so what the test proves is what compose ships.
 * Only the differences listed in TEST_ONLY / COMPOSE_ONLY below (each with its reason) are allowed.
 */

const root = projectRoot();

/** The Temporal server release test:production builds (scripts/build-temporal-server.sh) and compose runs. */
export const TEMPORAL_SERVER_VERSION = /^TEMPORAL_SERVER_VERSION=(\S+)$/m.exec(readFileSync(path.join(root, 'scripts/build-temporal-server.sh'), 'utf8'))![1]!;
export const TEMPORAL_SERVER_DIR = path.join(root, '.tools', 'temporal-server', TEMPORAL_SERVER_VERSION);
/** Dynamic config shared by compose (mounted) and the test. */
export const DYNAMIC_CONFIG_FILE = path.join(root, 'temporal', 'dynamicconfig', 'production.yaml');
/** The namespace both use (compose default of TEMPORAL_NAMESPACE). */
export const NAMESPACE = 'meta-integration';
/** The name in the Temporal frontend's certificate that clients verify (compose: the service name). */
export const TEMPORAL_TLS_SERVER_NAME = 'temporal';

/** The service's processes: compose services with these names run exactly these commands. */
export const APP_COMMANDS = {
  migrate: ['node', 'dist/src/main-migrate.js'],
  'temporal-setup': ['node', 'dist/src/main-temporal-setup.js'],
  api: ['node', 'dist/src/main-api.js'],
  worker: ['node', 'dist/src/main-worker.js'],
} as const satisfies Record<string, readonly string[]>;

/** Variables the test sets that compose does not, and why. */
export const TEST_ONLY: Readonly<Record<string, string>> = {
  META_GRAPH_BASE_URL: 'the Meta emulator plays graph.facebook.com (compose: the default, Meta itself)',
  META_DIALOG_BASE_URL: 'the emulator plays www.facebook.com',
  INSTAGRAM_GRAPH_BASE_URL: 'the emulator plays graph.instagram.com',
  INSTAGRAM_API_BASE_URL: 'the emulator plays api.instagram.com',
  INSTAGRAM_DIALOG_BASE_URL: 'the emulator plays www.instagram.com',
  META_MEDIA_HOSTS: 'the emulator plays the media CDN',
  NODE_EXTRA_CA_CERTS: 'the emulator and the DSK fake have certificates of the test CA',
  TLS_CERT_FILE: 'the api serves TLS itself (compose: the caddy proxy terminates TLS)',
  TLS_KEY_FILE: 'idem',
  DSK_JWT_ALGORITHMS: 'the DSK fake signs ES256 only (compose: the default list)',
  DSK_DELIVERY_HORIZON: 'a failed delivery shows within the test (compose: the default 7 days)',
  ENFORCE_CUSTOMER_WINDOW: 'the traffic sends to customers whether or not their message arrived first (compose: the default, enforced)',
  DSK_EGRESS_ALLOW: 'the DSK fake listens on loopback, which the egress policy refuses by default (compose: DSK on a public address, or the operator adds its CIDR)',
};

/** Variables compose passes that the test leaves unset (empty means "not used"), and why. */
export const COMPOSE_ONLY: Readonly<Record<string, string>> = {
  TRUST_PROXY: 'behind the caddy proxy (the test has no proxy: native TLS)',
  DSK_JWT_JWKS_URL: 'one of the three DSK key sources; the test uses DSK_JWT_PUBLIC_KEY',
  DSK_JWT_SECRET: 'idem',
  TEMPORAL_API_KEY: 'Temporal Cloud only; the test uses mTLS',
  META_IG_CONFIG_ID: 'optional configuration for Instagram via Facebook Login',
  WHATSAPP_REGISTRATION_PIN: 'optional: without it a PIN is derived per number',
};

export interface AppEnvInputs {
  databaseUrl: string;
  temporalAddress: string;
  certDir: string;
  publicBaseUrl: string;
  httpPort: number;
  secrets: {
    tokenKeys: string;
    payloadKeys: string;
    serviceJwtPrivateKey: string;
    dskPublicKey: string;
    metaAppSecret: string;
    instagramAppSecret: string;
    verifyToken: string;
    codecToken: string;
    metricsToken: string;
  };
  metaHosts: Record<string, string>;
  metaApp: { appId: string; configId: string; instagramAppId: string };
  temporalUiUrl: string;
  workerMetricsPort: number;
}

/** The environment of every service process (compose's `x-app`), as the test sets it. */
export function appEnv(i: AppEnvInputs): Record<string, string> {
  return {
    NODE_ENV: 'production',
    LOG_LEVEL: 'info',
    HTTP_HOST: '127.0.0.1',
    HTTP_PORT: String(i.httpPort),
    PUBLIC_BASE_URL: i.publicBaseUrl,
    TLS_CERT_FILE: path.join(i.certDir, 'api.pem'),
    TLS_KEY_FILE: path.join(i.certDir, 'api.key'),
    RATE_LIMIT_PER_MINUTE: '600',
    RATE_LIMIT_BURST: '100',
    DATABASE_URL: i.databaseUrl,
    DATABASE_POOL_MAX: '10',
    TEMPORAL_ADDRESS: i.temporalAddress,
    TEMPORAL_NAMESPACE: NAMESPACE,
    TEMPORAL_UI_URL: i.temporalUiUrl,
    TEMPORAL_TLS_CA_FILE: path.join(i.certDir, 'ca.pem'),
    TEMPORAL_TLS_CERT_FILE: path.join(i.certDir, 'client.pem'),
    TEMPORAL_TLS_KEY_FILE: path.join(i.certDir, 'client.key'),
    TEMPORAL_TLS_SERVER_NAME: TEMPORAL_TLS_SERVER_NAME,
    TEMPORAL_RETENTION: '192h',
    TOKEN_ENCRYPTION_KEYS: i.secrets.tokenKeys,
    PAYLOAD_ENCRYPTION_KEYS: i.secrets.payloadKeys,
    CODEC_CORS_ORIGINS: i.temporalUiUrl,
    CODEC_AUTH_TOKEN: i.secrets.codecToken,
    METRICS_TOKEN: i.secrets.metricsToken,
    METRICS_PREFIX: 'mis_',
    WORKER_METRICS_PORT: String(i.workerMetricsPort),
    WORKER_METRICS_HOST: '127.0.0.1',
    DSK_JWT_ISSUER: 'https://dsk.example.test',
    DSK_JWT_AUDIENCE: 'meta-integration-service',
    DSK_JWT_ALGORITHMS: 'ES256',
    DSK_JWT_PUBLIC_KEY: i.secrets.dskPublicKey,
    DSK_DELIVERY_HORIZON: '10 minutes',
    ENFORCE_CUSTOMER_WINDOW: 'false',
    DSK_EGRESS_ALLOW: '127.0.0.1/32',
    SERVICE_JWT_PRIVATE_KEY: i.secrets.serviceJwtPrivateKey,
    SERVICE_JWT_KEY_ID: 'service-1',
    META_APP_ID: i.metaApp.appId,
    META_CONFIG_ID: i.metaApp.configId,
    META_APP_SECRETS: i.secrets.metaAppSecret,
    META_VERIFY_TOKEN: i.secrets.verifyToken,
    INSTAGRAM_APP_ID: i.metaApp.instagramAppId,
    INSTAGRAM_APP_SECRET: i.secrets.instagramAppSecret,
    NODE_EXTRA_CA_CERTS: path.join(i.certDir, 'ca.pem'),
    ...i.metaHosts,
  };
}

/** Values that must be the same in compose and the test (the rest are secrets, hosts, ports or paths). */
export const FIXED_APP_VALUES = ['NODE_ENV', 'TEMPORAL_TLS_SERVER_NAME', 'TEMPORAL_RETENTION', 'METRICS_PREFIX'] as const;

export interface TemporalEnvInputs {
  pgPort: number;
  temporalDbPassword: string;
  certDir: string;
  ports: { grpc: number; http: number; membership: [number, number, number, number]; history: number; matching: number; worker: number };
}

/**
 * The Temporal server's environment: the release's embedded config template (no config file), as the
 * temporalio/server image runs it, on PostgreSQL with frontend and internode mTLS.
 */
export function temporalServerEnv(i: TemporalEnvInputs): Record<string, string> {
  const cert = (name: string) => path.join(i.certDir, name);
  return {
    DB: 'postgres12',
    DB_PORT: String(i.pgPort),
    POSTGRES_SEEDS: '127.0.0.1',
    POSTGRES_USER: 'temporal',
    POSTGRES_PWD: i.temporalDbPassword,
    NUM_HISTORY_SHARDS: '512',
    BIND_ON_IP: '127.0.0.1',
    TEMPORAL_BROADCAST_ADDRESS: '127.0.0.1',
    DYNAMIC_CONFIG_FILE_PATH: DYNAMIC_CONFIG_FILE,
    LOG_LEVEL: 'warn',
    TEMPORAL_ALLOW_NO_AUTH: 'true',
    TEMPORAL_TLS_REQUIRE_CLIENT_AUTH: 'true',
    TEMPORAL_TLS_SERVER_CA_CERT: cert('ca.pem'),
    TEMPORAL_TLS_SERVER_CERT: cert('temporal.pem'),
    TEMPORAL_TLS_SERVER_KEY: cert('temporal.key'),
    TEMPORAL_TLS_INTERNODE_SERVER_NAME: TEMPORAL_TLS_SERVER_NAME,
    TEMPORAL_TLS_FRONTEND_CERT: cert('temporal.pem'),
    TEMPORAL_TLS_FRONTEND_KEY: cert('temporal.key'),
    TEMPORAL_TLS_CLIENT1_CA_CERT: cert('ca.pem'),
    TEMPORAL_TLS_CLIENT2_CA_CERT: cert('ca.pem'),
    TEMPORAL_TLS_FRONTEND_SERVER_NAME: TEMPORAL_TLS_SERVER_NAME,
    FRONTEND_GRPC_PORT: String(i.ports.grpc),
    FRONTEND_HTTP_PORT: String(i.ports.http),
    FRONTEND_MEMBERSHIP_PORT: String(i.ports.membership[0]),
    HISTORY_GRPC_PORT: String(i.ports.history),
    HISTORY_MEMBERSHIP_PORT: String(i.ports.membership[1]),
    MATCHING_GRPC_PORT: String(i.ports.matching),
    MATCHING_MEMBERSHIP_PORT: String(i.ports.membership[2]),
    WORKER_GRPC_PORT: String(i.ports.worker),
    WORKER_MEMBERSHIP_PORT: String(i.ports.membership[3]),
  };
}

/** Temporal variables only the test sets: ports (compose keeps the defaults) and its address (compose: the entrypoint). */
export const TEMPORAL_TEST_ONLY: Readonly<Record<string, string>> = {
  BIND_ON_IP: 'the image entrypoint sets it to the container address',
  TEMPORAL_BROADCAST_ADDRESS: 'idem',
  FRONTEND_GRPC_PORT: 'free ports on the test machine; compose keeps the defaults',
  FRONTEND_HTTP_PORT: 'idem',
  FRONTEND_MEMBERSHIP_PORT: 'idem',
  HISTORY_GRPC_PORT: 'idem',
  HISTORY_MEMBERSHIP_PORT: 'idem',
  MATCHING_GRPC_PORT: 'idem',
  MATCHING_MEMBERSHIP_PORT: 'idem',
  WORKER_GRPC_PORT: 'idem',
  WORKER_MEMBERSHIP_PORT: 'idem',
};
/** Temporal values that must be the same in compose and the test. */
export const FIXED_TEMPORAL_VALUES = ['DB', 'NUM_HISTORY_SHARDS', 'TEMPORAL_ALLOW_NO_AUTH', 'TEMPORAL_TLS_REQUIRE_CLIENT_AUTH', 'TEMPORAL_TLS_INTERNODE_SERVER_NAME', 'TEMPORAL_TLS_FRONTEND_SERVER_NAME', 'POSTGRES_USER'] as const;
