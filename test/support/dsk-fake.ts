import type { AddressInfo } from 'node:net';
import http from 'node:http';
import { createLocalJWKSet, jwtVerify, type JWK } from 'jose';

export interface Delivery {
  idempotencyKey: string;
  instanceId: string;
  body: { id: string; type: string; [k: string]: unknown };
  answeredWith: number;
  /** When the request arrived (ms since epoch). */
  at: number;
}

type Behaviour = { status: number; retryAfter?: string; delayMs?: number };

/**
 * A DSK that verifies the service's JWT (as DSK must), records every delivery, and can be told to
 * fail, be slow, or answer 429 with Retry-After. `accepted` holds the deliveries it answered 2xx,
 * deduplicated by Idempotency-Key the way DSK does.
 */
export async function startDskFake(options: { jwks: () => { keys: JWK[] }; issuer: string; audience: string }) {
  const attempts: Delivery[] = [];
  const acceptedByKey = new Map<string, Delivery>();
  const acceptCounts = new Map<string, number>();
  let script: Behaviour[] = [];
  let fallback: Behaviour = { status: 200 };
  const waiters: Array<() => void> = [];

  const server = http.createServer(async (req, res) => {
    const at = Date.now();
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    let instanceId: string;
    try {
      const { payload } = await jwtVerify(token ?? '', createLocalJWKSet(options.jwks()), { issuer: options.issuer, audience: options.audience });
      instanceId = String(payload.sub);
    } catch {
      res.writeHead(401).end();
      return;
    }
    const behaviour = script.shift() ?? fallback;
    if (behaviour.delayMs) await new Promise((r) => setTimeout(r, behaviour.delayMs));
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Delivery['body'];
    const idempotencyKey = String(req.headers['idempotency-key'] ?? '');
    const delivery: Delivery = { idempotencyKey, instanceId, body, answeredWith: behaviour.status, at };
    attempts.push(delivery);
    if (behaviour.status >= 200 && behaviour.status < 300) {
      acceptCounts.set(idempotencyKey, (acceptCounts.get(idempotencyKey) ?? 0) + 1);
      if (!acceptedByKey.has(idempotencyKey)) acceptedByKey.set(idempotencyKey, delivery);
    }
    res.writeHead(behaviour.status, behaviour.retryAfter ? { 'retry-after': behaviour.retryAfter } : {}).end();
    for (const wake of waiters.splice(0)) wake();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;

  const fake = {
    url: `http://127.0.0.1:${port}/events`,
    attempts,
    /** Deliveries DSK accepted, once per idempotency key. */
    get accepted(): Delivery[] {
      return [...acceptedByKey.values()];
    },
    /** How many times DSK answered 2xx for a key: more than 1 would mean a duplicate delivery. */
    acceptCount: (key: string) => acceptCounts.get(key) ?? 0,
    /** Next answers, in order; then the fallback. */
    respondWith(...behaviours: Behaviour[]) {
      script = behaviours;
    },
    setFallback(behaviour: Behaviour) {
      fallback = behaviour;
    },
    /** Resolves once `predicate` holds, checked after each request; rejects after the timeout. */
    async waitFor(predicate: () => boolean, timeoutMs = 30_000, what = 'DSK deliveries'): Promise<void> {
      const deadline = Date.now() + timeoutMs;
      while (!predicate()) {
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`timed out waiting for ${what}`);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, Math.min(left, 250));
          waiters.push(() => {
            clearTimeout(timer);
            resolve();
          });
        });
      }
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
  return fake;
}

export type DskFake = Awaited<ReturnType<typeof startDskFake>>;
