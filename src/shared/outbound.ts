import type { InstagramOutboundRequest, OutboundChannelType, WhatsAppOutboundRequest } from './outbound-request.js';

/*
 * What the outbound workflow, its activity and (later) the API route share. Types and constants only:
 * imported by the workflow bundle, so nothing here may pull in Node built-ins.
 */

/** What DSK is told a send failed with: our stable code, whatever Meta's code (src/meta/graph/failure.ts maps them). */
export type SendErrorCode =
  /** Rate limited (app, page, business, phone-number throughput or recipient pair rate). */
  | 'meta_throttled'
  /** Meta is temporarily failing. */
  | 'meta_unavailable'
  /** The channel's token is dead; the customer must reconnect. */
  | 'reauth_required'
  | 'permission_missing'
  | 'invalid_recipient'
  /** WhatsApp 24 h window (send a template) or Instagram window (HUMAN_AGENT within 7 days). */
  | 'outside_customer_window'
  /** The person cannot be reached by this account, usually because they blocked it (Meta 551): do not retry, no tag helps. */
  | 'recipient_unavailable'
  | 'template_error'
  /** Account locked, restricted, unpaid, uncertified or unregistered: operator action. */
  | 'policy_blocked'
  /** Spam / marketing-engagement limits: do not resend soon. */
  | 'quality_limited'
  | 'undeliverable'
  | 'bad_request'
  /** The message may have gone out; it is reconciled from webhooks, never sent again blindly. */
  | 'ambiguous_send'
  /** A code we do not know, not marked transient by Meta. */
  | 'meta_error';

export const SEND_ERROR_CODES: readonly SendErrorCode[] = [
  'meta_throttled',
  'meta_unavailable',
  'reauth_required',
  'permission_missing',
  'invalid_recipient',
  'outside_customer_window',
  'recipient_unavailable',
  'template_error',
  'policy_blocked',
  'quality_limited',
  'undeliverable',
  'bad_request',
  'ambiguous_send',
  'meta_error',
];

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

/**
 * Who Meta says the message went to (WhatsApp's send answer, `contacts[0]`): its normalised number
 * (`wa_id`, which can differ from the `to` DSK sent, e.g. Brazil's extra 9) or the BSUID. Replies come
 * from this id, so DSK needs it to match them to the conversation it started.
 */
export interface SendRecipient {
  wa_id?: string;
  user_id?: string;
}

export type OutboundResult =
  | { status: 'sent'; metaMessageId: string | null; recipient?: SendRecipient }
  | { status: 'failed'; error: OutboundError }
  /** The send may have reached Meta: never retried, reconciled from status/echo webhooks. */
  | { status: 'unknown'; error: OutboundError };

export interface OutboundWorkflowInput {
  instanceId: string;
  channelId: string;
  channelType: OutboundChannelType;
  clientMessageId: string;
  /** Validated by the API (src/api/outbound-schema/) before the workflow starts; its type must match channelType. */
  request: WhatsAppOutboundRequest | InstagramOutboundRequest;
  /** How long the outcome event is retried towards DSK (DSK_DELIVERY_HORIZON, e.g. '7 days'). */
  deliveryHorizon?: string;
  /** How long an ambiguous send waits for a status or echo webhook to resolve it (ms). */
  reconcileWindowMs?: number;
  /**
   * The shape of the run, chosen by whoever starts it (src/temporal/client.ts): `lean` runs take their
   * search attributes from the start and tell DSK the outcome with a local activity first. Absent in
   * runs started before it, which replay the former shape. Versioning by input rather than `patched()`
   * spares every send a marker and a search-attribute upsert.
   */
  shape?: 'lean';
}

/** Which send a webhook is about. */
export interface SendRef {
  instanceId: string;
  clientMessageId: string;
  /**
   * The send's workflow, from the send ledger. Absent in results recorded before the ledger named it:
   * such runs signalled `legacyOutboundWorkflowId` (shared/ids.ts).
   */
  workflowId?: string;
}

/**
 * A webhook proved that a send reached Meta: a WhatsApp status carrying the send's tag, or an
 * Instagram echo. Resolves a send whose answer was lost (`unknown`) without sending it again.
 * Instagram echoes carry no tag, so they come with the echo's recipient and content for the workflow
 * to compare with its own request (both live only in encrypted history).
 */
export interface SendObservation {
  metaMessageId: string;
  /** Instagram echoes only. */
  echo?: { recipientId: string; text?: string; attachmentUrl?: string };
}

/** A day: statuses normally follow a send within seconds, but Meta retries webhooks for hours when the service was down. */
export const DEFAULT_RECONCILE_WINDOW_MS = 24 * 60 * 60 * 1000;

/** ApplicationFailure types the send activity throws; the workflow reads `details[0]` (an OutboundError). */
export const SEND_AMBIGUOUS_FAILURE = 'send.ambiguous';
export const sendFailureType = (code: OutboundErrorCode): string => (code === 'ambiguous_send' ? SEND_AMBIGUOUS_FAILURE : code.startsWith('channel_') ? code : `send.${code}`);

/**
 * How every caller starts a send's workflow (shared/ids.ts `outboundWorkflowId`): a running send is joined, and
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
