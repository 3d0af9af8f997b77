import Router from '@koa/router';
import type Koa from 'koa';
import { z } from 'zod';
import type { ChannelRow } from '../../db/channels.js';
import type { Logger } from '../../logger.js';
import { CLIENT_MESSAGE_ID } from '../../shared/outbound-request.js';
import { validateOutboundRequest } from '../outbound-schema/index.js';
import type { OutboundErrorCode, OutboundResult, OutboundWorkflowInput } from '../../shared/outbound.js';
import type { TemplateCatalog } from '../../templates/catalog.js';
import { ApiError } from '../errors.js';
import type { SendIdempotency } from '../send-idempotency.js';
import type { WindowGuard } from './customer-windows.js';
import type { CustomerWindowState } from '../../shared/customer-window.js';
import { SEND_CODE_STATUS } from '../meta-errors.js';
import { requireInstance } from '../middleware/dsk-auth.js';
import { parseWith, readJsonBody } from '../validate.js';

export interface MessageRoutesDeps {
  channels: { getForInstance(id: string, instanceId: string): Promise<ChannelRow | undefined> };
  /** The send ledger in front of the send workflows: claims, repeats and reads (api/send-idempotency.ts). */
  sends: Pick<SendIdempotency, 'send' | 'earlier' | 'read'>;
  /** How long the outcome event is retried towards DSK. */
  deliveryHorizon: string;
  /** How long the API waits for Meta's answer before answering 202 (DSK may ask for less with `wait_ms`). */
  defaultWaitMs?: number;
  reconcileWindowMs?: number;
  log?: Pick<Logger, 'warn'>;
  /** Template sends are checked against the WABA's templates before Meta is called (absent: not checked). */
  templates?: Pick<TemplateCatalog, 'checkSend'>;
  /** ENFORCE_CUSTOMER_WINDOW: free-form sends outside the customer's window are refused (absent: not checked). */
  customerWindows?: WindowGuard;
}

export const IdParam = z.object({ id: z.uuid({ message: 'must be a UUID' }) });
export const SendParams = z.object({ id: z.uuid({ message: 'must be a UUID' }), clientMessageId: z.string().regex(CLIENT_MESSAGE_ID, 'must be 1-128 of A-Z a-z 0-9 . _ : -') });
/** Ours: long enough for Meta's usual answer (well under a second), short enough not to tie up DSK's request. */
const DEFAULT_WAIT_MS = 5_000;
const MAX_WAIT_MS = 30_000;
export const WaitQuery = z.object({ wait_ms: z.coerce.number().int().min(0).max(MAX_WAIT_MS).optional() });

/**
 * Which HTTP status a failed send is answered with; DSK branches on the stable code in the body. Meta's
 * codes take their status from the one table of api/meta-errors.ts (as for media); the channel's own
 * refusals are decided here.
 */
export const SEND_FAILURE_STATUS: Readonly<Record<OutboundErrorCode, number>> = {
  'channel_not_found': 404,
  'channel_disconnected': 409,
  'channel_type_mismatch': 409,
  ...SEND_CODE_STATUS,
};

/**
 * `POST /v1/channels/:id/messages`: validate, claim the client_message_id in the send ledger, then
 * one update-with-start on the send's workflow: a new id starts the send, a repeat joins the running
 * one, and a finished one is read back (from the ledger once Temporal has forgotten it), never
 * started again. DSK gets 200 with Meta's id when Meta
 * answers within the wait, 202 otherwise (the outcome follows as a `message.status` event), and the
 * send's error with our stable code when it failed.
 */
export function messageRoutes(deps: MessageRoutesDeps): Router {
  const router = new Router({ prefix: '/v1' });

  router.post('/channels/:id/messages', async (ctx) => {
    const instanceId = requireInstance(ctx);
    const { id } = parseWith(IdParam, ctx.params);
    const { wait_ms: waitMs = deps.defaultWaitMs ?? DEFAULT_WAIT_MS } = parseWith(WaitQuery, ctx.query);
    const channel = await deps.channels.getForInstance(id, instanceId);
    if (!channel) throw new ApiError(404, 'channel_not_found', 'No such channel');
    const body = await readJsonBody(ctx);
    const validation = validateOutboundRequest(channel.channelType, body);
    if (!validation.success) throw new ApiError(422, 'validation_failed', 'Request does not match the schema', validation.details);
    const outbound = validation.value;
    const clientMessageId = outbound.request.client_message_id;

    if (channel.status !== 'active') {
      // A repeat of a send made while the channel was live still gets that send's result.
      const earlier = await deps.sends.earlier(instanceId, clientMessageId, 0);
      if (earlier !== undefined) return answer(ctx, clientMessageId, earlier.channelId, earlier.result);
      if (channel.status === 'disconnected') throw new ApiError(409, 'channel_disconnected', 'The channel is disconnected', { client_message_id: clientMessageId });
      throw new ApiError(409, 'reauth_required', "The channel's access token is no longer valid; the channel must be reconnected", { client_message_id: clientMessageId });
    }

    if (outbound.channelType === 'whatsapp' && outbound.request.type === 'template' && deps.templates) {
      const check = await deps.templates.checkSend(channel, outbound.request.template);
      if (check.outcome === 'refused') {
        // A repeat of a send accepted before (the template has changed since) still gets that send's result.
        const earlier = await deps.sends.earlier(instanceId, clientMessageId, 0);
        if (earlier !== undefined) return answer(ctx, clientMessageId, earlier.channelId, earlier.result);
        throw new ApiError(422, 'validation_failed', 'The template send does not match the template', check.details);
      }
    }

    if (deps.customerWindows) {
      const closed = await deps.customerWindows.refusal(channel, outbound);
      if (closed) {
        // A repeat of a send made while the window was open still gets that send's result.
        const earlier = await deps.sends.earlier(instanceId, clientMessageId, 0);
        if (earlier !== undefined) return answer(ctx, clientMessageId, earlier.channelId, earlier.result);
        throw outsideWindowError(clientMessageId, closed);
      }
    }

    const input: OutboundWorkflowInput = {
      instanceId,
      channelId: channel.id,
      channelType: outbound.channelType,
      clientMessageId,
      request: outbound.request,
      deliveryHorizon: deps.deliveryHorizon,
      ...(deps.reconcileWindowMs === undefined ? {} : { reconcileWindowMs: deps.reconcileWindowMs }),
    };
    // No worker answering in time (all busy or restarting) gives null once the send is durably started.
    const sent = await deps.sends.send(input, waitMs);
    answer(ctx, clientMessageId, sent.channelId, sent.result);
  });

  router.get('/channels/:id/messages/:clientMessageId', async (ctx) => {
    const instanceId = requireInstance(ctx);
    const { id, clientMessageId } = parseWith(SendParams, ctx.params);
    const channel = await deps.channels.getForInstance(id, instanceId);
    if (!channel) throw new ApiError(404, 'channel_not_found', 'No such channel');
    const result = await deps.sends.read(instanceId, clientMessageId, channel.id);
    if (result === undefined) throw new ApiError(404, 'message_not_found', 'No send with this client_message_id on this channel');
    ctx.status = 200;
    ctx.body = view(clientMessageId, channel.id, result);
  });

  return router;
}

function view(clientMessageId: string, channelId: string, result: OutboundResult | null) {
  if (result === null) return { client_message_id: clientMessageId, channel_id: channelId, status: 'pending' };
  if (result.status === 'sent') {
    return { client_message_id: clientMessageId, channel_id: channelId, status: 'accepted', message_id: result.metaMessageId, ...(result.recipient ? { recipient: result.recipient } : {}) };
  }
  return { client_message_id: clientMessageId, channel_id: channelId, status: result.status, error: result.error };
}

function answer(ctx: Koa.Context, clientMessageId: string, channelId: string, result: OutboundResult | null): void {
  if (result?.status === 'failed') {
    const { error } = result;
    throw new ApiError(SEND_FAILURE_STATUS[error.code], error.code, error.reason, {
      client_message_id: clientMessageId,
      meta_code: error.meta_code,
      meta_subcode: error.meta_subcode,
    });
  }
  ctx.status = result?.status === 'sent' ? 200 : 202;
  ctx.body = view(clientMessageId, channelId, result);
}

/** The 409 a refused send gets; details say until when each window ran (null: the customer never wrote, or too long ago). */
export function outsideWindowError(clientMessageId: string, state: CustomerWindowState): ApiError {
  const humanAgentOpen = state.human_agent?.open === true;
  return new ApiError(
    409,
    'outside_customer_window',
    humanAgentOpen
      ? "The customer's 24-hour window has closed; a reply tagged HUMAN_AGENT is still accepted, or send a template"
      : "The customer's service window is closed (the customer has not written within it); send a template instead",
    {
      client_message_id: clientMessageId,
      window_expires_at: state.expires_at,
      ...(state.human_agent ? { human_agent_window_expires_at: state.human_agent.expires_at } : {}),
    },
  );
}
