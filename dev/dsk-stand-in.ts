import { createHash } from 'node:crypto';
import type { Server } from 'node:http';
import Koa from 'koa';
import Router from '@koa/router';
import getRawBody from 'raw-body';
import { createRemoteJWKSet, jwtVerify } from 'jose';

export interface ReceivedEvent {
  at: string;
  idempotencyKey: string;
  type: string;
  instanceId: string;
  body: unknown;
}

/**
 * A stand-in for DSK in the dev stack: it verifies the service's JWT against the service's JWKS (as
 * DSK must), records what it receives and shows it on a page, so a newcomer can watch the whole loop.
 */
export function createDskStandIn(options: { jwksUrl: string; issuer: string; audience: string }) {
  const received: ReceivedEvent[] = [];
  const jwks = createRemoteJWKSet(new URL(options.jwksUrl));
  const router = new Router();
  router.post('/dsk/events', async (ctx) => {
    const token = /^Bearer (.+)$/.exec(ctx.get('authorization'))?.[1];
    if (!token) {
      ctx.status = 401;
      return;
    }
    try {
      const { payload } = await jwtVerify(token, jwks, { issuer: options.issuer, audience: options.audience, maxTokenAge: '5 minutes' });
      const raw = await getRawBody(ctx.req, { limit: '8mb' });
      // The token is bound to these bytes and to one instance: a token taken from another delivery fails here.
      if (payload.body_sha256 !== createHash('sha256').update(raw).digest('base64url')) throw new Error('body digest mismatch');
      if (typeof payload.instance_id !== 'string' || payload.instance_id !== payload.sub) throw new Error('instance mismatch');
      const body = JSON.parse(raw.toString('utf8')) as { type?: string };
      const key = ctx.get('idempotency-key');
      if (!received.some((r) => r.idempotencyKey === key)) {
        received.unshift({ at: new Date().toISOString(), idempotencyKey: key, type: String(body.type), instanceId: String(payload.sub), body });
        received.length = Math.min(received.length, 200);
      }
      ctx.status = 200;
      ctx.body = { ok: true };
    } catch {
      ctx.status = 401;
    }
  });
  router.get('/dsk', (ctx) => {
    ctx.type = 'html';
    ctx.body = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>DSK stand-in</title>
<meta http-equiv="refresh" content="3"><style>body{font-family:system-ui;margin:2rem}pre{background:#f4f4f4;padding:.5rem;overflow:auto}</style></head>
<body><h1>DSK stand-in: events received</h1><p>${received.length} event(s). This page refreshes every 3 seconds.</p>
${received.map((r) => `<h2>${escapeHtml(r.type)} <small>${escapeHtml(r.idempotencyKey)}</small></h2><pre>${escapeHtml(JSON.stringify(r.body, null, 2))}</pre>`).join('\n')}
</body></html>`;
  });
  const app = new Koa();
  app.use(router.routes());
  return {
    received,
    listen(port: number, host = '127.0.0.1'): Promise<Server> {
      return new Promise((resolve) => {
        const server = app.listen(port, host, () => resolve(server));
      });
    },
  };
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
