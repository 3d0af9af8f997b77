import Router from '@koa/router';
import type Koa from 'koa';
import { z } from 'zod';
import type { Channels } from '../../db/channels.js';
import type { Logger } from '../../logger.js';
import type { ChannelAdapters } from '../../meta/channel-adapter.js';
import { MetaRequestError } from '../../meta/graph/errors.js';
import { toMetaFailure } from '../../meta/graph/failure.js';
import type { TokenVault } from '../../vault/token-vault.js';
import { ApiError } from '../errors.js';
import { metaErrorLogFields, metaFailureToApiError, setRetryAfter } from '../meta-errors.js';
import { requireInstance } from '../middleware/dsk-auth.js';
import { parseWith } from '../validate.js';

export interface MediaRouteDeps {
  channels: Pick<Channels, 'credentialsForInstance'>;
  vault: TokenVault;
  adapters: ChannelAdapters;
  log: Logger;
}

export const Params = z.object({
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
    const media = deps.adapters[channel.channelType].media;
    if (!media) {
      // Instagram attachments arrive as URLs in the event itself; there is no media id to resolve.
      throw new ApiError(400, 'unsupported_channel_type', 'Media ids exist only for WhatsApp channels');
    }
    if (channel.status === 'disconnected') throw new ApiError(409, 'channel_disconnected', 'The channel is disconnected');
    if (channel.status === 'reauth_required' || channel.tokenCiphertext === null) {
      throw new ApiError(409, 'reauth_required', 'The channel must be connected again before media can be fetched');
    }

    const token = deps.vault.decrypt(channel.tokenCiphertext);
    const meta = { requestId: ctx.state.requestId as string | undefined, channelId, mediaId };
    let download;
    try {
      download = await media.download(token, channel, mediaId);
    } catch (err) {
      throw toApiError(ctx, err, meta, deps.log);
    }

    const stream = download.stream;
    stream.once('error', (err) => {
      // Headers are gone by now; the client sees a short body (Content-Length tells it so).
      deps.log.info({ ...meta, errorName: err.name, reason: err instanceof MetaRequestError ? err.reason : undefined }, 'media stream ended early');
    });
    ctx.status = 200;
    ctx.set('Content-Type', MIME_TYPE.test(download.mimeType) ? download.mimeType : 'application/octet-stream');
    ctx.set('Cache-Control', 'private, no-store');
    // A customer's file (SVG, HTML) must never render or run in the service's origin: it is a download,
    // never sniffed, and sandboxed should a browser display it anyway.
    ctx.set('Content-Disposition', 'attachment');
    ctx.set('X-Content-Type-Options', 'nosniff');
    ctx.set('Content-Security-Policy', "default-src 'none'; sandbox");
    ctx.body = stream;
    if (download.contentLength !== undefined) ctx.length = download.contentLength;
  });

  return router;
}

/** Meta's answer, as DSK should see it (api/meta-errors.ts); logged with codes only. */
function toApiError(ctx: Koa.Context, err: unknown, meta: Record<string, unknown>, log: Logger): unknown {
  const failure = toMetaFailure(err);
  if (!failure) return err;
  const level = err instanceof MetaRequestError && err.reason === 'url_not_allowed' ? 'warn' : 'info';
  log[level]({ ...meta, ...metaErrorLogFields(err), errorCode: failure.code }, 'media request to Meta failed');
  setRetryAfter(ctx, failure);
  return metaFailureToApiError(failure);
}
