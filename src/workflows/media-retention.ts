import { ApplicationFailure, log, proxyActivities, upsertSearchAttributes } from '@temporalio/workflow';
import type { RetentionExtrasActivities } from '../activities/retention-extras.js';
import { STATUS } from '../shared/search-attributes.js';
import type { RetentionStatus } from './retention.js';

export interface MediaRetentionResult {
  /** Captured media objects past their horizon, bytes and rows. */
  media: number;
  /** Template rows and sync stamps of WABAs no channel uses any more. */
  templates: number;
}

const { purgeExpiredMedia, purgeUnusedTemplates } = proxyActivities<RetentionExtrasActivities>({
  startToCloseTimeout: '30 minutes',
  heartbeatTimeout: '2 minutes',
  retry: { initialInterval: '10 seconds', backoffCoefficient: 2, maximumInterval: '5 minutes', maximumAttempts: 10 },
});

/**
 * Hourly (schedule `media-retention-hourly`, src/temporal/schedules.ts): captured inbound media goes
 * as soon as its horizon has passed, not up to a day late, and templates of WABAs no channel uses any
 * more go with it. A part that keeps failing fails the run, visible in the Web UI, after the other ran.
 */
export async function mediaRetentionWorkflow(): Promise<MediaRetentionResult> {
  const setStatus = (value: RetentionStatus) => upsertSearchAttributes([{ key: STATUS, value }]);
  setStatus('purging');
  const [media, templates] = await Promise.allSettled([purgeExpiredMedia(), purgeUnusedTemplates()]);
  const result: MediaRetentionResult = { media: media.status === 'fulfilled' ? media.value : 0, templates: templates.status === 'fulfilled' ? templates.value : 0 };
  const failed = Object.entries({ media, templates }).filter(([, o]) => o.status === 'rejected').map(([name]) => name);
  log.info('media retention purge finished', { ...result, failed: failed.join(',') || 'none' });
  setStatus(failed.length > 0 ? 'failed' : 'purged');
  if (failed.length > 0) {
    throw ApplicationFailure.create({ type: 'retention_incomplete', message: `media retention incomplete: ${failed.join(', ')} failed`, nonRetryable: true });
  }
  return result;
}
