import Router from '@koa/router';
import type Koa from 'koa';
import { z } from 'zod';
import type { Channels } from '../../db/channels.js';
import type { Logger } from '../../logger.js';
import { MetaApiError, MetaRequestError, type GraphClient } from '../../meta/graph-client.js';
import type { TokenVault } from '../../vault/token-vault.js';
import { ApiError } from '../errors.js';
import { requireInstance } from '../middleware/dsk-auth.js';
import { parseWith } from '../validate.js';

export interface MediaRouteDeps {
  channels: Pick<Channels, 'credentialsForInstance'>;
  vault: TokenVault;
  graph: GraphClient;
  log: Logger;
}

const Params = z.object({
  channelId: z.uuid({ message: 'must be a UUID' }),
  mediaId: z.string().regex(/^\d{1,32}$/, 'must be 1 to 32 digits'),
});

/** `type/subtype` with optional parameters; anything else from Meta is served as opaque bytes. */
const MIME_TYPE = /^[a-z0-9!#$&^_.+-]+\/[a-z0-9!#$&^_.+-]+(?:\s*;\s*[a-z0-9!#$&^_.+-]+=(?:[a-z0-9!#$&^_.+-]+|"[^"\r\n]*"))*$/i;

/**
 * WhatsApp media for DSK: the bytes behind a media id from an inbound message, fetched with the
 * channel's own token and streamed through. The token is decrypted inside this request and goes to
 * Meta only; DSK never sees it or the short-lived Meta URL.
 */
export function mediaRoutes(deps: MediaRouteDeps): Router {
  const router = new Router({ prefix: '/v1' });

  router.get('/media/:channelId/:mediaId', async (ctx) => {
    const instanceId = requireInstance(ctx);
    const { channelId, mediaId } = parseWith(Params, { channelId: ctx.params.channelId, mediaId: ctx.params.mediaId });

    const channel = await deps.channels.credentialsForInstance(instanceId, channelId);
    if (!channel) throw new ApiError(404, 'channel_not_found', 'No such channel for this instance');
    if (channel.channelType !== 'whatsapp') {
      // Instagram attachments arrive as URLs in the event itself; there is no media id to resolve.
      throw new ApiError(400, 'unsupported_channel_type', 'Media ids exist only for WhatsApp channels');
    }
    if (channel.status === 'disconnected') throw new ApiError(409, 'channel_disconnected', 'The channel is disconnected');
    if (channel.status === 'reauth_required' || channel.tokenCiphertext === null) {
      throw new ApiError(409, 'reauth_required', 'The channel must be connected again before media can be fetched');
    }

    const token = deps.vault.decrypt(channel.tokenCiphertext);
    const meta = { requestId: ctx.state.requestId as string | undefined, channelId, mediaId };
    let info;
    let download;
    try {
      info = await deps.graph.getMediaInfo(token, mediaId, channel.externalId);
      download = await deps.graph.downloadMedia(token, info.url, { expectedMimeType: info.mimeType });
    } catch (err) {
      throw toApiError(ctx, err, meta, deps.log);
    }

    const stream = download.stream;
    stream.once('error', (err) => {
      // Headers are gone by now; the client sees a short body (Content-Length tells it so).
      deps.log.info({ ...meta, errorName: err.name, reason: err instanceof MetaRequestError ? err.reason : undefined }, 'media stream ended early');
    });
    ctx.status = 200;
    ctx.set('Content-Type', MIME_TYPE.test(info.mimeType) ? info.mimeType : 'application/octet-stream');
    ctx.set('Cache-Control', 'private, no-store');
    ctx.body = stream;
    if (download.contentLength !== undefined) ctx.length = download.contentLength;
  });

  return router;
}

/** Meta's answer, as DSK should see it: codes only, never Meta's text (it can quote parameters). */
function toApiError(ctx: Koa.Context, err: unknown, meta: Record<string, unknown>, log: Logger): unknown {
  if (err instanceof MetaApiError) {
    log.info(
      { ...meta, operation: err.operation, httpStatus: err.httpStatus, metaCode: err.code, metaSubcode: err.subcode, errorClass: err.errorClass, fbtraceId: err.fbtraceId },
      'Meta refused a media request',
    );
    if (err.retryAfterMs !== undefined) ctx.set('Retry-After', String(Math.ceil(err.retryAfterMs / 1000)));
    // 100/33 on GET /{media-id}: "does not exist or cannot be loaded due to missing permissions", i.e.
    // unknown, expired (7 days for inbound media) or media of another phone number.
    const gone =
      (err.operation === 'getMediaInfo' && err.code === 100 && err.subcode === 33) ||
      err.code === 131052 ||
      (err.operation === 'downloadMedia' && err.code === undefined && (err.httpStatus === 404 || err.httpStatus === 410));
    if (gone) return new ApiError(404, 'media_not_found', 'Meta has no such media for this channel (unknown or expired)');
    switch (err.errorClass) {
      case 'reauth':
        return new ApiError(409, 'reauth_required', "Meta no longer accepts the channel's token; the channel must be connected again");
      case 'permission':
        return new ApiError(409, 'permission_missing', 'The channel lacks a Meta permission needed to read media');
      case 'throttled':
        return new ApiError(429, 'meta_rate_limited', 'Meta is throttling calls for this channel; retry later');
      default:
        return err.isTransient
          ? new ApiError(502, 'meta_unavailable', 'Meta is temporarily unavailable; retry later')
          : new ApiError(502, 'meta_error', 'Meta refused the media request');
    }
  }
  if (err instanceof MetaRequestError) {
    const level = err.reason === 'url_not_allowed' ? 'warn' : 'info';
    log[level]({ ...meta, operation: err.operation, reason: err.reason }, 'media request to Meta failed');
    return err.isTransient
      ? new ApiError(502, 'meta_unavailable', 'Meta is temporarily unavailable; retry later')
      : new ApiError(502, 'meta_error', 'Meta answered with something unusable');
  }
  return err;
}
