import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { createMetaEmulator, type MetaEmulator, type RunningMetaEmulator } from '../../dev/meta-emulator/app.js';
import { DEV_INSTAGRAM_APP_ID, DEV_META_APP_ID, DEV_WHATSAPP_CONFIG_ID } from '../../dev/meta-emulator/app-ids.js';
import { emulatorServiceEnv } from '../../dev/meta-emulator/service-env.js';
import { freePort } from '../../dev/infra/local-temporal.js';
import type { Logger } from '../../src/logger.js';
import { generateServiceSigningKey, loadServiceSigningKey } from '../../src/dsk/service-keys.js';
import { generatePayloadKey } from '../../src/temporal/encryption-codec.js';
import { generateFernetKey } from '../../src/vault/fernet.js';
import { startDskFake, type DskFake } from '../support/dsk-fake.js';
import { createDskIssuer, type DskIssuer } from '../support/jwt.js';
import { run, start, waitFor, type Proc } from './processes.js';
import { ensureDir, setupTemporalSchema, startBalancer, startProductionPostgres, startProductionTemporal, type ProductionPostgres, type ProductionTemporal } from './stack.js';
import { appEnv, APP_COMMANDS } from './topology.js';

/**
 * The production topology, started the one way `npm run test:production` and `bench:production` both
 * use, so what the benchmark measures is what the test proves: PostgreSQL (fsync on, production roles),
 * Temporal 1.32 on it with frontend and internode mTLS, the Meta emulator over https, an https DSK
 * fake, migrate and temporal:setup (twice: the second run proves it idempotent), then 2 workers and
 * 2 api replicas (NODE_ENV=production, payload encryption, native TLS) behind a TCP balancer.
 */
export interface ProductionTopology {
  pg: ProductionPostgres;
  temporal: ProductionTemporal;
  emulator: MetaEmulator;
  meta: RunningMetaEmulator;
  dsk: DskFake;
  dskIssuer: DskIssuer;
  balancer: Awaited<ReturnType<typeof startBalancer>>;
  /** What Meta and DSK call: the balancer, over TLS. */
  publicBaseUrl: string;
  apiPorts: number[];
  workerMetricsPorts: number[];
  /** Current processes by replica index; a restart (`startApi`/`startWorker`) replaces the entry. */
  apis: Proc[];
  workers: Proc[];
  /** The environment every service process gets (compose's `x-app`). */
  baseEnv: Record<string, string>;
  secrets: { metricsToken: string; codecToken: string };
  logs: string;
  /** temporal:setup's two runs, for the test to read. */
  setupLog: string;
  /** How long each start-up step took, e.g. "migrate 1.2 s". */
  timings: string[];
  startApi(i: number): Proc;
  startWorker(i: number): Proc;
  apiReady(i: number): Promise<void>;
  workerPolling(i: number): Promise<void>;
  /** Everything down, the service first (graceful, SIGKILL after 15 s). */
  stop(): Promise<void>;
}

export interface TopologyOptions {
  /** A scratch directory the postgres OS user can traverse (PostgreSQL's data and the logs go there). */
  dir: string;
  /** deploy/gen-certs.sh's output: ca, temporal, client, api, meta, dsk. */
  certDir: string;
  log: Logger;
  /** Merged over `appEnv` for every service process (a benchmark's log level, say); empty for the test. */
  envOverrides?: Record<string, string>;
  replicas?: { api: number; worker: number };
}

export async function startProductionTopology(o: TopologyOptions): Promise<ProductionTopology> {
  const logs = ensureDir(path.join(o.dir, 'logs'));
  const pem = (name: string) => readFileSync(path.join(o.certDir, name));
  const replicas = o.replicas ?? { api: 2, worker: 2 };
  const timings: string[] = [];
  const timed = async <T>(what: string, fn: () => Promise<T>): Promise<T> => {
    const t0 = Date.now();
    const result = await fn();
    timings.push(`${what} ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    return result;
  };
  // Whatever started is stopped if a later step fails: a half-started topology must not outlive the caller.
  const stops: Array<() => Promise<void>> = [];
  const stopAll = async () => {
    for (const stop of stops.splice(0).reverse()) await stop().catch(() => undefined);
  };

  try {
    const pg = await timed('postgres', () => startProductionPostgres(o.dir, o.log));
    stops.push(() => pg.stop());
    await timed('temporal schema', () => setupTemporalSchema(logs, pg));
    const temporal = await timed('temporal server start', () => startProductionTemporal(logs, pg, o.certDir));
    stops.push(() => temporal.stop());

    const secrets = { metricsToken: randomBytes(24).toString('base64url'), codecToken: randomBytes(24).toString('base64url') };
    const metaAppSecret = randomBytes(16).toString('hex');
    const instagramAppSecret = randomBytes(16).toString('hex');
    const apiPorts: number[] = [];
    const workerMetricsPorts: number[] = [];
    for (let i = 0; i < replicas.api; i++) apiPorts.push(await freePort());
    for (let i = 0; i < replicas.worker; i++) workerMetricsPorts.push(await freePort());
    const balancer = await startBalancer(() => apiPorts);
    stops.push(() => balancer.close());
    const publicBaseUrl = `https://127.0.0.1:${balancer.port}`;
    const emulator = createMetaEmulator({
      appSecret: metaAppSecret,
      // Meta matches redirect URIs exactly (App Dashboard → Valid OAuth Redirect URIs): as docs/deploy.md sets them.
      metaApp: { redirectUris: [`${publicBaseUrl}/oauth/callback`] },
      instagramApp: { secret: instagramAppSecret, redirectUris: [`${publicBaseUrl}/oauth/callback`] },
      webhookCallbackUrl: `${publicBaseUrl}/webhooks/meta`,
    });
    const meta = await emulator.listen(0, '127.0.0.1', { cert: pem('meta.pem'), key: pem('meta.key') });
    stops.push(() => meta.close());

    const dskIssuer = await createDskIssuer();
    const { privateJwk } = await generateServiceSigningKey('ES256', 'service-1');
    const signingKey = await loadServiceSigningKey({ privateJwk, keyId: 'service-1', alg: 'ES256' });
    const dsk = await startDskFake({ jwks: () => signingKey.publicJwks(), issuer: 'meta-integration-service', audience: 'dsk-platform', tls: { cert: pem('dsk.pem'), key: pem('dsk.key') } });
    stops.push(() => dsk.close());

    const { META_APP_ID: _a, META_CONFIG_ID: _c, INSTAGRAM_APP_ID: _i, INSTAGRAM_APP_SECRET: _s, ...metaHosts } = emulatorServiceEnv(meta);
    const baseEnv = {
      ...appEnv({
        databaseUrl: pg.appUrl,
        temporalAddress: temporal.address,
        certDir: o.certDir,
        publicBaseUrl,
        httpPort: apiPorts[0]!,
        secrets: {
          tokenKeys: `k1:${generateFernetKey()}`,
          payloadKeys: `p1:${generatePayloadKey()}`,
          serviceJwtPrivateKey: privateJwk,
          dskPublicKey: dskIssuer.publicPem,
          metaAppSecret,
          instagramAppSecret,
          verifyToken: randomBytes(12).toString('hex'),
          codecToken: secrets.codecToken,
          metricsToken: secrets.metricsToken,
        },
        metaHosts,
        metaApp: { appId: DEV_META_APP_ID, configId: DEV_WHATSAPP_CONFIG_ID, instagramAppId: DEV_INSTAGRAM_APP_ID },
        temporalUiUrl: 'https://temporal-ui.example.test',
        workerMetricsPort: workerMetricsPorts[0]!,
      }),
      ...o.envOverrides,
    };

    const apis: Proc[] = [];
    const workers: Proc[] = [];
    const startApi = (i: number) => (apis[i] = start(`api-${i + 1}`, process.execPath, APP_COMMANDS.api.slice(1), { ...baseEnv, HTTP_PORT: String(apiPorts[i]) }, path.join(logs, `api-${i + 1}.log`)));
    const startWorker = (i: number) =>
      (workers[i] = start(`worker-${i + 1}`, process.execPath, APP_COMMANDS.worker.slice(1), { ...baseEnv, WORKER_METRICS_PORT: String(workerMetricsPorts[i]) }, path.join(logs, `worker-${i + 1}.log`)));
    const apiReady = (i: number) => waitFor(`api-${i + 1} /readyz`, async () => (await fetch(`https://127.0.0.1:${apiPorts[i]}/readyz`)).status === 200, 90_000, apis[i]);
    const workerPolling = (i: number) =>
      waitFor(
        `worker-${i + 1} to serve metrics (it polls once it listens)`,
        async () => (await fetch(`http://127.0.0.1:${workerMetricsPorts[i]}/metrics`, { headers: { authorization: `Bearer ${secrets.metricsToken}` } })).status === 200,
        120_000,
        workers[i],
      );
    // Service processes stop before what they depend on.
    stops.push(() => Promise.all([...apis, ...workers].map((p) => p?.stop(15_000))).then(() => undefined));

    const setupLog = path.join(logs, 'temporal-setup.log');
    // As the Dockerfile does: workers load the pre-built bundle in production, they never run webpack.
    await timed('bundle:workflows', () => run('bundle-workflows', process.execPath, ['dist/src/main-bundle-workflows.js'], baseEnv, path.join(logs, 'bundle.log'), 300_000));
    await timed('migrate', () => run('migrate', process.execPath, APP_COMMANDS.migrate.slice(1), baseEnv, path.join(logs, 'migrate.log')));
    await timed('temporal:setup (first run)', () => run('temporal-setup', process.execPath, APP_COMMANDS['temporal-setup'].slice(1), baseEnv, setupLog));
    await timed('temporal:setup (second run)', () => run('temporal-setup', process.execPath, APP_COMMANDS['temporal-setup'].slice(1), baseEnv, setupLog));

    await timed(`${replicas.worker} workers + ${replicas.api} apis ready`, async () => {
      for (let i = 0; i < replicas.worker; i++) startWorker(i);
      for (let i = 0; i < replicas.api; i++) startApi(i);
      await Promise.all([...apiPorts.map((_, i) => apiReady(i)), ...workerMetricsPorts.map((_, i) => workerPolling(i))]);
    });

    return {
      pg,
      temporal,
      emulator,
      meta,
      dsk,
      dskIssuer,
      balancer,
      publicBaseUrl,
      apiPorts,
      workerMetricsPorts,
      apis,
      workers,
      baseEnv,
      secrets,
      logs,
      setupLog,
      timings,
      startApi,
      startWorker,
      apiReady,
      workerPolling,
      stop: stopAll,
    };
  } catch (err) {
    await stopAll();
    throw err;
  }
}
