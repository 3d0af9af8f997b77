import { ApplicationFailure } from '@temporalio/activity';
import { DskDeliveryError } from '../dsk/client.js';
import { isMetaFailure, toMetaFailure, type MetaFailure, type SendErrorCode } from '../meta/graph/failure.js';
import { sendFailureType, type OutboundError } from '../shared/outbound.js';

/*
 * The only code that turns errors into Temporal failures, i.e. decides between `nonRetryable` and
 * `nextRetryDelay`. What a Meta error means is decided by graph/failure.ts, what DSK's answer means
 * by DskDeliveryError; this maps both onto Temporal's retry semantics with a stable `type`:
 *
 *   - a Meta send: `send.<code>` (`send.ambiguous` for a send that may have gone out), details[0] the
 *     OutboundError the outbound workflow reads;
 *   - any other Meta call: the stable code itself (`reauth_required`, `meta_unavailable`, …), which
 *     the connection workflow reports as the connection's failure code;
 *   - DSK: `dsk.<reason>` (`dsk.http`, `dsk.timeout`, `dsk.network`, `dsk.no_events_url`, as the
 *     deliveries API names them), DSK's status in the details.
 *
 * Messages carry codes, never bodies: Meta's and DSK's own text can quote message content.
 */

/** Longest wait honoured as a retry delay; the workflow's schedule-to-close bounds the rest. */
const MAX_RETRY_DELAY_MS = 5 * 60_000;
const MIN_RETRY_DELAY_MS = 1000;

export interface FailureOptions {
  /** Forces a final failure whatever the error (e.g. a single-use OAuth code was spent). */
  nonRetryable?: boolean;
}

/**
 * Any error (or an already classified MetaFailure) as the activity's failure. ApplicationFailures
 * (e.g. a connector's own ConnectorError) pass unchanged; errors that are neither Meta's nor DSK's
 * become `internal`, named but without their message.
 */
export function toActivityFailure(err: unknown, opts: FailureOptions = {}): ApplicationFailure {
  if (err instanceof ApplicationFailure) return err;
  const meta = isMetaFailure(err) ? err : toMetaFailure(err);
  if (meta) return metaActivityFailure(meta, opts);
  if (err instanceof DskDeliveryError) {
    return ApplicationFailure.create({
      type: `dsk.${err.reason}`,
      message: err.message,
      nonRetryable: opts.nonRetryable ?? !err.retryable,
      ...(err.retryAfterMs === undefined ? {} : { nextRetryDelay: err.retryAfterMs }),
      details: [{ dskStatus: err.status ?? null }],
    });
  }
  return ApplicationFailure.create({ type: 'internal', message: err instanceof Error ? err.name : 'error', nonRetryable: opts.nonRetryable ?? false });
}

function metaActivityFailure(failure: MetaFailure, opts: FailureOptions): ApplicationFailure {
  const error = { meta_code: failure.meta_code, meta_subcode: failure.meta_subcode, reason: failure.reason };
  const retryable = opts.nonRetryable ? false : failure.retryable;
  if (failure.operation === 'sendMessage') {
    // media_not_found is only ever met reading media: a send's code is always a SendErrorCode.
    return sendFailure({ ...error, code: failure.code as SendErrorCode }, { retryable, retryAfterMs: failure.retryAfterMs });
  }
  return ApplicationFailure.create({
    message: `Meta ${failure.operation} failed: ${codesOf({ ...error, code: failure.code })}`,
    type: failure.code,
    nonRetryable: !retryable,
    details: [{ code: failure.code, ...error }],
    ...retryDelay(retryable, failure.retryAfterMs),
  });
}

/**
 * A send that did not (or may not have) go out, in the shape the outbound workflow reads: Meta's
 * refusals, and the refusals decided before Meta is called (`channel_*`, a known dead token).
 */
export function sendFailure(error: OutboundError, opts: { retryable: boolean; retryAfterMs?: number | undefined }): ApplicationFailure {
  return ApplicationFailure.create({
    message: `send failed: ${codesOf(error)}`,
    type: sendFailureType(error.code),
    nonRetryable: !opts.retryable,
    details: [{ code: error.code, meta_code: error.meta_code, meta_subcode: error.meta_subcode, reason: error.reason } satisfies OutboundError],
    ...retryDelay(opts.retryable, opts.retryAfterMs),
  });
}

/**
 * Our own rate limiter held the send back (Meta was not called): retried when the slot comes, under
 * the same stable code as Meta's throttling.
 */
export function rateLimitedFailure(retryAfterMs: number): ApplicationFailure {
  return ApplicationFailure.create({
    message: 'send held back by the rate limit',
    type: 'send.rate_limited',
    nonRetryable: false,
    details: [
      { code: 'meta_throttled', meta_code: null, meta_subcode: null, reason: "Sending was held back to stay within Meta's rate limits for this number or recipient; it did not go out in time." } satisfies OutboundError,
    ],
    nextRetryDelay: Math.max(retryAfterMs, 100),
  });
}

function codesOf(error: Pick<OutboundError, 'meta_code' | 'meta_subcode'> & { code: string }): string {
  return `${error.code}${error.meta_code === null ? '' : ` (Meta ${error.meta_code}${error.meta_subcode === null ? '' : `/${error.meta_subcode}`})`}`;
}

function retryDelay(retryable: boolean, retryAfterMs: number | undefined): { nextRetryDelay?: number } {
  return retryable && retryAfterMs !== undefined ? { nextRetryDelay: Math.min(Math.max(retryAfterMs, MIN_RETRY_DELAY_MS), MAX_RETRY_DELAY_MS) } : {};
}
