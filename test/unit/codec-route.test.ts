import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import { createApp } from '../../src/api/app.js';
import { decideOperatorAccess, isLoopbackAddress } from '../../src/operator-access.js';
import { codecRoutes, type CodecRouteDeps } from '../../src/api/routes/codec.js';
import { createLogger } from '../../src/logger.js';
import { createEncryptionCodec, generatePayloadKey, KEY_ID_METADATA } from '../../src/temporal/encryption-codec.js';
import { listen, type TestServer } from '../support/jwt.js';

const NAMESPACE = 'meta-integration';
const UI_ORIGIN = 'http://localhost:8233';
const TOKEN = 'codec-token-'.padEnd(40, 'x');
const CONTENT = 'Bitte ruf mich an: +4915112345678';
const codec = createEncryptionCodec([{ id: 'c1', key: generatePayloadKey() }]);

type JsonPayload = { metadata?: Record<string, string>; data?: string };
const toJson = (p: Payload): JsonPayload => ({
  metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v!).toString('base64')])),
  ...(p.data ? { data: Buffer.from(p.data).toString('base64') } : {}),
});
const fromJson = (p: JsonPayload): Payload => ({
  metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64')])),
  ...(p.data ? { data: Buffer.from(p.data, 'base64') } : {}),
});

interface Started extends TestServer {
  logs: string[];
}

async function start(overrides: Partial<CodecRouteDeps> = {}): Promise<Started> {
  const logs: string[] = [];
  const log = createLogger({
    level: 'info',
    destination: new Writable({
      write(chunk, _enc, done) {
        logs.push(String(chunk));
        done();
      },
    }),
  });
  const app = createApp({
    log,
    trustProxy: false,
    publicRoutes: [
      codecRoutes({
        codecs: [codec],
        namespace: NAMESPACE,
        corsOrigins: [UI_ORIGIN],
        authToken: TOKEN,
        loopbackWithoutToken: false,
        maxBodyBytes: 64 * 1024,
        log,
        ...overrides,
      }),
    ],
    dskAuth: async () => undefined,
    dskRoutes: [],
  });
  return { ...(await listen(app.callback())), logs };
}

function post(server: TestServer, path: string, body: unknown, headers: Record<string, string> = {}) {
  return fetch(`${server.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-namespace': NAMESPACE, authorization: `Bearer ${TOKEN}`, ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

async function errorCode(response: Response): Promise<string> {
  return ((await response.json()) as { error: { code: string } }).error.code;
}

describe('codec endpoint: decode and encode', () => {
  let server: Started;
  before(async () => {
    server = await start();
  });
  after(() => server.close());

  it('decodes encrypted payloads to what the workflow sent, leaving foreign payloads as they are, and is never cached', async () => {
    const encrypted = await codec.encode([defaultPayloadConverter.toPayload({ text: CONTENT })]);
    const plain = defaultPayloadConverter.toPayload('already plain');
    const response = await post(server, '/codec/decode', { payloads: [...encrypted, plain].map(toJson) });
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('cache-control'), 'no-store');
    const { payloads } = (await response.json()) as { payloads: JsonPayload[] };
    assert.deepEqual(payloads.map((p) => defaultPayloadConverter.fromPayload(fromJson(p))), [{ text: CONTENT }, 'already plain']);
    assert.deepEqual(payloads[0]!.metadata, { encoding: Buffer.from('json/plain').toString('base64') });
  });

  it('encodes under /codec/{namespace}/encode, and what it encodes decodes again', async () => {
    const response = await post(server, `/codec/${NAMESPACE}/encode`, { payloads: [toJson(defaultPayloadConverter.toPayload({ text: CONTENT }))] });
    assert.equal(response.status, 200);
    const { payloads } = (await response.json()) as { payloads: JsonPayload[] };
    assert.equal(Buffer.from(payloads[0]!.metadata![KEY_ID_METADATA]!, 'base64').toString(), 'c1');
    const [decoded] = await codec.decode(payloads.map(fromJson));
    assert.deepEqual(defaultPayloadConverter.fromPayload(decoded!), { text: CONTENT });
  });

  it('logs each call with namespace, count and caller, never the payloads', async () => {
    const encrypted = await codec.encode([defaultPayloadConverter.toPayload({ text: CONTENT }), defaultPayloadConverter.toPayload(1)]);
    const body = { payloads: encrypted.map(toJson) };
    server.logs.length = 0;
    assert.equal((await post(server, '/codec/decode', body)).status, 200);
    const line = server.logs.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.msg === 'codec decode');
    assert.ok(line, server.logs.join('\n'));
    assert.deepEqual({ op: line.op, namespace: line.namespace, count: line.count, ip: line.ip, via: line.via }, { op: 'decode', namespace: NAMESPACE, count: 2, ip: '127.0.0.1', via: 'token' });
    const all = server.logs.join('\n');
    assert.ok(!all.includes('+4915112345678'));
    assert.ok(!all.includes(body.payloads[0]!.data!.slice(0, 24)));
  });

  it('answers a tampered payload with 422 payload_not_decodable', async () => {
    const [encrypted] = await codec.encode([defaultPayloadConverter.toPayload({ text: CONTENT })]);
    const data = Buffer.from(encrypted!.data!);
    data[20]! ^= 0xff;
    const response = await post(server, '/codec/decode', { payloads: [toJson({ ...encrypted, data })] });
    assert.equal(response.status, 422);
    assert.equal(await errorCode(response), 'payload_not_decodable');
  });

  it('refuses bad requests with JSON error codes', async () => {
    assert.equal(await errorCode(await post(server, '/codec/decode', '{"payloads":', {})), 'invalid_json');
    assert.equal(await errorCode(await post(server, '/codec/decode', { payloads: 'nope' })), 'validation_failed');
    assert.equal(await errorCode(await post(server, '/codec/decode', { payloads: [{ data: 'not base64!' }] })), 'validation_failed');
    const notJson = await post(server, '/codec/decode', 'x', { 'content-type': 'text/plain' });
    assert.equal(notJson.status, 415);
    const tooLarge = await post(server, '/codec/decode', { payloads: [{ data: 'A'.repeat(70 * 1024) }] });
    assert.equal(tooLarge.status, 413);
    assert.equal(await errorCode(tooLarge), 'payload_too_large');
    const unknownOp = await post(server, '/codec/compress', { payloads: [] });
    assert.equal(unknownOp.status, 404);
  });

  it('serves only its own namespace, named in X-Namespace or the path', async () => {
    for (const [path, headers] of [
      ['/codec/decode', { 'x-namespace': 'other' }],
      ['/codec/decode', { 'x-namespace': '' }],
      ['/codec/other/decode', {}],
      [`/codec/other/decode`, { 'x-namespace': NAMESPACE }],
    ] as const) {
      const response = await post(server, path, { payloads: [] }, headers);
      assert.equal(response.status, 403, `${path} ${JSON.stringify(headers)}`);
      assert.equal(await errorCode(response), 'namespace_not_served');
    }
    assert.equal((await post(server, `/codec/${NAMESPACE}/decode`, { payloads: [] }, { 'x-namespace': '' })).status, 200);
  });
});

describe('codec endpoint: CORS for the Web UI', () => {
  let server: Started;
  before(async () => {
    server = await start();
  });
  after(() => server.close());

  it('answers the preflight of a configured origin with the headers the UI needs', async () => {
    const response = await fetch(`${server.url}/codec/${NAMESPACE}/decode`, {
      method: 'OPTIONS',
      headers: { origin: UI_ORIGIN, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type,x-namespace,authorization' },
    });
    assert.equal(response.status, 204);
    assert.equal(response.headers.get('access-control-allow-origin'), UI_ORIGIN);
    assert.equal(response.headers.get('access-control-allow-credentials'), 'true');
    assert.equal(response.headers.get('access-control-allow-headers'), 'Content-Type, X-Namespace, Authorization');
    assert.equal(response.headers.get('access-control-allow-methods'), 'POST, OPTIONS');
    assert.match(response.headers.get('vary') ?? '', /Origin/);
  });

  it('refuses the preflight and the request of any other origin, without CORS headers', async () => {
    const preflight = await fetch(`${server.url}/codec/decode`, { method: 'OPTIONS', headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' } });
    assert.equal(preflight.status, 403);
    assert.equal(preflight.headers.get('access-control-allow-origin'), null);
    const request = await post(server, '/codec/decode', { payloads: [] }, { origin: 'https://evil.example' });
    assert.equal(request.status, 403);
    assert.equal(await errorCode(request), 'origin_not_allowed');
  });

  it('keeps the CORS headers on errors, so the UI can read why it was refused', async () => {
    const response = await post(server, '/codec/decode', { payloads: [] }, { origin: UI_ORIGIN, authorization: '' });
    assert.equal(response.status, 401);
    assert.equal(response.headers.get('access-control-allow-origin'), UI_ORIGIN);
  });
});

describe('codec endpoint: operator authentication', () => {
  it('with CODEC_AUTH_TOKEN requires exactly that bearer token', async () => {
    const server = await start();
    try {
      for (const authorization of ['', 'Bearer wrong', `Basic ${TOKEN}`, `Bearer ${TOKEN}x`]) {
        const response = await post(server, '/codec/decode', { payloads: [] }, { authorization });
        assert.equal(response.status, 401, authorization);
        assert.equal(response.headers.get('www-authenticate'), 'Bearer');
        assert.equal(await errorCode(response), 'unauthorized');
      }
      assert.equal((await post(server, '/codec/decode', { payloads: [] })).status, 200);
    } finally {
      await server.close();
    }
  });

  it('without a token in development serves loopback callers, but not requests relayed by a proxy', async () => {
    const server = await start({ authToken: undefined, loopbackWithoutToken: true });
    try {
      assert.equal((await post(server, '/codec/decode', { payloads: [] }, { authorization: '' })).status, 200);
      const relayed = await post(server, '/codec/decode', { payloads: [] }, { authorization: '', 'x-forwarded-for': '203.0.113.9' });
      assert.equal(relayed.status, 403);
      assert.equal(await errorCode(relayed), 'loopback_only');
    } finally {
      await server.close();
    }
  });

  it('without a token in production is closed', async () => {
    const server = await start({ authToken: undefined, loopbackWithoutToken: false });
    try {
      const response = await post(server, '/codec/decode', { payloads: [] }, { authorization: '' });
      assert.equal(response.status, 403);
      assert.equal(await errorCode(response), 'operator_access_disabled');
    } finally {
      await server.close();
    }
  });
});

describe('decideOperatorAccess', () => {
  const request = (remoteAddress: string, headers: Record<string, string> = {}) => ({ socket: { remoteAddress }, headers }) as unknown as IncomingMessage;
  const open = { token: undefined, loopbackWithoutToken: true, tokenVariable: 'CODEC_AUTH_TOKEN' };

  it('treats 127.0.0.0/8, ::1 and IPv4-mapped loopback as this machine, nothing else', () => {
    assert.deepEqual(['127.0.0.1', '127.1.2.3', '::1', '::ffff:127.0.0.1'].map(isLoopbackAddress), [true, true, true, true]);
    assert.deepEqual(['10.0.0.1', '::ffff:10.0.0.1', '2001:db8::1', '', undefined].map(isLoopbackAddress), [false, false, false, false, false]);
  });

  it('refuses other hosts when no token is configured, naming the variable that would open it', () => {
    assert.deepEqual(decideOperatorAccess(request('::1'), open), { ok: true, via: 'loopback' });
    const refused = decideOperatorAccess(request('192.0.2.10'), open);
    assert.deepEqual(refused, { ok: false, status: 403, code: 'loopback_only', message: 'Only callers on this machine are served while CODEC_AUTH_TOKEN is unset' });
    assert.equal(decideOperatorAccess(request('127.0.0.1', { forwarded: 'for=192.0.2.10' }), open).ok, false);
  });

  it('with a token, the token decides, wherever the caller is', () => {
    const withToken = { ...open, token: TOKEN };
    assert.deepEqual(decideOperatorAccess(request('192.0.2.10', { authorization: `Bearer ${TOKEN}` }), withToken), { ok: true, via: 'token' });
    assert.equal(decideOperatorAccess(request('127.0.0.1'), withToken).ok, false);
  });
});
