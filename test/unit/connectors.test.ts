import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { inspect } from 'node:util';
import { loadConfig } from '../../src/config.js';
import { createMetaEmulator, type MetaEmulator, type RunningMetaEmulator } from '../../dev/meta-emulator/app.js';
import type { ChannelConnector, DiscoveredAsset, StoredAsset } from '../../src/meta/connectors.js';
import { ConnectorError, createConnectors, type ChannelAdapterDeps } from '../../src/meta/adapters.js';
import { adapterDepsFromConfig } from '../../src/runtime-meta.js';
import { DEV_INSTAGRAM_APP_ID, DEV_META_APP_ID, DEV_WHATSAPP_CONFIG_ID } from '../../dev/meta-emulator/app-ids.js';
import { emulatorServiceEnv } from '../../dev/meta-emulator/service-env.js';
import type { PhoneNumberSpec } from '../../dev/meta-emulator/scenario.js';
import { MetaApiError, MetaRequestError } from '../../src/meta/graph/errors.js';
import { createGraphTransport } from '../../src/meta/graph/transport.js';
import { createInstagramLoginApi } from '../../src/meta/instagram/login-api.js';
import type { ConnectFlow } from '../../src/shared/connections.js';
import { authorize, submitConsent } from '../support/meta-dialog.js';

const APP_SECRET = 'connectors-test-meta-app-secret';
const IG_SECRET = 'connectors-test-instagram-app-secret';
const REDIRECT = 'https://integrations.example.test/oauth/callback';
const START = Date.parse('2026-09-01T12:00:00Z');
const DAY = 24 * 60 * 60 * 1000;
/** `expires_in` of long-lived Facebook and Instagram tokens (reference §4.4). */
const LONG_LIVED_MS = 5_183_944 * 1000;

async function rejection<T extends Error>(promise: Promise<unknown>, type: abstract new (...args: never[]) => T): Promise<T> {
  try {
    await promise;
  } catch (err) {
    assert.ok(err instanceof type, `expected ${type.name}, got ${inspect(err)}`);
    return err;
  }
  assert.fail(`expected a ${type.name}`);
}

/** Neither the message, the JSON nor the inspection of an error may carry a secret. */
function assertClean(err: Error, ...secrets: string[]): void {
  const shown = [err.message, JSON.stringify(err), inspect(err, { depth: 5 })].join('\n');
  for (const secret of secrets) assert.ok(!shown.includes(secret), 'a secret leaked into the error');
}

const stored = (asset: DiscoveredAsset): StoredAsset => ({ externalId: asset.externalId, wabaId: asset.wabaId ?? null, pageId: asset.pageId ?? null });

describe('channel connectors against the Meta emulator', () => {
  let emulator: MetaEmulator;
  let running: RunningMetaEmulator;
  let nowMs = START;
  let connectors: Record<ConnectFlow, ChannelConnector>;
  const clock = () => new Date(nowMs);

  function deps(overrides: Partial<ChannelAdapterDeps> = {}): ChannelAdapterDeps {
    return {
      graph: createGraphTransport({ baseUrl: running.url, version: 'v26.0', appSecret: APP_SECRET, timeoutMs: 2_000 }),
      instagram: createInstagramLoginApi({ graphBaseUrl: running.hosts['graph.instagram.com'], apiBaseUrl: running.hosts['api.instagram.com'], version: 'v26.0', timeoutMs: 2_000 }),
      facebookDialogBaseUrl: running.hosts['www.facebook.com'],
      instagramDialogBaseUrl: running.hosts['www.instagram.com'],
      metaApp: { appId: DEV_META_APP_ID, appSecret: APP_SECRET, whatsappConfigId: DEV_WHATSAPP_CONFIG_ID },
      instagramApp: { appId: DEV_INSTAGRAM_APP_ID, appSecret: IG_SECRET },
      clock,
      ...overrides,
    };
  }

  const requestsSince = (since: number) => emulator.state.requests.slice(since).map((r) => `${r.method} ${r.host}${r.path}`);

  before(async () => {
    emulator = createMetaEmulator({
      appSecret: APP_SECRET,
      requireAppSecretProof: true,
      clock,
      metaApp: { redirectUris: [REDIRECT] },
      instagramApp: { secret: IG_SECRET, redirectUris: [REDIRECT] },
    });
    running = await emulator.listen();
    connectors = createConnectors(deps());
  });
  after(async () => {
    await running?.close();
  });
  beforeEach(() => {
    nowMs = START;
    emulator.state.reset();
  });

  describe('whatsapp_embedded_signup', () => {
    const connector = () => connectors.whatsapp_embedded_signup;
    const dialog = (state = 'csrf-state-1') => connector().dialogUrl({ state, redirectUri: REDIRECT });

    it('opens the Facebook Login for Business dialog with the Embedded Signup configuration and extras', () => {
      const url = new URL(dialog());
      assert.equal(`${url.origin}${url.pathname}`, `${running.url}/www.facebook.com/v26.0/dialog/oauth`);
      assert.deepEqual(Object.fromEntries(url.searchParams), {
        client_id: DEV_META_APP_ID,
        redirect_uri: REDIRECT,
        state: 'csrf-state-1',
        config_id: DEV_WHATSAPP_CONFIG_ID,
        response_type: 'code',
        override_default_response_type: 'true',
        extras: '{"setup":{}}',
      });
    });

    it('connects a number end to end: business token, WABA and number, subscription and registration, checks, unsubscribe', async () => {
      const grant = emulator.state.grantFor('whatsapp_embedded_signup');
      const [wabaId] = grant.wabaIds;
      const [phoneId] = grant.phoneNumberIds;
      const redirect = await submitConsent(dialog('state-abc'));
      assert.equal(redirect.params.get('state'), 'state-abc');
      const code = redirect.params.get('code')!;

      const token = await connector().exchangeCode({ code, redirectUri: REDIRECT });
      assert.match(token.accessToken, /^EAAG/);
      assert.deepEqual({ kind: token.kind, expiresAt: token.expiresAt }, { kind: 'business_system_user', expiresAt: null });

      const assets = await connector().discoverAssets(token);
      const number = emulator.state.phoneNumbers.get(phoneId!)!;
      assert.deepEqual(assets, [
        {
          externalId: phoneId,
          displayName: 'Emulator Sandbox',
          phoneNumber: number.displayPhoneNumber,
          wabaId,
          metaUserId: grant.userId,
          verification: {
            code_verification_status: 'VERIFIED',
            quality_rating: 'GREEN',
            name_status: 'APPROVED',
            platform_type: 'CLOUD_API',
            throughput_level: 'STANDARD',
            account_mode: 'LIVE',
          },
          token,
        },
      ]);

      const since = emulator.state.requests.length;
      await connector().activate(assets[0]!);
      // The number is read first: it is registered because it is not on Cloud API yet (P1, P2).
      assert.deepEqual(requestsSince(since), [
        `POST graph.facebook.com/v26.0/${wabaId}/subscribed_apps`,
        `GET graph.facebook.com/v26.0/${phoneId}`,
        `POST graph.facebook.com/v26.0/${phoneId}/register`,
      ]);
      assert.equal(emulator.state.requests.at(-2)!.query.fields, 'id,status,platform_type,code_verification_status,is_on_biz_app,is_pin_enabled');
      assert.ok(emulator.state.isSubscribed(wabaId!));
      assert.equal(number.registered, true);
      assert.match(number.pin!, /^\d{6}$/);
      assert.ok(emulator.state.requests.every((r) => !Object.values(r.query).includes(number.pin!)), 'the PIN never travels in a URL');

      assert.deepEqual(await connector().inspectToken(token.accessToken), { valid: true, expiresAt: null });
      assert.equal(connector().refreshToken, undefined);

      assert.equal(await connector().ensureSubscribed(stored(assets[0]!), token.accessToken), false);
      emulator.state.dropSubscription(wabaId!);
      assert.equal(emulator.state.isSubscribed(wabaId!), false);
      assert.equal(await connector().ensureSubscribed(stored(assets[0]!), token.accessToken), true);
      assert.ok(emulator.state.isSubscribed(wabaId!));

      const beforeUnsubscribe = emulator.state.requests.length;
      await connector().unsubscribe(stored(assets[0]!), token.accessToken);
      assert.deepEqual(requestsSince(beforeUnsubscribe), [`DELETE graph.facebook.com/v26.0/${wabaId}/subscribed_apps`]);
      assert.equal(emulator.state.isSubscribed(wabaId!), false);
    });

    it('offers every number of every granted WABA, newest WABA first, and only the WABAs left ticked', async () => {
      const grant = emulator.state.configureGrant({
        flow: 'whatsapp_embedded_signup',
        assets: [
          { name: 'New WABA', phoneNumbers: [{ verifiedName: 'Acme Sales' }, { verifiedName: 'Acme Support' }] },
          { name: 'Old WABA', phoneNumbers: [{ verifiedName: 'Acme Legacy' }] },
          { name: 'Empty WABA', phoneNumbers: [] },
        ],
      });
      const all = await connector().discoverAssets(await connector().exchangeCode({ code: await authorize(dialog()), redirectUri: REDIRECT }));
      assert.deepEqual(
        all.map((a) => [a.displayName, a.wabaId]),
        [
          ['Acme Sales', grant.wabaIds[0]],
          ['Acme Support', grant.wabaIds[0]],
          ['Acme Legacy', grant.wabaIds[1]],
        ],
      );

      const code = await authorize(dialog(), { assets: [grant.wabaIds[1]!] });
      const some = await connector().discoverAssets(await connector().exchangeCode({ code, redirectUri: REDIRECT }));
      assert.deepEqual(some.map((a) => a.displayName), ['Acme Legacy']);
    });

    it('fails with no_waba_granted when no WABA was shared', async () => {
      const code = await authorize(dialog(), { assets: [] });
      const token = await connector().exchangeCode({ code, redirectUri: REDIRECT });
      const err = await rejection(connector().discoverAssets(token), ConnectorError);
      assert.deepEqual([err.code, err.type, err.nonRetryable], ['no_waba_granted', 'no_waba_granted', true]);
    });

    it('refuses a code after its 30 seconds, a code used twice, and a code with another redirect URI', async () => {
      const late = await authorize(dialog());
      nowMs += 31_000;
      const expired = await rejection(connector().exchangeCode({ code: late, redirectUri: REDIRECT }), MetaApiError);
      assert.deepEqual([expired.code, expired.subcode, expired.errorClass, expired.operation], [100, 36007, 'bad_request', 'exchangeCode']);
      assertClean(expired, late, APP_SECRET);

      const inTime = await authorize(dialog());
      nowMs += 29_000;
      await connector().exchangeCode({ code: inTime, redirectUri: REDIRECT });
      const reused = await rejection(connector().exchangeCode({ code: inTime, redirectUri: REDIRECT }), MetaApiError);
      assert.deepEqual([reused.code, reused.subcode], [100, 36009]);

      const other = await authorize(dialog());
      const mismatch = await rejection(connector().exchangeCode({ code: other, redirectUri: `${REDIRECT}/` }), MetaApiError);
      assert.deepEqual([mismatch.code, mismatch.subcode], [100, 36008]);
      assertClean(mismatch, other, APP_SECRET);
    });

    it('fails a code exchange that reaches nobody with a network error that carries neither the code nor the secret', async () => {
      const nowhere = createConnectors(deps({ graph: createGraphTransport({ baseUrl: 'http://127.0.0.1:1', version: 'v26.0', timeoutMs: 2_000 }) }));
      const err = await rejection(nowhere.whatsapp_embedded_signup.exchangeCode({ code: 'AQsecret-code-value', redirectUri: REDIRECT }), MetaRequestError);
      assert.deepEqual([err.reason, err.operation, err.cause], ['network', 'exchangeCode', undefined]);
      assertClean(err, 'AQsecret-code-value', APP_SECRET);
    });

    it('refuses the exchange with a wrong app secret, keeping the secret and the code out of the error', async () => {
      const wrong = createConnectors(deps({ metaApp: { appId: DEV_META_APP_ID, appSecret: 'not-the-app-secret', whatsappConfigId: DEV_WHATSAPP_CONFIG_ID } }));
      const code = await authorize(dialog());
      const err = await rejection(wrong.whatsapp_embedded_signup.exchangeCode({ code, redirectUri: REDIRECT }), MetaApiError);
      assert.equal(err.code, 1);
      assert.equal(err.metaMessage, 'Error validating client secret.');
      assertClean(err, code, 'not-the-app-secret');
      // The code was not spent by the failed attempt.
      await connector().exchangeCode({ code, redirectUri: REDIRECT });
    });

    it('reports a revoked token as invalid with error 190, and fails calls made with it as reauth', async () => {
      const token = await connector().exchangeCode({ code: await authorize(dialog()), redirectUri: REDIRECT });
      const [asset] = await connector().discoverAssets(token);
      emulator.state.revokeToken(token.accessToken, 460);
      assert.deepEqual(await connector().inspectToken(token.accessToken), { valid: false, expiresAt: null, errorCode: 190 });
      const err = await rejection(connector().ensureSubscribed(stored(asset!), token.accessToken), MetaApiError);
      assert.deepEqual([err.code, err.subcode, err.errorClass], [190, 460, 'reauth']);
      assertClean(err, token.accessToken);
    });

    it('reports the expiry of an expiring business token, and an expired one as invalid', async () => {
      emulator.state.lifetimes.businessSeconds = 60 * 24 * 60 * 60;
      const token = await connector().exchangeCode({ code: await authorize(dialog()), redirectUri: REDIRECT });
      assert.equal(token.expiresAt?.getTime(), START + 60 * DAY);
      assert.deepEqual(await connector().inspectToken(token.accessToken), { valid: true, expiresAt: new Date(START + 60 * DAY) });
      emulator.state.setTokenExpiry(token.accessToken, new Date(START + DAY));
      nowMs = START + 2 * DAY;
      assert.deepEqual(await connector().inspectToken(token.accessToken), { valid: false, expiresAt: new Date(START + DAY), errorCode: 190 });
    });

    /** The asset Embedded Signup hands over for a number of the given kind (a fresh grant). */
    async function numberAsset(spec: PhoneNumberSpec) {
      const grant = emulator.state.configureGrant({ flow: 'whatsapp_embedded_signup', assets: [{ phoneNumbers: [spec] }] });
      const [asset] = await connector().discoverAssets(await connector().exchangeCode({ code: await authorize(dialog()), redirectUri: REDIRECT }));
      return { asset: asset!, number: emulator.state.phoneNumbers.get(grant.phoneNumberIds[0]!)! };
    }
    const registerCalls = (since: number, phoneId: string) => requestsSince(since).filter((r) => r === `POST graph.facebook.com/v26.0/${phoneId}/register`).length;

    it('registers a number once: a repeated activation (activity retry, re-connect) finds it CONNECTED and spends no register call', async () => {
      const { asset, number } = await numberAsset({});
      await connector().activate(asset);
      const pin = number.pin;
      const since = emulator.state.requests.length;
      await connector().activate(asset);
      assert.equal(registerCalls(since, number.id), 0);
      assert.equal(number.pin, pin);
    });

    it('never registers a number already on Cloud API with its own PIN (migrated, connected before), nor a WhatsApp Business app number (P2, C5)', async () => {
      for (const spec of [{ registered: true, pin: '135790' }, { onBizApp: true }]) {
        const { asset, number } = await numberAsset(spec);
        const since = emulator.state.requests.length;
        await connector().activate(asset);
        assert.equal(registerCalls(since, number.id), 0, JSON.stringify(spec));
        assert.ok(emulator.state.isSubscribed(number.wabaId));
      }
    });

    it('asks for the PIN of an unregistered number with two-step verification without a register call, then registers with the PIN the person gives (P3, P5)', async () => {
      const { asset, number } = await numberAsset({ pin: '246810' });
      let since = emulator.state.requests.length;
      const ask = await rejection(connector().activate(asset), ConnectorError);
      assert.deepEqual([ask.code, ask.nonRetryable, ask.message], ['whatsapp_pin_required', true, 'This number has two-step verification: enter its six-digit PIN to finish connecting.']);
      assert.equal(registerCalls(since, number.id), 0);

      since = emulator.state.requests.length;
      const wrong = await rejection(connector().activate(asset, { pin: '111111' }), ConnectorError);
      assert.equal(wrong.code, 'whatsapp_pin_required');
      assert.match(wrong.message, /^That PIN does not match/);
      assert.equal(registerCalls(since, number.id), 1);
      assert.equal(number.registered, false);

      await connector().activate(asset, { pin: '246810' });
      assert.equal(number.registered, true);
    });

    it('tries a deployment-wide WHATSAPP_REGISTRATION_PIN on a number with two-step verification', async () => {
      const { asset, number } = await numberAsset({ pin: '246810' });
      await createConnectors(deps({ whatsappRegistrationPin: '246810' })).whatsapp_embedded_signup.activate(asset);
      assert.equal(number.registered, true);
    });

    it('turns 133015 and 133016 into waits the workflow keeps, not retries (P6, P7)', async () => {
      const pending = await numberAsset({});
      emulator.state.injectFault({ method: 'POST', path: `/v26.0/${pending.number.id}/register`, error: { code: 133015, message: 'Please wait a few minutes before attempting to register this phone number' } });
      const wait = await rejection(connector().activate(pending.asset), ConnectorError);
      assert.deepEqual([wait.code, wait.nonRetryable, wait.details], ['whatsapp_registration_pending', true, [{ waitMs: 5 * 60_000 }]]);

      const limited = await numberAsset({ pin: '246810' });
      // Ten wrong PINs within 72 hours: the eleventh register call is refused whatever the PIN.
      for (let i = 0; i < 10; i += 1) await rejection(connector().activate(limited.asset, { pin: '000000' }), ConnectorError);
      const blocked = await rejection(connector().activate(limited.asset, { pin: '246810' }), ConnectorError);
      assert.deepEqual([blocked.code, blocked.nonRetryable, blocked.details], ['whatsapp_registration_limited', true, [{ waitMs: 72 * 60 * 60_000 }]]);
      assert.equal(limited.number.registered, false);
    });

    it('keeps a transient Graph error from registration a retryable MetaApiError', async () => {
      const token = await connector().exchangeCode({ code: await authorize(dialog()), redirectUri: REDIRECT });
      const [asset] = await connector().discoverAssets(token);
      emulator.state.injectFault({ method: 'POST', path: `/v26.0/${asset!.externalId}/register`, error: { code: 133004, message: 'Server temporarily unavailable' } });
      const err = await rejection(connector().activate(asset!), MetaApiError);
      assert.deepEqual([err.code, err.errorClass, err.isTransient], [133004, 'transient', true]);
    });
  });

  describe('instagram_facebook_login', () => {
    const connector = () => connectors.instagram_facebook_login;
    const dialog = (state = 'csrf-ig-fb') => connector().dialogUrl({ state, redirectUri: REDIRECT });

    it('asks for scopes without a configuration, and for the configuration when one is set', () => {
      const url = new URL(dialog());
      assert.equal(`${url.origin}${url.pathname}`, `${running.url}/www.facebook.com/v26.0/dialog/oauth`);
      assert.deepEqual(Object.fromEntries(url.searchParams), {
        client_id: DEV_META_APP_ID,
        redirect_uri: REDIRECT,
        state: 'csrf-ig-fb',
        response_type: 'code',
        scope: 'instagram_basic,instagram_manage_messages,pages_manage_metadata,pages_show_list,business_management',
      });
      const configured = createConnectors(deps({ metaApp: { appId: DEV_META_APP_ID, appSecret: APP_SECRET, instagramConfigId: '2000000000000002' } }));
      const withConfig = new URL(configured.instagram_facebook_login.dialogUrl({ state: 's', redirectUri: REDIRECT }));
      assert.equal(withConfig.searchParams.get('config_id'), '2000000000000002');
      assert.equal(withConfig.searchParams.get('override_default_response_type'), 'true');
      assert.equal(withConfig.searchParams.has('scope'), false);
    });

    it('connects an Instagram account end to end through its page: long-lived user token, page token, page subscription, unsubscribe', async () => {
      const grant = emulator.state.grantFor('instagram_facebook_login');
      const [pageId] = grant.pageIds;
      const [igId] = grant.instagramAccountIds;
      const code = await authorize(dialog());

      const since = emulator.state.requests.length;
      const token = await connector().exchangeCode({ code, redirectUri: REDIRECT });
      assert.deepEqual(requestsSince(since), ['GET graph.facebook.com/v26.0/oauth/access_token', 'GET graph.facebook.com/v26.0/oauth/access_token']);
      assert.equal(emulator.state.requests.at(-1)!.query.grant_type, 'fb_exchange_token');
      assert.deepEqual({ kind: token.kind, expiresAt: token.expiresAt }, { kind: 'facebook_user', expiresAt: new Date(START + LONG_LIVED_MS) });

      const assets = await connector().discoverAssets(token);
      assert.equal(assets.length, 1);
      const [asset] = assets;
      assert.deepEqual({ ...asset!, token: undefined }, {
        externalId: igId,
        displayName: 'Emulator Sandbox Page',
        username: 'emulator_sandbox',
        pageId,
        metaUserId: grant.userId,
        verification: { page_tasks: 'ANALYZE,ADVERTISE,MESSAGING,MODERATE,CREATE_CONTENT,MANAGE' },
        token: undefined,
      });
      assert.equal(asset!.token.kind, 'facebook_page');
      assert.equal(asset!.token.expiresAt, null);
      assert.notEqual(asset!.token.accessToken, token.accessToken);
      assert.match(asset!.token.accessToken, /^EAAG/);

      await connector().activate(asset!);
      // Page names only (F1): Instagram's messaging_seen / messaging_referral would fail the call with #100.
      assert.deepEqual(emulator.state.pages.get(pageId!)!.subscriptions.get(DEV_META_APP_ID), [
        'messages', 'messaging_postbacks', 'message_reactions', 'message_reads', 'messaging_referrals', 'standby', 'messaging_handovers',
      ]);
      assert.deepEqual(await connector().inspectToken(asset!.token.accessToken), { valid: true, expiresAt: null });
      assert.equal(connector().refreshToken, undefined);

      assert.equal(await connector().ensureSubscribed(stored(asset!), asset!.token.accessToken), false);
      emulator.state.dropSubscription(igId!);
      assert.equal(await connector().ensureSubscribed(stored(asset!), asset!.token.accessToken), true);
      assert.ok(emulator.state.isSubscribed(pageId!));

      const beforeUnsubscribe = emulator.state.requests.length;
      await connector().unsubscribe(stored(asset!), asset!.token.accessToken);
      assert.deepEqual(requestsSince(beforeUnsubscribe), [`DELETE graph.facebook.com/v26.0/${pageId}/subscribed_apps`]);
      assert.equal(emulator.state.isSubscribed(pageId!), false);
    });

    it('offers only pages with an Instagram professional account and a messaging task', async () => {
      const grant = emulator.state.configureGrant({
        flow: 'instagram_facebook_login',
        assets: [
          { name: 'Shop', instagram: { username: 'shop' } },
          { name: 'No Instagram', instagram: null },
          { name: 'Analyst only', tasks: ['ANALYZE'], instagram: { username: 'analyst' } },
          { name: 'Moderator', tasks: ['MODERATE'], instagram: { username: 'moderated' } },
        ],
      });
      const token = await connector().exchangeCode({ code: await authorize(dialog()), redirectUri: REDIRECT });
      const assets = await connector().discoverAssets(token);
      assert.deepEqual(
        assets.map((a) => [a.displayName, a.username, a.pageId]),
        [
          ['Shop', 'shop', grant.pageIds[0]],
          ['Moderator', 'moderated', grant.pageIds[3]],
        ],
      );
    });

    it('restores a subscription that lost a needed field', async () => {
      const token = await connector().exchangeCode({ code: await authorize(dialog()), redirectUri: REDIRECT });
      const [asset] = await connector().discoverAssets(token);
      emulator.state.pages.get(asset!.pageId!)!.subscriptions.set(DEV_META_APP_ID, ['feed']);
      assert.equal(await connector().ensureSubscribed(stored(asset!), asset!.token.accessToken), true);
      assert.ok(emulator.state.pages.get(asset!.pageId!)!.subscriptions.get(DEV_META_APP_ID)!.includes('messages'));
    });

    it('moves a page subscribed with the old Instagram names onto Page names at the next check', async () => {
      const token = await connector().exchangeCode({ code: await authorize(dialog()), redirectUri: REDIRECT });
      const [asset] = await connector().discoverAssets(token);
      // What earlier versions asked for; real Meta refuses it, so only a hand-made subscription can look like this.
      emulator.state.pages.get(asset!.pageId!)!.subscriptions.set(DEV_META_APP_ID, ['messages', 'messaging_postbacks', 'message_reactions']);
      assert.equal(await connector().ensureSubscribed(stored(asset!), asset!.token.accessToken), true);
      assert.deepEqual(emulator.state.pages.get(asset!.pageId!)!.subscriptions.get(DEV_META_APP_ID)!.filter((f) => f === 'standby' || f === 'messaging_handovers'), ['standby', 'messaging_handovers']);
    });

    it('reports a page token that lost its page role as invalid, and fails calls with it as reauth', async () => {
      const token = await connector().exchangeCode({ code: await authorize(dialog()), redirectUri: REDIRECT });
      const [asset] = await connector().discoverAssets(token);
      emulator.state.revokeToken(asset!.token.accessToken, 492);
      assert.deepEqual(await connector().inspectToken(asset!.token.accessToken), { valid: false, expiresAt: null, errorCode: 190 });
      const err = await rejection(connector().ensureSubscribed(stored(asset!), asset!.token.accessToken), MetaApiError);
      assert.deepEqual([err.code, err.subcode, err.errorClass], [190, 492, 'reauth']);
    });
  });

  describe('instagram_login', () => {
    const connector = () => connectors.instagram_login;
    const dialog = (state = 'csrf-ig') => connector().dialogUrl({ state, redirectUri: REDIRECT });

    it('opens the Instagram authorize dialog with the Instagram app and the business scopes', () => {
      const url = new URL(dialog());
      assert.equal(`${url.origin}${url.pathname}`, `${running.url}/www.instagram.com/oauth/authorize`);
      assert.deepEqual(Object.fromEntries(url.searchParams), {
        client_id: DEV_INSTAGRAM_APP_ID,
        redirect_uri: REDIRECT,
        response_type: 'code',
        scope: 'instagram_business_basic,instagram_business_manage_messages',
        state: 'csrf-ig',
      });
    });

    it('connects an account end to end: long-lived token, profile, subscription, expiry, refresh after 24 h, unsubscribe', async () => {
      const grant = emulator.state.grantFor('instagram_login');
      const account = emulator.state.instagramAccounts.get(grant.instagramAccountIds[0]!)!;
      const redirect = await submitConsent(dialog('ig-state'));
      assert.equal(redirect.hash, '#_');
      assert.equal(redirect.params.get('state'), 'ig-state');

      const since = emulator.state.requests.length;
      const token = await connector().exchangeCode({ code: `${redirect.params.get('code')}#_`, redirectUri: REDIRECT });
      assert.deepEqual(requestsSince(since), ['POST api.instagram.com/oauth/access_token', 'GET graph.instagram.com/access_token']);
      assert.match(token.accessToken, /^IGAA/);
      assert.deepEqual({ kind: token.kind, expiresAt: token.expiresAt }, { kind: 'instagram_user', expiresAt: new Date(START + LONG_LIVED_MS) });

      const assets = await connector().discoverAssets(token);
      assert.deepEqual(assets, [
        { externalId: account.id, displayName: 'Emulator Business', username: 'emulator_business', metaUserId: account.appScopedId, verification: {}, token },
      ]);
      assert.match(account.id, /^1784\d{13}$/);

      await connector().activate(assets[0]!);
      assert.deepEqual(account.loginSubscription, [
        'messages', 'messaging_seen', 'message_reactions', 'messaging_postbacks', 'messaging_referral', 'message_edit', 'standby', 'messaging_handover',
      ]);
      assert.deepEqual(await connector().inspectToken(token.accessToken), { valid: true, expiresAt: new Date(START + LONG_LIVED_MS) });

      nowMs = START + 25 * 60 * 60 * 1000;
      const refreshed = await connector().refreshToken!(token.accessToken);
      assert.notEqual(refreshed.accessToken, token.accessToken);
      assert.deepEqual({ kind: refreshed.kind, expiresAt: refreshed.expiresAt }, { kind: 'instagram_user', expiresAt: new Date(nowMs + LONG_LIVED_MS) });
      assert.deepEqual(await connector().inspectToken(refreshed.accessToken), { valid: true, expiresAt: new Date(nowMs + LONG_LIVED_MS) });

      assert.equal(await connector().ensureSubscribed(stored(assets[0]!), refreshed.accessToken), false);
      emulator.state.dropSubscription(account.id);
      assert.equal(await connector().ensureSubscribed(stored(assets[0]!), refreshed.accessToken), true);
      assert.ok(emulator.state.isSubscribed(account.id));

      const beforeUnsubscribe = emulator.state.requests.length;
      await connector().unsubscribe(stored(assets[0]!), refreshed.accessToken);
      assert.deepEqual(requestsSince(beforeUnsubscribe), ['DELETE graph.instagram.com/v26.0/me/subscribed_apps']);
      assert.equal(emulator.state.isSubscribed(account.id), false);
    });

    it('adds standby and messaging_handover to an account subscribed without them', async () => {
      const token = await connector().exchangeCode({ code: await authorize(dialog()), redirectUri: REDIRECT });
      const [asset] = await connector().discoverAssets(token);
      const account = emulator.state.instagramAccounts.get(asset!.externalId)!;
      account.loginSubscription = ['messages', 'messaging_seen', 'message_reactions', 'messaging_postbacks', 'messaging_referral'];
      assert.equal(await connector().ensureSubscribed(stored(asset!), token.accessToken), true);
      assert.ok(account.loginSubscription.includes('standby') && account.loginSubscription.includes('messaging_handover'));
    });

    it('takes the code exchange answer flat as well as wrapped in data', async () => {
      emulator.state.instagramTokenResponse = 'flat';
      const token = await connector().exchangeCode({ code: await authorize(dialog()), redirectUri: REDIRECT });
      assert.equal(token.kind, 'instagram_user');
    });

    it("surfaces Instagram's OAuth error shape for a wrong secret and a reused code, without secrets", async () => {
      const wrong = createConnectors(deps({ instagramApp: { appId: DEV_INSTAGRAM_APP_ID, appSecret: 'wrong-instagram-secret' } }));
      const code = await authorize(dialog());
      const badSecret = await rejection(wrong.instagram_login.exchangeCode({ code, redirectUri: REDIRECT }), MetaApiError);
      assert.deepEqual([badSecret.code, badSecret.type, badSecret.httpStatus, badSecret.metaMessage], [400, 'OAuthException', 400, 'Error validating client secret.']);
      assertClean(badSecret, code, 'wrong-instagram-secret');

      await connector().exchangeCode({ code, redirectUri: REDIRECT });
      const reused = await rejection(connector().exchangeCode({ code, redirectUri: REDIRECT }), MetaApiError);
      assert.deepEqual([reused.code, reused.metaMessage], [400, 'Matching code was not found or was already used']);
      assertClean(reused, code, IG_SECRET);
    });

    it('refuses to refresh a token younger than 24 hours', async () => {
      const token = await connector().exchangeCode({ code: await authorize(dialog()), redirectUri: REDIRECT });
      nowMs += 23 * 60 * 60 * 1000;
      const err = await rejection(connector().refreshToken!(token.accessToken), MetaApiError);
      assert.deepEqual([err.code, err.errorClass, err.operation], [100, 'bad_request', 'refreshToken']);
      assertClean(err, token.accessToken);
    });

    it('reports an expired token as invalid, and fails calls made with it as reauth', async () => {
      const token = await connector().exchangeCode({ code: await authorize(dialog()), redirectUri: REDIRECT });
      const [asset] = await connector().discoverAssets(token);
      nowMs = START + LONG_LIVED_MS + 1000;
      assert.deepEqual(await connector().inspectToken(token.accessToken), { valid: false, expiresAt: new Date(START + LONG_LIVED_MS), errorCode: 190 });
      const err = await rejection(connector().ensureSubscribed(stored(asset!), token.accessToken), MetaApiError);
      assert.deepEqual([err.code, err.subcode, err.errorClass], [190, 463, 'reauth']);
    });

    it('falls back to a profile read when debug_token is not available on graph.instagram.com', async () => {
      const token = await connector().exchangeCode({ code: await authorize(dialog()), redirectUri: REDIRECT });
      emulator.state.injectFault({ host: 'graph.instagram.com', path: '/v26.0/debug_token', times: 2, error: { code: 2500, message: 'Unknown path components: /debug_token' } });
      assert.deepEqual(await connector().inspectToken(token.accessToken), { valid: true, expiresAt: null });
      emulator.state.revokeToken(token.accessToken);
      assert.deepEqual(await connector().inspectToken(token.accessToken), { valid: false, expiresAt: null, errorCode: 190 });
    });
  });

  describe('createConnectors', () => {
    it('refuses every call of a flow it was not configured for with flow_not_configured', async () => {
      const partial = createConnectors(deps({ metaApp: undefined, instagramApp: undefined }));
      for (const flow of ['whatsapp_embedded_signup', 'instagram_facebook_login', 'instagram_login'] as const) {
        assert.equal(partial[flow].flow, flow);
        assert.throws(() => partial[flow].dialogUrl({ state: 's', redirectUri: REDIRECT }), (err: unknown) => err instanceof ConnectorError && err.code === 'flow_not_configured');
        await rejection(partial[flow].inspectToken('EAAGx'), ConnectorError);
      }
      const noConfig = createConnectors(deps({ metaApp: { appId: DEV_META_APP_ID, appSecret: APP_SECRET } }));
      await rejection(noConfig.whatsapp_embedded_signup.exchangeCode({ code: 'c', redirectUri: REDIRECT }), ConnectorError);
      assert.ok(noConfig.instagram_facebook_login.dialogUrl({ state: 's', redirectUri: REDIRECT }).includes('scope='));
    });

    it('builds from the service config pointed at the emulator app (emulatorServiceEnv)', async () => {
      const config = loadConfig({
        NODE_ENV: 'test',
        DATABASE_URL: 'postgres://u:p@127.0.0.1:5432/db',
        TOKEN_ENCRYPTION_KEYS: 'k1:cw_0x689RpI-jtRR7oE8h_eQsKImvJapLeSbXpwF4e4=',
        DSK_JWT_ISSUER: 'dsk',
        DSK_JWT_AUDIENCE: 'mis',
        DSK_JWT_JWKS_URL: 'https://dsk.example.test/.well-known/jwks.json',
        SERVICE_JWT_PRIVATE_KEY: '{"kty":"EC"}',
        META_APP_SECRETS: APP_SECRET,
        META_VERIFY_TOKEN: 'verify-token',
        ...emulatorServiceEnv(running, { instagramAppSecret: IG_SECRET }),
      });
      assert.deepEqual(config.enabledFlows, ['whatsapp_embedded_signup', 'instagram_login', 'instagram_facebook_login']);
      const fromConfig = createConnectors(adapterDepsFromConfig(config, { clock }));
      const es = fromConfig.whatsapp_embedded_signup;
      const token = await es.exchangeCode({ code: await authorize(es.dialogUrl({ state: 's', redirectUri: REDIRECT })), redirectUri: REDIRECT });
      const [asset] = await es.discoverAssets(token);
      await es.activate(asset!);
      assert.ok(emulator.state.isSubscribed(asset!.wabaId!));
      const ig = fromConfig.instagram_login;
      const igToken = await ig.exchangeCode({ code: await authorize(ig.dialogUrl({ state: 's', redirectUri: REDIRECT })), redirectUri: REDIRECT });
      assert.equal((await ig.discoverAssets(igToken)).length, 1);
    });
  });
});
