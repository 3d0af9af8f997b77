import { ActivityFailure, ApplicationFailure, allHandlersFinished, condition, proxyActivities, setHandler, upsertSearchAttributes } from '@temporalio/workflow';
import type { OutboundActivities } from '../activities/outbound.js';
import type { OutboundRequest } from '../outbound/message-schema.js';
import type { OutboundError, OutboundResult, OutboundWorkflowInput } from '../shared/outbound.js';
import { SEND_AMBIGUOUS_FAILURE } from '../shared/outbound.js';
import { CHANNEL_ID, CHANNEL_TYPE, EVENT_KIND, INSTANCE_ID, STATUS } from '../shared/search-attributes.js';
import { sendResultUpdate } from './messages.js';

/**
 * Retries only what the activity marks retryable (throttled/transient: Meta said "no"); ambiguous and
 * permanent outcomes are non-retryable failures. The schedule-to-close bounds the whole send: a
 * message still throttled after 10 minutes is reported failed rather than sent late.
 */
const { sendOutboundMessage } = proxyActivities<OutboundActivities>({
  // One Graph call (10 s client timeout by default) plus loading and decrypting the token.
  startToCloseTimeout: '30 seconds',
  scheduleToCloseTimeout: '10 minutes',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

/** Longest `sendResult` wait accepted: an update holds an API request open. */
const MAX_WAIT_MS = 60_000;

/**
 * One DSK message, workflow id `outbound-<instance>-<client_message_id>` (started with
 * OUTBOUND_START_POLICY, so a repeat returns this run's result instead of sending again). The message
 * body lives only in this workflow's encrypted history; the token never enters it.
 */
export async function outboundMessageWorkflow(input: OutboundWorkflowInput): Promise<OutboundResult> {
  let result: OutboundResult | undefined;

  setHandler(
    sendResultUpdate,
    async ({ waitMs }) => {
      if (result === undefined) await condition(() => result !== undefined, waitMs);
      return result ?? null;
    },
    {
      validator: ({ waitMs }) => {
        if (typeof waitMs !== 'number' || !Number.isFinite(waitMs) || waitMs < 0 || waitMs > MAX_WAIT_MS) {
          throw new Error(`waitMs must be between 0 and ${MAX_WAIT_MS}`);
        }
      },
    },
  );

  upsertSearchAttributes([
    { key: INSTANCE_ID, value: input.instanceId },
    { key: CHANNEL_ID, value: input.channelId },
    { key: CHANNEL_TYPE, value: input.channelType },
    { key: EVENT_KIND, value: 'message.send' },
    { key: STATUS, value: 'sending' },
  ]);

  const request = { channelType: input.channelType, request: input.request } as OutboundRequest;
  try {
    const { metaMessageId } = await sendOutboundMessage({ channelId: input.channelId, instanceId: input.instanceId, request });
    result = { status: 'sent', metaMessageId };
  } catch (err) {
    if (!(err instanceof ActivityFailure)) throw err;
    result = resultOfFailure(err);
  }
  upsertSearchAttributes([{ key: STATUS, value: result.status }]);
  // A sendResult update still waiting must get its answer before the run closes.
  await condition(allHandlersFinished);
  return result;
}

/** The activity's ApplicationFailure (possibly under a schedule-to-close timeout) → DSK's error. */
function resultOfFailure(err: ActivityFailure): OutboundResult {
  const app = findApplicationFailure(err);
  const details = app?.details?.[0] as OutboundError | undefined;
  if (app && details && typeof details.code === 'string') {
    const error: OutboundError = { code: details.code, meta_code: details.meta_code ?? null, meta_subcode: details.meta_subcode ?? null, reason: details.reason };
    return app.type === SEND_AMBIGUOUS_FAILURE ? { status: 'unknown', error } : { status: 'failed', error };
  }
  // No mapped failure: an attempt timed out (the worker may have died mid-call) or the activity crashed.
  return {
    status: 'unknown',
    error: {
      code: 'ambiguous_send',
      meta_code: null,
      meta_subcode: null,
      reason: 'The send did not finish in time, so the message may have been sent; it is reconciled from webhooks instead of being sent again.',
    },
  };
}

function findApplicationFailure(err: unknown): ApplicationFailure | undefined {
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth += 1) {
    if (e instanceof ApplicationFailure) return e;
  }
  return undefined;
}
