import { classifyMetaError, type MetaErrorClass } from './error-classes.js';
import { MetaApiError, MetaRequestError, type GraphOperation, type MetaRequestErrorReason } from './errors.js';
import { META_ERROR_REASONS } from './failure-reasons.js';
import type { SendErrorCode } from '../../shared/outbound.js';

/*
 * The one classification of Meta's failures: whatever a Meta call threw becomes a plain MetaFailure,
 * with the stable code of ours that DSK branches on, whether (and how) to retry, Meta's code and
 * subcode as they came, and a readable reason. Activities turn it into a Temporal failure
 * (activities/failures.ts), the API into an HTTP error (api/meta-errors.ts); neither decides anything
 * about Meta itself. One condition has one code everywhere: throttling is `meta_throttled` for a send,
 * a media download and a media upload alike.
 *
 * What differs by operation is only what the operation makes true: a Send API call has no
 * idempotency key, so an answer that went missing may hide a sent message (`ambiguous_send`); any
 * other call can simply be repeated (`meta_unavailable`). Media Meta does not have is
 * `media_not_found` when reading media.
 */

// The stable codes are a contract with DSK and with workflow code, so they live in shared/ (the bottom layer).
export { SEND_ERROR_CODES, type SendErrorCode } from '../../shared/outbound.js';

/** Every send code, plus what only reading media can meet: Meta has no such media (unknown, expired, another number's). */
export type MetaFailureCode = SendErrorCode | 'media_not_found';

export type MetaFailureAction =
  /** Retry later with backoff (honouring Meta's wait for throttling). */
  | 'retry'
  /** Stop; mark the channel reauth_required. */
  | 'reauth'
  /** Permanent for this call. */
  | 'fail'
  /** Do not send again; wait for the status/echo webhook to say what happened. */
  | 'reconcile';

export interface MetaFailure {
  code: MetaFailureCode;
  /** The class the outcome was decided by (reference §7.2 for Meta's codes). */
  errorClass: MetaErrorClass;
  /** Repeating the same call later can succeed (`action === 'retry'`). */
  retryable: boolean;
  action: MetaFailureAction;
  /** Meta's own wait (Retry-After, Business Use Case usage), when it gave one. */
  retryAfterMs?: number;
  /** Meta's `error.code`; null when Meta gave none (timeout, network, non-Graph body). */
  meta_code: number | null;
  meta_subcode: number | null;
  /** Readable English for DSK; never Meta's own text. */
  reason: string;
  operation: GraphOperation;
}

/** What is known about an error Meta answered with. */
export interface MetaErrorFacts {
  operation: GraphOperation;
  code: number | undefined;
  subcode?: number | undefined;
  /** Meta's `is_transient` (or, without it, the HTTP status); decides only for codes the table does not know. */
  isTransient?: boolean | undefined;
  /** Decides only when Meta gave no code (a proxy page, an empty body). */
  httpStatus?: number | undefined;
  retryAfterMs?: number | undefined;
}

interface Outcome {
  code: MetaFailureCode;
  action: MetaFailureAction;
}

const BY_CLASS: Record<MetaErrorClass, Outcome & { reason: string }> = {
  transient: { code: 'meta_unavailable', action: 'retry', reason: 'Meta had a temporary problem; the send can be retried.' },
  throttled: { code: 'meta_throttled', action: 'retry', reason: 'Meta rate-limited the send; it can be retried after a wait.' },
  quality: { code: 'quality_limited', action: 'fail', reason: 'Meta limited sending for quality reasons; do not resend soon.' },
  reauth: { code: 'reauth_required', action: 'reauth', reason: "The channel's access token is no longer valid; the channel must be reconnected." },
  permission: { code: 'permission_missing', action: 'fail', reason: 'The app lacks a permission needed to send on this channel.' },
  bad_request: { code: 'bad_request', action: 'fail', reason: 'Meta rejected the request as invalid.' },
  window: {
    code: 'outside_customer_window',
    action: 'fail',
    reason: 'The customer-service window is closed; send a template (WhatsApp) or use the HUMAN_AGENT tag (Instagram).',
  },
  unavailable: {
    code: 'recipient_unavailable',
    action: 'fail',
    reason: 'Meta reports that this person cannot be reached by this account (usually because they blocked it); neither a template nor the HUMAN_AGENT tag helps.',
  },
  undeliverable: { code: 'undeliverable', action: 'fail', reason: 'Meta could not deliver this message.' },
  template: { code: 'template_error', action: 'fail', reason: 'The message template was rejected.' },
  policy: { code: 'policy_blocked', action: 'fail', reason: 'The business account is blocked from sending; an operator must act in Meta Business Manager.' },
  ambiguous: {
    code: 'ambiguous_send',
    action: 'reconcile',
    reason: 'Meta reported an error, but the message may have been sent; it will be matched against the echo instead of being sent again.',
  },
  unknown: { code: 'meta_error', action: 'fail', reason: 'Meta returned an error this service does not recognise.' },
};

/** Codes whose stable code is more precise than their class's. */
const OUTCOME_OVERRIDES: Record<string, Outcome> = {
  '100/2534014': { code: 'invalid_recipient', action: 'fail' },
  '131021': { code: 'invalid_recipient', action: 'fail' },
  // WA-ERR "Recipient phone number not in allowed list" (test numbers); not in the reference's table.
  '131030': { code: 'invalid_recipient', action: 'fail' },
};

const MEDIA_NOT_FOUND_REASON = 'Meta has no such media for this channel (unknown or expired).';

/** Only a Send API call can have done its work without saying so. */
const isSend = (operation: GraphOperation) => operation === 'sendMessage';

/** How a reason names the call: the send, the upload, or the request. */
function noun(operation: GraphOperation): string {
  return operation === 'sendMessage' ? 'send' : operation === 'uploadMedia' ? 'upload' : 'request';
}

/** Maps what Meta answered (code, subcode, flags) to the failure; pure, so it is tested code by code. */
export function describeMetaError(facts: MetaErrorFacts): MetaFailure {
  const { operation, code, subcode } = facts;
  const base = {
    meta_code: code ?? null,
    meta_subcode: subcode ?? null,
    operation,
    ...(facts.retryAfterMs === undefined ? {} : { retryAfterMs: facts.retryAfterMs }),
  };
  const errorClass = classifyMetaError(code, subcode);
  if (isMediaGone(facts)) return { ...base, code: 'media_not_found', errorClass, action: 'fail', retryable: false, reason: MEDIA_NOT_FOUND_REASON };
  if (code === undefined) return { ...base, ...withoutMetaCode(operation, facts.httpStatus) };
  const override = OUTCOME_OVERRIDES[`${code}/${subcode}`] ?? OUTCOME_OVERRIDES[String(code)];
  if (errorClass === 'unknown' && !override) {
    return facts.isTransient
      ? { ...base, errorClass, code: 'meta_unavailable', action: 'retry', retryable: true, reason: `Meta reported a temporary error; the ${noun(operation)} can be retried.` }
      : { ...base, errorClass, code: 'meta_error', action: 'fail', retryable: false, reason: BY_CLASS.unknown.reason };
  }
  if (errorClass === 'ambiguous' && !isSend(operation)) {
    // "Error, but done" only matters where doing it twice matters: any other call is repeated.
    return { ...base, errorClass, code: 'meta_unavailable', action: 'retry', retryable: true, reason: `Meta reported a temporary error; the ${noun(operation)} can be retried.` };
  }
  const outcome = override ?? BY_CLASS[errorClass];
  return { ...base, errorClass, code: outcome.code, action: outcome.action, retryable: outcome.action === 'retry', reason: reasonFor(errorClass, code, subcode) };
}

/**
 * Whatever a Meta call threw, as a MetaFailure; undefined for errors that are not about talking to
 * Meta (programming errors stay errors).
 */
export function toMetaFailure(err: unknown): MetaFailure | undefined {
  if (err instanceof MetaApiError) {
    return describeMetaError({
      operation: err.operation,
      code: err.code,
      subcode: err.subcode,
      isTransient: err.isTransient,
      httpStatus: err.httpStatus,
      retryAfterMs: err.retryAfterMs,
    });
  }
  if (err instanceof MetaRequestError) return describeRequestFailure(err.operation, err.reason);
  return undefined;
}

/** A plain MetaFailure (e.g. one that crossed a function boundary), told apart from errors. */
export function isMetaFailure(value: unknown): value is MetaFailure {
  if (typeof value !== 'object' || value === null || value instanceof Error) return false;
  const v = value as Partial<MetaFailure>;
  return typeof v.code === 'string' && typeof v.errorClass === 'string' && typeof v.retryable === 'boolean' && typeof v.operation === 'string' && 'meta_code' in v;
}

/** `code/subcode` first, then the bare code, then the class; subcode-specific rows all have their own reason. */
function reasonFor(errorClass: MetaErrorClass, code: number, subcode: number | undefined): string {
  const known = (subcode === undefined ? undefined : META_ERROR_REASONS[`${code}/${subcode}`]) ?? META_ERROR_REASONS[String(code)];
  if (known) return known;
  if (errorClass === 'permission' && code >= 200 && code <= 299) return META_ERROR_REASONS['200']!;
  return BY_CLASS[errorClass].reason;
}

/**
 * 100/33 on `GET /{media-id}` ("does not exist or cannot be loaded due to missing permissions"): unknown,
 * expired (7 days for inbound media) or another number's media; 131052 when reading media; a bare
 * 404/410 from the CDN.
 */
function isMediaGone(facts: MetaErrorFacts): boolean {
  if (facts.operation !== 'getMediaInfo' && facts.operation !== 'downloadMedia') return false;
  return (
    (facts.operation === 'getMediaInfo' && facts.code === 100 && facts.subcode === 33) ||
    facts.code === 131052 ||
    (facts.operation === 'downloadMedia' && facts.code === undefined && (facts.httpStatus === 404 || facts.httpStatus === 410))
  );
}

type Decided = Pick<MetaFailure, 'code' | 'errorClass' | 'action' | 'retryable' | 'reason'>;

function withoutMetaCode(operation: GraphOperation, httpStatus: number | undefined): Decided {
  const what = noun(operation);
  if (httpStatus === 429) {
    return { code: 'meta_throttled', errorClass: 'throttled', action: 'retry', retryable: true, reason: `Meta answered "too many requests"; the ${what} can be retried after a wait.` };
  }
  if (httpStatus === undefined || httpStatus >= 500) {
    if (!isSend(operation)) {
      return { code: 'meta_unavailable', errorClass: 'transient', action: 'retry', retryable: true, reason: `Meta answered the ${what} with a server error; the ${what} can be retried.` };
    }
    // A gateway error says nothing about whether Meta processed the send.
    return {
      code: 'ambiguous_send',
      errorClass: 'ambiguous',
      action: 'reconcile',
      retryable: false,
      reason: 'Meta answered with a server error but no error code, so the message may have been sent; it will be reconciled from webhooks instead of being sent again.',
    };
  }
  return { code: 'meta_error', errorClass: 'unknown', action: 'fail', retryable: false, reason: 'Meta answered with an error that carried no error code.' };
}

/**
 * No usable answer. For a send, a timeout, a dropped connection or an unreadable 2xx may hide a
 * message that went out (reference §0.14), so they are reconciled, never retried blindly; only a
 * connection that never opened is safe to retry. Any other call is simply repeated.
 */
function describeRequestFailure(operation: GraphOperation, reason: MetaRequestErrorReason): MetaFailure {
  const base = { meta_code: null, meta_subcode: null, operation };
  const what = noun(operation);
  if (isSend(operation)) {
    if (reason === 'unreachable') {
      return { ...base, code: 'meta_unavailable', errorClass: 'transient', action: 'retry', retryable: true, reason: 'Meta could not be reached; nothing was sent, and the send can be retried.' };
    }
    if (reason === 'timeout' || reason === 'network' || reason === 'invalid_response') {
      return {
        ...base,
        code: 'ambiguous_send',
        errorClass: 'ambiguous',
        action: 'reconcile',
        retryable: false,
        reason:
          reason === 'invalid_response'
            ? 'Meta accepted the request but its answer could not be read; the message is reconciled from webhooks instead of being sent again.'
            : 'No answer came back from Meta, so the message may have been sent; it is reconciled from webhooks instead of being sent again.',
      };
    }
  } else if (reason === 'timeout' || reason === 'network' || reason === 'unreachable') {
    return { ...base, code: 'meta_unavailable', errorClass: 'transient', action: 'retry', retryable: true, reason: `No answer came back from Meta; the ${what} can be retried.` };
  } else if (reason === 'invalid_response' || reason === 'too_large') {
    return {
      ...base,
      code: 'meta_error',
      errorClass: 'unknown',
      action: 'retry',
      retryable: true,
      reason: `Meta answered the ${what} with something this service cannot read; the ${what} can be retried.`,
    };
  }
  return { ...base, code: 'meta_error', errorClass: 'unknown', action: 'fail', retryable: false, reason: 'The request to Meta could not be made.' };
}
