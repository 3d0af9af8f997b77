import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestService, type TestService } from '../support/service.js';

describe('API foundation (real PostgreSQL and Temporal)', () => {
  let service: TestService;
  before(async () => {
    service = await startTestService({ withWorker: false });
  });
  after(async () => {
    await service?.stop();
  });

  it('answers /healthz while alive', async () => {
    const res = await fetch(`${service.baseUrl}/healthz`);
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { status: 'ok' });
  });

  it('answers /readyz 200 when PostgreSQL and Temporal are reachable', async () => {
    const res = await fetch(`${service.baseUrl}/readyz`);
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { status: 'ready', checks: { postgres: true, temporal: true } });
  });

  it('gives every response a request id and unknown routes a JSON 404', async () => {
    const res = await fetch(`${service.baseUrl}/no-such-route`);
    assert.equal(res.status, 404);
    assert.match(res.headers.get('x-request-id') ?? '', /^[0-9a-f-]{36}$/);
    assert.deepEqual(await res.json(), { error: { code: 'not_found', message: 'No such route' } });
  });

  it('refuses /v1 without a token with 401 missing_token', async () => {
    const res = await fetch(`${service.baseUrl}/v1/instance`);
    assert.equal(res.status, 401);
    assert.equal(((await res.json()) as { error: { code: string } }).error.code, 'missing_token');
  });

  it('lets an instance set and read its own events URL, scoped by the token', async () => {
    const tokenA = await service.dskIssuer.dskToken({ instanceId: 'inst-foundation-a' });
    const tokenB = await service.dskIssuer.dskToken({ instanceId: 'inst-foundation-b' });
    const put = await fetch(`${service.baseUrl}/v1/instance`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${tokenA}`, 'content-type': 'application/json' },
      body: JSON.stringify({ events_url: 'https://dsk.example.test/a/events' }),
    });
    assert.equal(put.status, 200);
    const readA = await fetch(`${service.baseUrl}/v1/instance`, { headers: { authorization: `Bearer ${tokenA}` } });
    assert.deepEqual(await readA.json(), { id: 'inst-foundation-a', events_url: 'https://dsk.example.test/a/events', event_types: null });
    const readB = await fetch(`${service.baseUrl}/v1/instance`, { headers: { authorization: `Bearer ${tokenB}` } });
    assert.equal(readB.status, 404);
    assert.equal(((await readB.json()) as { error: { code: string } }).error.code, 'instance_not_found');
  });

  it('rejects an invalid events URL with 422 and the field path', async () => {
    const token = await service.dskIssuer.dskToken({ instanceId: 'inst-foundation-a' });
    const res = await fetch(`${service.baseUrl}/v1/instance`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ events_url: 'ftp://nope' }),
    });
    assert.equal(res.status, 422);
    const body = (await res.json()) as { error: { code: string; details: Array<{ path: string }> } };
    assert.equal(body.error.code, 'validation_failed');
    assert.deepEqual(body.error.details.map((d) => d.path), ['events_url']);
  });

  it('rejects unparsable JSON with 400 invalid_json', async () => {
    const token = await service.dskIssuer.dskToken({ instanceId: 'inst-foundation-a' });
    const res = await fetch(`${service.baseUrl}/v1/instance`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: '{"events_url":',
    });
    assert.equal(res.status, 400);
    assert.equal(((await res.json()) as { error: { code: string } }).error.code, 'invalid_json');
  });

  it('publishes the service signing key at /.well-known/jwks.json without private parts', async () => {
    const res = await fetch(`${service.baseUrl}/.well-known/jwks.json`);
    assert.equal(res.status, 200);
    const jwks = (await res.json()) as { keys: Array<Record<string, unknown>> };
    assert.equal(jwks.keys.length, 1);
    assert.equal(jwks.keys[0]!.kid, 'test-service-1');
    assert.equal(jwks.keys[0]!.d, undefined);
  });

  it('answers the Meta verification handshake only for the configured verify token', async () => {
    const ok = await fetch(`${service.baseUrl}/webhooks/meta?hub.mode=subscribe&hub.challenge=1158201444&hub.verify_token=verify-token-for-tests`);
    assert.equal(ok.status, 200);
    assert.equal(await ok.text(), '1158201444');
    const bad = await fetch(`${service.baseUrl}/webhooks/meta?hub.mode=subscribe&hub.challenge=1158201444&hub.verify_token=wrong`);
    assert.equal(bad.status, 403);
    assert.equal(((await bad.json()) as { error: { code: string } }).error.code, 'verification_failed');
  });

  it('answers a method the router does not know with 501 and a JSON code, not a 500', async () => {
    const res = await fetch(`${service.baseUrl}/healthz`, { method: 'PROPFIND' });
    assert.equal(res.status, 501);
    assert.deepEqual(await res.json(), { error: { code: 'method_not_implemented', message: 'This HTTP method is not supported' } });
  });
});
