import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { projectRoot } from '../../dev/infra/tools.js';
import { ALL_SEARCH_ATTRIBUTES } from '../../src/shared/search-attributes.js';

const root = projectRoot();
const composeFile = path.join(root, 'docker-compose.yml');
const composeText = readFileSync(composeFile, 'utf8');

/** `docker-compose` (v1, Debian's package) or the `docker compose` plugin, whichever answers. */
function composeCommand(): string[] {
  for (const cmd of [['docker-compose'], ['docker', 'compose']]) {
    const res = spawnSync(cmd[0]!, [...cmd.slice(1), 'version'], { encoding: 'utf8' });
    if (res.status === 0) return cmd;
  }
  assert.fail(
    'neither `docker-compose` nor `docker compose` is available to validate docker-compose.yml; ' +
      '`.ci/run` installs it (apt-get install docker-compose)',
  );
}

/** Every `${VAR:?}` outside comments, i.e. what an operator must provide. */
const composeCode = composeText.replace(/^\s*#.*$/gm, '');
const requiredVars = [...new Set([...composeCode.matchAll(/\$\{([A-Z0-9_]+):\?[^}]*\}/g)].map((m) => m[1]!))].sort();

const dummyValues = (): Record<string, string> =>
  Object.fromEntries(
    requiredVars.map((name) => [
      name,
      name === 'PUBLIC_BASE_URL' ? 'https://meta.example.test' : name === 'TEMPORAL_UI_PUBLIC_URL' ? 'https://temporal.example.test' : `dummy-${name.toLowerCase()}`,
    ]),
  );

describe('docker-compose.yml', () => {
  let compose: string[];
  let tmp: string;
  let emptyEnvFile: string;

  before(() => {
    compose = composeCommand();
    // An empty --env-file keeps a developer's .env (or exported secrets) out of the assertions.
    tmp = mkdtempSync(path.join(os.tmpdir(), 'compose-test-'));
    emptyEnvFile = path.join(tmp, 'empty.env');
    writeFileSync(emptyEnvFile, '');
  });
  after(() => rmSync(tmp, { recursive: true, force: true }));

  const run = (args: string[], vars: Record<string, string>) =>
    spawnSync(compose[0]!, [...compose.slice(1), '--env-file', emptyEnvFile, '-f', composeFile, ...args], {
      cwd: root,
      encoding: 'utf8',
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: tmp, ...vars },
    });

  test('requires the secrets and public URL from the environment instead of defaulting them', () => {
    assert.deepEqual(requiredVars, [
      'ACME_EMAIL',
      'APP_DB_PASSWORD',
      'CODEC_AUTH_TOKEN',
      'DSK_JWT_AUDIENCE',
      'DSK_JWT_ISSUER',
      'META_APP_ID',
      'META_APP_SECRETS',
      'META_CONFIG_ID',
      'META_VERIFY_TOKEN',
      'METRICS_TOKEN',
      'OPERATOR_PASSWORD_HASH',
      'OPERATOR_USER',
      'PAYLOAD_ENCRYPTION_KEYS',
      'POSTGRES_PASSWORD',
      'PUBLIC_BASE_URL',
      'SERVICE_JWT_PRIVATE_KEY',
      'TEMPORAL_DB_PASSWORD',
      'TEMPORAL_UI_PUBLIC_URL',
      'TOKEN_ENCRYPTION_KEYS',
    ]);
    const { POSTGRES_PASSWORD: _omitted, ...withoutOne } = dummyValues();
    const res = run(['config', '-q'], withoutOne);
    assert.notEqual(res.status, 0, 'config must fail without POSTGRES_PASSWORD');
    assert.match(res.stderr, /POSTGRES_PASSWORD/);
    // The message says what to set, not only that something is missing.
    const { META_APP_ID: _appId, ...withoutAppId } = dummyValues();
    const noApp = run(['config', '-q'], withoutAppId);
    assert.notEqual(noApp.status, 0, 'config must fail without META_APP_ID');
    assert.match(noApp.stderr, /set META_APP_ID, the Meta app id \(docs\/deploy\.md step 1\)/);
  });

  test('is valid for the compose parser when the required variables are set', () => {
    const res = run(['config', '-q'], dummyValues());
    assert.equal(res.status, 0, `compose config failed:\n${res.stderr}`);
  });

  test('defines the database, Temporal and service containers', () => {
    const res = run(['config', '--services'], dummyValues());
    assert.equal(res.status, 0, res.stderr);
    assert.deepEqual(res.stdout.trim().split('\n').sort(), [
      'api',
      'caddy',
      'migrate',
      'postgres',
      'postgres-init',
      'prometheus',
      'temporal',
      'temporal-schema',
      'temporal-setup',
      'temporal-ui',
      'worker',
    ]);
  });

  test('points the Web UI at the codec on its own origin, with the operator\'s credentials, and uses the non-deprecated images', () => {
    const res = run(['config'], dummyValues());
    assert.equal(res.status, 0, res.stderr);
    const config = res.stdout;
    // caddy checks the operator's login on the UI's host and forwards /codec to the api with CODEC_AUTH_TOKEN.
    assert.match(config, /TEMPORAL_CODEC_ENDPOINT: https:\/\/temporal\.example\.test\/codec\n/);
    assert.match(config, /TEMPORAL_CODEC_INCLUDE_CREDENTIALS: ['"]true['"]\n/);
    const caddyfile = readFileSync(path.join(root, 'deploy/caddy/Caddyfile'), 'utf8');
    assert.match(caddyfile, /\{\$TEMPORAL_UI_PUBLIC_URL\} \{\n\tbasic_auth \{\n\t\t\{\$OPERATOR_USER\} \{\$OPERATOR_PASSWORD_HASH\}\n\t\}\n\thandle \/codec\/\* \{\n\t\trequest_header Authorization "Bearer \{\$CODEC_AUTH_TOKEN\}"/);
    assert.match(caddyfile, /\{\$PUBLIC_BASE_URL\} \{[\s\S]*handle \/codec\* \{\n\t\trespond 404/, 'the codec is not reachable on the public api host');
    assert.match(config, /image: temporalio\/server:/);
    assert.match(config, /image: temporalio\/ui:/);
    assert.match(config, /image: temporalio\/admin-tools:/);
    assert.match(config, /image: postgres:16\n/);
    assert.doesNotMatch(config, /auto-setup/);
    for (const main of ['main-api', 'main-worker', 'main-migrate', 'main-temporal-setup']) {
      assert.match(config, new RegExp(`- node\\n\\s+- dist/src/${main}\\.js\\n`), `a service runs ${main}`);
    }
    assert.match(config, /DYNAMIC_CONFIG_FILE_PATH: \/etc\/temporal\/config\/dynamicconfig\/production\.yaml/);
    assert.match(config, /- \.?\/?[^\n]*temporal\/dynamicconfig:\/etc\/temporal\/config\/dynamicconfig:ro/);
  });

  test('registers the search attributes with the service\'s own setup command, never a hand-kept list', () => {
    // src/temporal/setup.ts registers ALL_SEARCH_ATTRIBUTES as Keyword; test:production runs it twice on a real cluster.
    assert.match(composeText, /temporal-setup:\n\s+<<: \*app\n\s+command: \["node", "dist\/src\/main-temporal-setup\.js"\]/);
    for (const key of ALL_SEARCH_ATTRIBUTES) assert.doesNotMatch(composeCode, new RegExp(key.name), `${key.name} is not listed by hand in compose`);
  });

  test('enables updates and long ids in the production dynamic config (update-with-start is always on since server 1.32)', () => {
    const yaml = readFileSync(path.join(root, 'temporal/dynamicconfig/production.yaml'), 'utf8');
    for (const [key, value] of [
      ['frontend.enableUpdateWorkflowExecution', 'true'],
      ['frontend.enableUpdateWorkflowExecutionAsyncAccepted', 'true'],
      ['limit.maxIDLength', '1000'],
    ] as const) {
      assert.match(yaml, new RegExp(`^${key.replace(/\./g, '\\.')}:\\n\\s+- value: ${value}$`, 'm'));
    }
    // 1.32 no longer knows the key (it warns "unregistered key"); test:production sends through update-with-start on 1.32 with this file.
    assert.doesNotMatch(yaml, /^frontend\.enableExecuteMultiOperation:/m);
  });

  test('builds an image that runs as the non-root node user from a pruned production install', () => {
    const dockerfile = readFileSync(path.join(root, 'Dockerfile'), 'utf8');
    assert.match(dockerfile, /RUN npm ci\b/);
    assert.match(dockerfile, /npm run build\b/);
    assert.match(dockerfile, /npm run bundle:workflows\b/);
    assert.match(dockerfile, /npm prune --omit=dev\b/);
    assert.match(dockerfile, /^USER node$/m);
  });
});
