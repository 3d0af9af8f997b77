import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { projectRoot } from '../../dev/infra/tools.js';
import { ENV_VARIABLES } from '../../src/config.js';
import {
  APP_COMMANDS,
  appEnv,
  COMPOSE_ONLY,
  FIXED_APP_VALUES,
  FIXED_TEMPORAL_VALUES,
  TEMPORAL_SERVER_VERSION,
  TEMPORAL_TEST_ONLY,
  temporalServerEnv,
  TEST_ONLY,
} from '../production/topology.js';

/**
 * docker-compose.yml and `npm run test:production` (test/production/topology.ts) run the same
 * commands with the same variables, the same Temporal release and dynamic config: what the production
 * test proves is what compose ships. The allowed differences are listed, each with its reason, in
 * topology.ts.
 */
const root = projectRoot();

interface ComposeService {
  image?: string;
  command?: string[] | string;
  entrypoint?: string[] | string;
  environment?: Record<string, string | null>;
  volumes?: Array<string | { source: string; target: string }>;
  deploy?: { replicas?: number };
  healthcheck?: { test: string[] };
}

describe('docker-compose.yml runs what test:production runs', () => {
  let services: Record<string, ComposeService>;
  let tmp: string;

  before(() => {
    tmp = mkdtempSync(path.join(os.tmpdir(), 'parity-'));
    const envFile = path.join(tmp, 'empty.env');
    writeFileSync(envFile, '');
    const text = readFileSync(path.join(root, 'docker-compose.yml'), 'utf8').replace(/^\s*#.*$/gm, '');
    const required = [...new Set([...text.matchAll(/\$\{([A-Z0-9_]+):\?/g)].map((m) => m[1]!))];
    const vars = Object.fromEntries(required.map((name) => [name, name.endsWith('_URL') ? `https://${name.toLowerCase()}.example.test` : `value-of-${name.toLowerCase()}`]));
    const compose = spawnSync('docker-compose', ['--env-file', envFile, '-f', path.join(root, 'docker-compose.yml'), 'config'], {
      cwd: root,
      encoding: 'utf8',
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: tmp, ...vars },
    });
    assert.equal(compose.status, 0, `docker-compose config failed (\`.ci/run\` installs docker-compose):\n${compose.stderr}`);
    // docker-compose (Debian's) is Python and brings PyYAML: the resolved file as JSON.
    const json = spawnSync('python3', ['-c', 'import json, sys, yaml; json.dump(yaml.safe_load(sys.stdin), sys.stdout)'], { input: compose.stdout, encoding: 'utf8' });
    assert.equal(json.status, 0, json.stderr);
    services = (JSON.parse(json.stdout) as { services: Record<string, ComposeService> }).services;
  });
  after(() => rmSync(tmp, { recursive: true, force: true }));

  const sampleAppEnv = () =>
    appEnv({
      databaseUrl: 'postgres://x',
      temporalAddress: 'x:1',
      certDir: '/c',
      publicBaseUrl: 'https://x',
      httpPort: 1,
      secrets: { tokenKeys: 'x', payloadKeys: 'x', serviceJwtPrivateKey: 'x', dskPublicKey: 'x', metaAppSecret: 'x', instagramAppSecret: 'x', verifyToken: 'x', codecToken: 'x', metricsToken: 'x' },
      metaHosts: { META_GRAPH_BASE_URL: 'x', META_DIALOG_BASE_URL: 'x', INSTAGRAM_GRAPH_BASE_URL: 'x', INSTAGRAM_API_BASE_URL: 'x', INSTAGRAM_DIALOG_BASE_URL: 'x', META_MEDIA_HOSTS: 'x' },
      metaApp: { appId: '1', configId: '2', instagramAppId: '3' },
      temporalUiUrl: 'https://x',
      workerMetricsPort: 1,
    });

  test('each service process runs the same command', () => {
    for (const [name, command] of Object.entries(APP_COMMANDS)) {
      assert.deepEqual(services[name]?.command, [...command], `compose service ${name}`);
    }
  });

  test('every service process gets the variables the test sets, apart from the listed differences', () => {
    const testEnv = sampleAppEnv();
    // The api and worker processes set their port per replica in the test; compose has one value each.
    const testKeys = Object.keys(testEnv).filter((k) => !(k in TEST_ONLY));
    for (const name of Object.keys(APP_COMMANDS)) {
      const composeEnv = services[name]!.environment ?? {};
      const composeKeys = Object.keys(composeEnv).filter((k) => !(k in COMPOSE_ONLY));
      assert.deepEqual(composeKeys.sort(), [...testKeys].sort(), `variables of compose service ${name}`);
      for (const key of FIXED_APP_VALUES) assert.equal(composeEnv[key], testEnv[key], `${name}: ${key}`);
    }
  });

  test('lists only real differences: every variable named is one the service reads (or Node reads)', () => {
    for (const key of [...Object.keys(TEST_ONLY), ...Object.keys(COMPOSE_ONLY)]) {
      assert.ok((ENV_VARIABLES as readonly string[]).includes(key) || key === 'NODE_EXTRA_CA_CERTS', key);
    }
  });

  test('runs api and worker as two replicas each, with health checks', () => {
    for (const name of ['api', 'worker']) {
      assert.equal(services[name]!.deploy?.replicas, 2, name);
      assert.ok(services[name]!.healthcheck?.test.length, `${name} has a health check`);
    }
  });

  test('runs the Temporal release the test builds, configured by the same variables and dynamic config file', () => {
    assert.equal(services.temporal!.image, `temporalio/server:${TEMPORAL_SERVER_VERSION}`);
    assert.equal(services['temporal-schema']!.image, `temporalio/admin-tools:${TEMPORAL_SERVER_VERSION}`);
    const testEnv = temporalServerEnv({ pgPort: 1, temporalDbPassword: 'x', certDir: '/c', ports: { grpc: 1, http: 2, membership: [3, 4, 5, 6], history: 7, matching: 8, worker: 9 } });
    const composeEnv = services.temporal!.environment ?? {};
    assert.deepEqual(Object.keys(composeEnv).sort(), Object.keys(testEnv).filter((k) => !(k in TEMPORAL_TEST_ONLY)).sort());
    for (const key of FIXED_TEMPORAL_VALUES) assert.equal(composeEnv[key], testEnv[key], `temporal: ${key}`);
    // Same file: compose mounts temporal/dynamicconfig where DYNAMIC_CONFIG_FILE_PATH points.
    assert.equal(path.basename(composeEnv.DYNAMIC_CONFIG_FILE_PATH!), path.basename(testEnv.DYNAMIC_CONFIG_FILE_PATH!));
    const mount = (services.temporal!.volumes ?? []).map((v) => (typeof v === 'string' ? v : `${v.source}:${v.target}`)).find((v) => v.includes('dynamicconfig'));
    assert.ok(mount?.startsWith(path.join(root, 'temporal/dynamicconfig')) && mount.includes(`:${path.dirname(composeEnv.DYNAMIC_CONFIG_FILE_PATH!)}`), mount);
  });

  test('sets up PostgreSQL roles and Temporal schemas with the scripts the test runs', () => {
    assert.match(JSON.stringify(services['postgres-init']!.command), /-f \/deploy\/init-roles\.sql/);
    assert.deepEqual(services['temporal-schema']!.entrypoint, ['/bin/sh', '/deploy/setup-schema.sh']);
  });
});
