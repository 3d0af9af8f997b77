import { createHash } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import http from 'node:http';
import https from 'node:https';
import { createLocalJWKSet, jwtVerify, type JWK } from 'jose';

export interface Delivery {
  idempotencyKey: string;
  instanceId: string;
  body: { id: string; type: string; [k: string]: unknown };
  answeredWith: number;
  /** When the request arrived (ms since epoch). */
  at: number;
  /** The same arrival on the monotonic clock (`process.hrtime.bigint()`), for latency measurements. */
  hrAt: bigint;
  /** A 2xx for a key DSK had already accepted: answered like the first time, but not a second acceptance. */
  replay: boolean;
}

type Behaviour = { status: number; retryAfter?: string; delayMs?: number };

/**
 * A DSK that verifies the service's JWT (as DSK must), records every delivery, and can be told to
 * fail, be slow, or answer 429 with Retry-After. It is idempotent the way DSK is: a key it already
 * accepted is answered 2xx again and counted as a replay, never as a second acceptance. `accepted`
 * holds the first accepted delivery of each key; `attempts` every request, replays included.
 */
export async function startDskFake(options: { jwks: () => { keys: JWK[] }; issuer: string; audience: string; tls?: { cert: string | Buffer; key: string | Buffer } }) {
  const attempts: Delivery[] = [];
  const acceptedByKey = new Map<string, Delivery>();
  const replayCounts = new Map<string, number>();
  // Arrived and not answered yet (e.g. held by `delayMs`): what a crash of the sender cuts off.
  const inFlight = new Map<string, number>();
  let script: Behaviour[] = [];
  let fallback: Behaviour = { status: 200 };
  const waiters: Array<() => void> = [];
  const wakeWaiters = () => {
    for (const wake of waiters.splice(0)) wake();
  };

  const handler = async (req: http.IncomingMessage, res: http.ServerResponse) => {
    const at = Date.now();
    const hrAt = process.hrtime.bigint();
    const idempotencyKey = String(req.headers['idempotency-key'] ?? '');
    inFlight.set(idempotencyKey, (inFlight.get(idempotencyKey) ?? 0) + 1);
    wakeWaiters();
    const answer = (status: number, headers: Record<string, string> = {}) => {
      const left = (inFlight.get(idempotencyKey) ?? 1) - 1;
      if (left > 0) inFlight.set(idempotencyKey, left);
      else inFlight.delete(idempotencyKey);
      res.writeHead(status, headers).end();
    };
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    let instanceId: string;
    try {
      const { payload } = await jwtVerify(token ?? '', createLocalJWKSet(options.jwks()), { issuer: options.issuer, audience: options.audience });
      // As DSK must (README "Service → DSK"): the token names this body and one instance.
      if (payload.body_sha256 !== createHash('sha256').update(Buffer.concat(chunks)).digest('base64url')) throw new Error('body digest');
      if (typeof payload.instance_id !== 'string' || payload.instance_id !== payload.sub) throw new Error('instance');
      instanceId = String(payload.sub);
    } catch {
      answer(401);
      return;
    }
    const behaviour = script.shift() ?? fallback;
    if (behaviour.delayMs) await new Promise((r) => setTimeout(r, behaviour.delayMs));
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Delivery['body'];
    const ok = behaviour.status >= 200 && behaviour.status < 300;
    // Like DSK, the event is committed whether or not the sender is still there to read the answer.
    const replay = ok && acceptedByKey.has(idempotencyKey);
    const delivery: Delivery = { idempotencyKey, instanceId, body, answeredWith: behaviour.status, at, hrAt, replay };
    attempts.push(delivery);
    if (replay) replayCounts.set(idempotencyKey, (replayCounts.get(idempotencyKey) ?? 0) + 1);
    else if (ok) acceptedByKey.set(idempotencyKey, delivery);
    answer(behaviour.status, behaviour.retryAfter ? { 'retry-after': behaviour.retryAfter } : {});
    wakeWaiters();
  };
  // With `tls`: an https events URL, which the api requires in production (PUT /v1/instance).
  const listener = (req: http.IncomingMessage, res: http.ServerResponse) => void handler(req, res);
  const server = options.tls ? https.createServer({ cert: options.tls.cert, key: options.tls.key }, listener) : http.createServer(listener);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;

  const fake = {
    url: `${options.tls ? 'https' : 'http'}://127.0.0.1:${port}/events`,
    attempts,
    /** Deliveries DSK accepted, once per idempotency key. */
    get accepted(): Delivery[] {
      return [...acceptedByKey.values()];
    },
    /** 1 once DSK has accepted the key, else 0: an idempotent DSK accepts a key once, however often it is sent. */
    acceptCount: (key: string) => (acceptedByKey.has(key) ? 1 : 0),
    /** How many times the key came again after its acceptance and was answered 2xx as a replay. */
    replays: (key: string) => replayCounts.get(key) ?? 0,
    /** Keys of requests that arrived and are not answered yet (e.g. held by `delayMs`). */
    inFlightKeys: (): string[] => [...inFlight.keys()],
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
