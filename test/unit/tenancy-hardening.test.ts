import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import Koa from 'koa';
import { errorMiddleware } from '../../src/api/errors.js';
import { instanceQuota } from '../../src/api/middleware/instance-quota.js';
import { healthRoutes } from '../../src/api/routes/health.js';
import { metaCallbackRoutes } from '../../src/api/routes/meta-callbacks.js';
import { applyServerTimeouts, SERVER_TIMEOUTS } from '../../src/api/server.js';
import http from 'node:http';
import { loadConfig } from '../../src/config.js';
import { createLogger, redactDeep } from '../../src/logger.js';
import { configProblems } from '../support/config.js';
import { signedRequest } from '../support/meta-webhook-sender.js';

const silent = createLogger({ level: 'silent' });

async function call(app: Koa, path: string, init: RequestInit = {}): Promise<Response> {
  const server = http.createServer(app.callback());
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    return await fetch(`http://127.0.0.1:${(server.address() as { port: number }).port}${path}`, init).then(async (res) => {
      const body = await res.arrayBuffer();
      return new Response(res.status === 204 ? null : body, { status: res.status, headers: res.headers });
    });
  } finally {
    await new Promise<void>((r) => server.close(() => r()));
  }
}

describe('log redaction', () => {
  it('censors secret fields at depth 5 and deeper, in arrays and errors, without touching the rest', () => {
    const logged = { a: { b: { c: { d: { token: 't', code: 'oauth', keep: 1, e: [{ Authorization: 'Bearer x', body: 'hi', id: 'ok' }] } } } } };
    assert.deepEqual(redactDeep(logged), { a: { b: { c: { d: { token: '[redacted]', code: '[redacted]', keep: 1, e: [{ Authorization: '[redacted]', body: '[redacted]', id: 'ok' }] } } } } });
    const cyclic: Record<string, unknown> = { secret: 's' };
    cyclic.self = cyclic;
    assert.deepEqual(redactDeep(cyclic), { secret: '[redacted]', self: '[circular]' });
  });

  it('never writes a secret nested five levels deep to a log line', () => {
    const lines: string[] = [];
    const log = createLogger({ level: 'info', destination: new Writable({ write: (chunk, _e, done) => void (lines.push(String(chunk)), done()) }) });
    log.info({ l1: { l2: { l3: { l4: { l5: { access_token: 'EAAG-secret', password: 'hunter2', count: 3 } } } } } }, 'deep');
    assert.equal(lines.length, 1);
    assert.doesNotMatch(lines[0]!, /EAAG-secret|hunter2/);
    assert.match(lines[0]!, /"count":3/);
  });

  it('censors a secret at the top level, in the own fields of an error and in the bindings of a child logger', () => {
    const lines: string[] = [];
    const log = createLogger({ level: 'info', destination: new Writable({ write: (chunk, _e, done) => void (lines.push(String(chunk)), done()) }) });
    log.info({ token: 'TOP-SECRET', err: Object.assign(new Error('failed'), { access_token: 'ERR-SECRET', status: 401 }) }, 'top');
    log.child({ secret: 'CHILD-SECRET', requestId: 'r-1' }).info({ n: 1 }, 'child');
    assert.equal(lines.length, 2);
    for (const line of lines) assert.doesNotMatch(line, /TOP-SECRET|ERR-SECRET|CHILD-SECRET/);
    assert.match(lines[0]!, /"status":401/);
    assert.match(lines[1]!, /"requestId":"r-1"/);
  });
});

describe('signed_request freshness', () => {
  const secret = 'app-secret-for-tests';
  const now = new Date('2026-12-04T12:00:00Z');
  const app = () => {
    const a = new Koa();
    a.use(errorMiddleware(silent));
    const router = metaCallbackRoutes({
      appSecrets: [secret],
      channels: { liveForMetaUser: async () => [] },
      deletionRequests: { record: async () => undefined, get: async () => undefined, channelsWithTokenLeft: async () => 0, purgeBatch: async () => 0 },
      workflows: { disconnectChannel: async () => 'disconnected' },
      publicBaseUrl: 'https://mis.example.test',
      clock: () => now,
      log: silent,
    });
    a.use(router.routes());
    return a;
  };
  const post = (payload: Record<string, unknown>) =>
    call(app(), '/meta/deauthorize', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ signed_request: signedRequest(payload, secret) }) });
  const seconds = (d: Date) => Math.floor(d.getTime() / 1000);

  it('accepts a request issued within the hour and refuses a replayed, undated or future one as 401 stale_signed_request', async () => {
    assert.equal((await post({ user_id: '1', issued_at: seconds(now) - 3_500 })).status, 200);
    for (const issued of [seconds(now) - 3_700, undefined, seconds(now) + 3_600]) {
      const res = await post({ user_id: '1', ...(issued === undefined ? {} : { issued_at: issued }) });
      assert.equal(res.status, 401, String(issued));
      assert.equal(((await res.json()) as { error: { code: string } }).error.code, 'stale_signed_request');
    }
  });
});

describe('per-instance request quota', () => {
  it('counts per instance and answers 429 quota_exceeded with the seconds to the next window', async () => {
    const counts = new Map<string, number>();
    const a = new Koa();
    a.use(errorMiddleware(silent));
    a.use(async (ctx, next) => {
      ctx.state.instanceId = ctx.get('x-instance');
      await next();
    });
    a.use(
      instanceQuota({
        quotas: { take: async (id: string, at: Date, windowMs: number) => ({ count: counts.set(id, (counts.get(id) ?? 0) + 1).get(id)!, windowEndsAt: new Date(Math.floor(at.getTime() / windowMs) * windowMs + windowMs) }) },
        perMinute: 2,
        clock: () => new Date('2026-12-04T12:00:45Z'),
      }),
    );
    a.use((ctx) => {
      ctx.body = { ok: true };
    });
    const statuses = [];
    for (let i = 0; i < 3; i += 1) statuses.push((await call(a, '/v1/x', { headers: { 'x-instance': 'acme' } })).status);
    const over = await call(a, '/v1/x', { headers: { 'x-instance': 'acme' } });
    assert.deepEqual([...statuses, over.status], [200, 200, 429, 429]);
    assert.equal(over.headers.get('retry-after'), '15');
    assert.equal((await call(a, '/v1/x', { headers: { 'x-instance': 'acme-corp' } })).status, 200);
  });
});

describe('public endpoint limits', () => {
  it('runs the readiness checks at most once per 1.5 s, however many callers', async () => {
    let runs = 0;
    let t = 0;
    const a = new Koa();
    a.use(healthRoutes([{ name: 'postgres', check: async () => ((runs += 1), true) }], { now: () => t }).routes());
    await Promise.all(Array.from({ length: 5 }, () => call(a, '/readyz')));
    t = 1_000;
    await call(a, '/readyz');
    assert.equal(runs, 1);
    t = 1_600;
    assert.equal((await call(a, '/readyz')).status, 200);
    assert.equal(runs, 2);
  });

  it('sets server timeouts far below Node’s five-minute default', () => {
    const server = applyServerTimeouts(http.createServer());
    assert.deepEqual([server.headersTimeout, server.requestTimeout, server.keepAliveTimeout], [SERVER_TIMEOUTS.headersTimeoutMs, SERVER_TIMEOUTS.requestTimeoutMs, SERVER_TIMEOUTS.keepAliveTimeoutMs]);
    assert.ok(server.requestTimeout <= 120_000 && server.headersTimeout <= 15_000);
  });
});

describe('configuration hardening', () => {
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
  const production = { ...valid, NODE_ENV: 'production', PUBLIC_BASE_URL: 'https://mis.example.test', PAYLOAD_ENCRYPTION_KEYS: `p1:${Buffer.alloc(32, 7).toString('base64')}` };

  it('refuses a plain-http JWKS URL in production only', () => {
    assert.deepEqual(configProblems({ ...production, DSK_JWT_JWKS_URL: 'http://dsk.example.test/jwks.json' }), ['DSK_JWT_JWKS_URL: must be https in production']);
    assert.equal(loadConfig({ ...valid, DSK_JWT_JWKS_URL: 'http://127.0.0.1:9/jwks.json' }).dskAuth.key.kind, 'jwks');
  });

  it('refuses a payload key that is also a token key, in either base64 spelling', () => {
    const tokenKey = 'cw_0x689RpI-jtRR7oE8h_eQsKImvJapLeSbXpwF4e4=';
    const sameBytes = Buffer.from(tokenKey, 'base64url').toString('base64');
    assert.match(configProblems({ ...valid, PAYLOAD_ENCRYPTION_KEYS: `p1:${sameBytes}` })[0]!, /must not be used for both/);
  });

  it('reads the egress allow-list, the DSK token age and the previous service keys', () => {
    const config = loadConfig({ ...valid, DSK_EGRESS_ALLOW: '10.20.0.0/16, 127.0.0.1', DSK_JWT_MAX_AGE_SECONDS: '600', SERVICE_JWT_PREVIOUS_PUBLIC_JWKS: '{"keys":[]}' });
    assert.deepEqual(config.delivery.egressAllow, ['10.20.0.0/16', '127.0.0.1']);
    assert.equal(config.dskAuth.maxAgeSeconds, 600);
    assert.equal(config.serviceJwt.previousPublicJwks, '{"keys":[]}');
    assert.equal(loadConfig(valid).dskAuth.maxAgeSeconds, 3600);
    assert.match(configProblems({ ...valid, DSK_EGRESS_ALLOW: 'intranet.local' })[0]!, /^DSK_EGRESS_ALLOW: expected comma-separated IP addresses or CIDR ranges/);
  });
});
