import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { createMetaEmulator, type MetaEmulator, type RunningMetaEmulator } from '../../dev/meta-emulator/app.js';
import { DEV_INSTAGRAM_APP_ID, DEV_META_APP_ID } from '../../dev/meta-emulator/app-ids.js';
import { emulatorServiceEnv } from '../../dev/meta-emulator/service-env.js';
import { loadConfig, type Config } from '../../src/config.js';
import { diagnoseMeta, formatFindings, WHATSAPP_APP_FIELDS, type Finding } from '../../src/meta/doctor.js';
import { PAGE_SUBSCRIBED_FIELDS } from '../../src/meta/instagram/facebook-login.js';
import { INSTAGRAM_SUBSCRIBED_FIELDS } from '../../src/meta/instagram/login-api.js';

/**
 * `npm run doctor` against the Meta emulator: what an operator sees before and after setting up the
 * app's webhooks as docs/deploy.md says. The callback is a stand-in that answers Meta's verification
 * handshake with the verify token, as the service's GET /webhooks/meta does.
 */
describe('doctor: a production configuration checked against Meta', () => {
  const metaSecret = 'meta-app-secret-for-doctor';
  const igSecret = 'instagram-app-secret-for-doctor';
  const verifyToken = 'verify-token-for-doctor';
  let emulator: MetaEmulator;
  let meta: RunningMetaEmulator;
  let callbackServer: http.Server;
  let base: string;

  before(async () => {
    emulator = createMetaEmulator({ appSecret: metaSecret, instagramApp: { secret: igSecret } });
    meta = await emulator.listen();
    callbackServer = http.createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://x');
      const ok = url.pathname === '/webhooks/meta' && url.searchParams.get('hub.verify_token') === verifyToken;
      res.writeHead(ok ? 200 : 403).end(ok ? url.searchParams.get('hub.challenge') : '');
    });
    await new Promise<void>((resolve) => callbackServer.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(callbackServer.address() as AddressInfo).port}`;
  });
  after(async () => {
    await meta?.close();
    await new Promise<void>((resolve) => callbackServer?.close(() => resolve()));
  });

  const configFor = (overrides: Record<string, string> = {}): Config =>
    loadConfig({
      DATABASE_URL: 'postgres://x@127.0.0.1/x',
      TOKEN_ENCRYPTION_KEYS: 'k1:cw_0x689RpI-jtRR7oE8h_eQsKImvJapLeSbXpwF4e4=',
      DSK_JWT_ISSUER: 'https://dsk.example.test',
      DSK_JWT_AUDIENCE: 'mis',
      DSK_JWT_PUBLIC_KEY: 'pem',
      SERVICE_JWT_PRIVATE_KEY: '{"kty":"EC"}',
      META_APP_SECRETS: metaSecret,
      META_VERIFY_TOKEN: verifyToken,
      PUBLIC_BASE_URL: base,
      ...emulatorServiceEnv(meta, { instagramAppSecret: igSecret }),
      ...overrides,
    });
  const byCheck = (findings: Finding[]) => Object.fromEntries(findings.map((f) => [f.check, f]));
  const subscribe = async (appId: string, secret: string, object: string, fields: readonly string[], callbackUrl = `${base}/webhooks/meta`) => {
    const res = await fetch(`${meta.url}/v26.0/${appId}/subscriptions`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ object, callback_url: callbackUrl, fields: fields.join(','), verify_token: verifyToken, access_token: `${appId}|${secret}` }),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };

  it('says the webhooks are not set up on a fresh app, and which callback, token and fields to set', async () => {
    const findings = byCheck(await diagnoseMeta(configFor()));
    assert.equal(findings['Meta app: app id and secret']?.level, 'ok');
    assert.equal(findings['Instagram app: app id and secret']?.level, 'ok');
    const wa = findings['Meta app: WhatsApp webhooks']!;
    assert.equal(wa.level, 'error');
    assert.equal(wa.detail, `no "whatsapp_business_account" subscription: set callback URL ${base}/webhooks/meta, META_VERIFY_TOKEN and the fields ${WHATSAPP_APP_FIELDS.join(', ')} in the App Dashboard or with POST /{app-id}/subscriptions (docs/deploy.md step 4)`);
    // Meta offers no API for Instagram webhooks: a warning pointing at the dashboard, not an error.
    assert.equal(findings['Instagram app: Instagram Login webhooks']?.level, 'warning');
    assert.equal(findings['Meta app: Instagram (Facebook Login) webhooks']?.level, 'warning');
    assert.equal(findings['Facebook Login for Business → Settings → Valid OAuth Redirect URIs']?.detail, `${base}/oauth/callback`);
    assert.equal(findings['Data deletion request URL']?.detail, `${base}/meta/data-deletion`);
  });

  it('names the variable when Meta refuses the app secret', async () => {
    const findings = byCheck(await diagnoseMeta(configFor({ META_APP_SECRETS: 'not-the-secret' })));
    const app = findings['Meta app: app id and secret']!;
    assert.equal(app.level, 'error');
    assert.match(app.detail, /^Meta refused META_APP_ID with META_APP_SECRETS \(first entry\) \(HTTP 400, Graph error 1: Error validating client secret\.\)/);
  });

  it('is satisfied once the subscriptions are made as docs/deploy.md says, and warns about a field left out', async () => {
    // Meta verifies the callback with the verify token before it saves a subscription.
    assert.deepEqual(await subscribe(DEV_META_APP_ID, metaSecret, 'whatsapp_business_account', ['messages', 'account_update', 'message_template_status_update']), { status: 200, body: { success: true } });
    assert.equal((await subscribe(DEV_META_APP_ID, metaSecret, 'whatsapp_business_account', ['messages'], `${base}/wrong`)).status, 400, 'a callback that fails the handshake is refused');
    await subscribe(DEV_META_APP_ID, metaSecret, 'instagram', PAGE_SUBSCRIBED_FIELDS);
    await subscribe(DEV_INSTAGRAM_APP_ID, igSecret, 'instagram', INSTAGRAM_SUBSCRIBED_FIELDS);
    const findings = await diagnoseMeta(configFor());
    const checks = byCheck(findings);
    assert.equal(checks['Meta app: WhatsApp webhooks']?.level, 'ok', formatFindings(findings));
    assert.equal(checks['Meta app: Instagram (Facebook Login) webhooks']?.level, 'ok');
    assert.equal(checks['Instagram app: Instagram Login webhooks']?.level, 'ok');
    assert.deepEqual(checks['Meta app: WhatsApp webhook fields'], { level: 'warning', check: 'Meta app: WhatsApp webhook fields', detail: 'not subscribed: phone_number_quality_update (their events never reach DSK)' });
    assert.deepEqual(findings.filter((f) => f.level === 'error'), []);
  });

  it('reports a callback URL that is not this deployment\'s', async () => {
    const findings = byCheck(await diagnoseMeta(configFor({ PUBLIC_BASE_URL: 'http://127.0.0.1:1' })));
    assert.equal(findings['Meta app: WhatsApp webhooks']?.level, 'error');
    assert.match(findings['Meta app: WhatsApp webhooks']!.detail, new RegExp(`^callback URL is ${base}/webhooks/meta, expected http://127\\.0\\.0\\.1:1/webhooks/meta`));
  });
});
