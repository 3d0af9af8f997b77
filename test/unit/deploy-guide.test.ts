import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { projectRoot } from '../../dev/infra/tools.js';
import { loadConfig } from '../../src/config.js';
import { WHATSAPP_APP_FIELDS } from '../../src/meta/doctor.js';
import { INSTAGRAM_FACEBOOK_LOGIN_SCOPES, PAGE_SUBSCRIBED_FIELDS } from '../../src/meta/instagram/facebook-login.js';
import { INSTAGRAM_LOGIN_SCOPES } from '../../src/meta/instagram/instagram-login.js';
import { INSTAGRAM_SUBSCRIBED_FIELDS } from '../../src/meta/instagram/login-api.js';
import { generateDeploymentSecrets } from '../../src/runtime-secrets.js';

const root = projectRoot();
const guide = readFileSync(path.join(root, 'docs/deploy.md'), 'utf8');
const compose = readFileSync(path.join(root, 'docker-compose.yml'), 'utf8').replace(/^\s*#.*$/gm, '');

/** docs/deploy.md followed literally leaves nothing to guess: these keep it in step with the code. */
describe('docs/deploy.md', () => {
  it('gives every variable docker-compose.yml requires: generated, or in the .env template it prints', async () => {
    const required = [...new Set([...compose.matchAll(/\$\{([A-Z0-9_]+):\?/g)].map((m) => m[1]!))];
    const generated = (await generateDeploymentSecrets()).map(([name]) => name);
    const template = /cat >> \.env <<'EOF'\n([\s\S]*?)\nEOF/.exec(guide)![1]!;
    const templated = [...template.matchAll(/^([A-Z0-9_]+)=/gm)].map((m) => m[1]!);
    assert.deepEqual(required.filter((name) => !generated.includes(name) && !templated.includes(name)), []);
  });

  it('generates secrets the service accepts', async () => {
    const env = Object.fromEntries(await generateDeploymentSecrets());
    const config = loadConfig({
      ...env,
      NODE_ENV: 'production',
      PUBLIC_BASE_URL: 'https://meta.example.test',
      DATABASE_URL: `postgres://meta:${env.APP_DB_PASSWORD}@postgres:5432/meta_integration`,
      DSK_JWT_ISSUER: 'dsk',
      DSK_JWT_AUDIENCE: 'mis',
      DSK_JWT_JWKS_URL: 'https://dsk.example.test/jwks.json',
      META_APP_SECRETS: 'secret',
      CODEC_CORS_ORIGINS: 'https://temporal.example.test',
    });
    assert.equal(config.payloadKeys.length, 1);
    assert.equal(config.tokenKeys.length, 1);
    assert.equal(config.serviceJwt.keyId, env.SERVICE_JWT_KEY_ID);
    assert.ok(config.codec.authToken && config.metrics.token && config.meta.verifyToken.length >= 32);
  });

  it('names the webhook fields the service subscribes and handles, per product', () => {
    for (const fields of [WHATSAPP_APP_FIELDS, PAGE_SUBSCRIBED_FIELDS, INSTAGRAM_SUBSCRIBED_FIELDS]) {
      assert.ok(guide.includes(fields.map((f) => `\`${f}\``).join(', ')), fields.join(', '));
    }
    assert.ok(guide.includes(`-d fields=${WHATSAPP_APP_FIELDS.join(',')}`));
  });

  it('asks App Review for the permissions the connect flows request', () => {
    for (const scope of [...INSTAGRAM_FACEBOOK_LOGIN_SCOPES, ...INSTAGRAM_LOGIN_SCOPES, 'whatsapp_business_management', 'whatsapp_business_messaging']) {
      assert.match(guide, new RegExp(`\\| [^\\n]*\`${scope}\``), scope);
    }
  });

  it('gives Meta the URLs the api serves', () => {
    const routes = ['src/api/routes/meta-webhooks.ts', 'src/api/routes/connect-pages.ts', 'src/api/routes/meta-callbacks.ts', 'src/api/routes/privacy.ts'].map((f) => readFileSync(path.join(root, f), 'utf8')).join('\n');
    for (const urlPath of ['/webhooks/meta', '/oauth/callback', '/meta/deauthorize', '/meta/data-deletion', '/privacy']) {
      assert.ok(guide.includes(`<PUBLIC_BASE_URL>${urlPath}`), urlPath);
      assert.ok(routes.includes(`'${urlPath}'`), `the api serves ${urlPath}`);
    }
  });
});
