import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { HSTS_VALUE, PAGE_CONTENT_SECURITY_POLICY } from '../../src/api/middleware/security-headers.js';
import { dskApi } from '../support/connect.js';
import { newWamid, signedDelivery, signedRequest, waMessagePayload, waTextMessage } from '../support/meta-webhook-sender.js';
import { startTestService, uniqueMetaId, type TestService } from '../support/service.js';

const BROWSER = { accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' };
const PAGE_HEADERS = ['content-security-policy', 'x-frame-options', 'referrer-policy', 'x-content-type-options', 'strict-transport-security'];

/**
 * Issue 6 hardening through the real stack: page security headers, HSTS and Secure cookies behind a
 * TLS-terminating proxy (TRUST_PROXY, X-Forwarded-Proto), and the per-address rate limit of the public
 * pages and Meta's callbacks, which never applies to Meta's signed webhooks. Client addresses are
 * simulated with X-Forwarded-For: with TRUST_PROXY the client is the entry the proxy appended.
 */
describe('hardening of the public endpoints (real PostgreSQL and Temporal)', () => {
  let service: TestService;
  let nextClient = 0;
  /** A client address of its own for each test, so budgets never leak between tests. */
  const client = () => `198.51.100.${(nextClient += 1)}`;

  before(async () => {
    service = await startTestService({ env: { TRUST_PROXY: 'true', RATE_LIMIT_BURST: '3', RATE_LIMIT_PER_MINUTE: '1' } });
  });
  after(() => service?.stop());

  const get = (path: string, ip: string, headers: Record<string, string> = {}) =>
    fetch(`${service.baseUrl}${path}`, { headers: { 'x-forwarded-for': ip, ...headers }, redirect: 'manual' });
  const postForm = (path: string, ip: string, form: Record<string, string>) =>
    fetch(`${service.baseUrl}${path}`, { method: 'POST', headers: { 'x-forwarded-for': ip, 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(form).toString() });
  const headersOf = (res: Response) => Object.fromEntries(PAGE_HEADERS.map((h) => [h, res.headers.get(h)]));

  async function newConnectUrl(): Promise<string> {
    const created = await dskApi(service, `inst-hardening-${uniqueMetaId()}`, 'POST', '/v1/connections', { channel_type: 'whatsapp', return_url: 'https://dsk.example.test/return' });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    return new URL(String(created.body.connect_url)).pathname;
  }

  it('serves /privacy and the deletion status page with the same security headers as the connect pages', async () => {
    const overTls = { ...BROWSER, 'x-forwarded-proto': 'https' };
    const connect = await get(await newConnectUrl(), client(), overTls);
    assert.equal(connect.status, 200);
    const expected = {
      'content-security-policy': PAGE_CONTENT_SECURITY_POLICY,
      'x-frame-options': 'DENY',
      'referrer-policy': 'no-referrer',
      'x-content-type-options': 'nosniff',
      'strict-transport-security': HSTS_VALUE,
    };
    assert.deepEqual(headersOf(connect), expected);
    const privacy = await get('/privacy', client(), overTls);
    assert.equal(privacy.status, 200);
    assert.match(await privacy.text(), /<h1 id="privacy-policy">Privacy Policy<\/h1>/);
    assert.deepEqual(headersOf(privacy), expected);
    const status = await get('/meta/deletion-status?code=unknown', client(), overTls);
    assert.equal(status.status, 404);
    assert.deepEqual(headersOf(status), expected);
  });

  it('marks the connect cookie Secure and sends HSTS when the proxy says the request came over https, and not otherwise', async () => {
    const secure = await get(await newConnectUrl(), client(), { ...BROWSER, 'x-forwarded-proto': 'https' });
    assert.match(secure.headers.get('set-cookie') ?? '', /^mis_connect=[^;]+; Path=\/; Max-Age=\d+; HttpOnly; SameSite=Lax; Secure$/);
    assert.equal(secure.headers.get('strict-transport-security'), HSTS_VALUE);
    const plain = await get(await newConnectUrl(), client(), BROWSER);
    assert.match(plain.headers.get('set-cookie') ?? '', /^mis_connect=[^;]+; Path=\/; Max-Age=\d+; HttpOnly; SameSite=Lax$/);
    assert.equal(plain.headers.get('strict-transport-security'), null);
  });

  const limitedEndpoints: Array<{ name: string; send: (ip: string) => Promise<Response>; page: boolean }> = [
    { name: 'GET /privacy', send: (ip) => get('/privacy', ip, BROWSER), page: true },
    { name: 'GET /connect/:id', send: (ip) => get(`/connect/${randomUUID()}`, ip, BROWSER), page: true },
    { name: 'GET /oauth/callback', send: (ip) => get('/oauth/callback?state=not-a-state&code=x', ip, BROWSER), page: true },
    { name: 'GET /meta/deletion-status', send: (ip) => get('/meta/deletion-status?code=unknown', ip), page: false },
    { name: 'POST /meta/deauthorize', send: (ip) => postForm('/meta/deauthorize', ip, { signed_request: 'not.signed' }), page: false },
    { name: 'POST /meta/data-deletion', send: (ip) => postForm('/meta/data-deletion', ip, { signed_request: 'not.signed' }), page: false },
  ];

  for (const endpoint of limitedEndpoints) {
    it(`limits ${endpoint.name} per client address: 429 rate_limited with Retry-After after the burst`, async () => {
      const ip = client();
      const statuses: number[] = [];
      for (let i = 0; i < 3; i += 1) statuses.push((await endpoint.send(ip)).status);
      assert.ok(!statuses.includes(429), `within the burst: ${statuses.join(', ')}`);
      const refused = await endpoint.send(ip);
      assert.equal(refused.status, 429);
      // One token a minute: the wait is a minute less the moments the burst took.
      const retryAfter = Number(refused.headers.get('retry-after'));
      assert.ok(retryAfter >= 55 && retryAfter <= 60, `Retry-After: ${retryAfter}`);
      if (endpoint.page) {
        assert.match(refused.headers.get('content-type') ?? '', /^text\/html/);
        assert.equal(refused.headers.get('content-security-policy'), PAGE_CONTENT_SECURITY_POLICY);
        assert.match(await refused.text(), /<code>rate_limited<\/code>/);
      } else {
        assert.deepEqual(await refused.json(), { error: { code: 'rate_limited', message: `Too many requests from this address; retry in ${retryAfter} s` } });
      }
      assert.notEqual((await endpoint.send(client())).status, 429, 'another address is still served');
    });
  }

  it('shares one budget per address across the public endpoints', async () => {
    const ip = client();
    const statuses = [(await get('/privacy', ip)).status, (await get('/meta/deletion-status?code=x', ip)).status, (await get('/oauth/callback', ip)).status, (await get('/privacy', ip)).status];
    assert.deepEqual(statuses, [200, 404, 400, 429]);
  });

  it('never throttles Meta\'s signed webhooks: a burst far above the limit from a throttled address is all accepted', async () => {
    const ip = client();
    for (let i = 0; i < 3; i += 1) await get('/privacy', ip);
    assert.equal((await get('/privacy', ip)).status, 429, 'the address is throttled on the pages');
    const limitedBefore = await rateLimitedCount();
    const phoneNumberId = uniqueMetaId();
    const deliveries = Array.from({ length: 12 }, () => signedDelivery(waMessagePayload(waTextMessage({ wamid: newWamid() }), { phoneNumberId }), service.metaAppSecret));
    const answers = await Promise.all(
      deliveries.map((d) => fetch(`${service.baseUrl}/webhooks/meta`, { method: 'POST', headers: { ...d.headers, 'x-forwarded-for': ip }, body: d.body })),
    );
    assert.deepEqual(answers.map((r) => r.status), Array(12).fill(200));
    const verification = await get(`/webhooks/meta?hub.mode=subscribe&hub.verify_token=${service.config.meta.verifyToken}&hub.challenge=1158201444`, ip);
    assert.equal(verification.status, 200);
    assert.equal(await verification.text(), '1158201444');
    assert.equal(await rateLimitedCount(), limitedBefore, 'no webhook was counted as rate limited');
  });

  it('still lets a correctly signed Meta callback through within the budget', async () => {
    const res = await postForm('/meta/deauthorize', client(), { signed_request: signedRequest({ user_id: uniqueMetaId(), issued_at: Math.floor(Date.now() / 1000) }, service.metaAppSecret) });
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { success: true });
  });

  async function rateLimitedCount(): Promise<number> {
    const metric = await service.foundation.metrics.rateLimited.get();
    return metric.values[0]?.value ?? 0;
  }
});
