import type { IncomingMessage } from 'node:http';
import Router from '@koa/router';
import type Koa from 'koa';
import { z } from 'zod';
import type { Channels } from '../../db/channels.js';
import type { Logger } from '../../logger.js';
import type { ChannelAdapters } from '../../meta/channel-adapter.js';
import { toMetaFailure } from '../../meta/graph/failure.js';
import { uploadFilename, whatsappUploadRule, type WhatsAppUploadRule } from '../../meta/whatsapp/media-rules.js';
import type { TokenVault } from '../../vault/token-vault.js';
import { ApiError } from '../errors.js';
import { metaErrorLogFields, metaFailureToApiError, setRetryAfter } from '../meta-errors.js';
import { requireInstance } from '../middleware/dsk-auth.js';
import { parseWith } from '../validate.js';

export interface ChannelMediaRouteDeps {
  channels: Pick<Channels, 'credentialsForInstance'>;
  vault: TokenVault;
  adapters: ChannelAdapters;
  clock: () => Date;
  log: Logger;
}

export const Request = z.object({
  id: z.uuid({ message: 'must be a UUID' }),
  /** Only names the multipart file (sanitized); WhatsApp shows a document's name from the message instead. */
  filename: z.string().min(1).max(255).optional(),
});

/** Meta keeps uploaded media this long (reference §6.2). */
const UPLOAD_TTL_MS = 30 * 24 * 60 * 60 * 1000;

/**
 * WhatsApp media upload for DSK: the request body is the file, streamed to Meta under the channel's
 * own token, which is decrypted inside this request and never leaves for anywhere but Meta. Every
 * check that can be made without Meta (channel, type, size) is made first; a body that turns out too
 * large midway aborts the upload to Meta, so DSK gets either a media id or an error, never both.
 */
export function channelMediaRoutes(deps: ChannelMediaRouteDeps): Router {
  const router = new Router({ prefix: '/v1' });

  router.post('/channels/:id/media', async (ctx) => {
    try {
      await upload(ctx);
    } catch (err) {
      // An unread body would otherwise be read to its end (Node drains it for keep-alive): up to
      // 100 MB for nothing. Closing after the answer stops the client's upload instead.
      if (!ctx.req.complete) ctx.set('Connection', 'close');
      throw err;
    }
  });

  async function upload(ctx: Koa.Context): Promise<void> {
    const instanceId = requireInstance(ctx);
    const { id: channelId, filename } = parseWith(Request, { id: ctx.params.id, filename: ctx.query.filename });

    const channel = await deps.channels.credentialsForInstance(instanceId, channelId);
    if (!channel) throw new ApiError(404, 'channel_not_found', 'No such channel for this instance');
    const media = deps.adapters[channel.channelType].media;
    if (!media) {
      // Instagram takes attachments as URLs in the message itself; it has no media upload.
      throw new ApiError(400, 'unsupported_channel_type', 'Media can be uploaded only to WhatsApp channels');
    }
    if (channel.status === 'disconnected') throw new ApiError(409, 'channel_disconnected', 'The channel is disconnected');
    if (channel.status === 'reauth_required' || channel.tokenCiphertext === null) {
      throw new ApiError(409, 'reauth_required', 'The channel must be connected again before media can be uploaded');
    }

    const rule = whatsappUploadRule(ctx.get('content-type'));
    if (!rule) {
      throw new ApiError(415, 'unsupported_media_type', 'Content-Type must be a media type WhatsApp accepts, and the body the raw file', { content_type: ctx.request.type || null });
    }
    const encoding = ctx.get('content-encoding').trim().toLowerCase();
    if (encoding !== '' && encoding !== 'identity') {
      throw new ApiError(415, 'unsupported_media_type', 'Content-Encoding is not supported; send the file as it is', { content_encoding: encoding });
    }
    const declared = declaredLength(ctx.req);
    if (declared !== undefined && declared > rule.maxBytes) throw tooLarge(rule);
    if (declared === 0) throw emptyBody();
    const body = await openBody(ctx.req, rule);
    if (!body) throw emptyBody();

    const token = deps.vault.decrypt(channel.tokenCiphertext);
    const logFields = { requestId: ctx.state.requestId as string | undefined, channelId, kind: rule.kind };
    let mediaId: string;
    try {
      ({ id: mediaId } = await media.upload(token, channel, {
        body: body.chunks,
        contentType: rule.mimeType,
        filename: uploadFilename(filename, rule),
        ...(declared === undefined ? {} : { contentLength: declared }),
      }));
    } catch (err) {
      throw toApiError(ctx, err, logFields, deps.log);
    }
    deps.log.info({ ...logFields, mediaId, bytes: body.size() }, 'media uploaded to Meta');

    ctx.status = 201;
    ctx.set('Location', `/v1/media/${channelId}/${mediaId}`);
    ctx.body = {
      id: mediaId,
      mime_type: rule.mimeType,
      file_size: body.size(),
      expires_at: new Date(deps.clock().getTime() + UPLOAD_TTL_MS).toISOString(),
    };
  }

  return router;
}

function tooLarge(rule: WhatsAppUploadRule): ApiError {
  return new ApiError(413, 'media_too_large', `WhatsApp accepts ${rule.kind} media of at most ${rule.maxBytes} bytes`, {
    kind: rule.kind,
    max_bytes: rule.maxBytes,
  });
}

function emptyBody(): ApiError {
  return new ApiError(422, 'validation_failed', 'Request does not match the schema', [{ path: '(body)', message: 'must not be empty' }]);
}

/** Content-Length as Node parsed it; undefined for a chunked body. */
function declaredLength(req: IncomingMessage): number | undefined {
  const raw = req.headers['content-length'];
  return raw !== undefined && /^\d{1,15}$/.test(raw) ? Number(raw) : undefined;
}

/**
 * The request body as chunks capped at the rule's size, after its first chunk has arrived: an empty
 * body (undefined) is refused before Meta is called even when it came chunked. The request stream is
 * never destroyed here (that would cut the connection the error answer must go out on).
 */
async function openBody(req: IncomingMessage, rule: WhatsAppUploadRule): Promise<{ chunks: AsyncIterable<Uint8Array>; size: () => number } | undefined> {
  const source = req.iterator({ destroyOnReturn: false }) as AsyncIterableIterator<Buffer>;
  let size = 0;
  const next = async (): Promise<IteratorResult<Buffer>> => {
    let step: IteratorResult<Buffer>;
    try {
      step = await source.next();
    } catch {
      // The client went away (or broke Content-Length): nobody will read this answer, but it ends
      // the upload to Meta and reads as what it is in the access log.
      throw new ApiError(400, 'request_aborted', 'Request was aborted by the client');
    }
    if (!step.done) {
      size += step.value.byteLength;
      if (size > rule.maxBytes) throw tooLarge(rule);
    }
    return step;
  };
  let first = await next();
  while (!first.done && first.value.byteLength === 0) first = await next();
  if (first.done) return undefined;
  const initial = first.value;

  async function* chunks(): AsyncGenerator<Uint8Array> {
    yield initial;
    for (let step = await next(); !step.done; step = await next()) yield step.value;
  }
  return { chunks: chunks(), size: () => size };
}

/** Meta's answer as DSK should see it (api/meta-errors.ts); our own limits, raised while the body streamed, as they are. */
function toApiError(ctx: Koa.Context, err: unknown, meta: Record<string, unknown>, log: Logger): unknown {
  // The upload to Meta was aborted by our own limit (or the client went away).
  if (err instanceof ApiError) return err;
  const failure = toMetaFailure(err);
  if (!failure) return err;
  log.info({ ...meta, ...metaErrorLogFields(err), errorCode: failure.code }, 'media upload to Meta failed');
  setRetryAfter(ctx, failure);
  return metaFailureToApiError(failure);
}
