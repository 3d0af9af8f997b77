import Router from '@koa/router';
import type Koa from 'koa';
import { z } from 'zod';
import type { ChannelRow, Channels } from '../../db/channels.js';
import type { MessageStatusStore } from '../../db/message-status.js';
import type { MediaObjects } from '../../db/media-objects.js';
import type { OutboundSends } from '../../db/outbound-sends.js';
import type { WebhookLog } from '../../db/webhook-log.js';
import type { Workflows } from '../../temporal/client.js';
import { ApiError } from '../errors.js';
import { requireInstance } from '../middleware/dsk-auth.js';
import { parseBody, parseWith } from '../validate.js';
import { decodeCursor, pageOf, pageQuery } from '../pagination.js';

export interface ChannelRoutesDeps {
  channels: Channels;
  /** What the information right reports besides the channel itself. */
  webhookLog: Pick<WebhookLog, 'summaryForChannel'>;
  messageStatus: Pick<MessageStatusStore, 'countForChannel'>;
  outboundSends: Pick<OutboundSends, 'countByStateForChannel'>;
  /** Captured inbound media (encrypted), counted for the information right. */
  mediaObjects?: Pick<MediaObjects, 'summaryForChannel'>;
  workflows: Pick<Workflows, 'disconnectChannel'>;
  clock: () => Date;
}

export const IdParam = z.object({ id: z.uuid({ message: 'must be a UUID' }) });
export const ChannelListQuery = z.object({
  status: z.enum(['active', 'reauth_required', 'disconnected']).optional(),
  channel_type: z.enum(['whatsapp', 'instagram']).optional(),
  ...pageQuery({ defaultLimit: 100, maxLimit: 500 }),
});
export const Correction = z
  .strictObject({
    display_name: z.string().trim().min(1).max(200).nullable().optional(),
    labels: z.record(z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, 'label keys: letters, digits, _ . - (1-64)'), z.string().max(256)).refine((l) => Object.keys(l).length <= 50, 'at most 50 labels').optional(),
  })
  .refine((b) => b.display_name !== undefined || b.labels !== undefined, 'nothing to correct: give display_name and/or labels');

/** The channel as DSK sees it. Tokens are described, never shown. */
export function channelView(c: ChannelRow) {
  return {
    id: c.id,
    channel_type: c.channelType,
    status: c.status,
    external_id: c.externalId,
    display_name: c.displayName,
    phone_number: c.phoneNumber,
    username: c.username,
    waba_id: c.wabaId,
    page_id: c.pageId,
    labels: c.labels,
    verification: c.verification,
    connection_id: c.connectionId,
    created_at: c.createdAt.toISOString(),
    updated_at: c.updatedAt.toISOString(),
    disconnected_at: c.disconnectedAt?.toISOString() ?? null,
  };
}

/** Channels of the calling instance: list, read, correct, disconnect, and everything stored (user rights). */
export function channelRoutes(deps: ChannelRoutesDeps): Router {
  const router = new Router({ prefix: '/v1' });

  async function own(ctx: Koa.Context): Promise<ChannelRow> {
    const instanceId = requireInstance(ctx);
    const { id } = parseWith(IdParam, ctx.params);
    const channel = await deps.channels.getForInstance(id, instanceId);
    if (!channel) throw new ApiError(404, 'channel_not_found', 'No such channel');
    return channel;
  }

  router.get('/channels', async (ctx) => {
    const instanceId = requireInstance(ctx);
    const query = parseWith(ChannelListQuery, ctx.query);
    const rows = await deps.channels.pageForInstance(instanceId, { status: query.status, channelType: query.channel_type }, { after: decodeCursor(query.after, 2), limit: query.limit + 1 });
    const { items, next_cursor } = pageOf(rows, query.limit, (r) => r.key);
    ctx.body = { channels: items.map((r) => channelView(r.channel)), next_cursor };
  });

  router.get('/channels/:id', async (ctx) => {
    ctx.body = channelView(await own(ctx));
  });

  router.patch('/channels/:id', async (ctx) => {
    const channel = await own(ctx);
    const body = await parseBody(ctx, Correction);
    const updated = await deps.channels.correct(channel.id, channel.instanceId, { displayName: body.display_name, labels: body.labels }, deps.clock());
    ctx.body = channelView(updated!);
  });

  /** Everything the service stores about the channel (information right), tokens described only. */
  router.get('/channels/:id/data', async (ctx) => {
    const channel = await own(ctx);
    const log = await deps.webhookLog.summaryForChannel(channel.id);
    const statuses = await deps.messageStatus.countForChannel(channel.id);
    const sends = await deps.outboundSends.countByStateForChannel(channel.id);
    const media = deps.mediaObjects ? await deps.mediaObjects.summaryForChannel(channel.id) : undefined;
    ctx.body = {
      channel: channelView(channel),
      token: {
        present: channel.hasToken,
        kind: channel.tokenKind,
        expires_at: channel.tokenExpiresAt?.toISOString() ?? null,
        encryption_key_id: channel.tokenKeyId,
        last_checked_at: channel.tokenCheckedAt?.toISOString() ?? null,
      },
      webhook_log: {
        retention_days: 30,
        contains: 'event keys, kinds, times and delivery outcomes; never message content',
        by_outcome: log.map((r) => ({ outcome: r.outcome, count: r.count, oldest: r.oldest?.toISOString() ?? null })),
      },
      message_statuses: { count: statuses, contains: 'message ids and their latest delivery status' },
      sends: {
        retention_days: 30,
        contains: "client_message_id, Meta's message id and the send's state; never content or the recipient",
        by_state: sends,
      },
      ...(media
        ? {
            captured_media: {
              contains: 'inbound media files (Instagram attachments), AES-256-GCM encrypted, until acknowledged or the delivery horizon plus one day',
              count: media.count,
              bytes: media.bytes,
              oldest: media.oldest?.toISOString() ?? null,
            },
          }
        : {}),
    };
  });

  /** Deletion right: disconnect through the connection workflow (unsubscribe, destroy the token, tell DSK). */
  router.delete('/channels/:id', async (ctx) => {
    const channel = await own(ctx);
    if (channel.status === 'disconnected') {
      ctx.status = 200;
      ctx.body = { id: channel.id, status: 'disconnected' };
      return;
    }
    const status = await deps.workflows.disconnectChannel(channel, 'dsk_request');
    ctx.status = status === 'disconnecting' ? 202 : 200;
    ctx.body = { id: channel.id, status };
  });

  return router;
}
