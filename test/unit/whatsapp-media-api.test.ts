import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { buffer } from 'node:stream/consumers';
import { after, before, beforeEach, describe, it } from 'node:test';
import { inspect } from 'node:util';
import { createMetaEmulator, type MetaEmulator, type RunningMetaEmulator } from '../../dev/meta-emulator/app.js';
import { MetaApiError, MetaRequestError } from '../../src/meta/graph/errors.js';
import { createGraphTransport, type GraphTransportOptions } from '../../src/meta/graph/transport.js';
import { createWhatsAppMediaApi, type WhatsAppMediaApi, type WhatsAppMediaOptions } from '../../src/meta/whatsapp/media-api.js';
import { listen, type TestServer } from '../support/jwt.js';

const APP_SECRET = 'emulator-app-secret-for-graph-client-tests';
const PHONE = '1098765432101234';
const OTHER_PHONE = '1098765432109999';

function bytes(size: number, seed = 7): Buffer {
  const out = Buffer.alloc(size);
  for (let i = 0; i < size; i += 1) out[i] = (i * 31 + seed) & 0xff;
  return out;
}

async function rejection<T extends Error>(promise: Promise<unknown>, type: new (...args: never[]) => T): Promise<T> {
  try {
    await promise;
  } catch (err) {
    assert.ok(err instanceof type, `expected ${type.name}, got ${String(err)}`);
    return err;
  }
  assert.fail(`expected a ${type.name}`);
}

type ClientOptions = Partial<GraphTransportOptions & WhatsAppMediaOptions>;

/** WhatsApp media calls on the Graph transport: what the WhatsApp adapter's media use, with its defaults. */
function mediaApi(options: GraphTransportOptions & ClientOptions): WhatsAppMediaApi {
  return createWhatsAppMediaApi(createGraphTransport(options), { mediaHosts: [], ...options });
}

describe('WhatsApp media calls (and the Graph transport under them) against the Meta emulator', () => {
  let emulator: MetaEmulator;
  let running: RunningMetaEmulator;
  /** Records every request that reaches it: it must never see one. */
  let outsider: TestServer;
  let outsiderHits: string[];
  let graph: WhatsAppMediaApi;
  let token: string;

  const client = (overrides: ClientOptions = {}) => mediaApi({ baseUrl: running.url, version: 'v26.0', mediaHosts: [], appSecret: APP_SECRET, timeoutMs: 2_000, ...overrides });

  before(async () => {
    emulator = createMetaEmulator({ appSecret: APP_SECRET, requireAppSecretProof: true });
    running = await emulator.listen(0);
    outsiderHits = [];
    outsider = await listen((req, res) => {
      outsiderHits.push(`${req.method} ${req.url} auth=${req.headers.authorization ? 'yes' : 'no'}`);
      res.writeHead(200, { 'content-type': 'image/jpeg' }).end('stolen');
    });
  });
  after(async () => {
    await running?.close();
    await outsider?.close();
  });
  beforeEach(() => {
    emulator.state.reset();
    outsiderHits.length = 0;
    graph = client();
    token = emulator.state.issueToken({ kind: 'business_integration', scopes: ['whatsapp_business_messaging'], assets: [PHONE] });
  });

  describe('getMediaInfo', () => {
    it('returns url, mime type, sha256, size and id from GET /v26.0/{media-id}', async () => {
      const content = bytes(4096);
      const mediaId = emulator.state.addMedia(content, 'image/jpeg', { phoneNumberId: PHONE });
      const info = await graph.getMediaInfo(token, mediaId, PHONE);
      assert.equal(info.id, mediaId);
      assert.equal(info.mimeType, 'image/jpeg');
      assert.equal(info.sha256, createHash('sha256').update(content).digest('hex'));
      assert.equal(info.fileSize, 4096);
      assert.ok(info.url.startsWith(`${running.url}/whatsapp_business/attachments/?mid=${mediaId}&`), info.url);
    });

    it('pins the configured version, sends the token as a Bearer header only, with a valid appsecret_proof', async () => {
      const mediaId = emulator.state.addMedia(bytes(10), 'image/png', { phoneNumberId: PHONE });
      await client({ version: 'v25.0' }).getMediaInfo(token, mediaId, PHONE);
      const [request] = emulator.state.requests;
      assert.equal(request?.path, `/v25.0/${mediaId}`);
      assert.equal(request?.version, 'v25.0');
      assert.equal(request?.tokenVia, 'header');
      assert.equal(request?.appsecretProof, 'valid');
      assert.deepEqual(Object.keys(request?.query ?? {}).sort(), ['appsecret_proof', 'phone_number_id']);
      assert.equal(request?.query.phone_number_id, PHONE);
    });

    it('parses an unknown media id into MetaApiError 100/33, not transient, with fbtrace_id', async () => {
      const err = await rejection(graph.getMediaInfo(token, '1234567890123456'), MetaApiError);
      assert.equal(err.httpStatus, 400);
      assert.equal(err.code, 100);
      assert.equal(err.subcode, 33);
      assert.equal(err.type, 'GraphMethodException');
      assert.equal(err.errorClass, 'bad_request');
      assert.equal(err.isTransient, false);
      assert.match(err.fbtraceId ?? '', /^[A-Za-z0-9_-]{11}$/);
      assert.match(err.metaMessage ?? '', /Object with ID '1234567890123456' does not exist/);
      assert.equal(err.operation, 'getMediaInfo');
    });

    it('treats media of another phone number as not existing when phone_number_id is given', async () => {
      const mediaId = emulator.state.addMedia(bytes(10), 'image/png', { phoneNumberId: OTHER_PHONE });
      const wide = emulator.state.issueToken({ kind: 'business_integration' });
      const err = await rejection(graph.getMediaInfo(wide, mediaId, PHONE), MetaApiError);
      assert.deepEqual([err.code, err.subcode], [100, 33]);
    });

    it('reports an expired token as 190/463 (reauth) and a revoked one as 190/467, HTTP 401', async () => {
      const mediaId = emulator.state.addMedia(bytes(10), 'image/png');
      const expired = emulator.state.issueToken({ kind: 'user', expiresAt: new Date(Date.now() - 1000) });
      const e1 = await rejection(graph.getMediaInfo(expired, mediaId), MetaApiError);
      assert.deepEqual([e1.httpStatus, e1.code, e1.subcode, e1.errorClass, e1.isTransient], [401, 190, 463, 'reauth', false]);
      emulator.state.revokeToken(token);
      const e2 = await rejection(graph.getMediaInfo(token, mediaId), MetaApiError);
      assert.deepEqual([e2.httpStatus, e2.code, e2.subcode, e2.errorClass, e2.type], [401, 190, 467, 'reauth', 'OAuthException']);
    });

    it('reports a token Meta never issued as 190 without subcode', async () => {
      const err = await rejection(graph.getMediaInfo('EAAnot-a-real-token', '1234567890123456'), MetaApiError);
      assert.deepEqual([err.httpStatus, err.code, err.subcode, err.errorClass], [401, 190, undefined, 'reauth']);
    });

    it('classifies by code, not HTTP status: a transient code on 400 and a throttle with Business Use Case usage', async () => {
      emulator.state.injectFault({ method: 'GET', error: { code: 131000, message: '(#131000) Something went wrong' }, status: 400 });
      const transient = await rejection(graph.getMediaInfo(token, '1234567890123456'), MetaApiError);
      assert.deepEqual([transient.httpStatus, transient.code, transient.errorClass, transient.isTransient], [400, 131000, 'transient', true]);

      emulator.state.injectFault({
        method: 'GET',
        error: { code: 80007, message: '(#80007) There have been too many messages sent from this WhatsApp Business account' },
        headers: { 'x-business-use-case-usage': JSON.stringify({ '102290129340398': [{ type: 'whatsapp_business_management', call_count: 100, total_cputime: 1, total_time: 1, estimated_time_to_regain_access: 7 }] }) },
      });
      const throttled = await rejection(graph.getMediaInfo(token, '1234567890123456'), MetaApiError);
      assert.deepEqual([throttled.errorClass, throttled.isTransient, throttled.retryAfterMs], ['throttled', true, 7 * 60_000]);
    });

    it('uses Meta\'s is_transient flag only for codes the table does not know', async () => {
      emulator.state.injectFault({ error: { code: 424242, isTransient: true } });
      const unknown = await rejection(graph.getMediaInfo(token, '1234567890123456'), MetaApiError);
      assert.deepEqual([unknown.errorClass, unknown.isTransient], ['unknown', true]);
      emulator.state.injectFault({ error: { code: 100, isTransient: true } });
      const known = await rejection(graph.getMediaInfo(token, '1234567890123456'), MetaApiError);
      assert.deepEqual([known.errorClass, known.isTransient], ['bad_request', false]);
    });

    it('never puts the token in the error message, its JSON or its inspection, even if Meta echoes it', async () => {
      emulator.state.injectFault({ error: { code: 190, subcode: 460, message: `Error validating access token ${token}` } });
      const err = await rejection(graph.getMediaInfo(token, '1234567890123456'), MetaApiError);
      for (const rendered of [err.message, String(err), JSON.stringify(err), inspect(err), err.stack ?? '']) {
        assert.ok(!rendered.includes(token), rendered);
      }
      assert.equal(err.metaMessage, 'Error validating access token [token]');
      assert.ok(!Object.keys(err).includes('metaMessage'));
    });

    it('fails with a timeout MetaRequestError when Meta does not answer in time', async () => {
      emulator.state.injectFault({ delayMs: 400 });
      const err = await rejection(client({ timeoutMs: 100 }).getMediaInfo(token, '1234567890123456'), MetaRequestError);
      assert.deepEqual([err.reason, err.isTransient], ['timeout', true]);
    });

    it('fails with a network MetaRequestError when nothing listens', async () => {
      const dead = mediaApi({ baseUrl: 'http://127.0.0.1:1', version: 'v26.0' });
      const err = await rejection(dead.getMediaInfo(token, '1234567890123456'), MetaRequestError);
      assert.deepEqual([err.reason, err.isTransient], ['network', true]);
    });

    it('rejects a success body that is not a media object as invalid_response', async () => {
      emulator.state.injectFault({ status: 200, body: '{"id":"1"}', headers: { 'content-type': 'application/json' } });
      const err = await rejection(graph.getMediaInfo(token, '1234567890123456'), MetaRequestError);
      assert.equal(err.reason, 'invalid_response');
    });

    it('refuses ids that are not digits before sending anything', async () => {
      await assert.rejects(graph.getMediaInfo(token, '../me'), TypeError);
      await assert.rejects(graph.getMediaInfo(token, '123', 'me/accounts'), TypeError);
      await assert.rejects(graph.getMediaInfo('bad\ntoken', '123'), (err: Error) => err instanceof TypeError && !err.message.includes('bad'));
      assert.equal(emulator.state.requests.length, 0);
    });

    it('is refused by Meta without appsecret_proof when the app requires it, and with a wrong one', async () => {
      const mediaId = emulator.state.addMedia(bytes(10), 'image/png');
      const noProof = await rejection(client({ appSecret: undefined }).getMediaInfo(token, mediaId), MetaApiError);
      assert.deepEqual([noProof.code, noProof.type], [100, 'GraphMethodException']);
      const wrong = await rejection(client({ appSecret: 'not-the-app-secret' }).getMediaInfo(token, mediaId), MetaApiError);
      assert.deepEqual([wrong.code, wrong.type], [100, 'GraphMethodException']);
      assert.equal(emulator.state.requests.at(-1)?.appsecretProof, 'invalid');
    });

    it('refuses a version that is not vN.0 and a base URL with a path', () => {
      assert.throws(() => createGraphTransport({ baseUrl: running.url, version: '26' }), TypeError);
      assert.throws(() => createGraphTransport({ baseUrl: `${running.url}/v26.0`, version: 'v26.0' }), TypeError);
    });
  });

  describe('downloadMedia', () => {
    it('streams the exact bytes with the mime type and length, sending the Bearer token to the media URL', async () => {
      const content = bytes(300_000, 3);
      const mediaId = emulator.state.addMedia(content, 'audio/ogg', { phoneNumberId: PHONE });
      const info = await graph.getMediaInfo(token, mediaId, PHONE);
      const download = await graph.downloadMedia(token, info.url, { expectedMimeType: info.mimeType });
      assert.equal(download.mimeType, 'audio/ogg');
      assert.equal(download.contentLength, 300_000);
      assert.ok((await buffer(download.stream)).equals(content));
      const cdn = emulator.state.requests.at(-1);
      assert.equal(cdn?.path, '/whatsapp_business/attachments/');
      assert.deepEqual([cdn?.tokenVia, cdn?.token === token, cdn?.status], ['header', true, 200]);
    });

    it('shows what the CDN does without a token: an HTML error page, no bytes', async () => {
      const mediaId = emulator.state.addMedia(bytes(100), 'image/jpeg');
      const info = await graph.getMediaInfo(token, mediaId);
      const res = await fetch(info.url);
      assert.equal(res.status, 401);
      assert.match(res.headers.get('content-type') ?? '', /^text\/html/);
      assert.match(await res.text(), /<html/);
    });

    it('turns the CDN\'s HTML error into a MetaApiError without a Graph code', async () => {
      const mediaId = emulator.state.addMedia(bytes(100), 'image/jpeg');
      const info = await graph.getMediaInfo(token, mediaId);
      emulator.state.revokeToken(token);
      const err = await rejection(graph.downloadMedia(token, info.url), MetaApiError);
      assert.deepEqual([err.operation, err.httpStatus, err.code, err.errorClass, err.isTransient], ['downloadMedia', 401, undefined, 'unknown', false]);
    });

    it('refuses an HTML page served with 200 in place of the expected media', async () => {
      const mediaId = emulator.state.addMedia(bytes(100), 'image/jpeg');
      const info = await graph.getMediaInfo(token, mediaId);
      emulator.state.injectFault({ path: '/whatsapp_business/attachments/', status: 200, body: '<html>login</html>', headers: { 'content-type': 'text/html; charset=utf-8' } });
      const err = await rejection(graph.downloadMedia(token, info.url, { expectedMimeType: info.mimeType }), MetaRequestError);
      assert.equal(err.reason, 'invalid_response');
    });

    it('never contacts a host outside the Graph origin and the configured CDN hosts', async () => {
      const err = await rejection(graph.downloadMedia(token, `${outsider.url}/whatsapp_business/attachments/?mid=1`), MetaRequestError);
      assert.equal(err.reason, 'url_not_allowed');
      const withCredentials = running.url.replace('http://', 'http://user:pw@');
      assert.equal((await rejection(graph.downloadMedia(token, `${withCredentials}/x`), MetaRequestError)).reason, 'url_not_allowed');
      assert.equal((await rejection(graph.downloadMedia(token, 'file:///etc/passwd'), MetaRequestError)).reason, 'url_not_allowed');
      assert.deepEqual(outsiderHits, []);
    });

    it('does not follow a redirect off the allow-list, and follows one onto it', async () => {
      const mediaId = emulator.state.addMedia(bytes(64), 'image/png');
      const info = await graph.getMediaInfo(token, mediaId);
      emulator.state.injectFault({ path: '/whatsapp_business/attachments/', status: 302, headers: { location: `${outsider.url}/steal` } });
      assert.equal((await rejection(graph.downloadMedia(token, info.url), MetaRequestError)).reason, 'url_not_allowed');
      assert.deepEqual(outsiderHits, []);

      const viaCdn = client({ mediaHosts: [outsider.url] });
      emulator.state.injectFault({ path: '/whatsapp_business/attachments/', status: 302, headers: { location: `${outsider.url}/cdn/object` } });
      const download = await viaCdn.downloadMedia(token, info.url);
      assert.equal((await buffer(download.stream)).toString(), 'stolen');
      assert.deepEqual(outsiderHits, ['GET /cdn/object auth=yes']);
    });

    it('refuses media larger than the configured limit', async () => {
      const mediaId = emulator.state.addMedia(bytes(2048), 'image/png');
      const info = await graph.getMediaInfo(token, mediaId);
      const err = await rejection(client({ maxDownloadBytes: 1024 }).downloadMedia(token, info.url), MetaRequestError);
      assert.equal(err.reason, 'too_large');
    });
  });

  describe('uploadMedia', () => {
    async function* chunksOf(content: Buffer, size = 64 * 1024): AsyncGenerator<Uint8Array> {
      for (let i = 0; i < content.length; i += size) yield content.subarray(i, i + size);
    }

    it('uploads multipart messaging_product, type and file to POST /v26.0/{phone}/media and returns the media id', async () => {
      const content = bytes(1_000_000, 5);
      const before = emulator.state.media.size;
      const { id } = await graph.uploadMedia(token, PHONE, { body: chunksOf(content), contentType: 'image/jpeg', filename: 'photo.jpg', contentLength: content.length });
      assert.match(id, /^\d{16}$/);
      assert.equal(emulator.state.media.size, before + 1);
      const stored = emulator.state.getMedia(id)!;
      assert.ok(stored.bytes.equals(content));
      assert.deepEqual([stored.mimeType, stored.phoneNumberId], ['image/jpeg', PHONE]);
      const call = emulator.state.requests.at(-1)!;
      assert.deepEqual([call.method, call.path, call.tokenVia, call.token === token, call.appsecretProof, call.status], ['POST', `/v26.0/${PHONE}/media`, 'header', true, 'valid', 200]);
    });

    it('also uploads a body of unknown length (sent chunked)', async () => {
      const content = bytes(300_000, 9);
      const { id } = await graph.uploadMedia(token, PHONE, { body: chunksOf(content), contentType: 'application/pdf', filename: 'a.pdf' });
      assert.ok(emulator.state.getMedia(id)!.bytes.equals(content));
    });

    it('sends Content-Length = framing + file, the filename and the file part\'s own type', async () => {
      let seen: { url: string; headers: Headers; form: FormData; length: number } | undefined;
      const recording = client({
        fetch: async (url, init) => {
          const raw = Buffer.from(await new Response(init!.body!).arrayBuffer());
          const headers = new Headers(init!.headers);
          seen = { url: String(url), headers, length: raw.length, form: await new Response(raw, { headers: { 'content-type': headers.get('content-type')! } }).formData() };
          return new Response('{"id":"1234567890"}', { status: 200, headers: { 'content-type': 'application/json' } });
        },
      });
      const content = bytes(5000);
      assert.deepEqual(await recording.uploadMedia(token, PHONE, { body: chunksOf(content, 999), contentType: 'audio/ogg', filename: 'voice note.ogg', contentLength: 5000 }), { id: '1234567890' });
      assert.ok(seen);
      assert.equal(seen.headers.get('content-length'), String(seen.length));
      assert.equal(seen.headers.get('authorization'), `Bearer ${token}`);
      assert.match(seen.headers.get('content-type')!, /^multipart\/form-data; boundary=/);
      assert.match(seen.url, new RegExp(`/v26\\.0/${PHONE}/media\\?appsecret_proof=[0-9a-f]{64}$`));
      const file = seen.form.get('file') as File;
      assert.deepEqual([seen.form.get('messaging_product'), seen.form.get('type'), file.name, file.type, file.size], ['whatsapp', 'audio/ogg', 'voice note.ogg', 'audio/ogg', 5000]);
    });

    it('streams: Meta receives the first bytes while the body is still being produced', async () => {
      let received = 0;
      let notify: (() => void) | undefined;
      const server = await listen((req, res) => {
        req.on('data', (chunk: Buffer) => {
          received += chunk.length;
          notify?.();
        });
        req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end('{"id":"42"}'));
      });
      try {
        const first = bytes(512 * 1024, 1);
        async function* body(): AsyncGenerator<Uint8Array> {
          yield first;
          // Only continues once the server has the first half: a client that buffered would hang here.
          await new Promise<void>((resolve, reject) => {
            const timer = setTimeout(() => reject(new Error('the first chunk never reached the server')), 5_000);
            notify = () => {
              if (received >= first.length) {
                clearTimeout(timer);
                resolve();
              }
            };
            notify();
          });
          yield bytes(512 * 1024, 2);
        }
        const streaming = mediaApi({ baseUrl: server.url, version: 'v26.0', timeoutMs: 2_000 });
        assert.deepEqual(await streaming.uploadMedia(token, PHONE, { body: body(), contentType: 'video/mp4', filename: 'v.mp4' }), { id: '42' });
        assert.ok(received > 1024 * 1024);
      } finally {
        await server.close();
      }
    });

    it('rethrows an error of the body unchanged, aborting the request: Meta stores nothing', async () => {
      const before = emulator.state.media.size;
      const limit = new Error('caller limit reached');
      async function* body(): AsyncGenerator<Uint8Array> {
        yield bytes(200_000);
        throw limit;
      }
      await assert.rejects(graph.uploadMedia(token, PHONE, { body: body(), contentType: 'image/png', filename: 'x.png' }), (err) => err === limit);
      assert.equal(emulator.state.media.size, before);
    });

    it('reports Meta\'s refusal as MetaApiError of operation uploadMedia (a revoked token: 190, reauth)', async () => {
      emulator.state.revokeToken(token, 460);
      const err = await rejection(graph.uploadMedia(token, PHONE, { body: chunksOf(bytes(10)), contentType: 'image/png', filename: 'x.png', contentLength: 10 }), MetaApiError);
      assert.deepEqual([err.operation, err.code, err.subcode, err.errorClass], ['uploadMedia', 190, 460, 'reauth']);
      assert.ok(!JSON.stringify(err).includes(token) && !inspect(err).includes(token));
    });

    it('refuses a phone number id that is not digits before sending anything', async () => {
      const before = emulator.state.requests.length;
      await assert.rejects(graph.uploadMedia(token, '../me', { body: chunksOf(bytes(1)), contentType: 'image/png', filename: 'x.png' }), TypeError);
      assert.equal(emulator.state.requests.length, before);
    });

    it('answers a success body without a media id as invalid_response', async () => {
      emulator.state.injectFault({ path: `/v26.0/${PHONE}/media`, status: 200, body: '{"ok":true}', headers: { 'content-type': 'application/json' } });
      const err = await rejection(graph.uploadMedia(token, PHONE, { body: chunksOf(bytes(10)), contentType: 'image/png', filename: 'x.png' }), MetaRequestError);
      assert.deepEqual([err.operation, err.reason], ['uploadMedia', 'invalid_response']);
    });
  });
});
