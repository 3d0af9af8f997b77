import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadConfig } from '../../src/config.js';
import { configProblems } from '../support/config.js';

const valid = {
  DATABASE_URL: 'postgres://u:p@127.0.0.1:5432/db',
  TOKEN_ENCRYPTION_KEYS: 'k2:cw_0x689RpI-jtRR7oE8h_eQsKImvJapLeSbXpwF4e4=,k1:cw_0x689RpI-jtRR7oE8h_eQsKImvJapLeSbXpwF4e4=',
  DSK_JWT_ISSUER: 'dsk',
  DSK_JWT_AUDIENCE: 'mis',
  DSK_JWT_JWKS_URL: 'https://dsk.example.test/.well-known/jwks.json',
  SERVICE_JWT_PRIVATE_KEY: '{"kty":"EC"}',
  META_APP_SECRETS: 'secret-one, secret-two',
  META_VERIFY_TOKEN: 'verify-token',
};

const problemsOf = configProblems;

describe('loadConfig', () => {
  it('parses a complete environment into a frozen config with defaults', () => {
    const config = loadConfig(valid);
    assert.equal(config.http.port, 3000);
    assert.deepEqual(config.meta.appSecrets, ['secret-one', 'secret-two']);
    assert.deepEqual(config.tokenKeys.map((k) => k.id), ['k2', 'k1']);
    assert.deepEqual(config.dskAuth.key, { kind: 'jwks', url: 'https://dsk.example.test/.well-known/jwks.json' });
    assert.ok(Object.isFrozen(config.meta));
  });

  it('names a missing variable', () => {
    assert.deepEqual(problemsOf({ ...valid, DATABASE_URL: undefined }), ['DATABASE_URL: is required but missing']);
  });

  it('names a malformed variable without echoing its value', () => {
    const problems = problemsOf({ ...valid, HTTP_PORT: 'eighty', TOKEN_ENCRYPTION_KEYS: 'no-colon-here' });
    assert.equal(problems.length, 2);
    assert.match(problems.join('\n'), /^HTTP_PORT: /m);
    assert.match(problems.join('\n'), /^TOKEN_ENCRYPTION_KEYS: expected comma-separated/m);
    assert.doesNotMatch(problems.join('\n'), /no-colon-here/);
  });

  it('refuses a webhook body limit below what Meta sends', () => {
    assert.match(problemsOf({ ...valid, META_WEBHOOK_MAX_BYTES: String(1024 * 1024) })[0]!, /^META_WEBHOOK_MAX_BYTES: Meta sends up to 3 MB/);
  });

  it('requires exactly one source of DSK verification keys', () => {
    assert.match(problemsOf({ ...valid, DSK_JWT_SECRET: 'x'.repeat(40) })[0]!, /set exactly one/);
    assert.match(problemsOf({ ...valid, DSK_JWT_JWKS_URL: undefined })[0]!, /set exactly one/);
  });

  it('refuses symmetric algorithms together with public keys', () => {
    assert.match(problemsOf({ ...valid, DSK_JWT_ALGORITHMS: 'ES256,HS256' })[0]!, /^DSK_JWT_ALGORITHMS: /);
  });

  it('defaults the Graph API to graph.facebook.com v26.0 with lookaside.fbsbx.com as the only media host', () => {
    const { meta } = loadConfig(valid);
    assert.deepEqual(
      { graphBaseUrl: meta.graphBaseUrl, graphVersion: meta.graphVersion, graphTimeoutMs: meta.graphTimeoutMs, mediaOrigins: meta.mediaOrigins },
      { graphBaseUrl: 'https://graph.facebook.com', graphVersion: 'v26.0', graphTimeoutMs: 10_000, mediaOrigins: ['https://lookaside.fbsbx.com'] },
    );
    const local = loadConfig({ ...valid, META_GRAPH_BASE_URL: 'http://127.0.0.1:4010/', META_GRAPH_VERSION: 'v25.0', META_MEDIA_HOSTS: 'lookaside.fbsbx.com, http://127.0.0.1:4011' });
    assert.equal(local.meta.graphBaseUrl, 'http://127.0.0.1:4010');
    assert.equal(local.meta.graphVersion, 'v25.0');
    assert.deepEqual(local.meta.mediaOrigins, ['https://lookaside.fbsbx.com', 'http://127.0.0.1:4011']);
  });

  it('refuses a Graph version, base URL or media host it could not pin down, and plain http in production', () => {
    assert.match(problemsOf({ ...valid, META_GRAPH_VERSION: '26' })[0]!, /^META_GRAPH_VERSION: /);
    assert.match(problemsOf({ ...valid, META_GRAPH_BASE_URL: 'https://graph.facebook.com/v26.0' })[0]!, /^META_GRAPH_BASE_URL: must be an origin/);
    assert.match(problemsOf({ ...valid, META_MEDIA_HOSTS: 'https://cdn.example.test/path' })[0]!, /^META_MEDIA_HOSTS: /);
    assert.match(problemsOf({ ...valid, NODE_ENV: 'production', META_GRAPH_BASE_URL: 'http://127.0.0.1:4010' })[0]!, /must be https in production/);
    assert.match(problemsOf({ ...valid, NODE_ENV: 'production', META_MEDIA_HOSTS: 'http://127.0.0.1:4011' })[0]!, /must be https in production/);
  });

  it('paces outbound sends at Meta\'s default rates unless configured otherwise', () => {
    assert.deepEqual(loadConfig(valid).outbound.rateLimits, {
      whatsappSendsPerSecond: 80,
      whatsappPairIntervalMs: 6000,
      whatsappPairBurst: 45,
      instagramSendsPerSecond: 100,
      instagramMediaSendsPerSecond: 10,
    });
    const configured = loadConfig({
      ...valid,
      WHATSAPP_SENDS_PER_SECOND: '20',
      WHATSAPP_PAIR_INTERVAL_MS: '7000',
      WHATSAPP_PAIR_BURST: '1',
      INSTAGRAM_SENDS_PER_SECOND: '50',
      INSTAGRAM_MEDIA_SENDS_PER_SECOND: '5',
    });
    assert.deepEqual(configured.outbound.rateLimits, {
      whatsappSendsPerSecond: 20,
      whatsappPairIntervalMs: 7000,
      whatsappPairBurst: 1,
      instagramSendsPerSecond: 50,
      instagramMediaSendsPerSecond: 5,
    });
    assert.ok(Object.isFrozen(configured.outbound.rateLimits));
  });

  it('refuses a send rate that is not a positive integer', () => {
    assert.deepEqual(problemsOf({ ...valid, WHATSAPP_SENDS_PER_SECOND: '0' }), ['WHATSAPP_SENDS_PER_SECOND: must be a positive integer']);
    assert.deepEqual(problemsOf({ ...valid, WHATSAPP_PAIR_BURST: '2.5' }), ['WHATSAPP_PAIR_BURST: must be a positive integer']);
    assert.match(problemsOf({ ...valid, INSTAGRAM_MEDIA_SENDS_PER_SECOND: 'ten' })[0]!, /^INSTAGRAM_MEDIA_SENDS_PER_SECOND: /);
    assert.deepEqual(problemsOf({ ...valid, WHATSAPP_PAIR_INTERVAL_MS: '-6000' }), ['WHATSAPP_PAIR_INTERVAL_MS: must be a positive integer']);
  });

  describe('connect flows', () => {
    // Production needs the payload keys; the value only has to be well-formed here.
    const production = { ...valid, NODE_ENV: 'production', PUBLIC_BASE_URL: 'https://integrations.example.test', PAYLOAD_ENCRYPTION_KEYS: `p1:${Buffer.alloc(32, 7).toString('base64')}` };

    it('has no built-in Meta app in any environment: nothing is offered until META_APP_ID is given', () => {
      const config = loadConfig(valid);
      assert.deepEqual(config.enabledFlows, []);
      assert.deepEqual(
        { appId: config.meta.appId, whatsappConfigId: config.meta.whatsappConfigId, instagramConfigId: config.meta.instagramConfigId, dialogBaseUrl: config.meta.dialogBaseUrl },
        { appId: undefined, whatsappConfigId: undefined, instagramConfigId: undefined, dialogBaseUrl: 'https://www.facebook.com' },
      );
      assert.deepEqual(config.instagram, {
        appId: undefined,
        appSecret: undefined,
        graphBaseUrl: 'https://graph.instagram.com',
        apiBaseUrl: 'https://api.instagram.com',
        dialogBaseUrl: 'https://www.instagram.com',
      });
      const withApp = loadConfig({ ...valid, META_APP_ID: '1000000000000001', META_CONFIG_ID: '2000000000000001' });
      assert.deepEqual(withApp.enabledFlows, ['whatsapp_embedded_signup', 'instagram_facebook_login']);
    });

    it('in production offers only what is configured: nothing without META_APP_ID, Embedded Signup only with META_CONFIG_ID', () => {
      assert.deepEqual(loadConfig(production).enabledFlows, []);
      assert.equal(loadConfig(production).meta.appId, undefined);
      assert.deepEqual(loadConfig({ ...production, META_APP_ID: '123456789' }).enabledFlows, ['instagram_facebook_login']);
      assert.deepEqual(loadConfig({ ...production, META_APP_ID: '123456789', META_CONFIG_ID: '987654321' }).enabledFlows, ['whatsapp_embedded_signup', 'instagram_facebook_login']);
      assert.match(problemsOf({ ...production, META_CONFIG_ID: '987654321' })[0]!, /^META_CONFIG_ID \/ META_IG_CONFIG_ID: .*needs META_APP_ID/);
    });

    it('offers Instagram Login first for Instagram when the Instagram app is set, and accepts its secret on webhooks', () => {
      const config = loadConfig({ ...valid, META_APP_ID: '1000000000000001', META_CONFIG_ID: '2000000000000001', INSTAGRAM_APP_ID: '3000000000000001', INSTAGRAM_APP_SECRET: 'instagram-secret' });
      assert.deepEqual(config.enabledFlows, ['whatsapp_embedded_signup', 'instagram_login', 'instagram_facebook_login']);
      assert.deepEqual(config.meta.appSecrets, ['secret-one', 'secret-two', 'instagram-secret']);
      assert.deepEqual(loadConfig({ ...valid, INSTAGRAM_APP_ID: '3', INSTAGRAM_APP_SECRET: 'secret-two' }).meta.appSecrets, ['secret-one', 'secret-two']);
      assert.match(problemsOf({ ...valid, INSTAGRAM_APP_ID: '3000000000000001' })[0]!, /^INSTAGRAM_APP_ID \/ INSTAGRAM_APP_SECRET: /);
      assert.doesNotMatch(problemsOf({ ...valid, INSTAGRAM_APP_SECRET: 'instagram-secret' }).join('\n'), /instagram-secret/);
    });

    it('takes Meta host base URLs with a path prefix (the emulator), and refuses malformed ones and plain http in production', () => {
      const config = loadConfig({ ...valid, META_DIALOG_BASE_URL: 'http://127.0.0.1:4010/www.facebook.com/', INSTAGRAM_API_BASE_URL: 'http://127.0.0.1:4010/api.instagram.com' });
      assert.equal(config.meta.dialogBaseUrl, 'http://127.0.0.1:4010/www.facebook.com');
      assert.equal(config.instagram.apiBaseUrl, 'http://127.0.0.1:4010/api.instagram.com');
      assert.match(problemsOf({ ...valid, INSTAGRAM_GRAPH_BASE_URL: 'ftp://graph.instagram.com' })[0]!, /^INSTAGRAM_GRAPH_BASE_URL: /);
      assert.match(problemsOf({ ...valid, INSTAGRAM_DIALOG_BASE_URL: 'https://www.instagram.com/?x=1' })[0]!, /^INSTAGRAM_DIALOG_BASE_URL: /);
      assert.deepEqual(problemsOf({ ...production, META_DIALOG_BASE_URL: 'http://127.0.0.1:4010/www.facebook.com' }), ['META_DIALOG_BASE_URL: must be https in production']);
    });

    it('takes ids as digits and the registration PIN as 6 digits', () => {
      assert.match(problemsOf({ ...valid, META_APP_ID: 'my-app' })[0]!, /^META_APP_ID: must be a numeric Meta id/);
      assert.match(problemsOf({ ...valid, WHATSAPP_REGISTRATION_PIN: '12345' })[0]!, /^WHATSAPP_REGISTRATION_PIN: must be 6 digits/);
      assert.equal(loadConfig({ ...valid, WHATSAPP_REGISTRATION_PIN: '' }).meta.whatsappRegistrationPin, undefined);
      assert.equal(loadConfig({ ...valid, WHATSAPP_REGISTRATION_PIN: '024680' }).meta.whatsappRegistrationPin, '024680');
    });
  });
});
