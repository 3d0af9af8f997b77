import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { createMetaEmulator, type MetaEmulator, type RunningMetaEmulator } from '../../dev/meta-emulator/app.js';
import { DEV_INSTAGRAM_APP_ID, DEV_INSTAGRAM_CONFIG_ID, DEV_META_APP_ID, DEV_WHATSAPP_CONFIG_ID } from '../../dev/meta-emulator/app-ids.js';
import { createGraphTransport } from '../../src/meta/graph/transport.js';
import { createWhatsAppCloudApi } from '../../src/meta/whatsapp/cloud-api.js';
import { openConsentPage, submitConsent } from '../support/meta-dialog.js';

const APP_SECRET = 'emulator-oauth-test-app-secret';
const IG_SECRET = 'emulator-oauth-test-instagram-secret';
const REDIRECT = 'https://integrations.example.test/oauth/callback';
const START = Date.parse('2026-09-01T12:00:00Z');

interface GraphErrorJson {
  error: { message: string; type: string; code: number; error_subcode?: number };
}

describe('Meta emulator: OAuth dialogs, token endpoints and onboarding (reference §4, §5, §10)', () => {
  let emulator: MetaEmulator;
  let running: RunningMetaEmulator;
  let nowMs = START;

  const fb = (path: string, init: RequestInit & { token?: string } = {}) => {
    const { token, ...rest } = init;
    return fetch(`${running.url}${path}`, { ...rest, redirect: 'manual', headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(rest.headers as Record<string, string>) } });
  };
  const on = (host: keyof RunningMetaEmulator['hosts'], path: string, init: RequestInit & { token?: string } = {}) => {
    const { token, ...rest } = init;
    return fetch(`${running.hosts[host]}${path}`, { ...rest, redirect: 'manual', headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(rest.headers as Record<string, string>) } });
  };
  const esDialog = (params: Record<string, string> = {}) => {
    const url = new URL(`${running.hosts['www.facebook.com']}/v26.0/dialog/oauth`);
    const all = { client_id: DEV_META_APP_ID, redirect_uri: REDIRECT, state: 'st-1', config_id: DEV_WHATSAPP_CONFIG_ID, response_type: 'code', override_default_response_type: 'true', extras: '{"setup":{}}', ...params };
    for (const [k, v] of Object.entries(all)) if (v !== '') url.searchParams.set(k, v);
    return url.toString();
  };
  const igDialog = (params: Record<string, string> = {}) => {
    const url = new URL(`${running.hosts['www.instagram.com']}/oauth/authorize`);
    const all = { client_id: DEV_INSTAGRAM_APP_ID, redirect_uri: REDIRECT, response_type: 'code', scope: 'instagram_business_basic,instagram_business_manage_messages', state: 'ig-1', ...params };
    for (const [k, v] of Object.entries(all)) url.searchParams.set(k, v);
    return url.toString();
  };
  const exchange = (code: string, redirectUri: string | null = REDIRECT) => {
    const q = new URLSearchParams({ client_id: DEV_META_APP_ID, client_secret: APP_SECRET, code });
    if (redirectUri !== null) q.set('redirect_uri', redirectUri);
    return fb(`/v26.0/oauth/access_token?${q}`);
  };
  const igExchange = (code: string) =>
    on('api.instagram.com', '/oauth/access_token', {
      method: 'POST',
      body: new URLSearchParams({ client_id: DEV_INSTAGRAM_APP_ID, client_secret: IG_SECRET, grant_type: 'authorization_code', redirect_uri: REDIRECT, code }),
    });
  const appToken = `${DEV_META_APP_ID}|${APP_SECRET}`;
  const debug = async (input: string, host: 'graph.facebook.com' | 'graph.instagram.com' = 'graph.facebook.com', token = appToken) =>
    (await (await on(host, `/v26.0/debug_token?input_token=${encodeURIComponent(input)}`, { token })).json()) as { data: Record<string, unknown> };

  before(async () => {
    emulator = createMetaEmulator({ appSecret: APP_SECRET, clock: () => new Date(nowMs), metaApp: { redirectUris: [REDIRECT] }, instagramApp: { secret: IG_SECRET } });
    running = await emulator.listen();
  });
  after(async () => {
    await running?.close();
  });
  beforeEach(() => {
    nowMs = START;
    emulator.state.reset();
  });

  describe('host layout', () => {
    it('serves graph.facebook.com at the root and under its prefix, every other host under its own, and records host and path', async () => {
      assert.deepEqual(running.hosts, {
        'graph.facebook.com': running.url,
        'www.facebook.com': `${running.url}/www.facebook.com`,
        'graph.instagram.com': `${running.url}/graph.instagram.com`,
        'api.instagram.com': `${running.url}/api.instagram.com`,
        'www.instagram.com': `${running.url}/www.instagram.com`,
      });
      const token = emulator.state.issueToken({ kind: 'business_integration' });
      const viaRoot = await debug(token);
      const viaPrefix = (await (await fetch(`${running.url}/graph.facebook.com/v26.0/debug_token?input_token=${token}`, { headers: { authorization: `Bearer ${appToken}` } })).json()) as typeof viaRoot;
      assert.equal(viaRoot.data.is_valid, true);
      assert.deepEqual(viaPrefix, viaRoot);
      await fetch(igDialog());
      assert.deepEqual(
        emulator.state.requests.map((r) => [r.host, r.path, r.status]),
        [
          ['graph.facebook.com', '/v26.0/debug_token', 200],
          ['graph.facebook.com', '/v26.0/debug_token', 200],
          ['www.instagram.com', '/oauth/authorize', 200],
        ],
      );
    });

    it('answers unknown paths per host: Graph JSON, Instagram OAuth JSON, or an HTML page', async () => {
      const graph = await on('graph.instagram.com', '/v26.0/me/nothing');
      assert.equal(((await graph.json()) as GraphErrorJson).error.code, 2500);
      const api = await on('api.instagram.com', '/oauth/nothing');
      assert.deepEqual(await api.json(), { error_type: 'IGApiException', code: 400, error_message: 'Unsupported request: GET /oauth/nothing' });
      const page = await on('www.facebook.com', '/nothing');
      assert.equal(page.status, 404);
      assert.match(page.headers.get('content-type')!, /^text\/html/);
    });

    it('issues random tokens that look like Meta’s: EAAG… for Facebook, IGAA… for Instagram Login', () => {
      const a = emulator.state.issueToken({ kind: 'user' });
      const b = emulator.state.issueToken({ kind: 'user' });
      const ig = emulator.state.issueToken({ kind: 'instagram' });
      assert.match(a, /^EAAG[A-Za-z0-9]{60,}$/);
      assert.notEqual(a, b);
      assert.match(ig, /^IGAA[A-Za-z0-9]{60,}$/);
    });

    it('keeps Instagram-Login tokens off graph.facebook.com and Facebook tokens off graph.instagram.com', async () => {
      const ig = emulator.state.issueToken({ kind: 'instagram' });
      const user = emulator.state.issueToken({ kind: 'user' });
      const onFacebook = await fb('/v26.0/me/accounts', { token: ig });
      assert.equal(((await onFacebook.json()) as GraphErrorJson).error.code, 190);
      const onInstagram = await on('graph.instagram.com', '/v26.0/me?fields=user_id', { token: user });
      assert.equal(((await onInstagram.json()) as GraphErrorJson).error.code, 190);
    });
  });

  describe('dialogs', () => {
    it('renders a consent page listing the granted WABAs and numbers, escaped, with Continue and Cancel buttons', async () => {
      const grant = emulator.state.configureGrant({
        flow: 'whatsapp_embedded_signup',
        assets: [{ name: 'Acme <WABA> & Co', phoneNumbers: [{ displayPhoneNumber: '+1 555-010-0001', verifiedName: 'Acme "Sales"' }, { verifiedName: 'Acme Support' }] }],
      });
      const page = await openConsentPage(esDialog());
      assert.match(page.html, /<button type="submit" name="decision" value="continue">Continue<\/button>/);
      assert.match(page.html, /<button type="submit" name="decision" value="cancel">Cancel<\/button>/);
      assert.ok(page.html.includes('Acme &#60;WABA&#62; &#38; Co'));
      assert.ok(!page.html.includes('<WABA>'));
      assert.ok(page.html.includes('+1 555-010-0001 — Acme &#34;Sales&#34;'));
      for (const id of grant.phoneNumberIds) assert.ok(page.html.includes(`data-phone-number-id="${id}"`));
      assert.deepEqual(page.assets, [{ id: grant.wabaIds[0], checked: true }]);
      assert.equal(page.action, `${running.url}/www.facebook.com/v26.0/dialog/oauth`);
      assert.deepEqual(new Map(page.hidden).get('state'), 'st-1');
    });

    it('lists pages with their Instagram accounts, and the one Instagram-Login account', async () => {
      emulator.state.configureGrant({ flow: 'instagram_facebook_login', assets: [{ name: 'Shop', instagram: { username: 'shop_ig' } }, { name: 'Blog', instagram: null }] });
      const fbPage = await openConsentPage(esDialog({ config_id: DEV_INSTAGRAM_CONFIG_ID, extras: '' }));
      assert.match(fbPage.html, /Shop \(Instagram @shop_ig\)/);
      assert.match(fbPage.html, /Blog \(no Instagram account\)/);
      assert.equal(fbPage.assets.length, 2);
      const scoped = await openConsentPage(esDialog({ config_id: '', extras: '', scope: 'instagram_basic,instagram_manage_messages' }));
      assert.match(scoped.html, /data-flow="instagram_facebook_login"/);
      const igPage = await openConsentPage(igDialog());
      assert.match(igPage.html, /Logged in as <strong>@emulator_business<\/strong>/);
      assert.deepEqual(igPage.assets, []);
    });

    it('redirects Continue with a code and the state, and Cancel with Meta’s access_denied parameters', async () => {
      const ok = await submitConsent(esDialog());
      assert.equal(`${ok.location.origin}${ok.location.pathname}`, REDIRECT);
      assert.match(ok.params.get('code')!, /^AQ[\w-]{100,}$/);
      assert.equal(ok.params.get('state'), 'st-1');
      assert.equal(ok.hash, '');

      const cancelled = await submitConsent(esDialog(), { decision: 'cancel' });
      assert.equal(cancelled.location.search, '?error=access_denied&error_code=200&error_description=Permissions+error&error_reason=user_denied&state=st-1');

      const igCancelled = await submitConsent(igDialog(), { decision: 'cancel' });
      assert.equal(igCancelled.location.search, '?error=access_denied&error_reason=user_denied&error_description=The+user+denied+your+request&state=ig-1');
      assert.equal(igCancelled.hash, '#_');
      const igOk = await submitConsent(igDialog());
      assert.ok(igOk.params.get('code'));
      assert.equal(igOk.hash, '#_');
    });

    it('accepts the consent POST directly, without the page', async () => {
      const url = new URL(esDialog());
      const body = new URLSearchParams(url.searchParams);
      body.set('decision', 'continue');
      const res = await fetch(`${url.origin}${url.pathname}`, { method: 'POST', body, redirect: 'manual' });
      assert.equal(res.status, 302);
      assert.ok(new URL(res.headers.get('location')!).searchParams.get('code'));
    });

    it('redirects at once when told to approve or cancel every dialog', async () => {
      emulator.state.dialogBehaviour = 'approve';
      const approved = await fetch(esDialog(), { redirect: 'manual' });
      assert.equal(approved.status, 302);
      assert.ok(new URL(approved.headers.get('location')!).searchParams.get('code'));
      emulator.state.dialogBehaviour = 'cancel';
      const cancelled = await fetch(igDialog(), { redirect: 'manual' });
      assert.equal(new URL(cancelled.headers.get('location')!).searchParams.get('error'), 'access_denied');
    });

    it('shows an HTML error page, and never redirects, for an unknown app, a redirect URI not registered, or an unknown configuration', async () => {
      const cases: Array<[string, string]> = [
        [esDialog({ client_id: '999' }), 'Invalid App ID'],
        [esDialog({ redirect_uri: `${REDIRECT}/` }), 'URL Blocked'],
        [esDialog({ redirect_uri: 'https://evil.example.test/cb' }), 'URL Blocked'],
        [esDialog({ config_id: '123' }), 'Invalid configuration'],
        [esDialog({ extras: '{not json' }), 'Invalid extras'],
        [igDialog({ client_id: DEV_META_APP_ID }), 'Invalid request'],
        [igDialog({ scope: 'business_basic' }), 'Invalid request'],
      ];
      for (const [url, title] of cases) {
        const res = await fetch(url, { redirect: 'manual' });
        assert.equal(res.status, 400, url);
        assert.match(res.headers.get('content-type')!, /^text\/html/);
        assert.match(await res.text(), new RegExp(`<h1 id="error-title">${title}</h1>`));
      }
    });
  });

  describe('code exchange', () => {
    it('exchanges an Embedded Signup code once, within 30 seconds, with the same redirect URI', async () => {
      const code = (await submitConsent(esDialog())).params.get('code')!;
      const missingRedirect = await exchange(code, null);
      assert.equal(((await missingRedirect.json()) as GraphErrorJson).error.error_subcode, 36008);
      const ok = await exchange(code);
      const body = (await ok.json()) as Record<string, unknown>;
      assert.deepEqual(Object.keys(body).sort(), ['access_token', 'token_type']);
      const again = await exchange(code);
      assert.deepEqual(((await again.json()) as GraphErrorJson).error.error_subcode, 36009);

      const late = (await submitConsent(esDialog())).params.get('code')!;
      nowMs += 30_000;
      assert.equal(((await (await exchange(late)).json()) as GraphErrorJson).error.error_subcode, 36007);
    });

    it('keeps Instagram codes for an hour and answers in Instagram’s error shape', async () => {
      const code = (await submitConsent(igDialog())).params.get('code')!;
      nowMs += 59 * 60 * 1000;
      const ok = await igExchange(code);
      const grant = ((await ok.json()) as { data: Array<{ access_token: string; user_id: string; permissions: string }> }).data[0]!;
      assert.match(grant.access_token, /^IGAA/);
      assert.equal(grant.permissions, 'instagram_business_basic,instagram_business_manage_messages');
      const reused = await igExchange(code);
      assert.equal(reused.status, 400);
      assert.deepEqual(await reused.json(), { error_type: 'OAuthException', code: 400, error_message: 'Matching code was not found or was already used' });

      const late = (await submitConsent(igDialog())).params.get('code')!;
      nowMs += 61 * 60 * 1000;
      assert.deepEqual(await (await igExchange(late)).json(), { error_type: 'OAuthException', code: 400, error_message: 'This authorization code has expired' });
    });

    it('extends a live user token with fb_exchange_token to about 60 days, and refuses an expired one', async () => {
      const short = emulator.state.issueToken({ kind: 'user', appId: DEV_META_APP_ID, expiresAt: new Date(START + 3600_000) });
      const q = (token: string) => new URLSearchParams({ grant_type: 'fb_exchange_token', client_id: DEV_META_APP_ID, client_secret: APP_SECRET, fb_exchange_token: token });
      const ok = (await (await fb(`/v26.0/oauth/access_token?${q(short)}`)).json()) as { access_token: string; expires_in: number };
      assert.equal(ok.expires_in, 5_183_944);
      assert.equal(emulator.state.tokens.get(ok.access_token)!.longLived, true);
      nowMs += 2 * 3600_000;
      const expired = (await (await fb(`/v26.0/oauth/access_token?${q(short)}`)).json()) as GraphErrorJson;
      assert.deepEqual([expired.error.code, expired.error.error_subcode], [190, 463]);
    });
  });

  describe('debug_token', () => {
    it('describes a live token, and answers 200 with is_valid false for unknown, revoked and expired ones', async () => {
      const token = emulator.state.issueToken({ kind: 'business_integration', appId: DEV_META_APP_ID, userId: '42', scopes: ['whatsapp_business_management'], granularScopes: [{ scope: 'whatsapp_business_management', targetIds: ['1', '2'] }] });
      assert.deepEqual((await debug(token)).data, {
        app_id: DEV_META_APP_ID,
        type: 'SYSTEM_USER',
        application: 'Emulator Meta App',
        data_access_expires_at: 0,
        expires_at: 0,
        issued_at: START / 1000,
        user_id: '42',
        is_valid: true,
        scopes: ['whatsapp_business_management'],
        granular_scopes: [{ scope: 'whatsapp_business_management', target_ids: ['1', '2'] }],
      });
      assert.deepEqual((await debug('EAAGnotatoken')).data, { is_valid: false, scopes: [], error: { code: 190, message: 'Invalid OAuth access token.' } });
      emulator.state.revokeToken(token, 458);
      assert.deepEqual((await debug(token)).data.error, { code: 190, subcode: 458, message: 'Error validating access token: The user has not authorized application.' });
      const expiring = emulator.state.issueToken({ kind: 'user', expiresAt: new Date(START + 1000) });
      nowMs += 2000;
      const expired = (await debug(expiring)).data;
      assert.deepEqual([expired.is_valid, expired.expires_at, (expired.error as { subcode: number }).subcode], [false, START / 1000 + 1, 463]);
    });

    it('needs the app token (or a live token) and input_token; graph.instagram.com takes the Instagram app token', async () => {
      const token = emulator.state.issueToken({ kind: 'user' });
      const wrongApp = (await (await fb(`/v26.0/debug_token?input_token=${token}`, { token: `${DEV_META_APP_ID}|nope` })).json()) as GraphErrorJson;
      assert.equal(wrongApp.error.code, 190);
      const noInput = (await (await fb('/v26.0/debug_token', { token: appToken })).json()) as GraphErrorJson;
      assert.equal(noInput.error.code, 100);
      const ig = emulator.state.issueToken({ kind: 'instagram' });
      assert.equal((await debug(ig, 'graph.instagram.com', `${DEV_INSTAGRAM_APP_ID}|${IG_SECRET}`)).data.is_valid, true);
      assert.equal((await debug(ig, 'graph.facebook.com')).data.is_valid, false);
    });
  });

  describe('onboarding endpoints', () => {
    it('pages through phone numbers with cursors, and the Graph client follows them', async () => {
      const grant = emulator.state.configureGrant({ flow: 'whatsapp_embedded_signup', assets: [{ phoneNumbers: Array.from({ length: 120 }, () => ({})) }] });
      const token = emulator.state.issueToken({ kind: 'business_integration', assets: grant.wabaIds });
      const first = (await (await fb(`/v26.0/${grant.wabaIds[0]}/phone_numbers?limit=100&fields=id,verified_name`, { token })).json()) as { data: Array<{ id: string }>; paging: { next?: string; cursors: { after: string } } };
      assert.equal(first.data.length, 100);
      assert.ok(first.paging.next);
      const second = (await (await fb(`/v26.0/${grant.wabaIds[0]}/phone_numbers?limit=100&after=${first.paging.cursors.after}`, { token })).json()) as typeof first;
      assert.equal(second.data.length, 20);
      assert.equal(second.paging.next, undefined);
      const client = createWhatsAppCloudApi(createGraphTransport({ baseUrl: running.url, version: 'v26.0', appSecret: APP_SECRET }));
      assert.deepEqual((await client.listPhoneNumbers(token, grant.wabaIds[0]!)).map((n) => n.id), grant.phoneNumberIds);
    });

    it('registers a number with messaging_product and a 6-digit PIN, and answers 133005 for another PIN', async () => {
      const [pn] = emulator.state.grantFor('whatsapp_embedded_signup').phoneNumberIds;
      const token = emulator.state.issueToken({ kind: 'business_integration' });
      const register = (body: unknown) => fb(`/v26.0/${pn}/register`, { method: 'POST', token, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      assert.equal(((await (await register({ pin: '123456' })).json()) as GraphErrorJson).error.code, 100);
      assert.equal(((await (await register({ messaging_product: 'whatsapp', pin: '12345' })).json()) as GraphErrorJson).error.code, 100);
      assert.deepEqual(await (await register({ messaging_product: 'whatsapp', pin: '123456' })).json(), { success: true });
      const mismatch = await register({ messaging_product: 'whatsapp', pin: '654321' });
      assert.equal(mismatch.status, 400);
      assert.equal(((await mismatch.json()) as GraphErrorJson).error.code, 133005);
      assert.equal(emulator.state.phoneNumbers.get(pn!)!.pin, '123456');
    });

    it('lists pages with page tokens that do not expire when derived from a long-lived user token', async () => {
      const [pageId] = emulator.state.grantFor('instagram_facebook_login').pageIds;
      const short = emulator.state.issueToken({ kind: 'user', expiresAt: new Date(START + 3600_000) });
      const long = emulator.state.issueToken({ kind: 'user', longLived: true, expiresAt: new Date(START + 60 * 86_400_000) });
      const pages = async (token: string) =>
        ((await (await fb('/v26.0/me/accounts?fields=id,name,access_token,tasks,instagram_business_account{id,username}', { token })).json()) as { data: Array<Record<string, unknown>> }).data;
      const [fromShort] = await pages(short);
      const [fromLong] = await pages(long);
      assert.deepEqual(Object.keys(fromLong!).sort(), ['access_token', 'id', 'instagram_business_account', 'name', 'tasks']);
      assert.deepEqual(fromLong!.instagram_business_account, { id: emulator.state.pages.get(pageId!)!.instagramAccountId, username: 'emulator_sandbox' });
      assert.equal(emulator.state.tokens.get(fromLong!.access_token as string)!.expiresAt, null);
      assert.equal(emulator.state.tokens.get(fromShort!.access_token as string)!.expiresAt?.getTime(), START + 3600_000);
      assert.equal((await pages(long))[0]!.access_token, fromLong!.access_token);
    });

    it('takes only a page token on a page’s subscribed_apps, with known subscribed_fields', async () => {
      const [pageId] = emulator.state.grantFor('instagram_facebook_login').pageIds;
      const user = emulator.state.issueToken({ kind: 'user', longLived: true });
      const pageToken = emulator.state.issueToken({ kind: 'page', profileId: pageId!, appId: DEV_META_APP_ID });
      const withUser = (await (await fb(`/v26.0/${pageId}/subscribed_apps?subscribed_fields=messages`, { method: 'POST', token: user })).json()) as GraphErrorJson;
      assert.equal(withUser.error.code, 210);
      const noFields = (await (await fb(`/v26.0/${pageId}/subscribed_apps`, { method: 'POST', token: pageToken })).json()) as GraphErrorJson;
      assert.equal(noFields.error.code, 100);
      const badField = (await (await fb(`/v26.0/${pageId}/subscribed_apps?subscribed_fields=messages,nonsense`, { method: 'POST', token: pageToken })).json()) as GraphErrorJson;
      assert.match(badField.error.message, /subscribed_fields\[1\]/);
      assert.deepEqual(await (await fb(`/v26.0/${pageId}/subscribed_apps?subscribed_fields=messages`, { method: 'POST', token: pageToken })).json(), { success: true });
      const listed = (await (await fb(`/v26.0/${pageId}/subscribed_apps`, { token: pageToken })).json()) as { data: Array<{ id: string; subscribed_fields: string[] }> };
      assert.deepEqual(listed.data.map((d) => [d.id, d.subscribed_fields]), [[DEV_META_APP_ID, ['messages']]]);
    });

    it('refuses Instagram field names on a page with #100, whole call, as Meta does (F1, F2)', async () => {
      const [pageId] = emulator.state.grantFor('instagram_facebook_login').pageIds;
      const pageToken = emulator.state.issueToken({ kind: 'page', profileId: pageId!, appId: DEV_META_APP_ID });
      for (const [fields, index, got] of [['messages,messaging_seen', 1, 'messaging_seen'], ['messaging_referral', 0, 'messaging_referral'], ['messages,messaging_handover', 1, 'messaging_handover']] as const) {
        const res = await fb(`/v26.0/${pageId}/subscribed_apps?subscribed_fields=${fields}`, { method: 'POST', token: pageToken });
        const body = (await res.json()) as GraphErrorJson;
        assert.equal(res.status, 400);
        assert.equal(body.error.code, 100);
        assert.match(body.error.message, new RegExp(`^\\(#100\\) Param subscribed_fields\\[${index}\\] must be one of \\{feed, mention, name, picture, .* - got "${got}"$`));
      }
      assert.equal(emulator.state.pages.get(pageId!)!.subscriptions.has(DEV_META_APP_ID), false, 'nothing is subscribed by a refused call');
      const pageNames = 'messages,messaging_postbacks,message_reactions,message_reads,messaging_referrals,standby,messaging_handovers';
      assert.deepEqual(await (await fb(`/v26.0/${pageId}/subscribed_apps?subscribed_fields=${pageNames}`, { method: 'POST', token: pageToken })).json(), { success: true });
    });

    it('refuses Messenger field names on an Instagram Login account (F5, F7)', async () => {
      const account = emulator.state.instagramAccounts.get(emulator.state.grantFor('instagram_login').instagramAccountIds[0]!)!;
      const token = emulator.state.issueToken({ kind: 'instagram', assets: [account.id] });
      const ig = (path: string) => fetch(`${running.hosts['graph.instagram.com']}${path}`, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
      const refused = (await (await ig('/v26.0/me/subscribed_apps?subscribed_fields=messages,message_reads')).json()) as GraphErrorJson;
      assert.equal(refused.error.code, 100);
      assert.match(refused.error.message, /subscribed_fields\[1\] .* - got "message_reads"$/);
      assert.equal(account.loginSubscription, undefined);
      const names = 'messages,messaging_seen,message_reactions,messaging_postbacks,messaging_referral,message_edit,standby,messaging_handover';
      assert.deepEqual(await (await ig(`/v26.0/me/subscribed_apps?subscribed_fields=${names}`)).json(), { success: true });
    });

    it('lists a WABA’s subscribed apps the way WhatsApp nests them, and drops them on request', async () => {
      const [wabaId] = emulator.state.grantFor('whatsapp_embedded_signup').wabaIds;
      const token = emulator.state.issueToken({ kind: 'business_integration', appId: DEV_META_APP_ID });
      await fb(`/v26.0/${wabaId}/subscribed_apps`, { method: 'POST', token });
      const listed = (await (await fb(`/v26.0/${wabaId}/subscribed_apps`, { token })).json()) as { data: Array<{ whatsapp_business_api_data: { id: string; name: string } }> };
      assert.deepEqual(listed.data.map((d) => d.whatsapp_business_api_data.id), [DEV_META_APP_ID]);
      emulator.state.dropSubscription(emulator.state.wabas.get(wabaId!)!.phoneNumberIds[0]!);
      assert.deepEqual(await (await fb(`/v26.0/${wabaId}/subscribed_apps`, { token })).json(), { data: [] });
    });
  });
});
