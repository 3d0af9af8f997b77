import Router from '@koa/router';
import type Koa from 'koa';
import { WithStartWorkflowOperation, WorkflowExecutionAlreadyStartedError, WorkflowFailedError, WorkflowNotFoundError, type WorkflowClient } from '@temporalio/client';
import { z } from 'zod';
import type { ChannelRow } from '../../db/channels.js';
import type { Logger } from '../../logger.js';
import { CLIENT_MESSAGE_ID, validateOutboundRequest } from '../../outbound/message-schema.js';
import { outboundWorkflowId } from '../../shared/ids.js';
import { CHANNEL_ID, CHANNEL_TYPE, EVENT_KIND, INSTANCE_ID, STATUS } from '../../shared/search-attributes.js';
import { OUTBOUND_START_POLICY, type OutboundErrorCode, type OutboundResult, type OutboundWorkflowInput } from '../../shared/outbound.js';
import { sendResultQuery, sendResultUpdate } from '../../workflows/messages.js';
import { outboundMessageWorkflow } from '../../workflows/outbound.js';
import { ApiError } from '../errors.js';
import { SEND_CODE_STATUS } from '../meta-errors.js';
import { requireInstance } from '../middleware/dsk-auth.js';
import { parseWith, readJsonBody } from '../validate.js';

export interface MessageRoutesDeps {
  channels: { getForInstance(id: string, instanceId: string): Promise<ChannelRow | undefined> };
  workflows: WorkflowClient;
  taskQueue: string;
  /** How long the outcome event is retried towards DSK. */
  deliveryHorizon: string;
  /** How long the API waits for Meta's answer before answering 202 (DSK may ask for less with `wait_ms`). */
  defaultWaitMs?: number;
  reconcileWindowMs?: number;
  log?: Pick<Logger, 'warn'>;
}

const IdParam = z.object({ id: z.uuid({ message: 'must be a UUID' }) });
const SendParams = z.object({ id: z.uuid({ message: 'must be a UUID' }), clientMessageId: z.string().regex(CLIENT_MESSAGE_ID, 'must be 1-128 of A-Z a-z 0-9 . _ : -') });
/** Ours: long enough for Meta's usual answer (well under a second), short enough not to tie up DSK's request. */
const DEFAULT_WAIT_MS = 5_000;
const MAX_WAIT_MS = 30_000;
const WaitQuery = z.object({ wait_ms: z.coerce.number().int().min(0).max(MAX_WAIT_MS).optional() });
/** Slack for the update's round trip on top of the workflow-side wait. */
const ROUND_TRIP_MS = 2_000;

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
 * `POST /v1/channels/:id/messages`: validate, then one update-with-start on the send's workflow
 * (`outbound-<instance>-<client_message_id>`): a new id starts the send, a repeat joins the running
 * one, and a finished one is read back, never started again. DSK gets 200 with Meta's id when Meta
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
    const workflowId = outboundWorkflowId(instanceId, clientMessageId);

    if (channel.status !== 'active') {
      // A repeat of a send made while the channel was live still gets that send's result.
      const earlier = await existingResult(workflowId);
      if (earlier !== undefined) return answer(ctx, clientMessageId, channel.id, earlier);
      if (channel.status === 'disconnected') throw new ApiError(409, 'channel_disconnected', 'The channel is disconnected', { client_message_id: clientMessageId });
      throw new ApiError(409, 'reauth_required', "The channel's access token is no longer valid; the channel must be reconnected", { client_message_id: clientMessageId });
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
    const start = new WithStartWorkflowOperation(outboundMessageWorkflow, {
      workflowId,
      taskQueue: deps.taskQueue,
      args: [input],
      ...OUTBOUND_START_POLICY,
      // Set at start (the workflow sets them too): a send is filterable, and GET finds its channel, before its first task runs.
      typedSearchAttributes: [
        { key: INSTANCE_ID, value: instanceId },
        { key: CHANNEL_ID, value: channel.id },
        { key: CHANNEL_TYPE, value: channel.channelType },
        { key: EVENT_KIND, value: 'message.send' },
        { key: STATUS, value: 'sending' },
      ],
    });
    let result: OutboundResult | null | typeof TIMED_OUT;
    try {
      result = await withDeadline(deps.workflows.executeUpdateWithStart(sendResultUpdate, { args: [{ waitMs }], startWorkflowOperation: start }), waitMs + ROUND_TRIP_MS);
    } catch (err) {
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
      // The send finished earlier: its result, not a second message.
      result = await closedResult(deps.workflows, workflowId);
    }
    if (result === TIMED_OUT) {
      // No worker answered in time (e.g. all busy or restarting): the send is started durably, or fails loudly here.
      await deps.workflows.getHandle(workflowId).describe();
      result = null;
    }
    answer(ctx, clientMessageId, channel.id, result);
  });

  router.get('/channels/:id/messages/:clientMessageId', async (ctx) => {
    const instanceId = requireInstance(ctx);
    const { id, clientMessageId } = parseWith(SendParams, ctx.params);
    const channel = await deps.channels.getForInstance(id, instanceId);
    if (!channel) throw new ApiError(404, 'channel_not_found', 'No such channel');
    const result = await existingResult(outboundWorkflowId(instanceId, clientMessageId), channel.id);
    if (result === undefined) throw new ApiError(404, 'message_not_found', 'No send with this client_message_id on this channel');
    ctx.status = 200;
    ctx.body = view(clientMessageId, channel.id, result);
  });

  /**
   * The send's result if a workflow exists for the id (null while Meta has not answered); undefined if
   * none does, or it belongs to another channel.
   */
  async function existingResult(workflowId: string, channelId?: string): Promise<OutboundResult | null | undefined> {
    const handle = deps.workflows.getHandle(workflowId);
    try {
      const description = await handle.describe();
      if (channelId !== undefined && description.typedSearchAttributes.get(CHANNEL_ID) !== channelId) return undefined;
      if (description.status.name === 'RUNNING') return await handle.query(sendResultQuery);
      return await closedResult(deps.workflows, workflowId);
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return undefined;
      throw err;
    }
  }

  return router;
}

/**
 * A finished send's result. A run an operator terminated (or that otherwise did not return) may have
 * sent or not: it is `unknown`, like a lost answer, and never sent again.
 */
async function closedResult(workflows: WorkflowClient, workflowId: string): Promise<OutboundResult> {
  try {
    return await workflows.getHandle<typeof outboundMessageWorkflow>(workflowId).result();
  } catch (err) {
    if (!(err instanceof WorkflowFailedError)) throw err;
    return {
      status: 'unknown',
      error: { code: 'ambiguous_send', meta_code: null, meta_subcode: null, reason: 'The send was ended before it finished (e.g. by an operator), so it may or may not have reached Meta; it is not sent again.' },
    };
  }
}

const TIMED_OUT = Symbol('timed out');

async function withDeadline<T>(promise: Promise<T>, ms: number): Promise<T | typeof TIMED_OUT> {
  let timer: NodeJS.Timeout | undefined;
  // The losing update call is left to settle on its own; its outcome is read from the workflow later.
  promise.catch(() => undefined);
  try {
    return await Promise.race([promise, new Promise<typeof TIMED_OUT>((resolve) => (timer = setTimeout(() => resolve(TIMED_OUT), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}

function view(clientMessageId: string, channelId: string, result: OutboundResult | null) {
  if (result === null) return { client_message_id: clientMessageId, channel_id: channelId, status: 'pending' };
  if (result.status === 'sent') return { client_message_id: clientMessageId, channel_id: channelId, status: 'accepted', message_id: result.metaMessageId };
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
