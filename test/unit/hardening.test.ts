import { createEgressPolicy } from '../../src/dsk/egress.js';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import Router from '@koa/router';
import { createApp } from '../../src/api/app.js';
import { createTokenBuckets, rateLimit } from '../../src/api/middleware/rate-limit.js';
import { HSTS_VALUE, PAGE_CONTENT_SECURITY_POLICY } from '../../src/api/middleware/security-headers.js';
import { page, html } from '../../src/api/pages/html.js';
import { closeServer, createApiServer, reloadTls } from '../../src/api/server.js';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { listen } from '../support/jwt.js';
import { configProblems } from '../support/config.js';

const log = createLogger({ level: 'silent' });

describe('token buckets', () => {
  function clocked(options: { burst: number; perMinute: number; maxClients?: number }) {
    let now = 0;
    const buckets = createTokenBuckets({ ...options, now: () => now });
    return { buckets, advance: (ms: number) => (now += ms) };
  }

  it('lets a burst through at once, then one request per refill interval, and says how long to wait', () => {
    const { buckets, advance } = clocked({ burst: 3, perMinute: 6 });
    assert.deepEqual([1, 2, 3].map(() => buckets.take('a').ok), [true, true, true]);
    assert.deepEqual(buckets.take('a'), { ok: false, retryAfterSeconds: 10 });
    advance(4_000);
    assert.deepEqual(buckets.take('a'), { ok: false, retryAfterSeconds: 6 });
    advance(6_000);
    assert.deepEqual(buckets.take('a'), { ok: true });
    assert.equal(buckets.take('a').ok, false);
  });

  it('refills up to the burst only, however long the client was away', () => {
    const { buckets, advance } = clocked({ burst: 2, perMinute: 60 });
    buckets.take('a');
    advance(3_600_000);
    assert.deepEqual([1, 2, 3].map(() => buckets.take('a').ok), [true, true, false]);
  });

  it('keeps one bucket per client', () => {
    const { buckets } = clocked({ burst: 1, perMinute: 1 });
    assert.equal(buckets.take('198.51.100.1').ok, true);
    assert.equal(buckets.take('198.51.100.1').ok, false);
    assert.equal(buckets.take('198.51.100.2').ok, true);
  });

  it('remembers a bounded number of clients, forgetting the least recently seen first', () => {
    const { buckets } = clocked({ burst: 1, perMinute: 1, maxClients: 2 });
    buckets.take('a');
    buckets.take('b');
    buckets.take('a'); // a is now the most recently seen (and throttled)
    buckets.take('c'); // evicts b
    assert.equal(buckets.size, 2);
    assert.equal(buckets.take('a').ok, false, 'a is still remembered');
    assert.equal(buckets.take('b').ok, true, 'b was forgotten and starts with a full bucket');
  });
});

describe('rateLimit middleware and security headers', () => {
  let server: { url: string; close(): Promise<void> };
  let limited = 0;

  before(async () => {
    const buckets = createTokenBuckets({ burst: 2, perMinute: 1 });
    const limit = rateLimit(buckets, { onLimited: () => (limited += 1) });
    const pages = new Router();
    pages.use(limit);
    pages.get('/page', (ctx) => {
      ctx.type = 'html';
      ctx.body = page('A page', html`<p>Hello</p>`);
    });
    pages.get('/cached-page', (ctx) => {
      ctx.type = 'html';
      ctx.set('Cache-Control', 'public, max-age=60');
      ctx.body = page('Cached', html`<p>Hello</p>`);
    });
    pages.post('/callback', (ctx) => {
      ctx.body = { success: true };
    });
    const open = new Router();
    open.get('/json', (ctx) => {
      ctx.body = { ok: true };
    });
    const app = createApp({ log, trustProxy: true, publicRoutes: [pages, open], dskAuth: async () => undefined, dskRoutes: [] });
    server = await listen(app.callback());
  });
  after(() => server.close());

  /** With TRUST_PROXY the client is the address the (one) proxy appended: the last X-Forwarded-For entry. */
  const from = (ip: string, headers: Record<string, string> = {}) => ({ headers: { 'x-forwarded-for': ip, ...headers } });

  it('answers a browser over the limit with a 429 page and Retry-After, with the page headers', async () => {
    const browser = { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' };
    assert.equal((await fetch(`${server.url}/page`, from('203.0.113.1', browser))).status, 200);
    assert.equal((await fetch(`${server.url}/page`, from('203.0.113.1', browser))).status, 200);
    const refused = await fetch(`${server.url}/page`, from('203.0.113.1', browser));
    assert.equal(refused.status, 429);
    assert.equal(refused.headers.get('retry-after'), '60');
    assert.match(refused.headers.get('content-type') ?? '', /^text\/html/);
    assert.equal(refused.headers.get('content-security-policy'), PAGE_CONTENT_SECURITY_POLICY);
    assert.equal(refused.headers.get('cache-control'), 'no-store');
    const body = await refused.text();
    assert.match(body, /<title>Too many requests<\/title>/);
    assert.match(body, /<code>rate_limited<\/code>/);
    assert.match(body, /role="alert"/);
  });

  it('answers anything else over the limit with JSON rate_limited and Retry-After', async () => {
    for (let i = 0; i < 2; i += 1) assert.equal((await fetch(`${server.url}/callback`, { method: 'POST', ...from('203.0.113.2') })).status, 200);
    const refused = await fetch(`${server.url}/callback`, { method: 'POST', ...from('203.0.113.2') });
    assert.equal(refused.status, 429);
    assert.equal(refused.headers.get('retry-after'), '60');
    assert.equal(((await refused.json()) as { error: { code: string } }).error.code, 'rate_limited');
  });

  it('counts every refusal', async () => {
    const before = limited;
    for (let i = 0; i < 4; i += 1) await fetch(`${server.url}/callback`, { method: 'POST', ...from('203.0.113.3') });
    assert.equal(limited - before, 2);
  });

  it('keys on the address the trusted proxy saw, so entries the client adds to X-Forwarded-For change nothing', async () => {
    const statuses: number[] = [];
    for (const spoofed of ['10.0.0.1', '10.0.0.2', '10.0.0.3']) {
      statuses.push((await fetch(`${server.url}/callback`, { method: 'POST', ...from(`${spoofed}, 203.0.113.4`) })).status);
    }
    assert.deepEqual(statuses, [200, 200, 429]);
  });

  it('does not limit routes of routers that do not mount it', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 5; i += 1) statuses.push((await fetch(`${server.url}/json`, from('203.0.113.5'))).status);
    assert.deepEqual(statuses, [200, 200, 200, 200, 200]);
  });

  it('puts the page headers on HTML responses only, and lets a page choose to be cacheable', async () => {
    const htmlPage = await fetch(`${server.url}/page`, from('203.0.113.6'));
    assert.equal(htmlPage.headers.get('content-security-policy'), PAGE_CONTENT_SECURITY_POLICY);
    assert.equal(htmlPage.headers.get('x-frame-options'), 'DENY');
    assert.equal(htmlPage.headers.get('referrer-policy'), 'no-referrer');
    assert.equal(htmlPage.headers.get('x-content-type-options'), 'nosniff');
    assert.equal(htmlPage.headers.get('cache-control'), 'no-store');
    assert.equal((await fetch(`${server.url}/cached-page`, from('203.0.113.6'))).headers.get('cache-control'), 'public, max-age=60');
    const json = await fetch(`${server.url}/json`);
    assert.equal(json.headers.get('x-content-type-options'), 'nosniff');
    assert.equal(json.headers.get('content-security-policy'), null);
  });

  it('sends HSTS when the request came over TLS (X-Forwarded-Proto from the trusted proxy), not over plain http', async () => {
    assert.equal((await fetch(`${server.url}/json`)).headers.get('strict-transport-security'), null);
    const overTls = await fetch(`${server.url}/json`, { headers: { 'x-forwarded-proto': 'https' } });
    assert.equal(overTls.headers.get('strict-transport-security'), HSTS_VALUE);
  });
});

describe('HSTS with an https PUBLIC_BASE_URL', () => {
  it('is on every response, errors included', async () => {
    const app = createApp({ log, trustProxy: false, httpsPublicUrl: true, publicRoutes: [], dskAuth: async () => undefined, dskRoutes: [] });
    const server = await listen(app.callback());
    try {
      const missing = await fetch(`${server.url}/nothing-here`);
      assert.equal(missing.status, 404);
      assert.equal(missing.headers.get('strict-transport-security'), HSTS_VALUE);
    } finally {
      await server.close();
    }
  });
});

describe('native TLS (TLS_CERT_FILE / TLS_KEY_FILE)', () => {
  let dir: string;
  const certificate = (name: string) => {
    const key = path.join(dir, `${name}.key`);
    const cert = path.join(dir, `${name}.crt`);
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', `/CN=${name}`, '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
    return { keyFile: key, certFile: cert };
  };
  before(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'tls-test-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  function get(url: string, ca: string): Promise<{ status: number; hsts: string | undefined; subject: string }> {
    return new Promise((resolve, reject) => {
      const req = https.get(url, { ca, agent: false }, (res) => {
        const subject = (res.socket as import('node:tls').TLSSocket).getPeerCertificate().subject.CN as string;
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode ?? 0, hsts: res.headers['strict-transport-security'] as string | undefined, subject }));
      });
      req.on('error', reject);
    });
  }

  it('serves HTTPS with the configured files, marks requests secure (HSTS), and reloads renewed files', async () => {
    const first = certificate('first');
    const router = new Router();
    router.get('/ping', (ctx) => {
      ctx.body = { secure: ctx.secure };
    });
    const app = createApp({ log, trustProxy: false, publicRoutes: [router], dskAuth: async () => undefined, dskRoutes: [] });
    const server = await createApiServer(app, first);
    assert.ok(server instanceof https.Server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}/ping`;
    const { readFileSync } = await import('node:fs');
    try {
      const answer = await get(url, readFileSync(first.certFile, 'utf8'));
      assert.deepEqual(answer, { status: 200, hsts: HSTS_VALUE, subject: 'first' });
      const second = certificate('second');
      await reloadTls(server, second);
      assert.equal((await get(url, readFileSync(second.certFile, 'utf8'))).subject, 'second');
    } finally {
      await closeServer(server, 1_000);
    }
  });

  it('serves plain HTTP without them', async () => {
    const app = createApp({ log, trustProxy: false, publicRoutes: [], dskAuth: async () => undefined, dskRoutes: [] });
    const server = await createApiServer(app, undefined);
    assert.ok(!(server instanceof https.Server));
  });

  it('refuses a missing certificate file at start', async () => {
    const app = createApp({ log, trustProxy: false, publicRoutes: [], dskAuth: async () => undefined, dskRoutes: [] });
    writeFileSync(path.join(dir, 'only.key'), 'x');
    await assert.rejects(createApiServer(app, { certFile: path.join(dir, 'missing.crt'), keyFile: path.join(dir, 'only.key') }), { code: 'ENOENT' });
  });
});

describe('loadConfig: HTTPS, TLS and rate limits', () => {
  const valid = {
    DATABASE_URL: 'postgres://u:p@127.0.0.1:5432/db',
    TOKEN_ENCRYPTION_KEYS: 'k1:cw_0x689RpI-jtRR7oE8h_eQsKImvJapLeSbXpwF4e4=',
    DSK_JWT_ISSUER: 'dsk',
    DSK_JWT_AUDIENCE: 'mis',
    DSK_JWT_JWKS_URL: 'https://dsk.example.test/.well-known/jwks.json',
    SERVICE_JWT_PRIVATE_KEY: '{"kty":"EC"}',
    META_APP_SECRETS: 'secret-one',
    META_VERIFY_TOKEN: 'verify-token',
  };
  const production = { ...valid, NODE_ENV: 'production', PUBLIC_BASE_URL: 'https://integrations.example.test', PAYLOAD_ENCRYPTION_KEYS: `p1:${Buffer.alloc(32, 7).toString('base64')}` };
  const problemsOf = configProblems;

  it('limits 30 requests at once and 60 a minute per client by default; 0 turns the limit off', () => {
    assert.deepEqual(loadConfig(valid).http.rateLimit, { perMinute: 60, burst: 30 });
    assert.deepEqual(loadConfig({ ...valid, RATE_LIMIT_PER_MINUTE: '600', RATE_LIMIT_BURST: '5' }).http.rateLimit, { perMinute: 600, burst: 5 });
    assert.equal(loadConfig({ ...valid, RATE_LIMIT_PER_MINUTE: '0' }).http.rateLimit, undefined);
    assert.match(problemsOf({ ...valid, RATE_LIMIT_BURST: '0' })[0]!, /^RATE_LIMIT_BURST: /);
  });

  it('takes TLS files in pairs, and only with an https public URL', () => {
    assert.equal(loadConfig(valid).http.tls, undefined);
    assert.deepEqual(loadConfig({ ...production, TLS_CERT_FILE: '/etc/tls/cert.pem', TLS_KEY_FILE: '/etc/tls/key.pem' }).http.tls, { certFile: '/etc/tls/cert.pem', keyFile: '/etc/tls/key.pem' });
    assert.deepEqual(problemsOf({ ...valid, TLS_CERT_FILE: '/etc/tls/cert.pem' }), ['TLS_CERT_FILE / TLS_KEY_FILE: native TLS needs both (or neither)']);
    assert.deepEqual(problemsOf({ ...valid, TLS_CERT_FILE: '/c.pem', TLS_KEY_FILE: '/k.pem' }), ['PUBLIC_BASE_URL: must be https when the api serves TLS itself (TLS_CERT_FILE)']);
  });

  it('requires an https public URL in production', () => {
    assert.equal(loadConfig(production).http.publicBaseUrl, 'https://integrations.example.test');
    assert.deepEqual(problemsOf({ ...production, PUBLIC_BASE_URL: 'http://integrations.example.test' }), ['PUBLIC_BASE_URL: must be https in production']);
    assert.equal(loadConfig({ ...valid, PUBLIC_BASE_URL: 'http://localhost:3000' }).http.publicBaseUrl, 'http://localhost:3000');
  });
});

describe('PUT /v1/instance in production', () => {
  it('accepts only https events URLs (events carry message content)', async () => {
    const { instanceRoutes } = await import('../../src/api/routes/instance.js');
    const saved: Array<string | null> = [];
    const instances = {
      setEventsUrl: async (id: string, eventsUrl: string | null) => {
        saved.push(eventsUrl);
        return { id, eventsUrl };
      },
    } as unknown as Parameters<typeof instanceRoutes>[0]['instances'];
    const app = createApp({
      log,
      trustProxy: false,
      publicRoutes: [],
      dskAuth: async (ctx, next) => {
        ctx.state.instanceId = 'inst-a';
        await next();
      },
      dskRoutes: [instanceRoutes({ instances, httpsOnly: true, egress: createEgressPolicy([]) })],
    });
    const server = await listen(app.callback());
    const put = (events_url: string | null) =>
      fetch(`${server.url}/v1/instance`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ events_url }) });
    try {
      const refused = await put('http://dsk.example.test/events');
      assert.equal(refused.status, 422);
      assert.deepEqual(((await refused.json()) as { error: { details: unknown } }).error.details, [{ path: 'events_url', message: 'must be an https URL' }]);
      assert.equal((await put('https://dsk.example.test/events')).status, 200);
      assert.equal((await put(null)).status, 200);
      assert.deepEqual(saved, ['https://dsk.example.test/events', null]);
    } finally {
      await server.close();
    }
  });
});
