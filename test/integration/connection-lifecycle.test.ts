import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { createMetaEmulator, type MetaEmulator, type RunningMetaEmulator } from '../../dev/meta-emulator/app.js';
import { connectionWorkflowId } from '../../src/shared/ids.js';
import { connectViaApi, dskApi } from '../support/connect.js';
import { startDskFake, type DskFake } from '../support/dsk-fake.js';
import { metaEmulatorEnv } from '../support/meta-env.js';
import { signedDelivery, signedRequest, waAccountUpdate } from '../support/meta-webhook-sender.js';
import { startTestService, uniqueMetaId, type TestService } from '../support/service.js';

/**
 * A connection's life after it is connected, with the real activities against the Meta emulator:
 * token checks every two seconds here (a day in production), Meta's deauthorize and data-deletion
 * callbacks, a failed authorization, a revoked token and a re-connect.
 */
describe('connection lifecycle (real activities, Meta emulator, PostgreSQL and Temporal)', () => {
  let emulator: MetaEmulator;
  let meta: RunningMetaEmulator;
  let service: TestService;
  let dsk: DskFake;
  const metaAppSecret = randomBytes(16).toString('hex');
  const instanceId = `inst-life-${uniqueMetaId()}`;

  before(async () => {
    emulator = createMetaEmulator({ appSecret: metaAppSecret });
    meta = await emulator.listen();
    service = await startTestService({ env: metaEmulatorEnv(meta), metaAppSecret, connectionTiming: { checkEveryMs: 2_000 } });
    dsk = await startDskFake({ jwks: () => service.foundation.signingKey.publicJwks(), issuer: service.config.serviceJwt.issuer, audience: service.config.serviceJwt.audience });
    await service.foundation.repos.instances.setEventsUrl(instanceId, dsk.url);
  });
  after(async () => {
    await service?.stop();
    await dsk?.close();
    await meta?.close();
  });

  const channelStatusEvents = (channelId: string) =>
    dsk.accepted.filter((d) => d.body.type === 'channel.status' && (d.body.channel as { id: string }).id === channelId).map((d) => d.body.data as { status: string; reason: string });

  async function tokenOf(channelId: string): Promise<string | null> {
    const { rows } = await service.foundation.pool.query<{ token_ciphertext: string | null }>(`SELECT token_ciphertext FROM channels WHERE id = $1`, [channelId]);
    return rows[0]?.token_ciphertext ? service.foundation.vault.decrypt(rows[0].token_ciphertext) : null;
  }

  it("disconnects every channel of the person named by Meta's deauthorize callback", async () => {
    const grant = emulator.state.configureGrant({ flow: 'whatsapp_embedded_signup', assets: [{ phoneNumbers: [{}] }] });
    const { channelId } = await connectViaApi(service, instanceId, 'whatsapp');
    assert.ok(channelId);
    const res = await fetch(`${service.baseUrl}/meta/deauthorize`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ signed_request: signedRequest({ user_id: grant.userId, issued_at: Math.floor(Date.now() / 1000) }, metaAppSecret) }),
    });
    assert.equal(res.status, 200);
    await dsk.waitFor(() => channelStatusEvents(channelId).some((e) => e.status === 'disconnected'));
    assert.deepEqual(channelStatusEvents(channelId).at(-1), { status: 'disconnected', reason: 'meta_deauthorize' });
    assert.equal(await tokenOf(channelId), null);
    assert.ok(!emulator.state.isSubscribed(grant.wabaIds[0]!));
  });

  it('answers a data-deletion request with a confirmation code and a status page, and disconnects the channels', async () => {
    const grant = emulator.state.configureGrant({ flow: 'instagram_facebook_login', assets: [{ instagram: { username: `del_${uniqueMetaId().slice(-6)}` } }] });
    const { channelId } = await connectViaApi(service, instanceId, 'instagram');
    const res = await fetch(`${service.baseUrl}/meta/data-deletion`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ signed_request: signedRequest({ user_id: grant.userId, issued_at: Math.floor(Date.now() / 1000) }, metaAppSecret) }),
    });
    assert.equal(res.status, 200);
    const body = (await res.json()) as { url: string; confirmation_code: string };
    assert.match(body.confirmation_code, /^[A-Za-z0-9_-]{16}$/);
    assert.equal(body.url, `${service.baseUrl}/meta/deletion-status?code=${body.confirmation_code}`);
    await dsk.waitFor(() => channelStatusEvents(channelId!).some((e) => e.status === 'disconnected'));
    const status = await fetch(body.url);
    assert.equal(status.status, 200);
    assert.match(await status.text(), /Completed: the channels are disconnected/);
  });

  it('refuses a signed_request that the app did not sign', async () => {
    const res = await fetch(`${service.baseUrl}/meta/deauthorize`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ signed_request: signedRequest({ user_id: '1' }, 'another-secret') }),
    });
    assert.equal(res.status, 401);
    assert.equal(((await res.json()) as { error: { code: string } }).error.code, 'invalid_signed_request');
  });

  it('ends a connection whose code exchange Meta refuses as failed, and deletes its session', async () => {
    emulator.state.configureGrant({ flow: 'whatsapp_embedded_signup', assets: [{ phoneNumbers: [{}] }] });
    emulator.state.injectFault({ method: 'GET', path: /\/oauth\/access_token$/, error: { code: 100, subcode: 36009, message: 'This authorization code has been used.' }, times: 1 });
    const result = await connectViaApi(service, instanceId, 'whatsapp');
    assert.match(result.html, /The connection failed/);
    const final = await service.client.workflow.getHandle(connectionWorkflowId(result.connectionId)).result();
    assert.equal(final.phase, 'failed');
    assert.equal((await dskApi(service, instanceId, 'GET', `/v1/connections/${result.connectionId}`)).body.status, 'failed');
    assert.equal((await service.foundation.pool.query(`SELECT 1 FROM connection_sessions WHERE connection_id = $1`, [result.connectionId])).rowCount, 0);
  });

  it('marks a channel whose token Meta revoked reauth_required, tells DSK, keeps receiving, and re-connects it', async () => {
    const grant = emulator.state.configureGrant({ flow: 'whatsapp_embedded_signup', assets: [{ phoneNumbers: [{}] }] });
    const { channelId } = await connectViaApi(service, instanceId, 'whatsapp');
    assert.ok(channelId);
    const oldToken = (await tokenOf(channelId))!;
    emulator.state.revokeToken(oldToken, 460);
    await dsk.waitFor(() => channelStatusEvents(channelId).some((e) => e.status === 'reauth_required'), 20_000);
    assert.equal((await dskApi(service, instanceId, 'GET', `/v1/channels/${channelId}`)).body.status, 'reauth_required');

    const reconnect = await dskApi(service, instanceId, 'POST', `/v1/channels/${channelId}/reconnect`);
    assert.equal(reconnect.status, 200);
    const page = await fetch(String(reconnect.body.connect_url));
    const cookie = /mis_connect=([^;]+)/.exec(page.headers.get('set-cookie') ?? '')![1]!;
    const dialogUrl = /href="([^"]+)">Continue with Meta/.exec(await page.text())![1]!.replace(/&#38;/g, '&');
    const { submitConsent } = await import('../support/meta-dialog.js');
    const redirect = await submitConsent(dialogUrl);
    const callback = await fetch(redirect.location.toString(), { headers: { cookie: `mis_connect=${cookie}` } });
    assert.match(await callback.text(), /Channel connected/);
    await dsk.waitFor(() => channelStatusEvents(channelId).some((e) => e.status === 'active' && e.reason === 'reconnected'));
    const channel = await dskApi(service, instanceId, 'GET', `/v1/channels/${channelId}`);
    assert.equal(channel.body.status, 'active');
    assert.equal(channel.body.external_id, grant.phoneNumberIds[0]);
    const newToken = await tokenOf(channelId);
    assert.ok(newToken && newToken !== oldToken, 'a new token replaced the revoked one');
  });

  it('keeps the WABA subscribed while another connected number of the same WABA still needs it', async () => {
    const grant = emulator.state.configureGrant({ flow: 'whatsapp_embedded_signup', assets: [{ phoneNumbers: [{}, {}] }] });
    const [first, second] = grant.phoneNumberIds as [string, string];
    const a = await connectViaApi(service, instanceId, 'whatsapp', { chooseAsset: first });
    const b = await connectViaApi(service, instanceId, 'whatsapp', { chooseAsset: second });
    assert.match(a.html, /Channel connected/);
    assert.match(b.html, /Channel connected/);
    const wabaId = grant.wabaIds[0]!;

    assert.equal((await dskApi(service, instanceId, 'DELETE', `/v1/channels/${a.channelId}`)).status, 202);
    await dsk.waitFor(() => channelStatusEvents(a.channelId!).some((e) => e.status === 'disconnected'));
    assert.equal(await tokenOf(a.channelId!), null);
    assert.ok(emulator.state.isSubscribed(wabaId), 'the other number still receives webhooks');

    assert.equal((await dskApi(service, instanceId, 'DELETE', `/v1/channels/${b.channelId}`)).status, 202);
    await dsk.waitFor(() => channelStatusEvents(b.channelId!).some((e) => e.status === 'disconnected'));
    assert.ok(!emulator.state.isSubscribed(wabaId), 'the last number unsubscribes the WABA');
  });

  it('disconnects every number of a WABA when WhatsApp reports the business removed the app, and still forwards the event', async () => {
    const grant = emulator.state.configureGrant({ flow: 'whatsapp_embedded_signup', assets: [{ phoneNumbers: [{}, {}] }] });
    const [first, second] = grant.phoneNumberIds as [string, string];
    const a = await connectViaApi(service, instanceId, 'whatsapp', { chooseAsset: first });
    const b = await connectViaApi(service, instanceId, 'whatsapp', { chooseAsset: second });
    const wabaId = grant.wabaIds[0]!;
    const delivery = signedDelivery(waAccountUpdate({ event: 'PARTNER_APP_UNINSTALLED', wabaId, time: Date.now() }), metaAppSecret);
    const res = await fetch(`${service.baseUrl}/webhooks/meta`, { method: 'POST', headers: delivery.headers, body: delivery.body });
    assert.equal(res.status, 200);
    for (const channelId of [a.channelId!, b.channelId!]) {
      await dsk.waitFor(() => channelStatusEvents(channelId).some((e) => e.status === 'disconnected'));
      assert.deepEqual(channelStatusEvents(channelId).at(-1), { status: 'disconnected', reason: 'meta_account_update' });
      assert.equal(await tokenOf(channelId), null);
    }
    await dsk.waitFor(() => dsk.accepted.some((d) => d.body.type === 'channel.account_update' && (d.body.data as { disconnect?: boolean }).disconnect === true));
  });
});
