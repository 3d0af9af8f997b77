import type { ApplicationFailure } from '@temporalio/workflow';

/**
 * The next-retry delay an activity asked for (Meta's or DSK's Retry-After), in ms; 0 when none. The
 * converted ApplicationFailure does not carry it in a workflow, but the failure it was made from does.
 * A workflow that takes over retrying from a local activity waits this long first.
 */
export function nextRetryDelayMs(failure: ApplicationFailure): number {
  const delay = failure.failure?.applicationFailureInfo?.nextRetryDelay;
  if (!delay) return 0;
  const seconds = Number(typeof delay.seconds === 'object' && delay.seconds !== null ? delay.seconds.toString() : (delay.seconds ?? 0));
  const ms = seconds * 1000 + Math.floor((delay.nanos ?? 0) / 1e6);
  return Number.isFinite(ms) && ms > 0 ? ms : 0;
}
