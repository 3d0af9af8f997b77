import Router from '@koa/router';
import { z } from 'zod';
import type { ChannelRow } from '../../db/channels.js';
import type { CustomerWindows } from '../../db/customer-windows.js';
import { windowState, type CustomerWindowState } from '../../shared/customer-window.js';
import type { OutboundRequest } from '../../shared/outbound-request.js';
import { ApiError } from '../errors.js';
import { requireInstance } from '../middleware/dsk-auth.js';
import { parseWith } from '../validate.js';

export interface CustomerWindowDeps {
  channels: { getForInstance(id: string, instanceId: string): Promise<ChannelRow | undefined> };
  windows: Pick<CustomerWindows, 'lastMessageAt'>;
  clock: () => Date;
}

export const CustomerWindowParams = z.object({
  id: z.uuid({ message: 'must be a UUID' }),
  /** A WhatsApp number (any spelling: `+1 650…`, `1650…`), a WhatsApp BSUID, or an Instagram-scoped id. */
  customer: z.string().trim().min(1).max(128).regex(/^[A-Za-z0-9+().\s_-]+$/, 'must be a phone number, a BSUID or an Instagram-scoped id'),
});

/** The answer of GET /v1/channels/:id/windows/:customer (docs/openapi.json `CustomerWindow`). */
export const CustomerWindowResponse = z.object({
  channel_id: z.uuid(),
  open: z.boolean().meta({ description: 'A free-form message to this customer is accepted now (24 hours after their last message).' }),
  expires_at: z.iso
    .datetime()
    .nullable()
    .meta({ description: 'When the window closes (or closed, while the service still keeps the record); null when the customer never wrote, or the record expired with the window.' }),
  human_agent: z
    .object({ open: z.boolean(), expires_at: z.iso.datetime().nullable() })
    .optional()
    .meta({ description: "Instagram only: replies tagged HUMAN_AGENT are accepted for 7 days after the customer's last message." }),
});

/** `GET /v1/channels/:id/windows/:customer`: whether a free-form reply to the customer is accepted now, and until when. */
export function customerWindowRoutes(deps: CustomerWindowDeps): Router {
  const router = new Router({ prefix: '/v1' });
  router.get('/channels/:id/windows/:customer', async (ctx) => {
    const instanceId = requireInstance(ctx);
    const { id, customer } = parseWith(CustomerWindowParams, ctx.params);
    const channel = await deps.channels.getForInstance(id, instanceId);
    if (!channel) throw new ApiError(404, 'channel_not_found', 'No such channel');
    const now = deps.clock();
    const last = await deps.windows.lastMessageAt(channel.id, channel.channelType, customer, now);
    ctx.body = { channel_id: channel.id, ...windowState(channel.channelType, last, now) } satisfies z.input<typeof CustomerWindowResponse>;
  });
  return router;
}

/**
 * The send route's check (ENFORCE_CUSTOMER_WINDOW): a free-form message to a customer whose window
 * is closed is refused before Meta is called. Templates and mark-as-read are never bound by a window;
 * an Instagram send tagged `HUMAN_AGENT` has 7 days.
 */
export function createWindowGuard(deps: Pick<CustomerWindowDeps, 'windows' | 'clock'>) {
  return {
    /** The window that refuses the send, or undefined when it may go. */
    async refusal(channel: Pick<ChannelRow, 'id' | 'channelType'>, outbound: OutboundRequest): Promise<CustomerWindowState | undefined> {
      const request = outbound.request;
      if (request.type === 'read' || request.type === 'template') return undefined;
      const now = deps.clock();
      const state = windowState(channel.channelType, await deps.windows.lastMessageAt(channel.id, channel.channelType, request.to, now), now);
      const humanAgent = outbound.channelType === 'instagram' && 'tag' in outbound.request && outbound.request.tag === 'HUMAN_AGENT';
      const open = humanAgent ? state.human_agent?.open === true : state.open;
      return open ? undefined : state;
    },
  };
}

export type WindowGuard = ReturnType<typeof createWindowGuard>;
