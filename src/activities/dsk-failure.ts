import { ApplicationFailure } from '@temporalio/activity';
import type { DskDeliveryError } from '../dsk/client.js';

/**
 * A failed delivery to DSK as the activity's failure: typed by DSK's answer (`dsk.http_503`,
 * `dsk.timeout`, …), retried unless DSK refused the event for good, after DSK's Retry-After when it
 * gave one. DSK's status travels in the details, for the Web UI and the failed-delivery list.
 */
export function dskDeliveryFailure(err: DskDeliveryError): ApplicationFailure {
  return ApplicationFailure.create({
    type: err.reason === 'http' ? `dsk.http_${err.status}` : `dsk.${err.reason}`,
    message: err.message,
    nonRetryable: !err.retryable,
    nextRetryDelay: err.retryAfterMs,
    details: [{ dskStatus: err.status ?? null }],
  });
}
