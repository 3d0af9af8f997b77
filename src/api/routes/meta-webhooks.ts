import { createHash, timingSafeEqual } from 'node:crypto';
import Router from '@koa/router';
import { IntakeFullError, type InboundIntake } from '../../inbound/intake.js';
import type { Logger } from '../../logger.js';
import type { Metrics } from '../../metrics.js';
import { countResponses } from '../middleware/count-responses.js';
import { verifyMetaSignature } from '../../meta/signature.js';
import { splitWebhook } from '../../meta/webhook/split.js';
import { ApiError } from '../errors.js';
import { rawBody } from '../middleware/raw-body.js';

export interface MetaWebhookDeps {
  appSecrets: readonly string[];
  verifyToken: string;
  maxBodyBytes: number;
  /** The whole body must arrive within this (default 15 s); Meta sends at most 3 MB at once. */
  bodyTimeoutMs?: number;

  intake: InboundIntake;
  metrics: Pick<Metrics, 'webhookRequests'>;
  clock: () => Date;
  log: Logger;
}

/** Meta's largest batches are a few MB: seconds on any link Meta uses. */
const WEBHOOK_BODY_TIMEOUT_MS = 15_000;

/**
 * Meta's webhook endpoint. The POST does only: bytes → verify → split → durably accept (the
 * group-committed PostgreSQL intake, src/inbound/intake.ts) → 200. Temporal is not on this path: the
 * intake's relay starts the workflows, so Meta never waits on (or feels an outage of) Temporal.
 */
export function metaWebhookRoutes(deps: MetaWebhookDeps): Router {
  const router = new Router();

  // Neither route is behind the per-address limit: Meta calls both from few addresses, the POST in
  // bursts, and the GET (subscription check) does a constant-time compare and nothing else.
  router.get('/webhooks/meta', (ctx) => {
    const mode = ctx.query['hub.mode'];
    const token = ctx.query['hub.verify_token'];
    const challenge = ctx.query['hub.challenge'];
    if (mode !== 'subscribe' || typeof token !== 'string' || typeof challenge !== 'string' || !sameSecret(token, deps.verifyToken)) {
      throw new ApiError(403, 'verification_failed', 'hub.mode or hub.verify_token does not match');
    }
    ctx.type = 'text/plain';
    ctx.body = challenge;
  });

  router.post('/webhooks/meta', countResponses(deps.metrics.webhookRequests), rawBody({ limit: deps.maxBodyBytes, timeoutMs: deps.bodyTimeoutMs ?? WEBHOOK_BODY_TIMEOUT_MS }), async (ctx) => {
    const raw = ctx.state.rawBody as Buffer;
    const signature = verifyMetaSignature(raw, ctx.get('x-hub-signature-256') || undefined, deps.appSecrets);
    if (!signature.ok) {
      throw new ApiError(401, 'invalid_signature', 'X-Hub-Signature-256 is missing or does not match the request body');
    }
    let body: unknown;
    try {
      body = JSON.parse(raw.toString('utf8'));
    } catch {
      throw new ApiError(400, 'invalid_json', 'Request body is not valid JSON');
    }
    const receivedAt = deps.clock();
    const events = splitWebhook(body, { receivedAt });
    let result;
    try {
      result = await deps.intake.accept(events, receivedAt);
    } catch (err) {
      // Nothing is acknowledged that could be lost: a 503 makes Meta deliver the whole POST again.
      if (err instanceof IntakeFullError) {
        deps.log.warn({ requestId: ctx.state.requestId, events: events.length, bound: err.reason }, 'webhook not accepted: the inbound intake is full');
        throw new ApiError(503, 'intake_full', 'Too many events are waiting to be processed; retry later');
      }
      deps.log.warn({ requestId: ctx.state.requestId, events: events.length, errorName: err instanceof Error ? err.name : 'unknown' }, 'webhook not accepted');
      throw new ApiError(503, 'temporarily_unavailable', 'Events could not be stored durably; retry later');
    }
    // On the access log's `request` line: one line per webhook.
    ctx.state.logFields = { events: result.accepted, queued: result.queued, duplicates: result.duplicates, secretIndex: signature.secretIndex };
    ctx.status = 200;
    ctx.type = 'text/plain';
    ctx.body = 'EVENT_RECEIVED';
  });

  return router;
}

/** Constant-time comparison of two strings of any length (hashing first equalises the lengths). */
function sameSecret(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}
