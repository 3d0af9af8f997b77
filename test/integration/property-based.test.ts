import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { splitWebhook } from '../../src/meta/webhook/split.js';
import { projectRoot } from '../../src/project-root.js';
import { signMeta } from '../support/meta-webhook-sender.js';
import { startTestService, type TestService } from '../support/service.js';

/**
 * Properties over inputs nobody wrote by hand (fast-check): whatever arrives at the webhook or at any
 * `/v1` route, the answer is a 2xx or a 4xx with a JSON error, never a 5xx and never a crash; and a
 * signed JSON body is accepted with exactly one webhook-log row per event key its split yields.
 */
describe('property-based: the webhook endpoint and every /v1 route under arbitrary input', () => {
  let service: TestService;
  let token: string;
  const instanceId = `prop-${Date.now()}`;

  before(async () => {
    // No worker: accepting needs only PostgreSQL and the workflow start; nothing here must be delivered.
    service = await startTestService({ withWorker: false });
    token = await service.dskIssuer.dskToken({ instanceId, expiresInSeconds: 3_000 });
  });
  after(async () => {
    await service?.stop();
  });

  /** fast-check reports the counterexample; this makes the test runner show why it failed too. */
  async function check<Ts extends unknown[]>(property: fc.IAsyncProperty<Ts>, numRuns: number): Promise<void> {
    const details = await fc.check(property, { numRuns });
    if (details.failed) assert.fail(`${String(details.errorInstance)}\ncounterexample: ${fc.stringify(details.counterexample)} (seed ${details.seed})`);
  }

  /** A 2xx, or a 4xx whose body is our JSON error with a stable code. */
  async function assertOrderly(res: Response, what: string): Promise<void> {
    if (res.status >= 500) assert.fail(`${what} answered ${res.status}: ${await res.text()}`);
    if (res.status >= 400) {
      assert.match(res.headers.get('content-type') ?? '', /^application\/json/, `${what} ${res.status}`);
      const body = (await res.json()) as { error?: { code?: unknown } };
      assert.equal(typeof body.error?.code, 'string', `${what} ${res.status}: ${JSON.stringify(body)}`);
    } else {
      await res.arrayBuffer();
    }
  }

  const headerValue = fc.string({ unit: fc.constantFrom(...'abcdefABCDEF0123456789=;-_ /+'.split('')), maxLength: 80 });
  const postWebhook = (body: Uint8Array, headers: Record<string, string>) =>
    fetch(`${service.baseUrl}/webhooks/meta`, { method: 'POST', headers, body: Buffer.from(body) });

  it('answers arbitrary bytes under arbitrary headers with a 2xx or a JSON 4xx', async () => {
    await check(
      fc.asyncProperty(fc.uint8Array({ maxLength: 2048 }), fc.boolean(), headerValue, fc.constantFrom('application/json', 'text/plain', 'application/octet-stream', ''), async (bytes, signed, junk, type) => {
        const signature = signed ? signMeta(Buffer.from(bytes), service.metaAppSecret) : `sha256=${junk}`;
        const res = await postWebhook(bytes, { 'x-hub-signature-256': signature, ...(type ? { 'content-type': type } : {}) });
        await assertOrderly(res, 'webhook bytes');
        if (!signed) assert.equal(res.status, 401);
      }),
      60,
    );
  });

  /** JSON shaped like Meta's envelopes, with arbitrary values where Meta's fields go. */
  const metaLike = fc.letrec((tie) => ({
    value: fc.oneof(
      { depthSize: 'small' },
      fc.jsonValue({ maxDepth: 2 }),
      tie('message'),
      fc.record({ messaging_product: fc.constant('whatsapp'), metadata: fc.record({ phone_number_id: fc.oneof(fc.string(), fc.integer()) }), messages: fc.array(tie('message'), { maxLength: 3 }), statuses: fc.array(tie('status'), { maxLength: 3 }) }, { requiredKeys: [] }),
    ),
    message: fc.record({ id: fc.oneof(fc.string(), fc.constant('wamid.X')), from: fc.string(), type: fc.constantFrom('text', 'image', 'reaction', 'unknown', 'button'), timestamp: fc.oneof(fc.string(), fc.integer()), text: fc.record({ body: fc.string() }) }, { requiredKeys: [] }),
    status: fc.record({ id: fc.string(), status: fc.constantFrom('sent', 'delivered', 'read', 'failed', 'weird'), recipient_id: fc.string(), timestamp: fc.string() }, { requiredKeys: [] }),
    change: fc.record({ field: fc.constantFrom('messages', 'account_update', 'message_template_status_update', 'phone_number_quality_update', 'unknown_field'), value: tie('value') }, { requiredKeys: [] }),
    messaging: fc.record({ sender: fc.record({ id: fc.string() }), recipient: fc.record({ id: fc.string() }), timestamp: fc.integer(), message: fc.record({ mid: fc.string(), text: fc.string(), is_echo: fc.boolean() }, { requiredKeys: [] }) }, { requiredKeys: [] }),
    entry: fc.record({ id: fc.oneof(fc.string(), fc.integer()), time: fc.oneof(fc.integer(), fc.string()), changes: fc.array(tie('change'), { maxLength: 3 }), messaging: fc.array(tie('messaging'), { maxLength: 3 }) }, { requiredKeys: [] }),
    body: fc.oneof(
      fc.record({ object: fc.constantFrom('whatsapp_business_account', 'instagram', 'page', 'other'), entry: fc.array(tie('entry'), { maxLength: 3 }) }, { requiredKeys: [] }),
      fc.jsonValue({ maxDepth: 3 }),
    ),
  })).body;

  it('accepts every signed JSON shape, with exactly one webhook-log row per key of its events', async () => {
    await check(
      fc.asyncProperty(metaLike, async (json) => {
        const raw = Buffer.from(JSON.stringify(json));
        const events = splitWebhook(json, { receivedAt: new Date() });
        for (const event of events) assert.ok(event.key.length > 0 && event.key.length <= 200 && /^[\x21-\x7e]+$/.test(event.key), `key ${JSON.stringify(event.key)}`);
        const res = await postWebhook(raw, { 'x-hub-signature-256': signMeta(raw, service.metaAppSecret), 'content-type': 'application/json' });
        assert.equal(res.status, 200, await res.clone().text());
        await res.arrayBuffer();
        const keys = [...new Set(events.map((e) => e.key))];
        const { rows } = await service.foundation.pool.query<{ idempotency_key: string }>(`SELECT idempotency_key FROM webhook_log WHERE idempotency_key = ANY($1::text[])`, [keys]);
        assert.deepEqual(rows.map((r) => r.idempotency_key).sort(), keys.sort());
        // The same bytes again: every key is a duplicate, no second row.
        const again = await postWebhook(raw, { 'x-hub-signature-256': signMeta(raw, service.metaAppSecret), 'content-type': 'application/json' });
        assert.equal(again.status, 200);
        await again.arrayBuffer();
        const count = await service.foundation.pool.query<{ n: string }>(`SELECT count(*)::text AS n FROM webhook_log WHERE idempotency_key = ANY($1::text[])`, [keys]);
        assert.equal(Number(count.rows[0]!.n), keys.length);
      }),
      60,
    );
  });

  /** Every operation the OpenAPI document lists under /v1 (openapi.test.ts holds it equal to the routers). */
  const operations = (() => {
    const doc = JSON.parse(readFileSync(path.join(projectRoot(), 'docs/openapi.json'), 'utf8')) as { paths: Record<string, Record<string, unknown>> };
    return Object.entries(doc.paths)
      .filter(([p]) => p.startsWith('/v1/'))
      .flatMap(([p, ops]) => Object.keys(ops).filter((m) => ['get', 'post', 'put', 'patch', 'delete'].includes(m)).map((m) => ({ method: m.toUpperCase(), template: p })));
  })();

  const pathParam = fc.oneof(fc.uuid(), fc.string({ maxLength: 40 }), fc.stringMatching(/^\d{1,20}$/), fc.constant('wa:msg:wamid.X'));
  const body = fc.oneof(
    fc.jsonValue({ maxDepth: 3 }).map((v) => ({ type: 'application/json', bytes: Buffer.from(JSON.stringify(v)) })),
    fc.uint8Array({ maxLength: 512 }).map((b) => ({ type: 'application/json', bytes: Buffer.from(b) })),
    fc.uint8Array({ maxLength: 512 }).map((b) => ({ type: 'image/png', bytes: Buffer.from(b) })),
    fc.record({ client_message_id: fc.string(), to: fc.string(), type: fc.constantFrom('text', 'image', 'template'), text: fc.record({ body: fc.string() }) }, { requiredKeys: [] }).map((v) => ({ type: 'application/json', bytes: Buffer.from(JSON.stringify(v)) })),
    fc.constant({ type: '', bytes: Buffer.alloc(0) }),
  );

  it('answers arbitrary bodies and path parameters on every /v1 route with a 2xx or a JSON 4xx', async () => {
    assert.ok(operations.length >= 15, `${operations.length} operations`);
    await check(
      fc.asyncProperty(fc.constantFrom(...operations), fc.array(pathParam, { minLength: 3, maxLength: 3 }), body, fc.dictionary(fc.constantFrom('wait_ms', 'limit', 'status', 'x'), fc.string({ maxLength: 10 }), { maxKeys: 2 }), async (op, params, payload, query) => {
        let i = 0;
        const url = new URL(`${service.baseUrl}${op.template.replace(/\{[^}]+\}/g, () => encodeURIComponent(params[i++]!))}`);
        for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v);
        const withBody = op.method !== 'GET' && op.method !== 'DELETE';
        const res = await fetch(url, {
          method: op.method,
          headers: { authorization: `Bearer ${token}`, ...(withBody && payload.type ? { 'content-type': payload.type } : {}) },
          ...(withBody ? { body: payload.bytes } : {}),
        });
        await assertOrderly(res, `${op.method} ${op.template}`);
      }),
      150,
    );
  });
});
