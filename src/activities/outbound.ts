import { setTimeout as sleep } from 'node:timers/promises';
import type { ChannelRow } from '../db/channels.js';
import type { OutboundSends } from '../db/outbound-sends.js';
import { DskDeliveryError, type DskClient } from '../dsk/client.js';
import type { Logger } from '../logger.js';
import { isReadRequest, type ChannelAdapters } from '../meta/channel-adapter.js';
import { toMetaFailure } from '../meta/graph/failure.js';
import type { Metrics } from '../metrics.js';
import type { OutboundRequest } from '../shared/outbound-request.js';
import { sendRateLimits } from '../outbound/rate-limits.js';
import type { OutboundRateLimits } from '../outbound/rate-limits.js';
import { sendTag } from '../outbound/send-tag.js';
import { outboundWorkflowId } from '../shared/ids.js';
import type { ChannelRef } from '../shared/connections.js';
import type { DskStatusData } from '../shared/inbound-events.js';
import { serviceEventEnvelope } from '../shared/delivery.js';
import { rateLimitedFailure, sendFailure, toActivityFailure } from './failures.js';
import type { OutboundError, OutboundErrorCode, OutboundResult, SendRecipient } from '../shared/outbound.js';
import type { TokenVault } from '../vault/token-vault.js';
import type { SendRateLimiter } from '../db/send-rate-slots.js';

export interface OutboundActivityDeps {
  channels: {
    getForInstance(id: string, instanceId: string): Promise<ChannelRow | undefined>;
    get(id: string): Promise<ChannelRow | undefined>;
    tokenCiphertext(id: string): Promise<string | null>;
    setStatus(id: string, status: 'active' | 'reauth_required', now: Date): Promise<void>;
  };
  instances: { get(id: string): Promise<{ eventsUrl: string | null } | undefined> };
  sends: Pick<OutboundSends, 'begin' | 'settle' | 'byTag'>;
  /** The workflow the running activity belongs to (Temporal's activity context in the worker). */
  currentWorkflowId?: () => string | undefined;
  vault: Pick<TokenVault, 'decrypt'>;
  /** The adapter of the channel's kind sends; this activity never picks a Meta host itself. */
  adapters: ChannelAdapters;
  /** Shared by every worker (PostgreSQL), so Meta's per-number and pair limits hold across processes. */
  rateLimiter: Pick<SendRateLimiter, 'reserve'>;
  rateLimits: OutboundRateLimits;
  /** Keyed hash of a recipient: the pair-rate key must not put phone numbers into PostgreSQL. */
  recipientKey: (recipient: string) => string;
  dsk: Pick<DskClient, 'deliver'>;
  clock: () => Date;
  metrics?: Pick<Metrics, 'outboundSends'>;
  /** Ids, codes and outcomes only. */
  log?: Pick<Logger, 'info' | 'warn'>;
}

export interface SendOutboundInput {
  channelId: string;
  instanceId: string;
  request: OutboundRequest;
}

export interface SendOutboundResult {
  /** `wamid.…` / Instagram `mid`; null for what Meta gives no id (mark-as-read, Instagram sender actions). */
  metaMessageId: string | null;
  /** WhatsApp: the recipient as Meta normalised it (send answer `contacts[0]`). */
  recipient?: SendRecipient;
}

/** Ledger writes after Meta accepted: 1+2+3+4 s of waits, within the send's 30 s start-to-close timeout. */
const SETTLE_ATTEMPTS = 5;
const SETTLE_RETRY_MS = 1_000;

/** The longest a send waits in-process for its rate-limit slot; a longer wait is a retry with that delay. */
const MAX_SLOT_WAIT_MS = 5_000;

/**
 * The one activity that talks to Meta's Send APIs. The token is read and decrypted here, for this one
 * call; the workflow only ever sees ids, Meta's message id and the mapped error.
 *
 * Meta's Send APIs have no idempotency key, so retries are decided here, not by Temporal's defaults:
 * throttled and transient errors (Meta said "no") are retryable, with Meta's wait as the next delay;
 * every outcome that may hide a sent message (timeout, reset connection, unreadable answer, Meta's
 * "error but sent") is a non-retryable `send.ambiguous`; everything else is permanent.
 */
export function createOutboundActivities(deps: OutboundActivityDeps) {
  /**
   * Records Meta's acceptance, retrying while PostgreSQL is briefly away (a restart, a failover) for
   * well under the attempt's 30 s. If it still fails the send is answered all the same: the row stays
   * `sending`, and status webhooks still find it by its tag.
   */
  const settleAccepted = async (tag: string, metaMessageId: string | null, channelId: string) => {
    for (let attempt = 1; ; attempt++) {
      try {
        await deps.sends.settle(tag, { state: 'accepted', metaMessageId }, deps.clock());
        return;
      } catch (err) {
        if (attempt >= SETTLE_ATTEMPTS) {
          deps.log?.warn({ channelId, errorName: err instanceof Error ? err.name : typeof err }, 'send accepted by Meta but not recorded in the ledger');
          return;
        }
        await new Promise((resolve) => setTimeout(resolve, SETTLE_RETRY_MS * attempt));
      }
    }
  };
  return {
    async sendOutboundMessage(input: SendOutboundInput): Promise<SendOutboundResult> {
      const channel = await deps.channels.getForInstance(input.channelId, input.instanceId);
      if (!channel) throw channelFailure('channel_not_found', 'The channel does not exist in this instance.');
      if (channel.status === 'disconnected') throw channelFailure('channel_disconnected', 'The channel is disconnected.');
      if (channel.channelType !== input.request.channelType) {
        throw channelFailure('channel_type_mismatch', `The message is for ${input.request.channelType} but the channel is ${channel.channelType}.`);
      }
      if (channel.status === 'reauth_required') {
        // Known dead token: calling Meta would only repeat its 190.
        throw sendFailure({ code: 'reauth_required', meta_code: null, meta_subcode: null, reason: "The channel's access token is no longer valid; the channel must be reconnected." }, { retryable: false });
      }
      const ciphertext = await deps.channels.tokenCiphertext(channel.id);
      if (!ciphertext) throw channelFailure('channel_disconnected', 'The channel holds no access token.');

      const clientMessageId = input.request.request.client_message_id;
      const tag = sendTag(input.instanceId, clientMessageId);
      const workflowId = deps.currentWorkflowId?.() ?? outboundWorkflowId(input.instanceId, clientMessageId);
      // Written before Meta is called: a status webhook that beats (or replaces) Meta's answer finds it.
      // Only the run the ledger's claim names may call Meta: any other run of the same id (one started
      // before claims existed, racing a repeat) stops here, and the claim's run is the one send.
      const begun = await deps.sends.begin({ tag, instanceId: input.instanceId, channelId: channel.id, clientMessageId, workflowId }, deps.clock());
      if (!begun.began) {
        // An earlier attempt of this same run got Meta's acceptance and recorded it, but its completion
        // never reached Temporal (worker killed, Temporal or PostgreSQL restarting): answer with it.
        if (begun.row?.state === 'accepted' && begun.row.workflowId === workflowId) return { metaMessageId: begun.row.metaMessageId };
        deps.log?.warn({ channelId: channel.id }, 'send not made: another run holds its client_message_id');
        throw sendFailure({ code: 'ambiguous_send', meta_code: null, meta_subcode: null, reason: 'Another send holds this client_message_id; this one was not made, and the message goes out at most once.' }, { retryable: false });
      }
      const token = deps.vault.decrypt(ciphertext);
      // Last before the call: the slot is kept as close as possible to the moment Meta sees the request.
      await waitForSlot(channel, input.request);
      let sent: Awaited<ReturnType<typeof send>>;
      try {
        sent = await send(channel, token, input);
      } catch (err) {
        const f = toMetaFailure(err);
        if (!f) throw err;
        const outcome = f.action === 'reconcile' ? 'ambiguous' : f.retryable ? 'retryable' : 'rejected';
        deps.metrics?.outboundSends.inc({ outcome });
        // A retryable refusal leaves the row `sending` for the next attempt.
        const error = { code: f.code as OutboundErrorCode, meta_code: f.meta_code, meta_subcode: f.meta_subcode, reason: f.reason };
        if (outcome === 'ambiguous') await deps.sends.settle(tag, { state: 'unknown', error }, deps.clock());
        if (outcome === 'rejected') await deps.sends.settle(tag, { state: 'failed', error }, deps.clock());
        // `errorCode`, not `code`: the logger redacts `code` (OAuth codes).
        deps.log?.warn({ channelId: channel.id, errorCode: f.code, metaCode: f.meta_code, metaSubcode: f.meta_subcode }, 'outbound send failed');
        throw toActivityFailure(f);
      }
      // Meta has the message now: nothing after this line may fail the attempt, or Temporal would retry
      // it and send the message a second time (test:production restarts PostgreSQL under sends).
      await settleAccepted(tag, sent.metaMessageId, channel.id);
      deps.metrics?.outboundSends.inc({ outcome: 'sent' });
      deps.log?.info({ channelId: channel.id, channelType: channel.channelType, type: input.request.request.type }, 'outbound message accepted by Meta');
      return { metaMessageId: sent.metaMessageId, ...(sent.recipient ? { recipient: sent.recipient } : {}) };
    },

    /**
     * Meta refused the channel's token during a send: the live channel and its connection, whose
     * workflow the outbound workflow tells (it confirms with Meta, marks the channel and tells DSK).
     * Null when the channel is gone or no longer active: nothing to tell.
     */
    async tokenRejectionTarget(input: { channelId: string }): Promise<ChannelRef | null> {
      return liveChannel(input.channelId);
    },

    /** A channel without a running connection workflow is marked here, without Meta's confirmation. */
    async markReauthRequiredDirectly(input: { channelId: string }): Promise<void> {
      await deps.channels.setStatus(input.channelId, 'reauth_required', deps.clock());
      deps.log?.warn({ channelId: input.channelId }, 'channel marked reauth_required after a send was refused for its token');
    },

    /**
     * Retired: runs scheduled before the `outbound-signals-connection` patch still call it once. It no
     * longer signals (activities hold no Temporal client); the workflow tells the channel it returns.
     */
    async reportTokenRejected(input: { channelId: string; metaCode: number | null }): Promise<{ via: 'workflow'; channel: ChannelRef | null }> {
      return { via: 'workflow', channel: await liveChannel(input.channelId) };
    },

    /**
     * The send's outcome as a `message.status` event (`source: "send"`), so DSK learns it whether or
     * not its API call waited long enough. One idempotency key per outcome: a reconciled send gives
     * DSK `unknown` and then `accepted`, each once.
     */
    async notifySendOutcome(input: {
      instanceId: string;
      channelId: string;
      clientMessageId: string;
      result: OutboundResult;
      reconciled?: boolean;
    }): Promise<{ delivered: boolean }> {
      const { result } = input;
      const tag = sendTag(input.instanceId, input.clientMessageId);
      const workflowId = deps.currentWorkflowId?.();
      const claim = workflowId === undefined ? undefined : await deps.sends.byTag(tag);
      // A run that does not hold the send's claim made no send: it must neither overwrite the claim's
      // outcome nor tell DSK anything about this client_message_id.
      if (claim && claim.workflowId !== workflowId) return { delivered: false };
      // The ledger keeps the outcome after Temporal forgets the run: repeats are answered from it.
      await deps.sends.settle(
        tag,
        result.status === 'sent' ? { state: 'accepted', metaMessageId: result.metaMessageId } : { state: result.status, error: result.error },
        deps.clock(),
      );
      const channel = await deps.channels.getForInstance(input.channelId, input.instanceId);
      const instance = await deps.instances.get(input.instanceId);
      if (!channel || !instance?.eventsUrl) return { delivered: false };
      const status = result.status === 'sent' ? 'accepted' : result.status;
      const key = `out:${sendTag(input.instanceId, input.clientMessageId)}:${status}`;
      const data: DskStatusData = {
        source: 'send',
        client_message_id: input.clientMessageId,
        status,
        ...(result.status === 'sent' && result.metaMessageId !== null ? { message_id: result.metaMessageId } : {}),
        ...(result.status === 'sent' && result.recipient ? { recipient: recipientOf(result.recipient) } : {}),
        ...(result.status === 'sent' ? {} : { error: dskError(result.error) }),
        ...(input.reconciled ? { reconciled: true } : {}),
      };
      try {
        await deps.dsk.deliver({
          url: instance.eventsUrl,
          instanceId: input.instanceId,
          idempotencyKey: key,
          envelope: serviceEventEnvelope({ key, type: 'message.status', instanceId: input.instanceId, channel, at: deps.clock(), data }),
        });
        return { delivered: true };
      } catch (err) {
        if (!(err instanceof DskDeliveryError)) throw err;
        if (!err.retryable) return { delivered: false };
        throw toActivityFailure(err);
      }
    },
  };

  async function liveChannel(channelId: string): Promise<ChannelRef | null> {
    const channel = await deps.channels.get(channelId);
    return channel && channel.status === 'active' ? { id: channel.id, connectionId: channel.connectionId } : null;
  }

  /**
   * Takes this send's slot under Meta's limits (per number or account, and per recipient pair). A slot
   * a few seconds away is waited for here; a later one makes the attempt retry then, holding nothing.
   */
  async function waitForSlot(channel: ChannelRow, outbound: OutboundRequest): Promise<void> {
    const req = outbound.request;
    // Mark-as-read and sender actions are not messages to the recipient: they count only towards the number's rate.
    const recipient = req.type === 'read' ? undefined : req.to;
    const limits = sendRateLimits(deps.rateLimits, {
      channelType: channel.channelType,
      senderId: channel.externalId,
      recipientKey: recipient === undefined ? undefined : deps.recipientKey(recipient),
      isMedia: outbound.channelType === 'instagram' && outbound.request.type === 'attachment' && (outbound.request.attachment.type === 'audio' || outbound.request.attachment.type === 'video'),
    });
    const slot = await deps.rateLimiter.reserve(limits, { maxWaitMs: MAX_SLOT_WAIT_MS });
    if (!slot.granted) throw rateLimitedFailure(slot.retryAfterMs);
    if (slot.waitMs > 0) await sleep(slot.waitMs);
  }

  async function send(channel: ChannelRow, token: string, input: SendOutboundInput): Promise<SendOutboundResult> {
    const adapter = deps.adapters[channel.channelType];
    const target = { token, channel: { externalId: channel.externalId, wabaId: channel.wabaId, pageId: channel.pageId }, instanceId: input.instanceId };
    if (isReadRequest(input.request)) {
      await adapter.markRead(target, input.request);
      return { metaMessageId: null };
    }
    return adapter.send(target, input.request);
  }
}

export type OutboundActivities = ReturnType<typeof createOutboundActivities>;

/** The status event's recipient: addressed by the normalised number, else the BSUID. */
function recipientOf(recipient: SendRecipient): NonNullable<DskStatusData['recipient']> {
  return { id: (recipient.wa_id ?? recipient.user_id)!, ...recipient };
}

/** Meta's codes are left out when Meta gave none (the event schema has no nulls). */
function dskError(error: OutboundError): NonNullable<DskStatusData['error']> {
  return {
    code: error.code,
    ...(error.meta_code === null ? {} : { meta_code: error.meta_code }),
    ...(error.meta_subcode === null ? {} : { meta_subcode: error.meta_subcode }),
    reason: error.reason,
  };
}

function channelFailure(code: Extract<OutboundErrorCode, `channel_${string}`>, reason: string) {
  return sendFailure({ code, meta_code: null, meta_subcode: null, reason }, { retryable: false });
}
