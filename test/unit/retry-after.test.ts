import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import Router from '@koa/router';
import { createApp } from '../../src/api/app.js';
import { ApiError } from '../../src/api/errors.js';
import { messageRoutes } from '../../src/api/routes/messages.js';
import type { ChannelRow } from '../../src/db/channels.js';
import { createLogger } from '../../src/logger.js';

const log = createLogger({ level: 'silent', name: 'retry-after-test' });

async function answer(dskRoutes: Router[], method: string, path: string, body?: unknown) {
  const app = createApp({
    log,
    trustProxy: false,
    publicRoutes: [],
    dskAuth: async (ctx, next) => {
      ctx.state.instanceId = 'inst-1';
      await next();
    },
    dskRoutes,
  });
  const server = app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', resolve));
  try {
    const { port } = server.address() as { port: number };
    const res = await fetch(`http://127.0.0.1:${port}${path}`, { method, ...(body ? { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) } : {}) });
    return { status: res.status, retryAfter: res.headers.get('retry-after'), code: ((await res.json()) as { error?: { code: string } }).error?.code };
  } finally {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

describe('Retry-After on every 429', () => {
  it('gives a 429 whose cause named no wait Retry-After 60, and keeps a wait that was named', async () => {
    const router = new Router();
    router.get('/v1/none', () => {
      throw new ApiError(429, 'meta_throttled', 'throttled');
    });
    router.get('/v1/named', () => {
      throw new ApiError(429, 'quota_exceeded', 'over', undefined, { retryAfterSeconds: 7 });
    });
    router.get('/v1/header', (ctx) => {
      ctx.set('Retry-After', '120');
      throw new ApiError(429, 'meta_throttled', 'throttled');
    });
    assert.deepEqual(await answer([router], 'GET', '/v1/none'), { status: 429, retryAfter: '60', code: 'meta_throttled' });
    assert.deepEqual(await answer([router], 'GET', '/v1/named'), { status: 429, retryAfter: '7', code: 'quota_exceeded' });
    assert.deepEqual(await answer([router], 'GET', '/v1/header'), { status: 429, retryAfter: '120', code: 'meta_throttled' });
  });

  it('answers a send that failed on Meta throttling (after its retries) 429 with Retry-After', async () => {
    const channel = { id: '3f2b6c1e-9a4d-4e8b-b1c2-7d5e9f0a1b2c', instanceId: 'inst-1', channelType: 'whatsapp', status: 'active' } as ChannelRow;
    const routes = messageRoutes({
      channels: { getForInstance: async () => channel },
      sends: {
        send: async () => ({ channelId: channel.id, result: { status: 'failed', error: { code: 'meta_throttled', meta_code: 130429, meta_subcode: null, reason: 'throttled' } } }),
        earlier: async () => undefined,
        read: async () => undefined,
      },
      deliveryHorizon: '1 hour',
    });
    const res = await answer([routes], 'POST', `/v1/channels/${channel.id}/messages`, { client_message_id: 'cm-1', to: '+16505551234', type: 'text', text: { body: 'Hi' } });
    assert.deepEqual(res, { status: 429, retryAfter: '60', code: 'meta_throttled' });
  });
});
