import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { createMetaEmulator, type MetaEmulator, type RunningMetaEmulator } from '../../dev/meta-emulator/app.js';
import { SANDBOX_IMAGE } from '../../dev/meta-emulator/sandbox.js';
import { connectViaApi, dskApi } from '../support/connect.js';
import { metaEmulatorEnv } from '../support/meta-env.js';
import { seedChannel, startTestService, uniqueMetaId, type TestService } from '../support/service.js';

/**
 * The WhatsApp business profile through the API (issue #13): read and changed at the emulator with
 * the channel's token, the photo uploaded by the service with the Resumable Upload API. Real API and
 * PostgreSQL; Meta is the emulator.
 */
describe('WhatsApp business profile (Meta emulator, PostgreSQL and Temporal)', () => {
  let emulator: MetaEmulator;
  let meta: RunningMetaEmulator;
  let service: TestService;
  const metaAppSecret = randomBytes(16).toString('hex');
  const instanceId = `inst-profile-${uniqueMetaId()}`;
  let channelId: string;
  let phoneNumberId: string;

  before(async () => {
    emulator = createMetaEmulator({ appSecret: metaAppSecret });
    meta = await emulator.listen();
    service = await startTestService({ env: metaEmulatorEnv(meta), metaAppSecret });
    const grant = emulator.state.configureGrant({ flow: 'whatsapp_embedded_signup', assets: [{ phoneNumbers: [{}] }] });
    phoneNumberId = grant.phoneNumberIds[0]!;
    channelId = (await connectViaApi(service, instanceId, 'whatsapp')).channelId!;
  });
  after(async () => {
    await service?.stop();
    await meta?.close();
  });

  const profileUrl = () => `/v1/channels/${channelId}/profile`;

  it('reads the profile from Meta', async () => {
    const read = await dskApi(service, instanceId, 'GET', profileUrl());
    assert.equal(read.status, 200);
    assert.deepEqual(read.body, { about: 'Hey there! I am using WhatsApp.', address: null, description: null, email: null, profile_picture_url: null, websites: [], vertical: 'UNDEFINED' });
  });

  it('changes the given fields at Meta and answers the profile as Meta then shows it', async () => {
    const changed = await dskApi(service, instanceId, 'PATCH', profileUrl(), { about: 'Succulent specialists!', websites: ['https://acme.example/'], vertical: 'RETAIL', email: 'shop@acme.example' });
    assert.equal(changed.status, 200, JSON.stringify(changed.body));
    assert.deepEqual(changed.body, { about: 'Succulent specialists!', address: null, description: null, email: 'shop@acme.example', profile_picture_url: null, websites: ['https://acme.example/'], vertical: 'RETAIL' });
    const update = emulator.state.requests.filter((r) => r.method === 'POST' && r.path === `/v26.0/${phoneNumberId}/whatsapp_business_profile`);
    assert.equal(update.length, 1);
    assert.equal(update[0]!.appsecretProof, 'valid');
    assert.equal(emulator.state.catalog.profileOf(phoneNumberId).about, 'Succulent specialists!');
  });

  it('refuses values Meta would refuse, before Meta is called', async () => {
    const since = emulator.state.requests.length;
    const refused = await dskApi(service, instanceId, 'PATCH', profileUrl(), { about: 'x'.repeat(140), websites: ['https://a.example', 'https://b.example', 'https://c.example'] });
    assert.equal(refused.status, 422);
    assert.deepEqual(((refused.body.error as { details: Array<{ path: string }> }).details).map((d) => d.path), ['about', 'websites']);
    assert.equal(emulator.state.requests.length, since);
  });

  it('uploads a photo with the Resumable Upload API and sets it as the profile picture', async () => {
    const token = await service.dskIssuer.dskToken({ instanceId });
    const res = await fetch(`${service.baseUrl}${profileUrl()}/photo`, { method: 'PUT', headers: { authorization: `Bearer ${token}`, 'content-type': 'image/png' }, body: SANDBOX_IMAGE });
    const body = (await res.json()) as { profile_picture_url: string | null };
    assert.equal(res.status, 200, JSON.stringify(body));
    assert.match(body.profile_picture_url ?? '', /^https:\/\/pps\.whatsapp\.net\/v\/emulator\/[0-9a-f]{16}\.jpg$/);
    const calls = emulator.state.requests.filter((r) => r.method === 'POST' && (r.path.includes('/uploads') || r.path.includes('/upload:')));
    assert.deepEqual(calls.map((r) => [r.path.replace(/upload:.*/, 'upload:…'), r.query.file_type ?? null, r.status]), [
      [`/v26.0/${emulator.state.metaApp.id}/uploads`, 'image/png', 200],
      ['/v26.0/upload:…', null, 200],
    ]);
    assert.equal(calls[0]!.query.file_length, String(SANDBOX_IMAGE.length));
  });

  it('refuses a photo that is not JPEG or PNG with 415', async () => {
    const token = await service.dskIssuer.dskToken({ instanceId });
    const res = await fetch(`${service.baseUrl}${profileUrl()}/photo`, { method: 'PUT', headers: { authorization: `Bearer ${token}`, 'content-type': 'image/gif' }, body: Buffer.from('GIF89a') });
    assert.equal(res.status, 415);
    assert.equal(((await res.json()) as { error: { code: string } }).error.code, 'unsupported_media_type');
  });

  it('answers 409 unsupported_channel_type for an Instagram channel and 404 for another instance', async () => {
    const igChannel = await seedChannel(service, { instanceId, channelType: 'instagram', externalId: `1784${uniqueMetaId().slice(-13)}`, eventsUrl: null, token: emulator.state.issueToken({ kind: 'instagram' }) });
    const ig = await dskApi(service, instanceId, 'GET', `/v1/channels/${igChannel}/profile`);
    assert.deepEqual([ig.status, (ig.body.error as { code: string }).code], [409, 'unsupported_channel_type']);
    const other = await dskApi(service, 'another-instance', 'GET', profileUrl());
    assert.deepEqual([other.status, (other.body.error as { code: string }).code], [404, 'channel_not_found']);
  });
});
