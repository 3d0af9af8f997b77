import { ActivityFailure, ApplicationFailure, log, patched, proxyActivities, proxyLocalActivities, upsertSearchAttributes } from '@temporalio/workflow';
import type { InboundActivities } from '../activities/inbound.js';
import type { ChannelRef } from '../shared/connections.js';
import { withCurrentStatus, type DeliveryRoute } from '../shared/delivery.js';
import { EVENT_EXTRAS_ATTEMPTS, EVENT_EXTRAS_PATCH, eventExtrasRequest, withEventExtras } from '../shared/event-extras.js';
import type { EventExtrasActivities } from '../activities/event-extras.js';
import { connectionWorkflowId, legacyOutboundWorkflowId } from '../shared/ids.js';
import type { InboundEvent } from '../shared/inbound-events.js';
import { CHANNEL_ID, CHANNEL_TYPE, INSTANCE_ID, STATUS } from '../shared/search-attributes.js';
import { isSendTag, type SendObservation, type SendRef } from '../shared/outbound.js';
import { signalIfRunning } from './external-signals.js';
import { disconnectSignal, sendFailedSignal, sendObservedSignal } from './messages.js';

export interface InboundWorkflowInput {
  event: InboundEvent;
  receivedAt: string;
  /** How long DSK deliveries are retried before the event is failed (config, e.g. '7 days'). */
  deliveryHorizon: string;
}

export type InboundOutcome =
  | { outcome: 'delivered'; dskStatus: number; attempts: number }
  | { outcome: 'orphan' };

/**
 * Short PostgreSQL calls run as local activities: they execute in the worker that runs the workflow
 * task and are recorded as markers, so an inbound event costs one activity task (the DSK delivery)
 * instead of four. Temporal's throughput per event is what bounds inbound capacity (bench/inbound.ts).
 */
const LOCAL = { startToCloseTimeout: '10 seconds', retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' } } as const;
const { resolveInboundRoute, recordInboundOutcome, mergeMessageStatus, matchSendStatus, findSendsForEcho, channelsOnSameWaba, disconnectChannelDirectly, recordSendFailure } =
  proxyLocalActivities<InboundActivities>(LOCAL);

/**
 * A `failed` status of one of our sends marks the send failed (ledger, and its workflow if it still
 * runs) instead of proving it went out. Runs recorded before it replay the observation they made.
 */
export const SEND_FAILURE_PATCH = 'inbound-send-failures';

/**
 * Before this patch, activities signalled the connection and outbound workflows through a Temporal
 * client of their own; now the workflow signals them (`signalIfRunning`), and runs recorded before it
 * replay the old calls below.
 */
export const INBOUND_SIGNALS_PATCH = 'inbound-signals-workflows';

/** Activities only histories from before INBOUND_SIGNALS_PATCH call: replayed, never run anew. */
interface RetiredInboundActivities {
  matchSendEcho(input: { channelId: string; metaMessageId: string; echo: NonNullable<SendObservation['echo']> }): Promise<{ clientMessageId: string } | null>;
}
const { matchSendEcho } = proxyLocalActivities<RetiredInboundActivities>(LOCAL);
/** Still registered: a run that scheduled it before the patch may run it after the deploy. */
const { requestChannelDisconnect } = proxyActivities<InboundActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

/** Issue #13's extras (media capture, sender profile, template updates): downloads of up to ~100 MB, retried briefly. */
const { addEventExtras } = proxyActivities<EventExtrasActivities>({
  startToCloseTimeout: '5 minutes',
  retry: { initialInterval: '2 seconds', backoffCoefficient: 3, maximumInterval: '1 minute', maximumAttempts: EVENT_EXTRAS_ATTEMPTS },
});

/**
 * One Meta event, keyed by its idempotency key (workflow id `inbound-<key>`): resolve where it
 * belongs, then deliver it to the instance's DSK events URL until DSK accepts it, refuses it for good
 * (4xx other than 408/429), or the delivery horizon passes. The event itself only ever lives in this
 * workflow's (encrypted) history; PostgreSQL records the outcome, never the content.
 */
export async function inboundEventWorkflow(input: InboundWorkflowInput): Promise<InboundOutcome> {
  const { event } = input;
  const route = await resolveInboundRoute({ key: event.key, channelType: event.channelType, businessId: event.businessId });
  if (!route) {
    // Unknown business id: recorded as an orphan and finished. Retrying cannot make it known.
    upsertSearchAttributes([{ key: STATUS, value: 'orphan' }]);
    log.info('inbound event has no channel', { key: event.key, kind: event.kind });
    return { outcome: 'orphan' };
  }
  upsertSearchAttributes([
    { key: INSTANCE_ID, value: route.instanceId },
    { key: CHANNEL_ID, value: route.channelId },
    { key: CHANNEL_TYPE, value: route.channelType },
    { key: STATUS, value: 'delivering' },
  ]);

  let outgoing: InboundEvent = event;
  if (event.kind === 'message.status') {
    // DSK gets Meta's status as sent and the channel's merged view, which never goes backwards.
    const { currentStatus } = await mergeMessageStatus({ channelId: route.channelId, messageId: event.data.message_id, status: event.data.status });
    outgoing = withCurrentStatus(event, currentStatus);
    const tag = event.data.biz_opaque_callback_data;
    if (tag !== undefined && isSendTag(tag)) {
      // A send made through this service: DSK gets its client_message_id, and a send whose answer was lost learns it went out.
      const send = await matchSendStatus({ channelId: route.channelId, tag, metaMessageId: event.data.message_id });
      if (send) outgoing = { ...outgoing, data: { ...outgoing.data, client_message_id: send.clientMessageId } };
      if (send && event.data.status === 'failed' && patched(SEND_FAILURE_PATCH)) {
        // Accepted, then failed (WA-ERR: 131047 outside the window, 131026, …): DSK learns it from this
        // event (its client_message_id and stable code); the ledger and a running send say failed too.
        const metaCodes = (event.data.errors ?? []).flatMap((e) => (e.code === undefined ? [] : [e.code]));
        const error = await recordSendFailure({ tag, ...(event.data.error ? { error: event.data.error } : {}), metaCodes });
        await signalIfRunning(sendWorkflowId(send), sendFailedSignal, error);
      } else if (send?.unresolved && patched(INBOUND_SIGNALS_PATCH)) {
        // Results recorded before INBOUND_SIGNALS_PATCH carry no `unresolved`: their activity had signalled already.
        await signalIfRunning(sendWorkflowId(send), sendObservedSignal, { metaMessageId: event.data.message_id });
      }
    }
  }
  if (event.kind === 'message.echo' && event.channelType === 'instagram' && event.data.recipient) {
    const { message } = event.data;
    const echo = {
      recipientId: event.data.recipient.id,
      ...(message.text !== undefined ? { text: message.text } : {}),
      ...(message.attachments?.[0]?.url !== undefined ? { attachmentUrl: message.attachments[0].url } : {}),
    };
    let send: { clientMessageId: string } | null;
    if (patched(INBOUND_SIGNALS_PATCH)) {
      const found = await findSendsForEcho({ channelId: route.channelId, metaMessageId: message.id });
      send = found.known;
      // Each unresolved send on the channel is offered the echo; only the one it matches takes it.
      for (const candidate of found.candidates) {
        await signalIfRunning(sendWorkflowId(candidate), sendObservedSignal, { metaMessageId: message.id, echo });
      }
    } else {
      send = await matchSendEcho({ channelId: route.channelId, metaMessageId: message.id, echo });
    }
    // DSK recognises the echo of its own send.
    if (send) outgoing = { ...event, data: { ...event.data, client_message_id: send.clientMessageId } };
  }
  let channelDisconnected = false;
  if (event.kind === 'channel.account_update' && event.data.disconnect) {
    // The business removed the app: disconnect first, so the token is destroyed whether or not DSK is
    // reachable; DSK still gets the event, delivered to the channel's instance.
    const reason = 'meta_account_update';
    if (patched(INBOUND_SIGNALS_PATCH)) {
      await disconnectChannels(await channelsOnSameWaba({ channelId: route.channelId }), reason);
    } else {
      const retired = await requestChannelDisconnect({ channelId: route.channelId, reason });
      // Completed after the deploy, the activity no longer signals: it names the channels instead.
      if ('channels' in retired) await disconnectChannels(retired.channels, reason);
    }
    channelDisconnected = true;
  }

  // Issue #13 (templates, profiles, media that outlives Meta's links): one step, see withExtras below.
  outgoing = await withExtras(outgoing, route, input.receivedAt);

  const { deliverToDsk } = proxyActivities<InboundActivities>({
    // One attempt: DSK's own timeout (DSK_DELIVERY_TIMEOUT_MS, at most 25 s) plus signing and a margin,
    // so a crashed worker's in-flight delivery is retried after seconds, not minutes.
    startToCloseTimeout: '30 seconds',
    scheduleToCloseTimeout: input.deliveryHorizon,
    retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '10 minutes' },
  });
  try {
    // The activity records the delivered outcome in the webhook log itself, in the same statement as
    // the attempt count: one write fewer per event.
    const delivered = await deliverToDsk({ event: outgoing, route, receivedAt: input.receivedAt, ...(channelDisconnected ? { channelDisconnected } : {}) });
    upsertSearchAttributes([{ key: STATUS, value: 'delivered' }]);
    return { outcome: 'delivered', dskStatus: delivered.status, attempts: delivered.attempt };
  } catch (err) {
    if (!(err instanceof ActivityFailure)) throw err;
    await recordInboundOutcome({ key: event.key, outcome: 'failed' });
    upsertSearchAttributes([{ key: STATUS, value: 'failed' }]);
    const cause = err.cause instanceof ApplicationFailure ? err.cause : undefined;
    // Failing the workflow keeps the event visible in the Web UI, with DSK's status, until retried.
    throw ApplicationFailure.create({
      type: cause?.type ?? 'dsk.delivery_failed',
      message: cause ? `Delivery to DSK failed: ${cause.message}` : 'Delivery to DSK failed: retry horizon exceeded',
      nonRetryable: true,
      cause: err,
    });
  }
}

/**
 * The send's workflow as the ledger names it. Results recorded before the ledger named it carry no
 * id: those runs signalled the old id form, and replay must signal the same.
 */
function sendWorkflowId(send: SendRef): string {
  return send.workflowId ?? legacyOutboundWorkflowId(send.instanceId, send.clientMessageId);
}

/**
 * Disconnects each channel through its connection workflow (which unsubscribes where possible,
 * destroys the token and tells DSK); a channel without a running one is disconnected in the database.
 */
async function disconnectChannels(channels: readonly ChannelRef[], reason: string): Promise<void> {
  for (const channel of channels) {
    const told = channel.connectionId !== null && (await signalIfRunning(connectionWorkflowId(channel.connectionId), disconnectSignal, { reason }));
    if (!told) await disconnectChannelDirectly({ channelId: channel.id, reason });
    log.info('channel disconnect requested', { channelId: channel.id, via: told ? 'connection_workflow' : 'direct', reason });
  }
}

/**
 * Issue #13's step: for the events that need it (src/shared/event-extras.ts), the media's service
 * URLs, the Instagram sender's profile and template updates (src/activities/event-extras.ts). It never
 * keeps the event from DSK: when it cannot finish, the event goes as Meta sent it.
 */
async function withExtras(event: InboundEvent, route: DeliveryRoute, receivedAt: string): Promise<InboundEvent> {
  const request = eventExtrasRequest(event, route, receivedAt);
  if (!request || !patched(EVENT_EXTRAS_PATCH)) return event;
  try {
    return withEventExtras(event, await addEventExtras(request));
  } catch (err) {
    if (!(err instanceof ActivityFailure)) throw err;
    log.warn('event extras unavailable; delivering the event without them', { key: event.key });
    return event;
  }
}
