import { ScheduleAlreadyRunning, ScheduleOverlapPolicy, type Client, type ScheduleOptionsStartWorkflowAction, type ScheduleSpec } from '@temporalio/client';
import { STATUS } from '../shared/search-attributes.js';
import type { mediaRetentionWorkflow } from '../workflows/media-retention.js';
import type { RetentionStatus, retentionWorkflow } from '../workflows/retention.js';

export const RETENTION_SCHEDULE_ID = 'retention-daily';
/** The privacy policy's promise: webhook log entries are kept 30 days. */
export const RETENTION_WEBHOOK_LOG_DAYS = 30;

/** Daily at 03:15 UTC (UTC has no DST jumps, so the run never repeats or vanishes). */
export const RETENTION_SPEC: ScheduleSpec = {
  calendars: [{ hour: 3, minute: 15, comment: 'daily retention purge, 03:15 UTC' }],
  timezone: 'UTC',
};

/**
 * Creates the `retention-daily` schedule, or brings an existing one in line with this code
 * (spec, action, policies) while keeping its paused state and note: an operator who paused the
 * purge keeps it paused across deploys. Safe to call at every worker start, from several workers
 * at once. Returns what it did.
 */
export async function ensureRetentionSchedule(client: Client, options: { taskQueue: string; namespace: string }): Promise<'created' | 'updated'> {
  if (client.options.namespace !== options.namespace) {
    // The schedule lives in the client's namespace; a mismatch would start the purge where no worker polls.
    throw new TypeError(`ensureRetentionSchedule: the client is bound to namespace ${client.options.namespace}, not ${options.namespace}`);
  }
  const action: ScheduleOptionsStartWorkflowAction<typeof retentionWorkflow> = {
    type: 'startWorkflow',
    workflowType: 'retentionWorkflow',
    // The schedule appends the scheduled time to this id.
    workflowId: 'retention',
    taskQueue: options.taskQueue,
    args: [{ webhookLogDays: RETENTION_WEBHOOK_LOG_DAYS }],
    workflowRunTimeout: '6 hours',
    // Filterable from its first moment (`IntegrationStatus = 'purging'`), before the workflow sets it itself.
    typedSearchAttributes: [{ key: STATUS, value: 'purging' satisfies RetentionStatus }],
  };
  // SKIP: a purge still running (a large backlog) is not joined by the next day's; catch up after an
  // outage of the server within 6 hours rather than a day late.
  const policies = { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '6 hours', pauseOnFailure: false } as const;
  try {
    await client.schedule.create({ scheduleId: RETENTION_SCHEDULE_ID, spec: RETENTION_SPEC, action, policies });
    return 'created';
  } catch (err) {
    if (!(err instanceof ScheduleAlreadyRunning)) throw err;
  }
  await client.schedule.getHandle(RETENTION_SCHEDULE_ID).update((previous) => ({
    spec: RETENTION_SPEC,
    action,
    policies,
    state: { paused: previous.state.paused, ...(previous.state.note ? { note: previous.state.note } : {}) },
  }));
  return 'updated';
}

export const MEDIA_RETENTION_SCHEDULE_ID = 'media-retention-hourly';

/** Every hour at minute 40 UTC: captured media outlives its horizon by at most an hour. */
export const MEDIA_RETENTION_SPEC: ScheduleSpec = {
  calendars: [{ minute: 40, hour: '*', comment: 'hourly purge of captured media past its horizon' }],
  timezone: 'UTC',
};

/** Like ensureRetentionSchedule, for `media-retention-hourly` (mediaRetentionWorkflow). */
export async function ensureMediaRetentionSchedule(client: Client, options: { taskQueue: string; namespace: string }): Promise<'created' | 'updated'> {
  if (client.options.namespace !== options.namespace) {
    throw new TypeError(`ensureMediaRetentionSchedule: the client is bound to namespace ${client.options.namespace}, not ${options.namespace}`);
  }
  const action: ScheduleOptionsStartWorkflowAction<typeof mediaRetentionWorkflow> = {
    type: 'startWorkflow',
    workflowType: 'mediaRetentionWorkflow',
    workflowId: 'media-retention',
    taskQueue: options.taskQueue,
    args: [],
    workflowRunTimeout: '1 hour',
    typedSearchAttributes: [{ key: STATUS, value: 'purging' satisfies RetentionStatus }],
  };
  const policies = { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1 hour', pauseOnFailure: false } as const;
  try {
    await client.schedule.create({ scheduleId: MEDIA_RETENTION_SCHEDULE_ID, spec: MEDIA_RETENTION_SPEC, action, policies });
    return 'created';
  } catch (err) {
    if (!(err instanceof ScheduleAlreadyRunning)) throw err;
  }
  await client.schedule.getHandle(MEDIA_RETENTION_SCHEDULE_ID).update((previous) => ({
    spec: MEDIA_RETENTION_SPEC,
    action,
    policies,
    state: { paused: previous.state.paused, ...(previous.state.note ? { note: previous.state.note } : {}) },
  }));
  return 'updated';
}
