import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { outboundWorkflowId } from '../../src/shared/ids.js';
import { validate } from '../support/json-schema.js';
import { operations, readOpenApi, responseSchema } from '../support/openapi.js';
import { seedChannel, startTestService, uniqueMetaId, type TestService } from '../support/service.js';

/*
 * The running API serves docs/openapi.json, and what it answers matches it: every /v1 operation is
 * called at least once and each answer's status must be documented for that operation and its body
 * must validate against the documented schema (closed schemas: an undocumented field fails).
 */
describe('OpenAPI document served by the API (real PostgreSQL and Temporal)', () => {
  const doc = readOpenApi();
  const exercised = new Set<string>();
  const instanceId = `inst-openapi-${randomUUID().slice(0, 8)}`;
  let service: TestService;
  let token: string;
  let channelId: string;

  before(async () => {
    // The worker answers the connection workflow's status query behind GET /v1/connections/{id}.
    service = await startTestService();
    token = await service.dskIssuer.dskToken({ instanceId });
  });
  after(async () => {
    await service?.stop();
  });

  /** Calls the API and checks the answer against the document; returns the parsed JSON body. */
  async function call(method: string, template: string, options: { params?: Record<string, string>; query?: string; body?: unknown; auth?: boolean } = {}) {
    const url = template.replace(/\{([^}]+)\}/g, (_, name: string) => encodeURIComponent(options.params?.[name] ?? '')) + (options.query ?? '');
    const headers: Record<string, string> = {};
    if (options.auth !== false) headers.authorization = `Bearer ${token}`;
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(service.baseUrl + url, { method, headers, ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }) });
    const body: unknown = await res.json();
    const schema = responseSchema(doc, method, template, res.status);
    assert.deepEqual(validate(schema, body, doc), [], `${method} ${url} answered ${res.status} ${JSON.stringify(body)}`);
    exercised.add(`${method} ${template}`);
    return { status: res.status, headers: res.headers, body: body as Record<string, unknown> };
  }

  function requestExample(method: string, template: string, name: string): unknown {
    const example = doc.paths[template]?.[method.toLowerCase()]?.requestBody?.content['application/json']?.examples?.[name];
    assert.ok(example, `${method} ${template} has no request example ${name}`);
    return example.value;
  }

  it('serves docs/openapi.json at /openapi.json without a token, cacheable for five minutes', async () => {
    const res = await fetch(`${service.baseUrl}/openapi.json`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^application\/json\b/);
    assert.equal(res.headers.get('cache-control'), 'public, max-age=300');
    assert.match(res.headers.get('etag') ?? '', /^"[A-Za-z0-9_-]+"$/);
    assert.deepEqual(await res.json(), doc);
  });

  it('answers 304 with no body when If-None-Match carries the ETag', async () => {
    const first = await fetch(`${service.baseUrl}/openapi.json`);
    await first.body?.cancel();
    // fetch() adds `Cache-Control: no-cache` to a conditional request unless one is given, and a
    // no-cache request must get the full body; a revalidating cache sends max-age=0.
    const again = await fetch(`${service.baseUrl}/openapi.json`, {
      headers: { 'if-none-match': first.headers.get('etag') ?? '', 'cache-control': 'max-age=0' },
    });
    assert.equal(again.status, 304);
    assert.equal(await again.text(), '');
  });

  it('refuses other methods on /openapi.json with 405', async () => {
    const res = await fetch(`${service.baseUrl}/openapi.json`, { method: 'POST' });
    assert.equal(res.status, 405);
    assert.equal(((await res.json()) as { error: { code: string } }).error.code, 'method_not_allowed');
  });

  it('publishes a JWKS that matches the document', async () => {
    const { status } = await call('GET', '/.well-known/jwks.json', { auth: false });
    assert.equal(status, 200);
  });

  it('answers a call without a token with the documented 401', async () => {
    const { status, body, headers } = await call('GET', '/v1/instance', { auth: false });
    assert.equal(status, 401);
    assert.deepEqual(body, { error: { code: 'missing_token', message: 'Authorization: Bearer <token> is required' } });
    assert.equal(headers.get('www-authenticate'), 'Bearer error="invalid_token"');
  });

  it('reads and sets the instance as documented, including 404 before the first PUT and 422', async () => {
    assert.equal((await call('GET', '/v1/instance')).status, 404);
    const put = await call('PUT', '/v1/instance', { body: requestExample('PUT', '/v1/instance', 'set') });
    assert.equal(put.status, 200);
    assert.deepEqual((await call('GET', '/v1/instance')).body, put.body);
    const bad = await call('PUT', '/v1/instance', { body: { events_url: 'ftp://dsk.example.test/events' } });
    assert.equal(bad.status, 422);
  });

  it('lists, reads, corrects and describes a channel as documented', async () => {
    channelId = await seedChannel(service, {
      instanceId,
      channelType: 'whatsapp',
      externalId: uniqueMetaId(),
      wabaId: uniqueMetaId(),
      eventsUrl: 'https://dsk.example.test/events',
      token: 'EAAG-openapi-test-token',
    });
    const list = await call('GET', '/v1/channels', { query: '?status=active&channel_type=whatsapp' });
    assert.deepEqual((list.body.channels as Array<{ id: string }>).map((c) => c.id), [channelId]);
    assert.equal((await call('GET', '/v1/channels/{id}', { params: { id: channelId } })).status, 200);
    for (const name of ['rename', 'relabel', 'clearName']) {
      const patched = await call('PATCH', '/v1/channels/{id}', { params: { id: channelId }, body: requestExample('PATCH', '/v1/channels/{id}', name) });
      assert.equal(patched.status, 200, name);
    }
    const data = await call('GET', '/v1/channels/{id}/data', { params: { id: channelId } });
    assert.equal((data.body.token as { present: boolean }).present, true);
    assert.equal((await call('GET', '/v1/channels/{id}', { params: { id: randomUUID() } })).status, 404);
    assert.equal((await call('GET', '/v1/channels/{id}', { params: { id: 'not-a-uuid' } })).status, 422);
  });

  it('answers deliveries and media calls with documented bodies', async () => {
    assert.equal((await call('GET', '/v1/deliveries', { query: '?status=failed&limit=10' })).status, 200);
    const retry = await call('POST', '/v1/deliveries/{key}/retry', { params: { key: 'wa:msg:wamid.unknown-to-this-instance' } });
    assert.equal(retry.status, 404);
    const media = await call('GET', '/v1/media/{channelId}/{mediaId}', { params: { channelId: randomUUID(), mediaId: '1479523016612041' } });
    assert.equal(media.status, 404);
    // Uploads stream raw files (their own test covers them); the documented refusals need no file.
    assert.equal((await call('POST', '/v1/channels/{id}/media', { params: { id: randomUUID() } })).status, 404);
    assert.equal((await call('POST', '/v1/channels/{id}/media', { params: { id: channelId } })).status, 415);
  });

  it('answers template, business profile and channel media calls with documented bodies', async () => {
    const igChannel = await seedChannel(service, { instanceId, channelType: 'instagram', externalId: `1784${uniqueMetaId().slice(-13)}`, eventsUrl: null, token: 'IGAA-openapi-test-token' });
    const params = { id: igChannel, name: 'order_update' };
    assert.equal((await call('GET', '/v1/channels/{id}/templates', { params, query: '?limit=10&status=APPROVED' })).status, 409);
    assert.equal((await call('GET', '/v1/channels/{id}/templates', { params, query: '?limit=0' })).status, 422);
    assert.equal((await call('POST', '/v1/channels/{id}/templates', { params, body: requestExample('POST', '/v1/channels/{id}/templates', 'orderShipped') })).status, 409);
    assert.equal((await call('DELETE', '/v1/channels/{id}/templates/{name}', { params })).status, 409);
    assert.equal((await call('GET', '/v1/channels/{id}/profile', { params })).status, 409);
    assert.equal((await call('PATCH', '/v1/channels/{id}/profile', { params, body: requestExample('PATCH', '/v1/channels/{id}/profile', 'about') })).status, 409);
    assert.equal((await call('PUT', '/v1/channels/{id}/profile/photo', { params })).status, 409);
    const unknownMedia = await call('GET', '/v1/channels/{id}/media/{mediaId}', { params: { id: channelId, mediaId: `ig${'A'.repeat(32)}` } });
    assert.deepEqual([unknownMedia.status, (unknownMedia.body.error as { code: string }).code], [404, 'media_not_found']);
    assert.equal((await call('DELETE', '/v1/channels/{id}/media/{mediaId}', { params: { id: channelId, mediaId: 'not!an-id' } })).status, 422);
  });

  it('answers sends as documented: a refused body, a channel that cannot send, and reading the send back', async () => {
    const example = requestExample('POST', '/v1/channels/{id}/messages', 'whatsappText') as Record<string, unknown>;
    assert.equal((await call('POST', '/v1/channels/{id}/messages', { params: { id: randomUUID() }, body: example })).status, 404);
    const invalid = await call('POST', '/v1/channels/{id}/messages', { params: { id: channelId }, body: { ...example, type: 'image' } });
    assert.equal(invalid.status, 422);
    // No Meta here: the send keeps being retried, so without waiting it is answered 202 pending.
    const clientMessageId = `openapi-${randomUUID()}`;
    const pending = await call('POST', '/v1/channels/{id}/messages', { params: { id: channelId }, query: '?wait_ms=0', body: { ...example, client_message_id: clientMessageId } });
    assert.deepEqual([pending.status, pending.body.status], [202, 'pending']);
    const read = await call('GET', '/v1/channels/{id}/messages/{clientMessageId}', { params: { id: channelId, clientMessageId } });
    assert.deepEqual([read.status, read.body.status], [200, 'pending']);
    assert.equal((await call('GET', '/v1/channels/{id}/messages/{clientMessageId}', { params: { id: channelId, clientMessageId: 'never-sent' } })).status, 404);
    // An operator ends the send: it may or may not have gone out, so it reads as unknown, and a repeat is not sent.
    await service.client.workflow.getHandle(outboundWorkflowId(instanceId, clientMessageId)).terminate('test over');
    const ended = await call('GET', '/v1/channels/{id}/messages/{clientMessageId}', { params: { id: channelId, clientMessageId } });
    assert.deepEqual([ended.status, ended.body.status, (ended.body.error as { code: string }).code], [200, 'unknown', 'ambiguous_send']);
    const repeat = await call('POST', '/v1/channels/{id}/messages', { params: { id: channelId }, body: { ...example, client_message_id: clientMessageId } });
    assert.deepEqual([repeat.status, repeat.body.status], [202, 'unknown']);
  });

  it('disconnects a channel as documented, idempotently, and refuses to re-connect it', async () => {
    const first = await call('DELETE', '/v1/channels/{id}', { params: { id: channelId } });
    assert.deepEqual(first.body, { id: channelId, status: 'disconnected' });
    assert.equal((await call('DELETE', '/v1/channels/{id}', { params: { id: channelId } })).status, 200);
    const reconnect = await call('POST', '/v1/channels/{id}/reconnect', { params: { id: channelId } });
    assert.equal(reconnect.status, 409);
    assert.equal((reconnect.body.error as { code: string }).code, 'channel_disconnected');
  });

  it('creates and reads a connection as documented, and refuses a flow this deployment does not offer', async () => {
    const created = await call('POST', '/v1/connections', { body: requestExample('POST', '/v1/connections', 'whatsapp') });
    assert.equal(created.status, 201);
    const read = await call('GET', '/v1/connections/{id}', { params: { id: String(created.body.connection_id) } });
    assert.equal(read.body.status, 'awaiting_authorization');
    // The test deployment configures no Instagram app, so Instagram Login is not offered.
    const refused = await call('POST', '/v1/connections', { body: requestExample('POST', '/v1/connections', 'instagram') });
    assert.equal(refused.status, 422);
  });

  it('has called every documented operation', () => {
    const documented = operations(doc).map((o) => `${o.method} ${o.path}`).filter((o) => o !== 'GET /openapi.json');
    assert.deepEqual(documented.filter((o) => !exercised.has(o)), []);
  });
});
