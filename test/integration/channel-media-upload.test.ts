import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import http from 'node:http';
import { after, before, describe, it } from 'node:test';
import { createMetaEmulator, type MetaEmulator, type RunningMetaEmulator } from '../../dev/meta-emulator/app.js';
import { seedChannel, seedEmulatorWhatsAppChannel, startTestService, uniqueMetaId, type TestService } from '../support/service.js';

const INSTANCE_A = 'inst-upload-a';
const INSTANCE_B = 'inst-upload-b';
const MIB = 1024 * 1024;

interface ErrorBody {
  error: { code: string; message: string; details?: unknown };
}

/** A body fetch sends chunked (no Content-Length), produced in `chunk`-sized pieces only as they are read. */
function chunkedBody(content: Buffer, chunk = 64 * 1024): ReadableStream<Uint8Array> {
  let offset = 0;
  return new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        if (offset >= content.length) return controller.close();
        controller.enqueue(content.subarray(offset, offset + chunk));
        offset += chunk;
      },
    },
    { highWaterMark: 0 },
  );
}

describe('POST /v1/channels/:id/media (real PostgreSQL, Meta emulator)', () => {
  let emulator: MetaEmulator;
  let meta: RunningMetaEmulator;
  let service: TestService;

  before(async () => {
    emulator = createMetaEmulator();
    meta = await emulator.listen();
    service = await startTestService({ withWorker: false, env: { META_GRAPH_BASE_URL: meta.url } });
    emulator.state.setAppSecret(service.metaAppSecret, { required: true });
  });
  after(async () => {
    await service?.stop();
    await meta?.close();
  });

  const whatsappChannel = (instanceId = INSTANCE_A) => seedEmulatorWhatsAppChannel(service, emulator, instanceId);

  async function upload(channelId: string, body: Buffer | ReadableStream<Uint8Array> | null, contentType: string | undefined, opts: { instanceId?: string; query?: string } = {}) {
    const dskToken = await service.dskIssuer.dskToken({ instanceId: opts.instanceId ?? INSTANCE_A });
    return fetch(`${service.baseUrl}/v1/channels/${channelId}/media${opts.query ?? ''}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${dskToken}`, ...(contentType ? { 'content-type': contentType } : {}) },
      body,
      ...(body instanceof ReadableStream ? { duplex: 'half' } : {}),
    } as RequestInit);
  }

  async function errorOf(res: Response): Promise<ErrorBody['error']> {
    return ((await res.json()) as ErrorBody).error;
  }

  function mediaOf(phoneNumberId: string) {
    return [...emulator.state.media.values()].filter((m) => m.phoneNumberId === phoneNumberId);
  }

  it('streams the file to Meta and answers 201 with the media id, type, size, expiry and where to read it back', async () => {
    const { channelId, phoneNumberId, metaToken } = await whatsappChannel();
    const content = randomBytes(4 * MIB + 123);
    const since = emulator.state.requests.length;
    const startedAt = Date.now();

    const res = await upload(channelId, content, 'image/jpeg', { query: '?filename=holiday.jpg' });
    const text = await res.text();
    assert.equal(res.status, 201, text);
    assert.ok(!text.includes(metaToken));
    const body = JSON.parse(text) as { id: string; mime_type: string; file_size: number; expires_at: string };
    assert.deepEqual(Object.keys(body).sort(), ['expires_at', 'file_size', 'id', 'mime_type']);
    assert.match(body.id, /^\d{16}$/);
    assert.deepEqual([body.mime_type, body.file_size], ['image/jpeg', content.length]);
    const expiresInDays = (Date.parse(body.expires_at) - startedAt) / 86_400_000;
    assert.ok(expiresInDays > 29.99 && expiresInDays < 30.01, body.expires_at);
    assert.equal(res.headers.get('location'), `/v1/media/${channelId}/${body.id}`);

    const stored = emulator.state.getMedia(body.id);
    assert.ok(stored, 'Meta stored the upload under the returned id');
    assert.ok(stored.bytes.equals(content), 'Meta received exactly the bytes sent');
    assert.deepEqual([stored.mimeType, stored.phoneNumberId], ['image/jpeg', phoneNumberId]);
    const calls = emulator.state.requests.slice(since);
    assert.deepEqual(
      calls.map((r) => [r.method, r.path, r.tokenVia, r.token === metaToken, r.appsecretProof, r.status]),
      [['POST', `/v26.0/${phoneNumberId}/media`, 'header', true, 'valid', 200]],
    );

    // The media id is an ordinary WhatsApp media id: the download route serves the same bytes.
    const dskToken = await service.dskIssuer.dskToken({ instanceId: INSTANCE_A });
    const back = await fetch(`${service.baseUrl}${res.headers.get('location')}`, { headers: { authorization: `Bearer ${dskToken}` } });
    assert.equal(back.status, 200);
    assert.ok(Buffer.from(await back.arrayBuffer()).equals(content));
  });

  it('streams a chunked body (no Content-Length) of several MB through unchanged, with the bare type', async () => {
    const { channelId, phoneNumberId } = await whatsappChannel();
    const content = randomBytes(12 * MIB + 5);
    const res = await upload(channelId, chunkedBody(content), 'video/mp4; codecs="avc1.42E01E"');
    const body = (await res.json()) as { id: string; mime_type: string; file_size: number };
    assert.equal(res.status, 201, JSON.stringify(body));
    assert.deepEqual([body.mime_type, body.file_size], ['video/mp4', content.length]);
    const stored = emulator.state.getMedia(body.id)!;
    assert.ok(stored.bytes.equals(content));
    assert.deepEqual([stored.mimeType, stored.phoneNumberId], ['video/mp4', phoneNumberId]);
  });

  it('answers 404 channel_not_found for a channel of another instance, without calling Meta', async () => {
    const { channelId } = await whatsappChannel(INSTANCE_A);
    const since = emulator.state.requests.length;
    const res = await upload(channelId, randomBytes(1000), 'image/png', { instanceId: INSTANCE_B });
    assert.equal(res.status, 404);
    assert.deepEqual(await errorOf(res), { code: 'channel_not_found', message: 'No such channel for this instance' });
    const unknown = await upload(randomUUID(), randomBytes(10), 'image/png');
    assert.equal((await errorOf(unknown)).code, 'channel_not_found');
    assert.equal(emulator.state.requests.length, since);
  });

  it('refuses an Instagram channel with 400 unsupported_channel_type', async () => {
    const token = emulator.state.issueToken({ kind: 'instagram' });
    const channelId = await seedChannel(service, { instanceId: INSTANCE_A, channelType: 'instagram', externalId: `1784${uniqueMetaId()}`, eventsUrl: null, token });
    const since = emulator.state.requests.length;
    const res = await upload(channelId, randomBytes(10), 'image/jpeg');
    assert.equal(res.status, 400);
    assert.deepEqual(await errorOf(res), { code: 'unsupported_channel_type', message: 'Media can be uploaded only to WhatsApp channels' });
    assert.equal(emulator.state.requests.length, since);
  });

  it('answers 409 for a disconnected channel and one that must be connected again, without calling Meta', async () => {
    const disconnected = await whatsappChannel();
    await service.foundation.pool.query(`UPDATE channels SET status = 'disconnected', disconnected_at = now() WHERE id = $1`, [disconnected.channelId]);
    const reauth = await whatsappChannel();
    await service.foundation.pool.query(`UPDATE channels SET status = 'reauth_required' WHERE id = $1`, [reauth.channelId]);
    const since = emulator.state.requests.length;
    const a = await upload(disconnected.channelId, randomBytes(10), 'image/jpeg');
    assert.deepEqual([a.status, (await errorOf(a)).code], [409, 'channel_disconnected']);
    const b = await upload(reauth.channelId, randomBytes(10), 'image/jpeg');
    assert.deepEqual([b.status, (await errorOf(b)).code], [409, 'reauth_required']);
    assert.equal(emulator.state.requests.length, since);
  });

  it('answers 415 unsupported_media_type for a type WhatsApp does not take, a form, or a compressed body', async () => {
    const { channelId } = await whatsappChannel();
    const since = emulator.state.requests.length;
    for (const type of ['image/gif', 'application/octet-stream', 'multipart/form-data; boundary=x', undefined]) {
      const res = await upload(channelId, randomBytes(100), type);
      assert.equal(res.status, 415, String(type));
      assert.equal((await errorOf(res)).code, 'unsupported_media_type');
    }
    const dskToken = await service.dskIssuer.dskToken({ instanceId: INSTANCE_A });
    const gzip = await fetch(`${service.baseUrl}/v1/channels/${channelId}/media`, {
      method: 'POST',
      headers: { authorization: `Bearer ${dskToken}`, 'content-type': 'image/png', 'content-encoding': 'gzip' },
      body: randomBytes(100),
    });
    assert.deepEqual([gzip.status, (await errorOf(gzip)).code], [415, 'unsupported_media_type']);
    assert.equal(emulator.state.requests.length, since);
  });

  it('answers 413 media_too_large from Content-Length alone, before reading the body or calling Meta', async () => {
    const { channelId } = await whatsappChannel();
    const since = emulator.state.requests.length;
    const dskToken = await service.dskIssuer.dskToken({ instanceId: INSTANCE_A });
    // Announces 5 MiB + 1 and sends nothing: the answer can only come from the header.
    const answer = await new Promise<{ status: number; connection: string | undefined; body: string }>((resolve, reject) => {
      const req = http.request(`${service.baseUrl}/v1/channels/${channelId}/media`, {
        method: 'POST',
        headers: { authorization: `Bearer ${dskToken}`, 'content-type': 'image/jpeg', 'content-length': String(5 * MIB + 1) },
      });
      req.on('response', (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => {
          resolve({ status: res.statusCode!, connection: res.headers.connection, body });
          req.destroy();
        });
      });
      req.on('error', reject);
      req.flushHeaders();
    });
    assert.equal(answer.status, 413);
    assert.equal(answer.connection, 'close');
    assert.deepEqual(JSON.parse(answer.body), {
      error: { code: 'media_too_large', message: `WhatsApp accepts image media of at most ${5 * MIB} bytes`, details: { kind: 'image', max_bytes: 5 * MIB } },
    });
    assert.equal(emulator.state.requests.length, since);
  });

  it('answers 413 when a chunked body outgrows the limit midway: the upload to Meta is aborted and no media id exists', async () => {
    const { channelId, phoneNumberId } = await whatsappChannel();
    const res = await upload(channelId, chunkedBody(randomBytes(5 * MIB + 64 * 1024)), 'image/png');
    assert.equal(res.status, 413);
    const error = await errorOf(res);
    assert.deepEqual([error.code, error.details], ['media_too_large', { kind: 'image', max_bytes: 5 * MIB }]);
    assert.equal(res.headers.get('connection'), 'close');
    assert.deepEqual(mediaOf(phoneNumberId), []);
    // A sticker's limit is far lower, and it holds the same way.
    const sticker = await upload(channelId, chunkedBody(randomBytes(600 * 1024), 16 * 1024), 'image/webp');
    assert.deepEqual([sticker.status, (await errorOf(sticker)).details], [413, { kind: 'sticker', max_bytes: 500 * 1024 }]);
    assert.deepEqual(mediaOf(phoneNumberId), []);
  });

  it('answers 422 validation_failed for an empty body, sized or chunked, without calling Meta', async () => {
    const { channelId } = await whatsappChannel();
    const since = emulator.state.requests.length;
    for (const body of [Buffer.alloc(0), chunkedBody(Buffer.alloc(0))]) {
      const res = await upload(channelId, body, 'application/pdf');
      assert.equal(res.status, 422);
      assert.deepEqual(await errorOf(res), { code: 'validation_failed', message: 'Request does not match the schema', details: [{ path: '(body)', message: 'must not be empty' }] });
    }
    assert.equal(emulator.state.requests.length, since);
  });

  it('answers 422 with the field paths of a malformed channel id and filename', async () => {
    const res = await upload('not-a-uuid', randomBytes(10), 'image/png', { query: `?filename=${'x'.repeat(256)}` });
    assert.equal(res.status, 422);
    const error = await errorOf(res);
    assert.equal(error.code, 'validation_failed');
    assert.deepEqual((error.details as Array<{ path: string }>).map((d) => d.path), ['id', 'filename']);
  });

  it('maps Meta refusing the token (190/463) to 409 reauth_required with Meta\'s codes, never its text or the token', async () => {
    const { channelId, phoneNumberId, metaToken } = await whatsappChannel();
    emulator.state.injectFault({ path: /\/media$/, error: { code: 190, subcode: 463, message: `Error validating access token ${metaToken}` } });
    const res = await upload(channelId, randomBytes(2 * MIB), 'audio/mpeg');
    const text = await res.text();
    assert.equal(res.status, 409);
    assert.ok(!text.includes(metaToken) && !text.includes('Error validating'));
    assert.deepEqual(JSON.parse(text), {
      error: {
        code: 'reauth_required',
        message: "Meta no longer accepts the channel's token; the channel must be connected again",
        details: { meta_code: 190, meta_subcode: 463, reason: "The channel's access token expired; the channel must be reconnected.", retryable: false },
      },
    });
    assert.deepEqual(mediaOf(phoneNumberId), []);
  });

  it('maps a temporary Meta failure to 502 meta_unavailable (retryable) and a rejected file to 502 undeliverable', async () => {
    const { channelId } = await whatsappChannel();
    emulator.state.injectFault({ path: /\/media$/, error: { code: 2, message: 'Service temporarily unavailable', isTransient: true } });
    const down = await upload(channelId, randomBytes(1000), 'application/pdf');
    assert.equal(down.status, 502);
    assert.deepEqual(await errorOf(down), {
      code: 'meta_unavailable',
      message: 'Meta is temporarily unavailable; retry later',
      details: { meta_code: 2, meta_subcode: null, reason: 'Meta is temporarily unavailable; the send can be retried.', retryable: true },
    });

    emulator.state.injectFault({ path: /\/media$/, error: { code: 131053, message: '(#131053) Media upload error' } });
    const refused = await upload(channelId, randomBytes(1000), 'application/pdf');
    assert.equal(refused.status, 502);
    const error = await errorOf(refused);
    assert.deepEqual([error.code, error.details], [
      'undeliverable',
      { meta_code: 131053, meta_subcode: null, reason: 'WhatsApp could not process the media (unsupported type or size).', retryable: false },
    ]);
  });

  it('maps Meta throttling to 429 meta_throttled with Retry-After', async () => {
    const { channelId } = await whatsappChannel();
    emulator.state.injectFault({ path: /\/media$/, error: { code: 80007, message: 'Rate limit hit' }, headers: { 'retry-after': '120' } });
    const res = await upload(channelId, randomBytes(1000), 'image/png');
    assert.equal(res.status, 429);
    assert.equal(res.headers.get('retry-after'), '120');
    assert.equal((await errorOf(res)).code, 'meta_throttled');
  });

  it('refuses a request without a DSK token with 401', async () => {
    const res = await fetch(`${service.baseUrl}/v1/channels/${randomUUID()}/media`, { method: 'POST', headers: { 'content-type': 'image/png' }, body: randomBytes(10) });
    assert.equal(res.status, 401);
    assert.equal((await errorOf(res)).code, 'missing_token');
  });
});
