import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { createMetaEmulator, type MetaEmulator, type RunningMetaEmulator } from '../../dev/meta-emulator/app.js';
import { seedChannel, seedEmulatorWhatsAppChannel, startTestService, uniqueMetaId, type TestService } from '../support/service.js';

const INSTANCE_A = 'inst-media-a';
const INSTANCE_B = 'inst-media-b';

interface ErrorBody {
  error: { code: string; message: string; details?: Array<{ path: string; message: string }> };
}

describe('GET /v1/media/:channelId/:mediaId (real PostgreSQL, Meta emulator)', () => {
  let emulator: MetaEmulator;
  let meta: RunningMetaEmulator;
  let service: TestService;

  before(async () => {
    emulator = createMetaEmulator();
    meta = await emulator.listen();
    service = await startTestService({ withWorker: false, env: { META_GRAPH_BASE_URL: meta.url } });
    // The app secret the service signs appsecret_proof with; Meta's "Require App Secret" switched on.
    emulator.state.setAppSecret(service.metaAppSecret, { required: true });
  });
  after(async () => {
    await service?.stop();
    await meta?.close();
  });

  const whatsappChannel = (instanceId = INSTANCE_A) => seedEmulatorWhatsAppChannel(service, emulator, instanceId);

  async function getMedia(path: string, instanceId = INSTANCE_A) {
    const dskToken = await service.dskIssuer.dskToken({ instanceId });
    return fetch(`${service.baseUrl}/v1/media/${path}`, { headers: { authorization: `Bearer ${dskToken}` } });
  }

  async function errorOf(res: Response): Promise<ErrorBody['error']> {
    return ((await res.json()) as ErrorBody).error;
  }

  it('streams the exact bytes with Meta\'s mime type, Content-Length and no caching', async () => {
    const { channelId, phoneNumberId, metaToken } = await whatsappChannel();
    const content = randomBytes(256 * 1024 + 17);
    const mediaId = emulator.state.addMedia(content, 'audio/ogg; codecs=opus', { phoneNumberId });
    const since = emulator.state.requests.length;

    const res = await getMedia(`${channelId}/${mediaId}`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'audio/ogg; codecs=opus');
    assert.equal(res.headers.get('content-length'), String(content.length));
    assert.equal(res.headers.get('cache-control'), 'private, no-store');
    // A customer's file is a download, never rendered or sniffed in the service's origin.
    assert.equal(res.headers.get('content-disposition'), 'attachment');
    assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
    assert.equal(res.headers.get('content-security-policy'), "default-src 'none'; sandbox");
    const received = Buffer.from(await res.arrayBuffer());
    assert.ok(received.equals(content));
    assert.ok(!received.includes(Buffer.from(metaToken)));

    const calls = emulator.state.requests.slice(since);
    assert.deepEqual(
      calls.map((r) => [r.method, r.path, r.tokenVia, r.token === metaToken, r.status]),
      [
        ['GET', `/v26.0/${mediaId}`, 'header', true, 200],
        ['GET', '/whatsapp_business/attachments/', 'header', true, 200],
      ],
    );
    assert.equal(calls[0]!.query.phone_number_id, phoneNumberId);
    assert.equal(calls[0]!.appsecretProof, 'valid');
  });

  it('answers 404 channel_not_found for a channel of another instance, without calling Meta', async () => {
    const { channelId, phoneNumberId } = await whatsappChannel(INSTANCE_A);
    const mediaId = emulator.state.addMedia(randomBytes(10), 'image/jpeg', { phoneNumberId });
    const since = emulator.state.requests.length;
    const res = await getMedia(`${channelId}/${mediaId}`, INSTANCE_B);
    assert.equal(res.status, 404);
    assert.equal((await errorOf(res)).code, 'channel_not_found');
    assert.equal(emulator.state.requests.length, since);
  });

  it('answers 404 channel_not_found for a channel id that does not exist', async () => {
    const res = await getMedia(`${randomUUID()}/1234567890`);
    assert.equal(res.status, 404);
    assert.equal((await errorOf(res)).code, 'channel_not_found');
  });

  it('answers 404 media_not_found for a media id Meta does not know', async () => {
    const { channelId } = await whatsappChannel();
    const res = await getMedia(`${channelId}/1234567890123456`);
    assert.equal(res.status, 404);
    assert.deepEqual(await errorOf(res), {
      code: 'media_not_found',
      message: 'Meta has no such media for this channel (unknown or expired)',
      details: { meta_code: 100, meta_subcode: 33, reason: 'Meta has no such media for this channel (unknown or expired).', retryable: false },
    });
  });

  it('answers 404 media_not_found for media of another phone number, even when the token could read it', async () => {
    const phoneNumberId = uniqueMetaId();
    const otherPhone = uniqueMetaId();
    const wideToken = emulator.state.issueToken({ kind: 'business_integration', assets: [phoneNumberId, otherPhone] });
    const channelId = await seedChannel(service, { instanceId: INSTANCE_A, channelType: 'whatsapp', externalId: phoneNumberId, eventsUrl: null, token: wideToken });
    const mediaId = emulator.state.addMedia(randomBytes(10), 'image/jpeg', { phoneNumberId: otherPhone });
    const res = await getMedia(`${channelId}/${mediaId}`);
    assert.equal(res.status, 404);
    assert.equal((await errorOf(res)).code, 'media_not_found');
  });

  it('answers 409 reauth_required when Meta says the token was revoked (190)', async () => {
    const { channelId, phoneNumberId, metaToken } = await whatsappChannel();
    const mediaId = emulator.state.addMedia(randomBytes(10), 'image/jpeg', { phoneNumberId });
    emulator.state.revokeToken(metaToken, 460);
    const res = await getMedia(`${channelId}/${mediaId}`);
    assert.equal(res.status, 409);
    assert.equal((await errorOf(res)).code, 'reauth_required');
  });

  it('answers 409 reauth_required for a channel without a stored token, without calling Meta', async () => {
    const channelId = await seedChannel(service, { instanceId: INSTANCE_A, channelType: 'whatsapp', externalId: uniqueMetaId(), eventsUrl: null });
    const since = emulator.state.requests.length;
    const res = await getMedia(`${channelId}/1234567890`);
    assert.equal(res.status, 409);
    assert.equal((await errorOf(res)).code, 'reauth_required');
    assert.equal(emulator.state.requests.length, since);
  });

  it('answers 502 meta_unavailable when Meta is down (code 2)', async () => {
    const { channelId, phoneNumberId } = await whatsappChannel();
    const mediaId = emulator.state.addMedia(randomBytes(10), 'image/jpeg', { phoneNumberId });
    emulator.state.injectFault({ method: 'GET', path: `/v26.0/${mediaId}`, error: { code: 2, message: 'Service temporarily unavailable', isTransient: true } });
    const res = await getMedia(`${channelId}/${mediaId}`);
    assert.equal(res.status, 502);
    assert.equal((await errorOf(res)).code, 'meta_unavailable');
  });

  it('answers 429 meta_throttled with Meta\'s Retry-After when Meta throttles, the code sends and uploads use', async () => {
    const { channelId, phoneNumberId } = await whatsappChannel();
    const mediaId = emulator.state.addMedia(randomBytes(10), 'image/jpeg', { phoneNumberId });
    emulator.state.injectFault({ method: 'GET', path: `/v26.0/${mediaId}`, error: { code: 80007, message: 'Rate limit hit' }, headers: { 'retry-after': '120' } });
    const res = await getMedia(`${channelId}/${mediaId}`);
    assert.equal(res.status, 429);
    assert.equal(res.headers.get('retry-after'), '120');
    assert.deepEqual(await errorOf(res), {
      code: 'meta_throttled',
      message: 'Meta is throttling calls for this channel; retry later',
      details: { meta_code: 80007, meta_subcode: null, reason: "The WhatsApp Business account reached Meta's rate limit; the send can be retried after a wait.", retryable: true },
    });
  });

  it('answers 429 meta_throttled with Retry-After 60 when Meta throttles without naming a wait, on the old path and under the channel', async () => {
    const { channelId, phoneNumberId } = await whatsappChannel();
    const mediaId = emulator.state.addMedia(randomBytes(10), 'image/jpeg', { phoneNumberId });
    for (const path of [`/v1/media/${channelId}/${mediaId}`, `/v1/channels/${channelId}/media/${mediaId}`]) {
      emulator.state.injectFault({ method: 'GET', path: `/v26.0/${mediaId}`, error: { code: 80007, message: 'Rate limit hit' } });
      const res = await fetch(`${service.baseUrl}${path}`, { headers: { authorization: `Bearer ${await service.dskIssuer.dskToken({ instanceId: INSTANCE_A })}` } });
      assert.equal(res.status, 429, path);
      assert.equal(res.headers.get('retry-after'), '60', path);
      assert.equal((await errorOf(res)).code, 'meta_throttled');
    }
  });

  it('refuses Instagram channels with 400 unsupported_channel_type', async () => {
    const token = emulator.state.issueToken({ kind: 'instagram' });
    const channelId = await seedChannel(service, { instanceId: INSTANCE_A, channelType: 'instagram', externalId: `1784${uniqueMetaId()}`, eventsUrl: null, token });
    const res = await getMedia(`${channelId}/1234567890`);
    assert.equal(res.status, 400);
    assert.equal((await errorOf(res)).code, 'unsupported_channel_type');
  });

  it('answers 422 with the field paths of malformed ids', async () => {
    const cases: Array<[string, string[]]> = [
      [`not-a-uuid/1234567890`, ['channelId']],
      [`${randomUUID()}/abc`, ['mediaId']],
      [`${randomUUID()}/${'1'.repeat(33)}`, ['mediaId']],
      [`${randomUUID()}/12%2F34`, ['mediaId']],
      ['x/y', ['channelId', 'mediaId']],
    ];
    for (const [path, fields] of cases) {
      const res = await getMedia(path);
      assert.equal(res.status, 422, path);
      const error = await errorOf(res);
      assert.equal(error.code, 'validation_failed');
      assert.deepEqual(error.details?.map((d) => d.path), fields, path);
    }
  });

  it('refuses a request without a DSK token with 401', async () => {
    const res = await fetch(`${service.baseUrl}/v1/media/${randomUUID()}/1234567890`);
    assert.equal(res.status, 401);
    assert.equal((await errorOf(res)).code, 'missing_token');
  });
});
