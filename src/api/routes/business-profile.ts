import Router from '@koa/router';
import type Koa from 'koa';
import getRawBody from 'raw-body';
import { z } from 'zod';
import type { Channels } from '../../db/channels.js';
import type { Logger } from '../../logger.js';
import type { ChannelAdapters, ChannelBusinessProfile } from '../../meta/channel-adapter.js';
import { toMetaFailure } from '../../meta/graph/failure.js';
import type { TokenVault } from '../../vault/token-vault.js';
import { ApiError } from '../errors.js';
import { metaErrorLogFields, metaFailureToApiError, setRetryAfter } from '../meta-errors.js';
import { requireInstance } from '../middleware/dsk-auth.js';
import { parseBody, parseWith } from '../validate.js';

export interface BusinessProfileRoutesDeps {
  channels: Pick<Channels, 'getForInstance' | 'tokenCiphertext'>;
  vault: TokenVault;
  adapters: ChannelAdapters;
  log: Pick<Logger, 'info'>;
}

export const ProfileParams = z.object({ id: z.uuid({ message: 'must be a UUID' }) });

/** Meta's verticals (Business profiles, `vertical`). */
export const PROFILE_VERTICALS = [
  'UNDEFINED', 'OTHER', 'AUTO', 'BEAUTY', 'APPAREL', 'EDU', 'ENTERTAIN', 'EVENT_PLAN', 'FINANCE', 'GROCERY', 'GOVT', 'HOTEL', 'HEALTH', 'NONPROFIT',
  'PROF_SERVICES', 'RETAIL', 'TRAVEL', 'RESTAURANT', 'NOT_A_BIZ',
] as const;

/** What DSK may change, with Meta's limits: about 1–139, address 256, description 512, email 128, at most 2 websites of 256. */
export const ProfilePatch = z
  .strictObject({
    about: z.string().min(1).max(139).optional(),
    address: z.string().max(256).optional(),
    description: z.string().max(512).optional(),
    email: z.union([z.email().max(128), z.literal('')]).optional(),
    websites: z.array(z.url({ protocol: /^https?$/ }).max(256)).max(2).optional(),
    vertical: z.enum(PROFILE_VERTICALS).optional(),
  })
  .refine((b) => Object.keys(b).length > 0, 'nothing to change: give at least one field');

/** Meta takes JPEG and PNG for profile pictures (Resumable Upload API types); 5 MiB is WhatsApp's image limit. */
const PHOTO_TYPES: Record<string, string> = { 'image/jpeg': 'jpg', 'image/png': 'png' };
export const MAX_PHOTO_BYTES = 5 * 1024 * 1024;

/**
 * A WhatsApp number's business profile, what customers see: read it, change its texts, and set its
 * photo. The photo is uploaded by the service (Meta's Resumable Upload API under the service's app)
 * because a handle can only come from a caller holding a Meta token, which DSK never does.
 */
export function businessProfileRoutes(deps: BusinessProfileRoutesDeps): Router {
  const router = new Router({ prefix: '/v1' });

  async function ownLive(ctx: Koa.Context): Promise<{ api: ChannelBusinessProfile; token: string; channel: { id: string; externalId: string; wabaId: string | null; pageId: string | null } }> {
    const { id } = parseWith(ProfileParams, ctx.params);
    const channel = await deps.channels.getForInstance(id, requireInstance(ctx));
    if (!channel) throw new ApiError(404, 'channel_not_found', 'No such channel');
    const api = deps.adapters[channel.channelType].businessProfile;
    if (!api) throw new ApiError(409, 'unsupported_channel_type', 'Business profiles exist only for WhatsApp channels');
    if (channel.status === 'disconnected') throw new ApiError(409, 'channel_disconnected', 'The channel is disconnected');
    const ciphertext = channel.status === 'reauth_required' ? null : await deps.channels.tokenCiphertext(channel.id);
    if (ciphertext === null) throw new ApiError(409, 'reauth_required', 'The channel must be connected again before its profile can be read or changed');
    return { api, token: deps.vault.decrypt(ciphertext), channel };
  }

  async function atMeta<T>(ctx: Koa.Context, channelId: string, call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (err) {
      const failure = toMetaFailure(err);
      if (!failure) throw err;
      deps.log.info({ requestId: ctx.state.requestId as string | undefined, channelId, ...metaErrorLogFields(err), errorCode: failure.code }, 'business profile call to Meta failed');
      setRetryAfter(ctx, failure);
      throw metaFailureToApiError(failure);
    }
  }

  router.get('/channels/:id/profile', async (ctx) => {
    const { api, token, channel } = await ownLive(ctx);
    ctx.body = await atMeta(ctx, channel.id, () => api.get(token, channel));
  });

  router.patch('/channels/:id/profile', async (ctx) => {
    parseWith(ProfileParams, ctx.params);
    const patch = await parseBody(ctx, ProfilePatch);
    const { api, token, channel } = await ownLive(ctx);
    ctx.body = await atMeta(ctx, channel.id, async () => {
      await api.update(token, channel, patch);
      return api.get(token, channel);
    });
  });

  router.put('/channels/:id/profile/photo', async (ctx) => {
    const { api, token, channel } = await ownLive(ctx);
    const type = (ctx.request.type || '').toLowerCase();
    const extension = PHOTO_TYPES[type];
    if (!extension) throw new ApiError(415, 'unsupported_media_type', 'Content-Type must be image/jpeg or image/png, and the body the image itself', { content_type: type || null });
    let bytes: Buffer;
    try {
      bytes = await getRawBody(ctx.req, { limit: MAX_PHOTO_BYTES });
    } catch (err) {
      if ((err as { type?: string }).type === 'entity.too.large') {
        ctx.set('Connection', 'close');
        throw new ApiError(413, 'media_too_large', `A profile photo may be at most ${MAX_PHOTO_BYTES} bytes`, { max_bytes: MAX_PHOTO_BYTES });
      }
      throw err;
    }
    if (bytes.length === 0) throw new ApiError(422, 'validation_failed', 'Request does not match the schema', [{ path: '(body)', message: 'must not be empty' }]);
    ctx.body = await atMeta(ctx, channel.id, async () => {
      const handle = await api.uploadPhoto(token, { bytes, type, name: `profile.${extension}` });
      await api.update(token, channel, { profile_picture_handle: handle });
      return api.get(token, channel);
    });
  });

  return router;
}
