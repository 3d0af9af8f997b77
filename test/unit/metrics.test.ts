import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import Router from '@koa/router';
import { Registry, register as globalRegistry } from 'prom-client';
import { createApp } from '../../src/api/app.js';
import { ApiError } from '../../src/api/errors.js';
import { countResponses } from '../../src/api/middleware/count-responses.js';
import { metricsRoutes } from '../../src/api/routes/metrics.js';
import { createLogger } from '../../src/logger.js';
import { startMetricsServer } from '../../src/metrics-server.js';
import { DskDeliveryError, type DskClient } from '../../src/dsk/client.js';
import { createMetrics, dskFailureReason, instrumentDskClient } from '../../src/metrics.js';
import { listen } from '../support/jwt.js';

const log = createLogger({ level: 'silent' });
const TOKEN = 'metrics-token-'.padEnd(40, 'm');

/** The sample lines of one metric, without HELP/TYPE. */
async function samples(registry: Registry, name: string): Promise<string[]> {
  return (await registry.metrics()).split('\n').filter((line) => line.startsWith(`${name}{`) || line.startsWith(`${name} `));
}

describe('createMetrics', () => {
  it('counts into the registry it is given, never into prom-client\'s global one', async () => {
    const registry = new Registry();
    const metrics = createMetrics(registry, { defaultMetrics: false });
    metrics.webhookEvents.inc({ kind: 'message.received', outcome: 'accepted' });
    metrics.webhookEvents.inc({ kind: 'message.received', outcome: 'accepted' });
    metrics.webhookEvents.inc({ kind: 'message.status', outcome: 'duplicate' });
    metrics.webhookRequests.inc({ status: '200' });
    metrics.dskDeliveryAttempts.inc({ outcome: 'delivered' });
    metrics.dskDeliveryFailures.inc({ reason: 'http_5xx' });
    metrics.outboundSends.inc({ outcome: 'sent' });
    metrics.tokenRefreshes.inc({ result: 'refreshed' });
    metrics.dskDeliveryDuration.observe(0.2);
    assert.deepEqual(await samples(registry, 'webhook_events_total'), [
      'webhook_events_total{kind="message.received",outcome="accepted"} 2',
      'webhook_events_total{kind="message.status",outcome="duplicate"} 1',
    ]);
    assert.deepEqual(await samples(registry, 'webhook_requests_total'), ['webhook_requests_total{status="200"} 1']);
    assert.deepEqual(await samples(registry, 'dsk_delivery_attempts_total'), ['dsk_delivery_attempts_total{outcome="delivered"} 1']);
    assert.deepEqual(await samples(registry, 'dsk_delivery_failures_total'), ['dsk_delivery_failures_total{reason="http_5xx"} 1']);
    assert.deepEqual(await samples(registry, 'outbound_sends_total'), ['outbound_sends_total{outcome="sent"} 1']);
    assert.deepEqual(await samples(registry, 'token_refreshes_total'), ['token_refreshes_total{result="refreshed"} 1']);
    assert.deepEqual(await samples(registry, 'dsk_delivery_duration_seconds_count'), ['dsk_delivery_duration_seconds_count 1']);
    assert.equal(globalRegistry.getSingleMetric('webhook_events_total'), undefined);
  });

  it('lets two processes\' worth of metrics live side by side (one registry each), with process metrics by default', async () => {
    const a = createMetrics(new Registry());
    const b = createMetrics(new Registry());
    a.webhookRequests.inc({ status: '401' });
    assert.deepEqual(await samples(b.registry, 'webhook_requests_total'), []);
    assert.ok((await a.registry.metrics()).includes('process_cpu_user_seconds_total'));
  });

  it('reads channels per status from the database at each scrape, reporting every status', async () => {
    let counts: Record<string, number> = { active: 3 };
    const registry = new Registry();
    createMetrics(registry, { defaultMetrics: false, channelCounts: async () => counts });
    assert.deepEqual(await samples(registry, 'channels'), ['channels{status="active"} 3', 'channels{status="reauth_required"} 0', 'channels{status="disconnected"} 0']);
    counts = { active: 2, disconnected: 1 };
    assert.deepEqual(await samples(registry, 'channels'), ['channels{status="active"} 2', 'channels{status="reauth_required"} 0', 'channels{status="disconnected"} 1']);
  });

  it('reports no channel series (rather than stale ones) when the count fails, and the rest of the scrape still works', async () => {
    let fail = false;
    const errors: unknown[] = [];
    const registry = new Registry();
    const metrics = createMetrics(registry, {
      defaultMetrics: false,
      channelCounts: async () => {
        if (fail) throw new Error('connection refused');
        return { active: 1 };
      },
      onCollectError: (err) => errors.push(err),
    });
    metrics.webhookRequests.inc({ status: '503' });
    assert.equal((await samples(registry, 'channels')).length, 3);
    fail = true;
    assert.deepEqual(await samples(registry, 'channels'), []);
    assert.equal(errors.length, 1);
    assert.deepEqual(await samples(registry, 'webhook_requests_total'), ['webhook_requests_total{status="503"} 1']);
  });

  it('names DSK failure reasons by status class or error kind', () => {
    assert.equal(dskFailureReason({ reason: 'http', status: 503 }), 'http_5xx');
    assert.equal(dskFailureReason({ reason: 'http', status: 422 }), 'http_4xx');
    assert.equal(dskFailureReason({ reason: 'timeout', status: undefined }), 'timeout');
    assert.equal(dskFailureReason({ reason: 'no_events_url', status: undefined }), 'no_events_url');
  });
});

describe('instrumentDskClient', () => {
  it('counts and times every delivery attempt by outcome, and failures by reason, passing results and errors through', async () => {
    const registry = new Registry();
    const metrics = createMetrics(registry, { defaultMetrics: false });
    const answers: Array<() => Promise<{ status: number }>> = [
      async () => ({ status: 202 }),
      async () => Promise.reject(new DskDeliveryError('http', 503, 1000)),
      async () => Promise.reject(new DskDeliveryError('http', 422, undefined)),
      async () => Promise.reject(new DskDeliveryError('timeout', undefined, undefined)),
      async () => Promise.reject(new TypeError('signer broke')),
    ];
    const fake: DskClient = { deliver: () => answers.shift()!() };
    const dsk = instrumentDskClient(fake, metrics);
    const request = { url: 'https://dsk.example.test/events', instanceId: 'i1', idempotencyKey: 'k', envelope: {} };
    assert.deepEqual(await dsk.deliver(request), { status: 202 });
    await assert.rejects(dsk.deliver(request), DskDeliveryError);
    await assert.rejects(dsk.deliver(request), DskDeliveryError);
    await assert.rejects(dsk.deliver(request), DskDeliveryError);
    await assert.rejects(dsk.deliver(request), TypeError);
    assert.deepEqual(await samples(registry, 'dsk_delivery_attempts_total'), [
      'dsk_delivery_attempts_total{outcome="delivered"} 1',
      'dsk_delivery_attempts_total{outcome="retryable"} 3',
      'dsk_delivery_attempts_total{outcome="rejected"} 1',
    ]);
    assert.deepEqual(await samples(registry, 'dsk_delivery_failures_total'), [
      'dsk_delivery_failures_total{reason="http_5xx"} 1',
      'dsk_delivery_failures_total{reason="http_4xx"} 1',
      'dsk_delivery_failures_total{reason="timeout"} 1',
      'dsk_delivery_failures_total{reason="error"} 1',
    ]);
    assert.deepEqual(await samples(registry, 'dsk_delivery_duration_seconds_count'), ['dsk_delivery_duration_seconds_count 5']);
  });
});

describe('countResponses', () => {
  it('counts a route\'s responses by the status the client gets, thrown errors included', async () => {
    const registry = new Registry();
    const metrics = createMetrics(registry, { defaultMetrics: false });
    const router = new Router();
    router.post('/hook/:mode', countResponses(metrics.webhookRequests), (ctx) => {
      if (ctx.params.mode === 'bad') throw new ApiError(401, 'invalid_signature', 'no');
      if (ctx.params.mode === 'boom') throw new Error('unexpected');
      ctx.body = 'EVENT_RECEIVED';
    });
    const app = createApp({ log, trustProxy: false, publicRoutes: [router], dskAuth: async () => undefined, dskRoutes: [] });
    const server = await listen(app.callback());
    try {
      const statuses = [];
      for (const mode of ['ok', 'ok', 'bad', 'boom']) statuses.push((await fetch(`${server.url}/hook/${mode}`, { method: 'POST' })).status);
      assert.deepEqual(statuses, [200, 200, 401, 500]);
    } finally {
      await server.close();
    }
    assert.deepEqual(await samples(registry, 'webhook_requests_total'), [
      'webhook_requests_total{status="200"} 2',
      'webhook_requests_total{status="401"} 1',
      'webhook_requests_total{status="500"} 1',
    ]);
  });
});

describe('GET /metrics (api)', () => {
  async function start(token: string | undefined) {
    const registry = new Registry();
    createMetrics(registry, { defaultMetrics: false }).webhookRequests.inc({ status: '200' });
    const app = createApp({ log, trustProxy: false, publicRoutes: [metricsRoutes({ registry, token })], dskAuth: async () => undefined, dskRoutes: [] });
    return listen(app.callback());
  }

  it('with METRICS_TOKEN serves Prometheus text to that bearer token only', async () => {
    const server = await start(TOKEN);
    try {
      const refused = await fetch(`${server.url}/metrics`);
      assert.equal(refused.status, 401);
      assert.equal(refused.headers.get('www-authenticate'), 'Bearer');
      const response = await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
      assert.equal(response.status, 200);
      assert.match(response.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
      assert.match(await response.text(), /^webhook_requests_total\{status="200"\} 1$/m);
    } finally {
      await server.close();
    }
  });

  it('without METRICS_TOKEN serves callers on this machine, but not through a proxy', async () => {
    const server = await start(undefined);
    try {
      assert.equal((await fetch(`${server.url}/metrics`)).status, 200);
      assert.equal((await fetch(`${server.url}/metrics`, { headers: { 'x-forwarded-for': '198.51.100.7' } })).status, 403);
    } finally {
      await server.close();
    }
  });
});

describe('worker metrics server', () => {
  it('serves its registry on its own port with the same access rule, and nothing else', async () => {
    const registry = new Registry();
    createMetrics(registry, { defaultMetrics: false }).tokenRefreshes.inc({ result: 'valid' });
    const server = await startMetricsServer({ registry, host: '127.0.0.1', port: 0, token: TOKEN, log });
    const url = `http://127.0.0.1:${server.port}`;
    try {
      const refused = await fetch(`${url}/metrics`);
      assert.equal(refused.status, 401);
      assert.deepEqual(await refused.json(), { error: { code: 'unauthorized', message: 'A valid bearer token is required' } });
      const response = await fetch(`${url}/metrics?x=1`, { headers: { authorization: `Bearer ${TOKEN}` } });
      assert.equal(response.status, 200);
      assert.match(await response.text(), /^token_refreshes_total\{result="valid"\} 1$/m);
      assert.equal((await fetch(`${url}/other`, { headers: { authorization: `Bearer ${TOKEN}` } })).status, 404);
      assert.equal((await fetch(`${url}/metrics`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}` } })).status, 405);
    } finally {
      await server.close();
    }
  });
});
