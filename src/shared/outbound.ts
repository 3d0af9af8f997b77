import type { SendErrorCode } from '../meta/graph/failure.js';
import type { InstagramOutboundRequest, OutboundChannelType, WhatsAppOutboundRequest } from '../outbound/message-schema.js';

/*
 * What the outbound workflow, its activity and (later) the API route share. Types and constants only:
 * imported by the workflow bundle, so nothing here may pull in Node built-ins.
 */

/** Failures decided before Meta is called. */
export type ChannelSendErrorCode = 'channel_not_found' | 'channel_disconnected' | 'channel_type_mismatch';

export type OutboundErrorCode = SendErrorCode | ChannelSendErrorCode;

/** What DSK gets for a send that did not (or may not have) go out: a MetaFailure (meta/graph/failure.ts) without the internals. */
export interface OutboundError {
  code: OutboundErrorCode;
  meta_code: number | null;
  meta_subcode: number | null;
  reason: string;
}

export type OutboundResult =
  | { status: 'sent'; metaMessageId: string | null }
  | { status: 'failed'; error: OutboundError }
  /** The send may have reached Meta: never retried, reconciled from status/echo webhooks. */
  | { status: 'unknown'; error: OutboundError };

export interface OutboundWorkflowInput {
  instanceId: string;
  channelId: string;
  channelType: OutboundChannelType;
  clientMessageId: string;
  /** Validated by message-schema.ts before the workflow starts; its type must match channelType. */
  request: WhatsAppOutboundRequest | InstagramOutboundRequest;
  /** How long the outcome event is retried towards DSK (DSK_DELIVERY_HORIZON, e.g. '7 days'). */
  deliveryHorizon?: string;
  /** How long an ambiguous send waits for a status or echo webhook to resolve it (ms). */
  reconcileWindowMs?: number;
}

/** A day: statuses normally follow a send within seconds, but Meta retries webhooks for hours when the service was down. */
export const DEFAULT_RECONCILE_WINDOW_MS = 24 * 60 * 60 * 1000;

/** ApplicationFailure types the send activity throws; the workflow reads `details[0]` (an OutboundError). */
export const SEND_AMBIGUOUS_FAILURE = 'send.ambiguous';
export const sendFailureType = (code: OutboundErrorCode): string => (code === 'ambiguous_send' ? SEND_AMBIGUOUS_FAILURE : code.startsWith('channel_') ? code : `send.${code}`);

/**
 * How every caller starts `outbound-<instance>-<client_message_id>`: a running send is joined, and
 * a finished one is never started again (Meta has no idempotency key; a second run would send a
 * second message). A start refused as a duplicate is answered from the first run's result.
 */
export const OUTBOUND_START_POLICY = {
  workflowIdConflictPolicy: 'USE_EXISTING',
  workflowIdReusePolicy: 'REJECT_DUPLICATE',
} as const;

/** The shape of a send's tag (outbound/send-tag.ts `sendTag`): `dsk:` + 128 bits of SHA-256 in hex. */
export const SEND_TAG_PREFIX = 'dsk:';
export const SEND_TAG_HEX_CHARS = 32;
const SEND_TAG = new RegExp(`^${SEND_TAG_PREFIX}[0-9a-f]{${SEND_TAG_HEX_CHARS}}$`);

/** Only statuses carrying one of our tags are looked up in the send ledger. */
export const isSendTag = (value: string): boolean => SEND_TAG.test(value);
