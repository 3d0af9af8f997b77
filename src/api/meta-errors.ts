import type Koa from 'koa';
import { MetaApiError, MetaRequestError, type GraphOperation } from '../meta/graph/errors.js';
import type { MetaFailure, MetaFailureCode, SendErrorCode } from '../meta/graph/failure.js';
import { ApiError } from './errors.js';

/*
 * The one mapping of Meta's failures (graph/failure.ts) onto HTTP answers: the stable code is kept as
 * it is, the status follows from it, and `details` carries Meta's code and subcode, a readable reason
 * and whether repeating can help; never Meta's own text (it can quote parameters).
 */

/**
 * The HTTP status of each stable code: 409 for what the channel's state refuses (until someone acts),
 * 429 while Meta throttles, 502 for whatever else Meta refused or failed (the request itself was
 * valid: 422 is kept for `validation_failed`). A failed send is answered by the same table.
 */
export const SEND_CODE_STATUS: Readonly<Record<SendErrorCode, number>> = {
  'reauth_required': 409,
  'permission_missing': 409,
  'policy_blocked': 409,
  'meta_throttled': 429,
  'outside_customer_window': 502,
  'recipient_unavailable': 502,
  'invalid_recipient': 502,
  'template_error': 502,
  'bad_request': 502,
  'undeliverable': 502,
  'quality_limited': 502,
  'meta_unavailable': 502,
  'meta_error': 502,
  // Never a failure (an ambiguous send is `unknown`, answered 202); listed so the table is total.
  'ambiguous_send': 502,
};

export const META_FAILURE_STATUS: Readonly<Record<MetaFailureCode, number>> = { ...SEND_CODE_STATUS, 'media_not_found': 404 };

/**
 * The codes a media or account-management call (templates, business profile, uploads) is answered
 * with; the others describe a message to a recipient, which none of these calls has.
 */
const MEDIA_CODES: Readonly<Record<'read' | 'upload' | 'manage', ReadonlySet<MetaFailureCode>>> = {
  read: new Set(['media_not_found', 'reauth_required', 'permission_missing', 'policy_blocked', 'meta_throttled', 'meta_unavailable', 'bad_request', 'undeliverable', 'meta_error']),
  upload: new Set(['reauth_required', 'permission_missing', 'policy_blocked', 'meta_throttled', 'meta_unavailable', 'bad_request', 'undeliverable', 'meta_error']),
  manage: new Set(['reauth_required', 'permission_missing', 'policy_blocked', 'meta_throttled', 'meta_unavailable', 'bad_request', 'meta_error']),
};

const MANAGEMENT_OPERATIONS: ReadonlySet<GraphOperation> = new Set(['listTemplates', 'createTemplate', 'deleteTemplate', 'getBusinessProfile', 'updateBusinessProfile', 'uploadFile']);

function mediaCallOf(operation: GraphOperation): 'read' | 'upload' | 'manage' | undefined {
  if (operation === 'getMediaInfo' || operation === 'downloadMedia') return 'read';
  if (MANAGEMENT_OPERATIONS.has(operation)) return 'manage';
  return operation === 'uploadMedia' ? 'upload' : undefined;
}

/** How the message names the call. */
function callOf(operation: GraphOperation): { what: string; needs: string } {
  switch (mediaCallOf(operation)) {
    case 'read':
      return { what: 'media request', needs: 'read media' };
    case 'upload':
      return { what: 'upload', needs: 'upload media' };
    case 'manage':
      return { what: 'request', needs: 'manage the WhatsApp Business account' };
    default:
      return operation === 'sendMessage' ? { what: 'send', needs: 'send messages' } : { what: 'request', needs: 'make this call' };
  }
}

function messageFor(code: MetaFailureCode, operation: GraphOperation): string {
  const { what, needs } = callOf(operation);
  switch (code) {
    case 'media_not_found':
      return 'Meta has no such media for this channel (unknown or expired)';
    case 'reauth_required':
      return "Meta no longer accepts the channel's token; the channel must be connected again";
    case 'permission_missing':
      return `The channel lacks a Meta permission needed to ${needs}`;
    case 'policy_blocked':
      return 'The WhatsApp Business account is blocked from this action; an operator must act in Meta Business Manager';
    case 'meta_throttled':
      return 'Meta is throttling calls for this channel; retry later';
    case 'meta_unavailable':
      return 'Meta is temporarily unavailable; retry later';
    case 'bad_request':
      return `Meta refused the ${what} as invalid`;
    case 'undeliverable':
      return operation === 'uploadMedia' ? 'Meta could not process the media' : `Meta could not complete the ${what}`;
    default:
      return `Meta refused the ${what}`;
  }
}

/** What DSK reads in `details` of a Meta failure. */
export interface MetaFailureDetails {
  meta_code: number | null;
  meta_subcode: number | null;
  reason: string;
  retryable: boolean;
}

/**
 * A Meta failure as the API's error. A media call answered with a code that only a message can have
 * (a template or window error, which Meta does not send for media) keeps Meta's codes in `details`
 * under `meta_error`, so each endpoint answers only the codes it documents.
 */
export function metaFailureToApiError(failure: MetaFailure): ApiError {
  const media = mediaCallOf(failure.operation);
  const code = media && !MEDIA_CODES[media].has(failure.code) ? 'meta_error' : failure.code;
  const details: MetaFailureDetails = { meta_code: failure.meta_code, meta_subcode: failure.meta_subcode, reason: failure.reason, retryable: failure.retryable };
  return new ApiError(META_FAILURE_STATUS[code], code, messageFor(code, failure.operation), details);
}

/** Meta's wait, passed on as `Retry-After` (seconds) where repeating can help. */
export function setRetryAfter(ctx: Koa.Context, failure: MetaFailure): void {
  if (failure.retryable && failure.retryAfterMs !== undefined) ctx.set('Retry-After', String(Math.ceil(failure.retryAfterMs / 1000)));
}

/** What a log line may say about a Meta error: codes and ids, never Meta's text (`metaCode`, not `code`: the logger redacts `code`). */
export function metaErrorLogFields(err: unknown): Record<string, unknown> {
  if (err instanceof MetaApiError) {
    return { operation: err.operation, httpStatus: err.httpStatus, metaCode: err.code, metaSubcode: err.subcode, errorClass: err.errorClass, fbtraceId: err.fbtraceId };
  }
  if (err instanceof MetaRequestError) return { operation: err.operation, reason: err.reason };
  return {};
}
