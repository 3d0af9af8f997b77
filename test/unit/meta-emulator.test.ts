import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, beforeEach, describe, it } from 'node:test';
import { createMetaEmulator, type MetaEmulator, type RunningMetaEmulator } from '../../dev/meta-emulator/app.js';
import { graphStatusFor } from '../../dev/meta-emulator/graph.js';

const PHONE = '1098765432101234';
const OTHER_PHONE = '1098765432109999';

interface GraphErrorJson {
  error: { message: string; type: string; code: number; error_subcode?: number; fbtrace_id: string };
}

describe('Meta emulator (Graph behaviour per reference §6.2, §7, §9, §10)', () => {
  let emulator: MetaEmulator;
  let running: RunningMetaEmulator;
  let nowMs: number;
  let token: string;

  const graph = (path: string, init: RequestInit & { token?: string | null } = {}) => {
    const { token: t = token, ...rest } = init;
    return fetch(`${running.url}${path}`, { ...rest, headers: { ...(t ? { authorization: `Bearer ${t}` } : {}), ...(rest.headers as Record<string, string>) } });
  };
  const upload = (phone: string, parts: { product?: string; file?: Blob; type?: string }) => {
    const form = new FormData();
    if (parts.product !== undefined) form.set('messaging_product', parts.product);
    if (parts.file) form.set('file', parts.file, 'photo.jpg');
    if (parts.type !== undefined) form.set('type', parts.type);
    return graph(`/v26.0/${phone}/media`, { method: 'POST', body: form });
  };

  before(async () => {
    emulator = createMetaEmulator({ clock: () => new Date(nowMs) });
    running = await emulator.listen();
  });
  after(async () => {
    await running?.close();
  });
  beforeEach(() => {
    nowMs = Date.parse('2026-09-01T12:00:00Z');
    emulator.state.reset();
    token = emulator.state.issueToken({ kind: 'business_integration', scopes: ['whatsapp_business_messaging'], assets: [PHONE] });
  });

  it('uploads multipart media on a phone number and serves it back with size, sha256 and a media URL', async () => {
    const content = Buffer.from('\xff\xd8\xff\xe0 fake jpeg bytes', 'latin1');
    const res = await upload(PHONE, { product: 'whatsapp', file: new Blob([content], { type: 'image/jpeg' }), type: 'image/jpeg' });
    assert.equal(res.status, 200);
    const { id } = (await res.json()) as { id: string };
    assert.match(id, /^\d{16}$/);

    const info = await graph(`/v26.0/${id}?phone_number_id=${PHONE}`);
    assert.equal(info.status, 200);
    const body = (await info.json()) as Record<string, string>;
    assert.deepEqual(
      { ...body, url: undefined },
      { messaging_product: 'whatsapp', url: undefined, mime_type: 'image/jpeg', sha256: createHash('sha256').update(content).digest('hex'), file_size: String(content.length), id },
    );
    const media = await graph(new URL(body.url!).pathname + new URL(body.url!).search);
    assert.equal(media.status, 200);
    assert.equal(media.headers.get('content-type'), 'image/jpeg');
    assert.ok(Buffer.from(await media.arrayBuffer()).equals(content));
  });

  it('answers uploads without messaging_product, file or type with error 100', async () => {
    const file = new Blob(['x'], { type: 'image/png' });
    for (const parts of [{ file, type: 'image/png' }, { product: 'whatsapp', type: 'image/png' }, { product: 'whatsapp', file }, { product: 'sms', file, type: 'image/png' }]) {
      const res = await upload(PHONE, parts);
      assert.equal(res.status, 400);
      assert.equal(((await res.json()) as GraphErrorJson).error.code, 100);
    }
    assert.equal(emulator.state.media.size, 0);
  });

  it('goes by the file part\'s own type like Meta: a part typed application/octet-stream or unknown to WhatsApp is error 100', async () => {
    for (const fileType of ['application/octet-stream', 'image/gif']) {
      const res = await upload(PHONE, { product: 'whatsapp', file: new Blob(['x'], { type: fileType }), type: 'image/png' });
      assert.equal(res.status, 400);
      const { error } = (await res.json()) as GraphErrorJson;
      assert.equal(error.code, 100);
      assert.match(error.message, new RegExp(`^\\(#100\\) Param file must be a file with one of the following types: image/jpeg, .*Received file of type '${fileType}'\\.$`));
    }
    assert.equal(emulator.state.media.size, 0);
  });

  it('answers an empty file, or one over its kind\'s limit, with 131053 Media upload error', async () => {
    for (const file of [new Blob([], { type: 'image/png' }), new Blob([Buffer.alloc(500 * 1024 + 1)], { type: 'image/webp' })]) {
      const res = await upload(PHONE, { product: 'whatsapp', file, type: file.type });
      assert.equal(((await res.json()) as GraphErrorJson).error.code, 131053);
    }
    assert.equal(emulator.state.media.size, 0);
  });

  it('hides phone numbers the token has no access to behind 100/33', async () => {
    const res = await upload(OTHER_PHONE, { product: 'whatsapp', file: new Blob(['x']), type: 'image/png' });
    assert.equal(res.status, 400);
    const { error } = (await res.json()) as GraphErrorJson;
    assert.deepEqual([error.code, error.error_subcode, error.type], [100, 33, 'GraphMethodException']);
    assert.match(error.message, new RegExp(`^Unsupported post request\\. Object with ID '${OTHER_PHONE}' does not exist`));
  });

  it('answers an unknown media id with Graph error 100/33 and HTTP 400', async () => {
    const res = await graph('/v26.0/1234567890123456');
    assert.equal(res.status, 400);
    const { error } = (await res.json()) as GraphErrorJson;
    assert.deepEqual([error.code, error.error_subcode, error.type], [100, 33, 'GraphMethodException']);
    assert.match(error.message, /^Unsupported get request\. Object with ID '1234567890123456' does not exist/);
    assert.match(error.fbtrace_id, /^[A-Za-z0-9_-]{11}$/);
  });

  it('deletes media: {success: true}, then the id no longer exists', async () => {
    const id = emulator.state.addMedia(Buffer.from('x'), 'image/png', { phoneNumberId: PHONE });
    const del = await graph(`/v26.0/${id}`, { method: 'DELETE' });
    assert.deepEqual(await del.json(), { success: true });
    assert.equal((await graph(`/v26.0/${id}`)).status, 400);
    assert.equal(((await (await graph(`/v26.0/${id}`, { method: 'DELETE' })).json()) as GraphErrorJson).error.message.startsWith('Unsupported delete request.'), true);
  });

  it('accepts any vN.0 version and the token as ?access_token=, and rejects unversioned paths', async () => {
    const id = emulator.state.addMedia(Buffer.from('x'), 'image/png');
    assert.equal((await graph(`/v19.0/${id}?access_token=${token}`, { token: null })).status, 200);
    assert.equal(emulator.state.requests.at(-1)?.tokenVia, 'query');
    assert.equal(emulator.state.requests.at(-1)?.version, 'v19.0');
    const unversioned = await graph(`/${id}`);
    assert.equal(unversioned.status, 400);
    assert.equal(((await unversioned.json()) as GraphErrorJson).error.code, 2500);
    assert.equal((await graph(`/v26.1/${id}`)).status, 400);
  });

  it('wants a token (104), a known one (190), a live one (190/463 after expiry) and the permission (10)', async () => {
    const id = emulator.state.addMedia(Buffer.from('x'), 'image/png');
    const none = await graph(`/v26.0/${id}`, { token: null });
    assert.deepEqual([none.status, ((await none.json()) as GraphErrorJson).error.code], [400, 104]);

    const unknown = await graph(`/v26.0/${id}`, { token: 'EAAunknown' });
    assert.equal(unknown.status, 401);
    assert.match(unknown.headers.get('www-authenticate') ?? '', /^OAuth "Facebook Platform" "invalid_token"/);
    assert.deepEqual(((await unknown.json()) as GraphErrorJson).error.code, 190);

    const shortLived = emulator.state.issueToken({ kind: 'user', expiresAt: new Date(nowMs + 60_000) });
    assert.equal((await graph(`/v26.0/${id}`, { token: shortLived })).status, 200);
    nowMs += 61_000;
    const expired = await graph(`/v26.0/${id}`, { token: shortLived });
    const { error } = (await expired.json()) as GraphErrorJson;
    assert.deepEqual([expired.status, error.code, error.error_subcode, error.type], [401, 190, 463, 'OAuthException']);

    const noScope = emulator.state.issueToken({ kind: 'user', scopes: ['pages_messaging'] });
    const denied = await graph(`/v26.0/${id}`, { token: noScope });
    assert.deepEqual([denied.status, ((await denied.json()) as GraphErrorJson).error.code], [403, 10]);
  });

  it('expires media ids (7 days for received media) and media URLs (5 minutes)', async () => {
    const id = emulator.state.addMedia(Buffer.from('x'), 'image/png');
    const { url } = (await (await graph(`/v26.0/${id}`)).json()) as { url: string };
    nowMs += 301_000;
    const stale = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(stale.status, 403);
    assert.match(stale.headers.get('content-type') ?? '', /^text\/html/);
    nowMs += 7 * 24 * 3600_000;
    assert.equal((await graph(`/v26.0/${id}`)).status, 400);
  });

  it('refuses forged media URLs and tokens without access to the media at the CDN', async () => {
    const id = emulator.state.addMedia(Buffer.from('x'), 'image/png', { phoneNumberId: PHONE });
    const { url } = (await (await graph(`/v26.0/${id}`)).json()) as { url: string };
    const forged = new URL(url);
    forged.searchParams.set('ext', String(Number(forged.searchParams.get('ext')) + 3600));
    assert.equal((await fetch(forged, { headers: { authorization: `Bearer ${token}` } })).status, 403);
    const stranger = emulator.state.issueToken({ kind: 'business_integration', assets: [OTHER_PHONE] });
    assert.equal((await fetch(url, { headers: { authorization: `Bearer ${stranger}` } })).status, 403);
    assert.equal((await fetch(`${url}&access_token=${token}`)).status, 401);
  });

  it('replays injected faults a given number of times, then behaves normally', async () => {
    const id = emulator.state.addMedia(Buffer.from('x'), 'image/png');
    emulator.state.injectFault({ method: 'GET', path: new RegExp(`/${id}$`), error: { code: 2 }, times: 2 });
    const first = await graph(`/v26.0/${id}`);
    assert.deepEqual([first.status, ((await first.json()) as GraphErrorJson).error.code], [503, 2]);
    assert.equal((await graph(`/v26.0/${id}`)).status, 503);
    assert.equal((await graph(`/v26.0/${id}`)).status, 200);
  });

  it('maps codes to HTTP statuses as WA-ERR documents', () => {
    const rows: Array<[number, number]> = [[0, 401], [190, 401], [10, 403], [200, 403], [299, 403], [368, 403], [131005, 403], [131031, 403], [132001, 404], [3, 500], [131000, 500], [131016, 500], [131045, 500], [131057, 500], [133000, 500], [2, 503], [133004, 503], [100, 400], [131047, 400], [4, 400]];
    for (const [code, status] of rows) assert.equal(graphStatusFor(code), status, `code ${code}`);
  });
});
