import Router from '@koa/router';
import { z } from 'zod';
import { UNDELIVERED_STATUSES, type WebhookLogRow } from '../../db/webhook-log.js';
import type { Redelivery } from '../../inbound/redelivery.js';
import { ApiError } from '../errors.js';
import { requireInstance } from '../middleware/dsk-auth.js';
import { parseWith } from '../validate.js';
import { decodeCursor, pageOf, pageQuery } from '../pagination.js';

export const DeliveryListQuery = z.strictObject({
  /** Omitted: both. */
  status: z.enum(UNDELIVERED_STATUSES).optional(),
  ...pageQuery({ defaultLimit: 100, maxLimit: 500 }),
});

export const KeyParams = z.object({ key: z.string().min(1).max(200) });

/** What DSK sees of a delivery: ids, kind, outcome and DSK's own answers; never the event's content. */
export function deliveryView(row: WebhookLogRow) {
  return {
    key: row.idempotencyKey,
    kind: row.kind,
    channel_id: row.channelId,
    outcome: row.outcome,
    attempts: row.attempts,
    last_dsk_status: row.lastDskStatus,
    last_error_code: row.lastErrorCode,
    received_at: row.receivedAt.toISOString(),
    updated_at: row.updatedAt.toISOString(),
  };
}

/**
 * The calling instance's deliveries that failed or are still retrying, and a retry for a failed one
 * (`POST /v1/deliveries/:key/retry`, key URL-encoded). Another instance's key is 404, like an unknown one.
 */
export function deliveryRoutes(deps: { redelivery: Redelivery }): Router {
  const router = new Router({ prefix: '/v1' });

  router.get('/deliveries', async (ctx) => {
    const instanceId = requireInstance(ctx);
    const query = parseWith(DeliveryListQuery, ctx.query);
    const rows = await deps.redelivery.list(instanceId, query.status, query.limit + 1, decodeCursor(query.after, 2));
    const { items, next_cursor } = pageOf(rows, query.limit, (r) => r.cursorKey);
    ctx.body = { deliveries: items.map(deliveryView), next_cursor };
  });

  router.post('/deliveries/:key/retry', async (ctx) => {
    const instanceId = requireInstance(ctx);
    const { key } = parseWith(KeyParams, ctx.params);
    const retried = await deps.redelivery.retry(instanceId, key);
    switch (retried.result) {
      case 'retrying':
        ctx.status = 202;
        ctx.body = { key, status: 'retrying' };
        return;
      case 'not_found':
        throw new ApiError(404, 'delivery_not_found', 'No delivery with this key for this instance');
      case 'not_retryable':
        throw new ApiError(409, 'not_retryable', `Only failed deliveries can be retried; this one is ${retried.outcome}`, { outcome: retried.outcome });
      case 'retention_expired':
        throw new ApiError(410, 'retention_expired', 'The event is no longer kept (past the retention window) and cannot be delivered again');
    }
  });

  return router;
}
