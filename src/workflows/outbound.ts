import {
  ActivityFailure,
  ApplicationFailure,
  TemporalFailure,
  allHandlersFinished,
  condition,
  log,
  patched,
  proxyActivities,
  proxyLocalActivities,
  setHandler,
  upsertSearchAttributes,
} from '@temporalio/workflow';
import type { OutboundActivities } from '../activities/outbound.js';
import type { OutboundRequest } from '../shared/outbound-request.js';
import type { OutboundError, OutboundResult, OutboundWorkflowInput, SendObservation } from '../shared/outbound.js';
import { DEFAULT_RECONCILE_WINDOW_MS, SEND_AMBIGUOUS_FAILURE } from '../shared/outbound.js';
import { CHANNEL_ID, CHANNEL_TYPE, EVENT_KIND, INSTANCE_ID, STATUS } from '../shared/search-attributes.js';
import { connectionWorkflowId } from '../shared/ids.js';
import { signalIfRunning } from './external-signals.js';
import { sendFailedSignal, sendObservedSignal, sendResultQuery, sendResultUpdate, tokenRejectedSignal } from './messages.js';

/**
 * Retries only what the activity marks retryable (throttled/transient: Meta said "no"); ambiguous and
 * permanent outcomes are non-retryable failures. The schedule-to-close bounds the whole send: a
 * message still throttled after 10 minutes is reported failed rather than sent late.
 */
const { sendOutboundMessage } = proxyActivities<OutboundActivities>({
  // One Graph call (10 s client timeout by default), a rate-limit wait of at most 5 s, and loading the token.
  startToCloseTimeout: '30 seconds',
  scheduleToCloseTimeout: '10 minutes',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

/** Reading and marking the channel are short PostgreSQL calls. */
const { tokenRejectionTarget, markReauthRequiredDirectly } = proxyLocalActivities<OutboundActivities>({
  startToCloseTimeout: '10 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 10 },
});

/**
 * Before this patch an activity signalled the connection workflow through a Temporal client of its
 * own; now this workflow does (`signalIfRunning`), and runs recorded before it replay the old call.
 */
export const OUTBOUND_SIGNALS_PATCH = 'outbound-signals-connection';

/** Still registered: a run that scheduled it before the patch may run it after the deploy. */
const { reportTokenRejected } = proxyActivities<OutboundActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 10 },
});

/*
 * A `lean` run (input.shape) costs two workflow tasks and one activity task in the common case (three
 * and two before): the search attributes come with the start, and DSK's outcome event is first tried as
 * a local activity in the task that records the send's result; only when that fails does the regular
 * activity retry it over the delivery horizon.
 *
 * The send itself stays a regular activity: as a local activity it would hold its workflow task open
 * for as long as Meta (or the rate limiter, up to 5 s) takes, and no update or query reaches a
 * workflow in the middle of a task, so a repeated POST or a GET of the send would wait for it instead
 * of answering `pending` at once.
 */

/**
 * The first try to tell DSK the outcome. Short: DSK's answer to the send API waits for this task to
 * complete; a slow DSK is left to the regular activity (DSK dedups by the idempotency key).
 */
const localNotifier = proxyLocalActivities<OutboundActivities>({
  startToCloseTimeout: '3 seconds',
  retry: { maximumAttempts: 1 },
});

/** Longest `sendResult` wait accepted: an update holds an API request open. */
const MAX_WAIT_MS = 60_000;

/**
 * One DSK message, workflow id `outboundWorkflowId(instance, client_message_id)` (started with
 * OUTBOUND_START_POLICY, so a repeat returns this run's result instead of sending again). The message
 * body lives only in this workflow's encrypted history; the token never enters it.
 *
 * A send whose answer was lost is `unknown`: it is never sent again, but waits (reconcileWindowMs) for
 * a webhook proving it reached Meta — a WhatsApp status carrying its tag, or the Instagram echo — and
 * then becomes `sent`. DSK hears each outcome as a `message.status` event.
 */
export async function outboundMessageWorkflow(input: OutboundWorkflowInput): Promise<OutboundResult> {
  let result: OutboundResult | undefined;
  let observed: SendObservation | undefined;
  /** Meta accepted the send, then reported it failed; the status event carrying it tells DSK. */
  let lateFailure: OutboundError | undefined;

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
  setHandler(sendResultQuery, () => result ?? null);
  setHandler(sendObservedSignal, (observation) => {
    if (observed === undefined && isThisSend(input, observation)) observed = observation;
  });
  setHandler(sendFailedSignal, (error) => {
    lateFailure ??= error;
    if (result !== undefined && result.status !== 'failed') result = { status: 'failed', error: lateFailure };
  });

  const lean = input.shape === 'lean';
  if (!lean) {
    upsertSearchAttributes([
      { key: INSTANCE_ID, value: input.instanceId },
      { key: CHANNEL_ID, value: input.channelId },
      { key: CHANNEL_TYPE, value: input.channelType },
      { key: EVENT_KIND, value: 'message.send' },
      { key: STATUS, value: 'sending' },
    ]);
  }

  const { notifySendOutcome } = proxyActivities<OutboundActivities>({
    startToCloseTimeout: '30 seconds',
    scheduleToCloseTimeout: input.deliveryHorizon ?? '7 days',
    retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '10 minutes' },
  });
  const tellDsk = async (outcome: OutboundResult, reconciled: boolean) => {
    const notice = { instanceId: input.instanceId, channelId: input.channelId, clientMessageId: input.clientMessageId, result: outcome, ...(reconciled ? { reconciled } : {}) };
    try {
      if (lean) {
        try {
          await localNotifier.notifySendOutcome(notice);
          return;
        } catch (err) {
          if (!(err instanceof TemporalFailure)) throw err;
        }
      }
      await notifySendOutcome(notice);
    } catch (err) {
      // The send's result stands either way; DSK can still read it from the API.
      if (!(err instanceof ActivityFailure)) throw err;
      log.warn('send outcome could not be delivered to DSK', { status: outcome.status });
    }
  };

  const request = { channelType: input.channelType, request: input.request } as OutboundRequest;
  let sent: OutboundResult;
  try {
    const { metaMessageId, recipient } = await sendOutboundMessage({ channelId: input.channelId, instanceId: input.instanceId, request });
    sent = { status: 'sent', metaMessageId, ...(recipient ? { recipient } : {}) };
  } catch (err) {
    if (!(err instanceof ActivityFailure)) throw err;
    sent = resultOfFailure(err);
  }
  // A webhook may have proved the send before the (lost) answer was given up on.
  const reconciledAtOnce = sent.status === 'unknown' && observed !== undefined;
  result = reconciledAtOnce ? { status: 'sent', metaMessageId: observed!.metaMessageId } : sent;
  // Meta's failed status may even beat its answer: the send failed, and that status event told DSK.
  const failedFirst = lateFailure !== undefined && result.status !== 'failed';
  if (lateFailure !== undefined && failedFirst) result = { status: 'failed', error: lateFailure };
  upsertSearchAttributes([{ key: STATUS, value: result.status }]);

  if (result.status === 'failed' && result.error.code === 'reauth_required' && result.error.meta_code !== null) {
    // Meta refused the token (not our own check of a channel already waiting for re-authorization).
    await reportRejectedToken(input.channelId, result.error.meta_code);
  }
  if (!failedFirst) await tellDsk(result, reconciledAtOnce);

  if (result.status === 'unknown') {
    const seen = await condition(() => observed !== undefined || lateFailure !== undefined, input.reconcileWindowMs ?? DEFAULT_RECONCILE_WINDOW_MS);
    if (seen && lateFailure !== undefined) {
      result = { status: 'failed', error: lateFailure };
      upsertSearchAttributes([{ key: STATUS, value: 'failed' }]);
    } else if (seen) {
      result = { status: 'sent', metaMessageId: observed!.metaMessageId };
      upsertSearchAttributes([{ key: STATUS, value: 'sent' }]);
      await tellDsk(result, true);
    }
  }
  // A sendResult update still waiting must get its answer before the run closes.
  await condition(allHandlersFinished);
  return result;
}

/**
 * Meta refused the channel's token: its connection workflow checks the token at once and marks the
 * channel `reauth_required` (telling DSK) if Meta confirms; a channel without a running one is marked
 * here, unconfirmed.
 */
async function reportRejectedToken(channelId: string, metaCode: number): Promise<void> {
  let channel;
  if (patched(OUTBOUND_SIGNALS_PATCH)) {
    channel = await tokenRejectionTarget({ channelId });
  } else {
    const retired = await reportTokenRejected({ channelId, metaCode });
    // Recorded before the patch, the activity had signalled (or marked) the channel itself.
    if (!('channel' in retired)) return;
    channel = retired.channel;
  }
  if (!channel) return;
  const told = channel.connectionId !== null && (await signalIfRunning(connectionWorkflowId(channel.connectionId), tokenRejectedSignal, { metaCode }));
  if (!told) await markReauthRequiredDirectly({ channelId });
}

/**
 * WhatsApp observations were matched by the send's tag before they were signalled. Instagram echoes
 * carry no tag: the echo must go to this send's recipient with this send's content.
 */
function isThisSend(input: OutboundWorkflowInput, observation: SendObservation): boolean {
  const { echo } = observation;
  if (!echo) return input.channelType === 'whatsapp';
  if (input.channelType !== 'instagram') return false;
  const request = input.request as Extract<OutboundRequest, { channelType: 'instagram' }>['request'];
  if (request.type === 'read' || request.to !== echo.recipientId) return false;
  if (request.type === 'text') return echo.text === request.text.body;
  if (request.type === 'attachment') return echo.attachmentUrl === request.attachment.url;
  return false;
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
