import type { IncomingMessage } from 'node:http';
import Router from '@koa/router';
import type Koa from 'koa';
import { z } from 'zod';
import type { Channels } from '../../db/channels.js';
import type { Logger } from '../../logger.js';
import { MetaApiError, MetaRequestError, type GraphClient } from '../../meta/graph-client.js';
import { uploadFilename, whatsappUploadRule, type WhatsAppUploadRule } from '../../meta/whatsapp-media.js';
import { sendFailureFromError } from '../../outbound/send-errors.js';
import type { TokenVault } from '../../vault/token-vault.js';
import { ApiError } from '../errors.js';
import { requireInstance } from '../middleware/dsk-auth.js';
import { parseWith } from '../validate.js';

export interface ChannelMediaRouteDeps {
  channels: Pick<Channels, 'credentialsForInstance'>;
  vault: TokenVault;
  graph: GraphClient;
  clock: () => Date;
  log: Logger;
}

const Request = z.object({
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
    if (channel.channelType !== 'whatsapp') {
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
      ({ id: mediaId } = await deps.graph.uploadWhatsAppMedia(token, channel.externalId, {
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

/**
 * Meta's answer as DSK should see it: the stable code of the send errors (src/outbound/send-errors.ts),
 * Meta's code and subcode and a readable reason in `details`; never Meta's own text.
 */
function toApiError(ctx: Koa.Context, err: unknown, meta: Record<string, unknown>, log: Logger): unknown {
  // Our own limits, raised while the body streamed: the upload to Meta was aborted.
  if (err instanceof ApiError) return err;
  if (err instanceof MetaRequestError) {
    log.info({ ...meta, operation: err.operation, reason: err.reason }, 'media upload to Meta failed');
    // Unlike a send, an upload is safe to repeat: at worst Meta keeps an unused media id for 30 days.
    const unavailable = err.isTransient;
    return new ApiError(
      502,
      unavailable ? 'meta_unavailable' : 'meta_error',
      unavailable ? 'Meta is temporarily unavailable; retry later' : 'Meta answered with something unusable',
      {
        meta_code: null,
        meta_subcode: null,
        reason: unavailable ? 'No answer came back from Meta; the upload can be retried.' : 'Meta answered the upload with something this service cannot read; the upload can be retried.',
        retryable: true,
      },
    );
  }
  const failure = sendFailureFromError(err);
  if (!failure || !(err instanceof MetaApiError)) return err;
  log.info(
    { ...meta, operation: err.operation, httpStatus: err.httpStatus, metaCode: err.code, metaSubcode: err.subcode, errorClass: err.errorClass, fbtraceId: err.fbtraceId },
    'Meta refused a media upload',
  );
  const details = { meta_code: failure.meta_code, meta_subcode: failure.meta_subcode, reason: failure.reason, retryable: failure.retryable };
  switch (failure.code) {
    case 'reauth_required':
      return new ApiError(409, 'reauth_required', "Meta no longer accepts the channel's token; the channel must be connected again", details);
    case 'permission_missing':
      return new ApiError(409, 'permission_missing', 'The channel lacks a Meta permission needed to upload media', details);
    case 'policy_blocked':
      return new ApiError(409, 'policy_blocked', 'The WhatsApp Business account is blocked from this action; an operator must act in Meta Business Manager', details);
    case 'meta_throttled':
      if (err.retryAfterMs !== undefined) ctx.set('Retry-After', String(Math.ceil(err.retryAfterMs / 1000)));
      return new ApiError(429, 'meta_throttled', 'Meta is throttling calls for this channel; retry later', details);
    case 'meta_unavailable':
      return new ApiError(502, 'meta_unavailable', 'Meta is temporarily unavailable; retry later', details);
    case 'ambiguous_send':
      // A 5xx without a code: for a send it may hide a sent message, for an upload only an unused id.
      return new ApiError(502, 'meta_unavailable', 'Meta is temporarily unavailable; retry later', {
        ...details,
        reason: 'Meta answered the upload with a server error; the upload can be retried.',
        retryable: true,
      });
    case 'bad_request':
      return new ApiError(502, 'bad_request', 'Meta refused the upload as invalid', details);
    case 'undeliverable':
      return new ApiError(502, 'undeliverable', 'Meta could not process the media', details);
    default:
      // Codes that only make sense for a message (recipient, window, template, quality) or none known.
      return new ApiError(502, 'meta_error', 'Meta refused the upload', details);
  }
}
