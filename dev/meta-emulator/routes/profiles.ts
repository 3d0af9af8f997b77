import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import Router from '@koa/router';
import type Koa from 'koa';
import getRawBody from 'raw-body';
import type { EmulatorContext } from '../context.js';
import { authenticate, canAccess, CdnError, GraphError, graphErrors, parseFields, requestParams, requireScope, VERSION_SEGMENT } from '../graph.js';

/*
 * Profiles and uploads (issue #13):
 * - WhatsApp business profile, `GET|POST /{phone-number-id}/whatsapp_business_profile` (Business
 *   profiles, https://developers.facebook.com/documentation/business-messaging/whatsapp/business-profiles/):
 *   about 1–139 characters, address ≤ 256, description ≤ 512, email ≤ 128, at most 2 websites of ≤ 256,
 *   `vertical` from Meta's list, a photo by `profile_picture_handle` from the Resumable Upload API.
 * - Resumable Upload API (https://developers.facebook.com/docs/graph-api/guides/upload):
 *   `POST /{app-id}/uploads?file_name&file_length&file_type` → `{id: "upload:<session>?sig=…"}`, then
 *   `POST /upload:<session>` with `Authorization: OAuth <token>`, `file_offset: 0` and the bytes → `{h}`.
 * - Instagram User Profile API, `GET /{igsid}?fields=name,username,profile_pic`, on graph.facebook.com
 *   (page token) and graph.instagram.com (Instagram token), for customers who wrote to the account
 *   (reference §5.3); anyone else is Graph's "does not exist".
 * - The Instagram CDN's signed attachment links (`/ig_messaging_cdn/?asset_id&ext&hash`), which stop
 *   working at `ext` (reference §3.2: Instagram media URLs expire; docs/meta-behaviours.md I8).
 */

const VERTICALS = new Set(['UNDEFINED', 'OTHER', 'AUTO', 'BEAUTY', 'APPAREL', 'EDU', 'ENTERTAIN', 'EVENT_PLAN', 'FINANCE', 'GROCERY', 'GOVT', 'HOTEL', 'HEALTH', 'NONPROFIT', 'PROF_SERVICES', 'RETAIL', 'TRAVEL', 'RESTAURANT', 'NOT_A_BIZ', '']);
const UPLOAD_TYPES = new Set(['application/pdf', 'image/jpeg', 'image/jpg', 'image/png', 'video/mp4']);
const PROFILE_FIELDS = ['about', 'address', 'description', 'email', 'profile_picture_url', 'websites', 'vertical'];

export function profileRoutes(emu: EmulatorContext): Router {
  const { state } = emu;
  const { catalog } = state;
  const router = new Router();

  const numberOf = (ctx: Koa.Context & { params: Record<string, string> }) => (VERSION_SEGMENT.test(ctx.params.version!) ? state.phoneNumbers.get(ctx.params.id!) : undefined);

  router.get('/:version/:id/whatsapp_business_profile', async (ctx, next) => {
    const number = numberOf(ctx);
    if (!number) return next();
    const record = authenticate(ctx, state);
    if (!canAccess(record, number.id)) throw new GraphError(graphErrors.objectNotFound('GET', number.id));
    const fields = parseFields((await requestParams(ctx)).get('fields'));
    const p = catalog.profileOf(number.id);
    const all: Record<string, unknown> = { about: p.about, address: p.address, description: p.description, email: p.email, websites: p.websites, vertical: p.vertical, profile_picture_url: p.profilePictureUrl };
    const data: Record<string, unknown> = { messaging_product: 'whatsapp' };
    for (const name of fields ? [...fields.keys()] : ['about']) if (PROFILE_FIELDS.includes(name) && all[name] !== undefined && all[name] !== '') data[name] = all[name];
    ctx.body = { data: [data] };
  });

  router.post('/:version/:id/whatsapp_business_profile', async (ctx, next) => {
    const number = numberOf(ctx);
    if (!number) return next();
    const record = authenticate(ctx, state);
    if (!canAccess(record, number.id)) throw new GraphError(graphErrors.objectNotFound('POST', number.id));
    requireScope(record, 'whatsapp_business_management');
    const params = await requestParams(ctx);
    if (params.get('messaging_product') !== 'whatsapp') throw new GraphError(graphErrors.missingParam('messaging_product'));
    const p = catalog.profileOf(number.id);
    const text = (name: 'about' | 'address' | 'description' | 'email', min: number, max: number) => {
      const value = params.get(name);
      if (value === null) return;
      if (value.length < min || value.length > max) throw new GraphError(graphErrors.invalidParam(`Param ${name} must be between ${min} and ${max} characters`));
      p[name] = value;
    };
    text('about', 1, 139);
    text('address', 0, 256);
    text('description', 0, 512);
    text('email', 0, 128);
    const websites = params.get('websites');
    if (websites !== null) {
      let list: unknown;
      try {
        list = JSON.parse(websites);
      } catch {
        list = undefined;
      }
      if (!Array.isArray(list) || list.length > 2 || list.some((w) => typeof w !== 'string' || w.length > 256 || !/^https?:\/\//.test(w))) {
        throw new GraphError(graphErrors.invalidParam('Param websites must be at most 2 http(s) URLs of at most 256 characters'));
      }
      p.websites = list as string[];
    }
    const vertical = params.get('vertical');
    if (vertical !== null) {
      if (!VERTICALS.has(vertical)) throw new GraphError(graphErrors.invalidParam(`Param vertical must be one of {${[...VERTICALS].filter(Boolean).join(', ')}}`));
      p.vertical = vertical;
    }
    const handle = params.get('profile_picture_handle');
    if (handle !== null) {
      const file = catalog.handles.get(handle);
      if (!file || !file.fileType.startsWith('image/')) throw new GraphError(graphErrors.invalidParam('Param profile_picture_handle is not a valid image handle'));
      p.profilePictureUrl = `https://pps.whatsapp.net/v/emulator/${createHash('sha256').update(file.bytes).digest('hex').slice(0, 16)}.jpg`;
    }
    ctx.body = { success: true };
  });

  router.post('/:version/:id/uploads', async (ctx, next) => {
    const { version, id } = ctx.params;
    if (!VERSION_SEGMENT.test(version!) || id !== state.metaApp.id) return next();
    authenticate(ctx, state);
    const params = await requestParams(ctx);
    const fileLength = Number(params.get('file_length'));
    const fileType = params.get('file_type') ?? '';
    if (!Number.isInteger(fileLength) || fileLength <= 0) throw new GraphError(graphErrors.missingParam('file_length'));
    if (!UPLOAD_TYPES.has(fileType)) throw new GraphError(graphErrors.invalidParam(`Param file_type must be one of {${[...UPLOAD_TYPES].join(', ')}}`));
    const session = Buffer.from(`${state.newId()}:${fileType}`).toString('base64url');
    catalog.uploadSessions.set(session, { appId: id, fileLength, fileType, fileName: params.get('file_name') ?? 'file' });
    ctx.body = { id: `upload:${session}?sig=${uploadSignature(state.metaApp.secret, session)}` };
  });

  router.post('/:version/:id', async (ctx, next) => {
    const { version, id } = ctx.params;
    if (!VERSION_SEGMENT.test(version!) || !id!.startsWith('upload:')) return next();
    const session = id!.slice('upload:'.length);
    const announced = catalog.uploadSessions.get(session);
    const sig = typeof ctx.query.sig === 'string' ? ctx.query.sig : '';
    const wanted = uploadSignature(state.metaApp.secret, session);
    if (!announced || sig.length !== wanted.length || !timingSafeEqual(Buffer.from(sig), Buffer.from(wanted))) throw new GraphError(graphErrors.objectNotFound('POST', id!));
    authenticate(ctx, state);
    if (ctx.get('file_offset') !== '0') throw new GraphError(graphErrors.invalidParam('file_offset must be 0 for a new upload'));
    const bytes = await getRawBody(ctx.req, { limit: 20 * 1024 * 1024 });
    if (bytes.length !== announced.fileLength) throw new GraphError(graphErrors.invalidParam(`The file is ${bytes.length} bytes, not the announced ${announced.fileLength}`));
    catalog.uploadSessions.delete(session);
    const handle = `4::${Buffer.from(state.newId()).toString('base64url')}`;
    catalog.handles.set(handle, { bytes, fileType: announced.fileType });
    ctx.body = { h: handle };
  });

  return router;
}

function uploadSignature(secret: string, session: string): string {
  return createHmac('sha256', secret).update(session).digest('base64url').slice(0, 32);
}

/** `GET /{igsid}?fields=…` on either host: a customer who wrote to the account. */
export function instagramUserRoutes(emu: EmulatorContext, platform: 'facebook' | 'instagram'): Router {
  const { state } = emu;
  const router = new Router();
  router.get('/:version/:id', async (ctx, next) => {
    const { version, id } = ctx.params;
    const user = VERSION_SEGMENT.test(version!) ? state.catalog.instagramUsers.get(id!) : undefined;
    if (!user) return next();
    const record = authenticate(ctx, state, { platform });
    if (platform === 'facebook' && record.kind !== 'page') throw new GraphError({ code: 210, message: '(#210) A page access token is required to request this resource.' });
    const fields = parseFields((await requestParams(ctx)).get('fields'));
    const all: Record<string, unknown> = { name: user.name, username: user.username, profile_pic: user.profilePic };
    const body: Record<string, unknown> = {};
    for (const name of fields?.keys() ?? ['name']) if (all[name] !== undefined) body[name] = all[name];
    body.id = id;
    ctx.body = body;
  });
  return router;
}

/** The signed, expiring attachment links of Instagram's CDN (unversioned, on the root). */
export function instagramCdnRoutes(emu: EmulatorContext): Router {
  const { catalog } = emu.state;
  const router = new Router();
  router.get('/ig_messaging_cdn/', (ctx) => {
    const { asset_id: assetId, ext, hash } = ctx.query;
    if (typeof assetId !== 'string' || typeof ext !== 'string' || typeof hash !== 'string' || !/^\d+$/.test(ext)) throw new CdnError(404, 'Not Found');
    const wanted = Buffer.from(catalog.cdnSignature(assetId, Number(ext)));
    const given = Buffer.from(hash);
    if (wanted.length !== given.length || !timingSafeEqual(wanted, given)) throw new CdnError(403, 'URL signature mismatch');
    const asset = catalog.instagramAttachments.get(assetId);
    if (!asset) throw new CdnError(404, 'Not Found');
    const now = Math.floor(emu.state.now().getTime() / 1000);
    // The link dies at the earlier of its own expiry and the asset's (the sandbox can expire them all).
    if (Number(ext) <= now || asset.expiresAt <= now) throw new CdnError(403, 'URL signature expired');
    ctx.type = asset.mimeType;
    ctx.body = asset.bytes;
  });
  return router;
}
