import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { createMetaEmulator, type MetaEmulator, type RunningMetaEmulator } from '../../dev/meta-emulator/app.js';
import { CONNECT_COOKIE } from '../../src/api/routes/connect-pages.js';
import { connectionWorkflowId } from '../../src/shared/ids.js';
import { dskApi } from '../support/connect.js';
import { startDskFake, type DskFake } from '../support/dsk-fake.js';
import { metaEmulatorEnv } from '../support/meta-env.js';
import { startTestService, uniqueMetaId, type TestService } from '../support/service.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/**
 * The connect flow as a person lives it, in a real headless Chromium: DSK creates a connection, the
 * person opens the connect link, is sent to Meta's dialog (the emulator's consent page), clicks
 * Continue, and comes back to the service's outcome page. Real PostgreSQL and Temporal; Meta and DSK
 * are the fakes.
 */
describe('connecting channels in a browser (Chromium, Meta emulator, real PostgreSQL and Temporal)', () => {
  let emulator: MetaEmulator;
  let meta: RunningMetaEmulator;
  let service: TestService;
  let dsk: DskFake;
  let browser: Browser;
  let profileDir: string;
  const instanceA = `inst-browser-a-${uniqueMetaId()}`;
  const instanceB = `inst-browser-b-${uniqueMetaId()}`;

  before(async () => {
    // Meta's app secret is both the webhook signing key and the OAuth client secret the emulator checks.
    const metaAppSecret = randomBytes(16).toString('hex');
    emulator = createMetaEmulator({ appSecret: metaAppSecret });
    meta = await emulator.listen();
    service = await startTestService({ env: metaEmulatorEnv(meta), metaAppSecret });
    dsk = await startDskFake({ jwks: () => service.foundation.signingKey.publicJwks(), issuer: service.config.serviceJwt.issuer, audience: service.config.serviceJwt.audience });
    await service.foundation.repos.instances.setEventsUrl(instanceA, dsk.url);
    profileDir = await mkdtemp(path.join(os.tmpdir(), 'mis-chromium-'));
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
  });
  after(async () => {
    await browser?.close();
    await service?.stop();
    await dsk?.close();
    await meta?.close();
    if (profileDir) await rm(profileDir, { recursive: true, force: true });
  });

  const api = (instanceId: string, method: string, urlPath: string, body?: unknown) => dskApi(service, instanceId, method, urlPath, body);

  /** Cookies the service set, by name, as seen in its responses. */
  function watchServiceCookies(page: Page): string[] {
    const names: string[] = [];
    page.on('response', async (response) => {
      if (!response.url().startsWith(service.baseUrl)) return;
      const header = await response.headerValue('set-cookie');
      for (const line of header?.split('\n') ?? []) names.push(line.split('=')[0]!.trim());
    });
    return names;
  }

  async function connectInBrowser(context: BrowserContext, channelType: 'whatsapp' | 'instagram') {
    const created = await api(instanceA, 'POST', '/v1/connections', { channel_type: channelType, return_url: 'https://dsk.example.test/return' });
    assert.equal(created.status, 201);
    const page = await context.newPage();
    const cookieNames = watchServiceCookies(page);
    await page.goto(String(created.body.connect_url));
    await page.getByRole('link', { name: 'Continue with Meta' }).click();
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByRole('heading', { name: 'Channel connected' }).waitFor();
    const returnLink = await page.getByRole('link', { name: 'Return to your platform' }).getAttribute('href');
    return { connectionId: String(created.body.connection_id), page, cookieNames, returnLink: new URL(returnLink!) };
  }

  it('connects a WhatsApp number: token stored encrypted, app subscribed and number registered, DSK told, session gone', async () => {
    const grant = emulator.state.configureGrant({ flow: 'whatsapp_embedded_signup', assets: [{ phoneNumbers: [{ verifiedName: 'Acme Sales' }] }] });
    const context = await browser.newContext();
    const { connectionId, cookieNames, returnLink } = await connectInBrowser(context, 'whatsapp');

    assert.deepEqual([...new Set(cookieNames)], [CONNECT_COOKIE], 'the only cookie set is the technical one');
    assert.deepEqual((await context.cookies()).map((c) => c.name), [], 'and it is gone once connected');
    assert.equal(returnLink.searchParams.get('connection_id'), connectionId);
    assert.equal(returnLink.searchParams.get('status'), 'active');

    const connection = await api(instanceA, 'GET', `/v1/connections/${connectionId}`);
    assert.equal(connection.body.status, 'active');
    const channelId = String(connection.body.channel_id);
    const channel = await api(instanceA, 'GET', `/v1/channels/${channelId}`);
    assert.equal(channel.body.external_id, grant.phoneNumberIds[0]);
    assert.equal(channel.body.waba_id, grant.wabaIds[0]);
    assert.equal(channel.body.display_name, 'Acme Sales');
    assert.equal(channel.body.status, 'active');

    const { rows } = await service.foundation.pool.query<{ token_ciphertext: string }>(`SELECT token_ciphertext FROM channels WHERE id = $1`, [channelId]);
    assert.match(rows[0]!.token_ciphertext, /^fernet:test1:/);
    const token = service.foundation.vault.decrypt(rows[0]!.token_ciphertext);
    assert.match(token, /^EAAG/);
    assert.ok(emulator.state.isSubscribed(grant.wabaIds[0]!), 'app subscribed to the WABA');
    assert.ok(emulator.state.requests.some((r) => r.method === 'POST' && r.path.endsWith(`/${grant.phoneNumberIds[0]}/register`)), 'number registered');
    assert.equal((await service.foundation.pool.query(`SELECT 1 FROM connection_sessions WHERE connection_id = $1`, [connectionId])).rowCount, 0);

    await dsk.waitFor(() => dsk.accepted.some((d) => d.body.type === 'channel.status' && (d.body.channel as { id: string }).id === channelId));
    const event = dsk.accepted.find((d) => d.body.type === 'channel.status' && (d.body.channel as { id: string }).id === channelId)!;
    assert.deepEqual(event.body.data, { status: 'active', reason: 'connected' });

    const history = JSON.stringify(await service.client.workflow.getHandle(connectionWorkflowId(connectionId)).fetchHistory());
    assert.ok(!history.includes(token), 'the access token is not in the workflow history');
    for (const code of emulator.state.codes.keys()) assert.ok(!history.includes(code), 'no OAuth code is in the workflow history');
    await context.close();
  });

  it('connects an Instagram account through Facebook Login and disconnects it: unsubscribed, token destroyed', async () => {
    const grant = emulator.state.configureGrant({ flow: 'instagram_facebook_login', assets: [{ name: 'Acme Page', instagram: { username: `acme_${uniqueMetaId().slice(-6)}` } }] });
    const context = await browser.newContext();
    const { connectionId, cookieNames } = await connectInBrowser(context, 'instagram');
    assert.deepEqual([...new Set(cookieNames)], [CONNECT_COOKIE]);
    const channelId = String((await api(instanceA, 'GET', `/v1/connections/${connectionId}`)).body.channel_id);
    const channel = await api(instanceA, 'GET', `/v1/channels/${channelId}`);
    assert.equal(channel.body.external_id, grant.instagramAccountIds[0]);
    assert.equal(channel.body.page_id, grant.pageIds[0]);
    assert.ok(emulator.state.isSubscribed(grant.pageIds[0]!), 'app subscribed to the page');

    const data = await api(instanceA, 'GET', `/v1/channels/${channelId}/data`);
    assert.deepEqual(Object.keys(data.body.token as object).sort(), ['encryption_key_id', 'expires_at', 'kind', 'last_checked_at', 'present']);
    assert.equal((data.body.token as { kind: string }).kind, 'facebook_page');
    assert.ok(!JSON.stringify(data.body).includes('EAAG'), 'the data view never shows a token');

    const deleted = await api(instanceA, 'DELETE', `/v1/channels/${channelId}`);
    assert.equal(deleted.status, 202);
    await waitUntil(async () => (await api(instanceA, 'GET', `/v1/channels/${channelId}`)).body.status === 'disconnected');
    const { rows } = await service.foundation.pool.query(`SELECT token_ciphertext, token_key_id FROM channels WHERE id = $1`, [channelId]);
    assert.deepEqual(rows[0], { token_ciphertext: null, token_key_id: null });
    assert.ok(!emulator.state.isSubscribed(grant.pageIds[0]!), 'the unsubscribe reached Meta');
    assert.ok(emulator.state.requests.some((r) => r.method === 'DELETE' && r.path.endsWith(`/${grant.pageIds[0]}/subscribed_apps`)));
    const final = await service.client.workflow.getHandle(connectionWorkflowId(connectionId)).result();
    assert.equal(final.phase, 'disconnected');
    await context.close();
  });

  it('keeps another instance from seeing, correcting or disconnecting the channel', async () => {
    emulator.state.configureGrant({ flow: 'whatsapp_embedded_signup', assets: [{ phoneNumbers: [{}] }] });
    const context = await browser.newContext();
    const { connectionId } = await connectInBrowser(context, 'whatsapp');
    await context.close();
    const channelId = String((await api(instanceA, 'GET', `/v1/connections/${connectionId}`)).body.channel_id);
    assert.equal((await api(instanceB, 'GET', `/v1/connections/${connectionId}`)).status, 404);
    assert.equal((await api(instanceB, 'GET', `/v1/channels/${channelId}`)).status, 404);
    assert.equal((await api(instanceB, 'GET', `/v1/channels/${channelId}/data`)).status, 404);
    assert.equal((await api(instanceB, 'PATCH', `/v1/channels/${channelId}`, { display_name: 'Hijacked' })).status, 404);
    assert.equal((await api(instanceB, 'DELETE', `/v1/channels/${channelId}`)).status, 404);
    assert.deepEqual((await api(instanceB, 'GET', '/v1/channels')).body, { channels: [], next_cursor: null });
    const own = await api(instanceA, 'GET', `/v1/channels/${channelId}`);
    assert.equal(own.body.status, 'active');
    assert.notEqual(own.body.display_name, 'Hijacked');
    const corrected = await api(instanceA, 'PATCH', `/v1/channels/${channelId}`, { display_name: 'Front desk', labels: { team: 'support' } });
    assert.equal(corrected.status, 200);
    assert.equal(corrected.body.display_name, 'Front desk');
    assert.deepEqual(corrected.body.labels, { team: 'support' });
  });

  it('refuses a tampered state with a clear page', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const response = await page.goto(`${service.baseUrl}/oauth/callback?code=AQxyz&state=tampered-${uniqueMetaId()}`);
    assert.equal(response!.status(), 400);
    await page.getByRole('heading', { name: 'Invalid link' }).waitFor();
    await context.close();
  });

  it('refuses a replayed callback once the first one was used', async () => {
    emulator.state.configureGrant({ flow: 'whatsapp_embedded_signup', assets: [{ phoneNumbers: [{}] }] });
    const context = await browser.newContext();
    const created = await api(instanceA, 'POST', '/v1/connections', { channel_type: 'whatsapp', return_url: 'https://dsk.example.test/return' });
    const page = await context.newPage();
    let callbackUrl = '';
    page.on('request', (request) => {
      if (request.url().startsWith(`${service.baseUrl}/oauth/callback`)) callbackUrl = request.url();
    });
    await page.goto(String(created.body.connect_url));
    await page.getByRole('link', { name: 'Continue with Meta' }).click();
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByRole('heading', { name: 'Channel connected' }).waitFor();
    const replay = await page.goto(callbackUrl);
    assert.ok([400, 409].includes(replay!.status()), `replay answered ${replay!.status()}`);
    assert.match(await page.locator('main').innerText(), /already been used|already used/);
    await context.close();
  });

  it('refuses an expired session with a clear page and ends the connection as expired', async () => {
    emulator.state.configureGrant({ flow: 'whatsapp_embedded_signup', assets: [{ phoneNumbers: [{}] }] });
    const context = await browser.newContext();
    const created = await api(instanceA, 'POST', '/v1/connections', { channel_type: 'whatsapp', return_url: 'https://dsk.example.test/return' });
    const connectionId = String(created.body.connection_id);
    const page = await context.newPage();
    await page.goto(String(created.body.connect_url));
    await page.getByRole('link', { name: 'Continue with Meta' }).click();
    await service.foundation.pool.query(`UPDATE connection_sessions SET expires_at = now() - interval '1 second' WHERE connection_id = $1`, [connectionId]);
    const responsePromise = page.waitForResponse((r) => r.url().startsWith(`${service.baseUrl}/oauth/callback`));
    await page.getByRole('button', { name: 'Continue' }).click();
    assert.equal((await responsePromise).status(), 410);
    await page.getByRole('heading', { name: 'Link expired' }).waitFor();
    await context.close();
  });

  it('ends the connection as cancelled when the person cancels at Meta, and deletes the session', async () => {
    const context = await browser.newContext();
    const created = await api(instanceA, 'POST', '/v1/connections', { channel_type: 'whatsapp', return_url: 'https://dsk.example.test/return' });
    const connectionId = String(created.body.connection_id);
    const page = await context.newPage();
    await page.goto(String(created.body.connect_url));
    await page.getByRole('link', { name: 'Continue with Meta' }).click();
    await page.getByRole('button', { name: 'Cancel' }).click();
    await page.getByRole('heading', { name: 'Connection cancelled' }).waitFor();
    const final = await service.client.workflow.getHandle(connectionWorkflowId(connectionId)).result();
    assert.equal(final.phase, 'cancelled');
    assert.equal((await api(instanceA, 'GET', `/v1/connections/${connectionId}`)).body.status, 'cancelled');
    assert.equal((await service.foundation.pool.query(`SELECT 1 FROM connection_sessions WHERE connection_id = $1`, [connectionId])).rowCount, 0);
    await context.close();
  });
});

async function waitUntil(predicate: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 100));
  }
}
