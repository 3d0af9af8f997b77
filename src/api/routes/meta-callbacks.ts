import { randomBytes } from 'node:crypto';
import Router from '@koa/router';
import type Koa from 'koa';
import type { Channels } from '../../db/channels.js';
import type { DeletionRequests } from '../../db/deletion-requests.js';
import type { Logger } from '../../logger.js';
import { verifySignedRequest } from '../../meta/signature.js';
import type { Workflows } from '../../temporal/client.js';
import { ApiError } from '../errors.js';
import { html, page } from '../pages/html.js';
import { readText } from '../validate.js';

export interface MetaCallbackDeps {
  appSecrets: readonly string[];
  channels: Pick<Channels, 'liveForMetaUser'>;
  deletionRequests: DeletionRequests;
  workflows: Pick<Workflows, 'disconnectChannel'>;
  publicBaseUrl: string;
  clock: () => Date;
  log: Logger;
  /** The public pages' rate limit (shared with the other public routers); omitted: none. */
  rateLimit?: Koa.Middleware;
}

/** Meta calls at once when the person removes the app; an hour leaves room for Meta's retries. */
export const SIGNED_REQUEST_MAX_AGE_SECONDS = 3600;
const SIGNED_REQUEST_SKEW_SECONDS = 300;

/**
 * Meta's Deauthorize and Data Deletion Request callbacks. Both carry a `signed_request` naming the
 * app-scoped id of the person who removed the app; every live channel that person granted is
 * disconnected through its connection workflow (which unsubscribes, destroys the token and tells DSK).
 */
export function metaCallbackRoutes(deps: MetaCallbackDeps): Router {
  const router = new Router();
  // Meta calls these rarely (one per person removing the app); a flood is not Meta.
  if (deps.rateLimit) router.use(deps.rateLimit);

  async function verifiedUser(body: string): Promise<string> {
    const signed = new URLSearchParams(body).get('signed_request');
    const check = signed ? verifySignedRequest(signed, deps.appSecrets) : undefined;
    if (!check?.ok) throw new ApiError(401, 'invalid_signed_request', 'signed_request is missing or not signed by the app');
    // A signed_request never expires by itself: without a freshness window one captured request could
    // be replayed for ever (each data-deletion replay creating a new deletion record).
    const issuedAt = check.payload.issued_at;
    const nowSeconds = deps.clock().getTime() / 1000;
    if (typeof issuedAt !== 'number' || issuedAt < nowSeconds - SIGNED_REQUEST_MAX_AGE_SECONDS || issuedAt > nowSeconds + SIGNED_REQUEST_SKEW_SECONDS) {
      throw new ApiError(401, 'stale_signed_request', 'signed_request has no issued_at within the last hour');
    }
    const userId = check.payload.user_id;
    if (!userId) throw new ApiError(400, 'missing_user_id', 'signed_request names no user');
    return String(userId);
  }

  async function disconnectAll(metaUserId: string, reason: string): Promise<number> {
    const channels = await deps.channels.liveForMetaUser(metaUserId);
    for (const channel of channels) await deps.workflows.disconnectChannel(channel, reason);
    return channels.length;
  }

  router.post('/meta/deauthorize', async (ctx) => {
    const userId = await verifiedUser(await readText(ctx, 64 * 1024));
    const count = await disconnectAll(userId, 'meta_deauthorize');
    deps.log.info({ channels: count }, 'meta deauthorize callback');
    ctx.body = { success: true };
  });

  router.post('/meta/data-deletion', async (ctx) => {
    const userId = await verifiedUser(await readText(ctx, 64 * 1024));
    const count = await disconnectAll(userId, 'meta_data_deletion');
    const confirmationCode = randomBytes(12).toString('base64url');
    await deps.deletionRequests.record({ confirmationCode, metaUserId: userId, channels: count, requestedAt: deps.clock() });
    deps.log.info({ channels: count }, 'meta data deletion request');
    ctx.type = 'application/json';
    ctx.body = { url: `${deps.publicBaseUrl}/meta/deletion-status?code=${confirmationCode}`, confirmation_code: confirmationCode };
  });

  /** The human-readable status page Meta links the person to. */
  router.get('/meta/deletion-status', async (ctx) => {
    const code = typeof ctx.query.code === 'string' ? ctx.query.code : '';
    const request = await deps.deletionRequests.get(code);
    ctx.type = 'html';
    ctx.set('Cache-Control', 'no-store');
    if (!request) {
      ctx.status = 404;
      ctx.body = page('Deletion request not found', html`<p>No data deletion request has this confirmation code.</p>`, { status: 'error' });
      return;
    }
    const done = (await deps.deletionRequests.channelsWithTokenLeft(code)) === 0;
    ctx.body = page(
      'Data deletion request',
      html`<p>Confirmation code: <code>${code}</code></p>
<p>Received ${request.requestedAt.toISOString()}. Channels concerned: ${request.channels}.</p>
<p>${done ? 'Completed: the channels are disconnected and their access tokens destroyed.' : 'In progress: the channels are being disconnected.'}</p>
<p><small>This service keeps no message content in its database; messages in transit exist only in encrypted workflow histories, which are deleted after a short retention period. Delivery records (without content) expire after 30 days. Details: <a href="/privacy">privacy policy</a>.</small></p>`,
      { status: done ? 'ok' : 'info' },
    );
  });

  return router;
}
