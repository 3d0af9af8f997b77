import { createHmac, timingSafeEqual } from 'node:crypto';
import Router from '@koa/router';
import getRawBody from 'raw-body';
import { EMULATED_UPLOAD_LIMITS } from '../rules/whatsapp-media.js';
import type { EmulatorContext } from '../context.js';
import { authenticate, canAccess, CdnError, GraphError, graphErrors, liveToken, requireScope, tokenFrom, VERSION_SEGMENT } from '../graph.js';
import type { MediaRecord, TokenRecord } from '../state.js';

/**
 * WhatsApp media (reference §6.2): upload on a phone number, retrieve the short-lived URL, delete, and
 * the lookaside-style download itself, which needs the same bearer token and answers HTML on error.
 */

const MESSAGING_SCOPE = 'whatsapp_business_messaging';
const ATTACHMENTS_PATH = '/whatsapp_business/attachments/';
const UPLOAD_TTL_DAYS = 30;
const NUMERIC_ID = /^\d{1,32}$/;
/** The types Meta's own upload error lists (⚠ as quoted in public bug reports, 2024-2025). */
const ACCEPTED_TYPES = [...EMULATED_UPLOAD_LIMITS.keys()];

/** ⚠ Meta's wording as seen in public reports; the emulator only needs the code to be right. */
function unsupportedFileType(received: string) {
  return graphErrors.invalidParam(`Param file must be a file with one of the following types: ${ACCEPTED_TYPES.join(', ')}. Received file of type '${received}'.`);
}

const uploadError = () => new GraphError({ code: 131053, message: '(#131053) Media upload error', type: 'OAuthException' });

export function mediaRoutes(emu: EmulatorContext): Router {
  const { state } = emu;
  const router = new Router();

  function urlSignature(mid: string, ext: string): string {
    return createHmac('sha256', state.urlSecret).update(`${mid}:${ext}`).digest('base64url');
  }

  /** The media this token may see, honouring `?phone_number_id=`; otherwise Graph's "does not exist". */
  function visibleMedia(method: string, id: string, record: TokenRecord, phoneNumberId: unknown): MediaRecord {
    const media = state.getMedia(id);
    const pn = typeof phoneNumberId === 'string' && phoneNumberId !== '' ? phoneNumberId : undefined;
    const visible =
      media !== undefined &&
      canAccess(record, media.phoneNumberId) &&
      (pn === undefined || (canAccess(record, pn) && (media.phoneNumberId === undefined || media.phoneNumberId === pn)));
    if (!visible) throw new GraphError(graphErrors.objectNotFound(method, id));
    return media;
  }

  router.post('/:version/:phoneNumberId/media', async (ctx, next) => {
    const { version, phoneNumberId } = ctx.params;
    if (!VERSION_SEGMENT.test(version!) || !NUMERIC_ID.test(phoneNumberId!)) return next();
    const record = authenticate(ctx, state);
    if (!canAccess(record, phoneNumberId)) throw new GraphError(graphErrors.objectNotFound('POST', phoneNumberId!));
    requireScope(record, MESSAGING_SCOPE);
    if (!ctx.is('multipart/form-data')) throw new GraphError(graphErrors.missingParam('messaging_product'));

    let raw: Buffer;
    try {
      raw = await getRawBody(ctx.req, { length: ctx.get('content-length') || undefined, limit: emu.maxUploadBytes });
    } catch {
      throw uploadError();
    }
    let form: FormData;
    try {
      // The WHATWG multipart parser of Node's fetch: no multipart library needed for a test peer.
      form = await new Request('http://emulator.invalid/', { method: 'POST', headers: { 'content-type': ctx.get('content-type') }, body: raw }).formData();
    } catch {
      throw new GraphError(graphErrors.invalidParam('Invalid multipart/form-data body'));
    }
    const product = form.get('messaging_product');
    if (product === null) throw new GraphError(graphErrors.missingParam('messaging_product'));
    if (product !== 'whatsapp') throw new GraphError(graphErrors.invalidParam('Param messaging_product must be "whatsapp"'));
    const file = form.get('file');
    if (file === null || typeof file === 'string') throw new GraphError(graphErrors.missingParam('file'));
    const type = form.get('type');
    if (typeof type !== 'string' || type.trim() === '') throw new GraphError(graphErrors.missingParam('type'));
    // Meta goes by the file part's own Content-Type (a part without one arrives as '' or
    // application/octet-stream and is refused), not by the `type` field.
    const fileType = file.type.split(';')[0]!.trim().toLowerCase();
    const rule = EMULATED_UPLOAD_LIMITS.get(fileType);
    if (!rule) throw new GraphError(unsupportedFileType(file.type));
    // ⚠ What Meta answers for an empty or oversized file is not documented; 131053 is its upload error.
    if (file.size === 0 || file.size > rule.maxBytes) throw uploadError();

    const id = state.addMedia(Buffer.from(await file.arrayBuffer()), type.trim(), { phoneNumberId, ttlDays: UPLOAD_TTL_DAYS });
    ctx.body = { id };
  });

  router.get(ATTACHMENTS_PATH, (ctx) => {
    const { mid, ext, hash } = ctx.query;
    if (typeof mid !== 'string' || typeof ext !== 'string' || typeof hash !== 'string') throw new CdnError(404, 'Not Found');
    const expected = Buffer.from(urlSignature(mid, ext));
    const given = Buffer.from(hash);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) throw new CdnError(403, 'URL signature mismatch');
    if (!/^\d+$/.test(ext) || Number(ext) * 1000 <= state.now().getTime()) throw new CdnError(403, 'URL signature expired');
    // The CDN wants the header; `?access_token=` is a Graph convenience, not a lookaside one.
    const { token, via } = tokenFrom(ctx);
    const record = via === 'header' ? liveToken(state, token) : undefined;
    if (!record) throw new CdnError(401, 'Unauthorized');
    const media = state.getMedia(mid);
    if (!media) throw new CdnError(404, 'Not Found');
    if (!canAccess(record, media.phoneNumberId)) throw new CdnError(403, 'Forbidden');
    ctx.type = media.mimeType;
    ctx.body = media.bytes;
  });

  router.get('/:version/:mediaId', async (ctx, next) => {
    const { version, mediaId } = ctx.params;
    // Not a media id this emulator knows: leave it to other modules, then to the "does not exist" fallback.
    if (!VERSION_SEGMENT.test(version!) || !state.media.has(mediaId!)) return next();
    const record = authenticate(ctx, state);
    requireScope(record, MESSAGING_SCOPE);
    const media = visibleMedia('GET', mediaId!, record, ctx.query.phone_number_id);
    const ext = String(Math.floor(state.now().getTime() / 1000) + emu.mediaUrlTtlSeconds);
    const base = emu.publicUrl ?? `${ctx.protocol}://${ctx.host}`;
    const url = new URL(ATTACHMENTS_PATH, base);
    url.searchParams.set('mid', media.id);
    url.searchParams.set('ext', ext);
    url.searchParams.set('hash', urlSignature(media.id, ext));
    ctx.body = {
      messaging_product: 'whatsapp',
      url: url.toString(),
      mime_type: media.mimeType,
      sha256: media.sha256,
      file_size: String(media.bytes.length),
      id: media.id,
    };
  });

  router.delete('/:version/:mediaId', async (ctx, next) => {
    const { version, mediaId } = ctx.params;
    if (!VERSION_SEGMENT.test(version!) || !state.media.has(mediaId!)) return next();
    const record = authenticate(ctx, state);
    requireScope(record, MESSAGING_SCOPE);
    visibleMedia('DELETE', mediaId!, record, ctx.query.phone_number_id);
    state.media.delete(mediaId!);
    ctx.body = { success: true };
  });

  return router;
}
