import Router from '@koa/router';
import type Koa from 'koa';
import { z } from 'zod';
import type { Channels } from '../../db/channels.js';
import type { MediaObjects } from '../../db/media-objects.js';
import type { Logger } from '../../logger.js';
import type { ChannelAdapters } from '../../meta/channel-adapter.js';
import { MetaRequestError } from '../../meta/graph/errors.js';
import { toMetaFailure } from '../../meta/graph/failure.js';
import type { MediaStore } from '../../media/store.js';
import type { TokenVault } from '../../vault/token-vault.js';
import { ApiError } from '../errors.js';
import { metaErrorLogFields, metaFailureToApiError, setRetryAfter } from '../meta-errors.js';
import { requireInstance } from '../middleware/dsk-auth.js';
import { parseWith } from '../validate.js';

export interface StoredMediaRouteDeps {
  channels: Pick<Channels, 'getForInstance' | 'credentialsForInstance'>;
  objects: Pick<MediaObjects, 'getForInstance' | 'removeForInstance'>;
  store: Pick<MediaStore, 'open' | 'discard'>;
  vault: TokenVault;
  adapters: ChannelAdapters;
  clock: () => Date;
  log: Logger;
}

/** A captured item's id (`ig…`), or a WhatsApp media id (digits). */
export const StoredMediaParams = z.object({
  id: z.uuid({ message: 'must be a UUID' }),
  mediaId: z.string().regex(/^(\d{1,32}|ig[A-Za-z0-9_-]{32})$/, 'must be a media id from an event'),
});

/** `type/subtype` with optional parameters; anything else is served as opaque bytes. */
const MIME_TYPE = /^[a-z0-9!#$&^_.+-]+\/[a-z0-9!#$&^_.+-]+(?:\s*;\s*[a-z0-9!#$&^_.+-]+=(?:[a-z0-9!#$&^_.+-]+|"[^"\r\n]*"))*$/i;

/** One `bytes=a-b`, `bytes=a-` or `bytes=-n` range (several ranges are answered whole, as RFC 9110 allows). */
export function parseRange(header: string | undefined, size: number): { start: number; end: number } | 'whole' | 'unsatisfiable' {
  const match = header ? /^bytes=(\d*)-(\d*)$/.exec(header.trim()) : null;
  if (!match || (match[1] === '' && match[2] === '')) return 'whole';
  if (match[1] === '') {
    const suffix = Number(match[2]);
    if (suffix === 0 || size === 0) return 'unsatisfiable';
    return { start: Math.max(size - suffix, 0), end: size - 1 };
  }
  const start = Number(match[1]);
  const end = match[2] === '' ? size - 1 : Math.min(Number(match[2]), size - 1);
  if (start >= size || end < start) return 'unsatisfiable';
  return { start, end };
}

/**
 * Inbound media for DSK under its channel: `GET /v1/channels/:id/media/:mediaId` serves the media
 * item an event named by its `service_url`. Captured items (Instagram attachments, and WhatsApp media
 * when the horizon outlives Meta's ids) are opened from the encrypted store with `Range` support;
 * other WhatsApp media ids are fetched from Meta with the channel's token and streamed through.
 * `DELETE` is DSK's acknowledgement: the captured copy is deleted at once (it would go at its horizon
 * anyway); for a WhatsApp id nothing is held, so there is nothing to delete.
 */
export function storedMediaRoutes(deps: StoredMediaRouteDeps): Router {
  const router = new Router({ prefix: '/v1' });

  router.get('/channels/:id/media/:mediaId', async (ctx) => {
    const instanceId = requireInstance(ctx);
    const { id: channelId, mediaId } = parseWith(StoredMediaParams, ctx.params);
    const channel = await deps.channels.getForInstance(channelId, instanceId);
    if (!channel) throw new ApiError(404, 'channel_not_found', 'No such channel');
    const row = await deps.objects.getForInstance(instanceId, channelId, mediaId, deps.clock());
    if (row) {
      const range = parseRange(ctx.get('range') || undefined, row.sizeBytes);
      ctx.set('Accept-Ranges', 'bytes');
      ctx.set('Cache-Control', 'private, no-store');
      if (range === 'unsatisfiable') {
        ctx.set('Content-Range', `bytes */${row.sizeBytes}`);
        throw new ApiError(416, 'range_not_satisfiable', 'The requested range is outside the media', { size: row.sizeBytes });
      }
      const opened = deps.store.open(row, range === 'whole' ? undefined : range);
      opened.stream.once('error', (err) => deps.log.warn({ channelId, errorName: err.name }, 'stored media could not be read'));
      ctx.status = range === 'whole' ? 200 : 206;
      if (range !== 'whole') ctx.set('Content-Range', `bytes ${opened.start}-${opened.end}/${opened.size}`);
      ctx.set('Content-Type', MIME_TYPE.test(row.mimeType) ? row.mimeType : 'application/octet-stream');
      ctx.body = opened.stream;
      ctx.length = row.sizeBytes === 0 ? 0 : opened.end - opened.start + 1;
      return;
    }
    if (!/^\d+$/.test(mediaId) || channel.channelType !== 'whatsapp') {
      throw new ApiError(404, 'media_not_found', 'The service holds no such media for this channel (never captured, acknowledged, or past its horizon)');
    }
    await streamFromMeta(ctx, instanceId, channelId, mediaId);
  });

  router.delete('/channels/:id/media/:mediaId', async (ctx) => {
    const instanceId = requireInstance(ctx);
    const { id: channelId, mediaId } = parseWith(StoredMediaParams, ctx.params);
    const channel = await deps.channels.getForInstance(channelId, instanceId);
    if (!channel) throw new ApiError(404, 'channel_not_found', 'No such channel');
    const row = await deps.objects.removeForInstance(instanceId, channelId, mediaId);
    if (row) await deps.store.discard(row);
    ctx.status = 204;
  });

  /** A WhatsApp media id the service did not capture: resolved at Meta now (it lives 7 days there). */
  async function streamFromMeta(ctx: Koa.Context, instanceId: string, channelId: string, mediaId: string): Promise<void> {
    const credentials = await deps.channels.credentialsForInstance(instanceId, channelId);
    const media = credentials ? deps.adapters[credentials.channelType].media : undefined;
    if (!credentials || !media) throw new ApiError(404, 'media_not_found', 'The service holds no such media for this channel (never captured, acknowledged, or past its horizon)');
    if (credentials.status === 'disconnected') throw new ApiError(409, 'channel_disconnected', 'The channel is disconnected');
    if (credentials.status === 'reauth_required' || credentials.tokenCiphertext === null) {
      throw new ApiError(409, 'reauth_required', 'The channel must be connected again before media can be fetched');
    }
    let download;
    try {
      download = await media.download(deps.vault.decrypt(credentials.tokenCiphertext), credentials, mediaId);
    } catch (err) {
      const failure = toMetaFailure(err);
      if (!failure) throw err;
      deps.log.info({ requestId: ctx.state.requestId as string | undefined, channelId, ...metaErrorLogFields(err), errorCode: failure.code }, 'media request to Meta failed');
      setRetryAfter(ctx, failure);
      throw metaFailureToApiError(failure);
    }
    download.stream.once('error', (err) => {
      deps.log.info({ channelId, errorName: err.name, reason: err instanceof MetaRequestError ? err.reason : undefined }, 'media stream ended early');
    });
    ctx.status = 200;
    ctx.set('Content-Type', MIME_TYPE.test(download.mimeType) ? download.mimeType : 'application/octet-stream');
    ctx.set('Cache-Control', 'private, no-store');
    // Meta's CDN is not asked for ranges: the whole item comes through.
    ctx.set('Accept-Ranges', 'none');
    ctx.body = download.stream;
    if (download.contentLength !== undefined) ctx.length = download.contentLength;
  }

  return router;
}
