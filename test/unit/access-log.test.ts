import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { describe, it } from 'node:test';
import Router from '@koa/router';
import { Registry } from 'prom-client';
import { createApp } from '../../src/api/app.js';
import { createLogger } from '../../src/logger.js';
import { createMetrics } from '../../src/metrics.js';
import { listen } from '../support/jwt.js';

/**
 * Operators see production: every request at info with its route pattern and, for DSK's calls, the
 * instance and the JWT subject; an audit line for each change; the latency histogram; the prefix.
 */
describe('access and audit log, HTTP latency', () => {
  it('logs each request at info with the JWT subject, audits changes, and times them by route pattern', async () => {
    const stream = new PassThrough();
    const lines: Array<Record<string, unknown>> = [];
    stream.on('data', (chunk: Buffer) => lines.push(...chunk.toString('utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>)));
    const log = createLogger({ level: 'info', destination: stream });
    const registry = new Registry();
    const metrics = createMetrics(registry, { defaultMetrics: false, prefix: 'mis_' });
    const dsk = new Router({ prefix: '/v1' });
    dsk.get('/channels/:id', (ctx) => void (ctx.body = { ok: true }));
    dsk.delete('/channels/:id', (ctx) => void (ctx.status = 202));
    const open = new Router();
    open.get('/healthz', (ctx) => void (ctx.body = 'ok'));
    const app = createApp({
      log,
      trustProxy: false,
      publicRoutes: [open],
      httpDuration: metrics.httpRequestDuration,
      dskAuth: async (ctx, next) => {
        ctx.state.auth = { subject: 'agent-7', instanceId: 'inst-1' };
        ctx.state.instanceId = 'inst-1';
        await next();
      },
      dskRoutes: [dsk],
    });
    const server = await listen(app.callback());
    try {
      assert.equal((await fetch(`${server.url}/v1/channels/ch_secret_id?access_token=zzz`)).status, 200);
      assert.equal((await fetch(`${server.url}/v1/channels/ch_secret_id`, { method: 'DELETE' })).status, 202);
      assert.equal((await fetch(`${server.url}/healthz`)).status, 200);
    } finally {
      await server.close();
    }
    await new Promise((resolve) => setImmediate(resolve));
    const shown = lines.map(({ msg, level, method, route, status, instanceId, subject, audit }) => ({ msg, level, method, route, status, instanceId, subject, audit }));
    assert.deepEqual(shown, [
      { msg: 'request', level: 'info', method: 'GET', route: '/v1/channels/:id', status: 200, instanceId: 'inst-1', subject: 'agent-7', audit: undefined },
      { msg: 'request', level: 'info', method: 'DELETE', route: '/v1/channels/:id', status: 202, instanceId: 'inst-1', subject: 'agent-7', audit: undefined },
      { msg: 'audit', level: 'info', method: 'DELETE', route: '/v1/channels/:id', status: 202, instanceId: 'inst-1', subject: 'agent-7', audit: true },
    ], 'health probes stay at debug');
    assert.ok(!JSON.stringify(lines).includes('ch_secret_id') && !JSON.stringify(lines).includes('zzz'), 'never the path ids or the query string');
    const text = await registry.metrics();
    assert.match(text, /^mis_http_request_duration_seconds_count\{method="GET",route="\/v1\/channels\/:id",status="200"\} 1$/m);
    assert.match(text, /^mis_http_request_duration_seconds_count\{method="DELETE",route="\/v1\/channels\/:id",status="202"\} 1$/m);
    assert.match(text, /^mis_http_request_duration_seconds_count\{method="GET",route="\/healthz",status="200"\} 1$/m);
  });

  it("puts a route's own counts (ctx.state.logFields) on its request line, so a webhook costs one line", async () => {
    const stream = new PassThrough();
    const lines: Array<Record<string, unknown>> = [];
    stream.on('data', (chunk: Buffer) => lines.push(...chunk.toString('utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>)));
    const open = new Router();
    open.post('/hook', (ctx) => {
      ctx.state.logFields = { events: 3, queued: 2 };
      ctx.body = 'ok';
    });
    const app = createApp({ log: createLogger({ level: 'info', destination: stream }), trustProxy: false, publicRoutes: [open], dskAuth: async () => undefined, dskRoutes: [] });
    const server = await listen(app.callback());
    try {
      assert.equal((await fetch(`${server.url}/hook`, { method: 'POST' })).status, 200);
    } finally {
      await server.close();
    }
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(lines.length, 1);
    assert.deepEqual({ msg: lines[0]!.msg, route: lines[0]!.route, events: lines[0]!.events, queued: lines[0]!.queued }, { msg: 'request', route: '/hook', events: 3, queued: 2 });
  });
});
