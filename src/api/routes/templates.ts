import Router from '@koa/router';
import type Koa from 'koa';
import { z } from 'zod';
import type { ChannelRow, Channels } from '../../db/channels.js';
import type { Logger } from '../../logger.js';
import { toMetaFailure } from '../../meta/graph/failure.js';
import type { TemplateCatalog } from '../../templates/catalog.js';
import { ApiError } from '../errors.js';
import { metaErrorLogFields, metaFailureToApiError, setRetryAfter } from '../meta-errors.js';
import { requireInstance } from '../middleware/dsk-auth.js';
import { parseBody, parseWith } from '../validate.js';
import { TemplateCreateBody } from '../template-schema.js';

export interface TemplateRoutesDeps {
  channels: Pick<Channels, 'getForInstance'>;
  templates: Pick<TemplateCatalog, 'applies' | 'ensureSynced' | 'list' | 'create' | 'delete'>;
  log: Pick<Logger, 'info'>;
}

export const TemplateParams = z.object({ id: z.uuid({ message: 'must be a UUID' }) });
export const TemplateNameParams = z.object({
  id: z.uuid({ message: 'must be a UUID' }),
  name: z.string().regex(/^[a-z0-9_]{1,512}$/, 'must be lowercase letters, digits and underscores'),
});
const CURSOR = /^[A-Za-z0-9_-]{1,1400}$/;
export const TemplateListQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(200).default(100),
  /** `next_cursor` of the previous page. */
  after: z.string().regex(CURSOR, 'must be a next_cursor from a previous page').optional(),
  status: z.enum(['APPROVED', 'PENDING', 'REJECTED', 'PAUSED', 'DISABLED', 'IN_APPEAL', 'PENDING_DELETION', 'ARCHIVED', 'LIMIT_EXCEEDED']).optional(),
  name: z.string().regex(/^[a-z0-9_]{1,512}$/, 'must be lowercase letters, digits and underscores').optional(),
});
export const TemplateDeleteQuery = z.strictObject({ template_id: z.string().regex(/^\d{1,32}$/, 'must be a numeric template id').optional() });

function encodeCursor(last: { name: string; language: string }): string {
  return Buffer.from(JSON.stringify([last.name, last.language])).toString('base64url');
}

function decodeCursor(cursor: string): { name: string; language: string } {
  try {
    const [name, language] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown[];
    if (typeof name === 'string' && typeof language === 'string') return { name, language };
  } catch {
    // answered below
  }
  throw new ApiError(422, 'validation_failed', 'Request does not match the schema', [{ path: 'after', message: 'must be a next_cursor from a previous page' }]);
}

/**
 * A WhatsApp channel's message templates (its WABA's): list them (read from Meta once when the WABA
 * was never read, then kept current by webhooks and the daily sync), create one at Meta (it starts
 * PENDING; its approval arrives as a `template.status` event), delete one (every language, or one by id).
 */
export function templateRoutes(deps: TemplateRoutesDeps): Router {
  const router = new Router({ prefix: '/v1' });

  async function ownWhatsApp(ctx: Koa.Context, id: string): Promise<ChannelRow> {
    const channel = await deps.channels.getForInstance(id, requireInstance(ctx));
    if (!channel) throw new ApiError(404, 'channel_not_found', 'No such channel');
    if (!deps.templates.applies(channel)) throw new ApiError(409, 'unsupported_channel_type', 'Message templates exist only for WhatsApp channels');
    return channel;
  }

  /** Calls that reach Meta need the channel's token. */
  function requireLive(channel: ChannelRow): void {
    if (channel.status === 'disconnected') throw new ApiError(409, 'channel_disconnected', 'The channel is disconnected');
    if (channel.status === 'reauth_required' || !channel.hasToken) throw new ApiError(409, 'reauth_required', 'The channel must be connected again before templates can be changed at Meta');
  }

  async function atMeta<T>(ctx: Koa.Context, channel: ChannelRow, call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (err) {
      const failure = toMetaFailure(err);
      if (!failure) throw err;
      deps.log.info({ requestId: ctx.state.requestId as string | undefined, channelId: channel.id, ...metaErrorLogFields(err), errorCode: failure.code }, 'template call to Meta failed');
      setRetryAfter(ctx, failure);
      throw metaFailureToApiError(failure);
    }
  }

  router.get('/channels/:id/templates', async (ctx) => {
    const { id } = parseWith(TemplateParams, ctx.params);
    const query = parseWith(TemplateListQuery, ctx.query);
    const channel = await ownWhatsApp(ctx, id);
    const after = query.after === undefined ? undefined : decodeCursor(query.after);
    if (channel.hasToken && channel.status !== 'disconnected') await atMeta(ctx, channel, () => deps.templates.ensureSynced(channel));
    const page = await deps.templates.list(channel, { limit: query.limit + 1, ...(after ? { after } : {}), ...(query.status ? { status: query.status } : {}), ...(query.name ? { name: query.name } : {}) });
    const templates = page.slice(0, query.limit);
    const last = templates.at(-1);
    ctx.body = { templates, next_cursor: page.length > query.limit && last ? encodeCursor(last) : null };
  });

  router.post('/channels/:id/templates', async (ctx) => {
    const { id } = parseWith(TemplateParams, ctx.params);
    const body = await parseBody(ctx, TemplateCreateBody);
    const channel = await ownWhatsApp(ctx, id);
    requireLive(channel);
    const created = await atMeta(ctx, channel, () => deps.templates.create(channel, body));
    ctx.status = 201;
    ctx.body = created;
  });

  router.delete('/channels/:id/templates/:name', async (ctx) => {
    const { id, name } = parseWith(TemplateNameParams, ctx.params);
    const { template_id: templateId } = parseWith(TemplateDeleteQuery, ctx.query);
    const channel = await ownWhatsApp(ctx, id);
    requireLive(channel);
    const removed = await atMeta(ctx, channel, () => deps.templates.delete(channel, name, templateId));
    ctx.body = { name, template_id: templateId ?? null, deleted: removed };
  });

  return router;
}
