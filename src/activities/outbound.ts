import { ApplicationFailure } from '@temporalio/activity';
import type { ChannelRow } from '../db/channels.js';
import type { Logger } from '../logger.js';
import { MetaApiError, MetaRequestError, type GraphClient } from '../meta/graph-client.js';
import type { InstagramClient } from '../meta/instagram-client.js';
import { instagramGraphBody, whatsappGraphBody } from '../outbound/graph-bodies.js';
import type { OutboundRequest } from '../outbound/message-schema.js';
import { sendFailureFromError, type SendFailure } from '../outbound/send-errors.js';
import { sendFailureType, type OutboundError, type OutboundErrorCode } from '../shared/outbound.js';
import type { TokenVault } from '../vault/token-vault.js';

export interface OutboundActivityDeps {
  channels: { getForInstance(id: string, instanceId: string): Promise<ChannelRow | undefined>; tokenCiphertext(id: string): Promise<string | null> };
  vault: Pick<TokenVault, 'decrypt'>;
  graph: Pick<GraphClient, 'sendWhatsAppMessage' | 'markWhatsAppMessageRead' | 'sendInstagramMessage'>;
  instagram: Pick<InstagramClient, 'sendInstagramMessage'>;
  clock: () => Date;
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
}

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
        throw failure({ code: 'reauth_required', meta_code: null, meta_subcode: null, reason: "The channel's access token is no longer valid; the channel must be reconnected." }, { retryable: false });
      }
      const ciphertext = await deps.channels.tokenCiphertext(channel.id);
      if (!ciphertext) throw channelFailure('channel_disconnected', 'The channel holds no access token.');
      const token = deps.vault.decrypt(ciphertext);

      try {
        const metaMessageId = await send(channel, token, input);
        deps.log?.info({ channelId: channel.id, channelType: channel.channelType, type: input.request.request.type }, 'outbound message accepted by Meta');
        return { metaMessageId };
      } catch (err) {
        const mapped = mapSendError(err);
        if (!mapped) throw err;
        deps.log?.warn({ channelId: channel.id, code: mapped.failure.code, metaCode: mapped.failure.meta_code, metaSubcode: mapped.failure.meta_subcode }, 'outbound send failed');
        throw failure(mapped.failure, { retryable: mapped.failure.retryable, retryAfterMs: mapped.retryAfterMs });
      }
    },
  };

  async function send(channel: ChannelRow, token: string, input: SendOutboundInput): Promise<string | null> {
    const outbound = input.request;
    if (outbound.channelType === 'whatsapp') {
      const body = whatsappGraphBody(outbound.request, input.instanceId);
      if ('status' in body) {
        await deps.graph.markWhatsAppMessageRead(token, channel.externalId, body);
        return null;
      }
      return (await deps.graph.sendWhatsAppMessage(token, channel.externalId, body)).messageId;
    }
    const body = instagramGraphBody(outbound.request);
    // Instagram via Facebook Login holds a page token (graph.facebook.com, `me` = the page); Instagram Login an Instagram user token.
    const result = channel.pageId ? await deps.graph.sendInstagramMessage(token, 'me', body) : await deps.instagram.sendInstagramMessage(token, 'me', body);
    return result.messageId ?? null;
  }
}

export type OutboundActivities = ReturnType<typeof createOutboundActivities>;

/** send-errors.ts' mapping, plus what only the Send methods know: a connection that never opened is retryable. */
function mapSendError(err: unknown): { failure: SendFailure; retryAfterMs: number | undefined } | undefined {
  if (err instanceof MetaRequestError && err.reason === 'unreachable') {
    return {
      failure: { code: 'meta_unavailable', meta_code: null, meta_subcode: null, action: 'retry', retryable: true, reason: 'Meta could not be reached; nothing was sent, and the send can be retried.' },
      retryAfterMs: undefined,
    };
  }
  const failure = sendFailureFromError(err);
  if (!failure) return undefined;
  return { failure, retryAfterMs: err instanceof MetaApiError ? err.retryAfterMs : undefined };
}

/** Longest wait honoured as a retry delay; the workflow's schedule-to-close bounds the rest. */
const MAX_RETRY_DELAY_MS = 5 * 60_000;

function failure(error: SendFailure | OutboundError, opts: { retryable: boolean; retryAfterMs?: number | undefined }): ApplicationFailure {
  const details: OutboundError = { code: error.code, meta_code: error.meta_code, meta_subcode: error.meta_subcode, reason: error.reason };
  const type = sendFailureType(error.code);
  return ApplicationFailure.create({
    // Codes only: Meta's own text can quote the message.
    message: `send failed: ${error.code}${error.meta_code === null ? '' : ` (Meta ${error.meta_code}${error.meta_subcode === null ? '' : `/${error.meta_subcode}`})`}`,
    type,
    nonRetryable: !opts.retryable,
    details: [details],
    ...(opts.retryable && opts.retryAfterMs !== undefined ? { nextRetryDelay: Math.min(Math.max(opts.retryAfterMs, 1000), MAX_RETRY_DELAY_MS) } : {}),
  });
}

function channelFailure(code: Extract<OutboundErrorCode, `channel_${string}`>, reason: string): ApplicationFailure {
  return failure({ code, meta_code: null, meta_subcode: null, reason }, { retryable: false });
}
