import { ApplicationFailure, log, patched, proxyActivities, upsertSearchAttributes } from '@temporalio/workflow';
import type { PurgedRecords, RetentionActivities } from '../activities/retention.js';
import { RETENTION_DAYS } from '../shared/retention.js';
import { STATUS } from '../shared/search-attributes.js';

export interface RetentionInput {
  /** Age after which webhook-log rows (and message statuses) go; the privacy policy promises 30. */
  webhookLogDays: number;
}

/** Rows removed (tokens: destroyed) by one run. */
export interface RetentionResult {
  tokens: number;
  sessions: number;
  webhookLog: number;
  messageStatus: number;
  /** Send-ledger rows past the webhook-log window. */
  outboundSends: number;
  /** Send-rate rows whose slot has passed (they hold recipient HMACs). */
  sendRateSlots: number;
  /** Tables with a period of their own (shared/retention.ts); absent in runs before RETENTION_EVERY_TABLE_PATCH. */
  records?: PurgedRecords;
}

/**
 * The webhook log is also the dedup record and Meta redelivers for up to 7 days: a shorter window
 * would forward a redelivered event a second time.
 */
export const MIN_WEBHOOK_LOG_DAYS = 8;

/** IntegrationStatus of a run: `purging` while it works, then `purged`, or `failed` (which part: the failure). */
export type RetentionStatus = 'purging' | 'purged' | 'failed';

/**
 * Runs started before the search attribute was set here have no upsert commands in their history;
 * replaying them (a worker restart mid-run, a query on a closed run) must not produce any.
 */
export const RETENTION_STATUS_PATCH = 'retention-integration-status';

/**
 * Runs recorded before connections, channel records, deletion requests, instances and quota windows
 * had a retention period scheduled no activity for them; replaying them must not either.
 */
export const RETENTION_EVERY_TABLE_PATCH = 'retention-every-table';

const { destroyDeadTokens, purgeExpiredSessions, purgeWebhookLog, purgeMessageStatus, purgeOutboundSends, purgeIdleSendRateSlots, purgeRecords } = proxyActivities<RetentionActivities>({
  startToCloseTimeout: '30 minutes',
  heartbeatTimeout: '2 minutes',
  retry: { initialInterval: '10 seconds', backoffCoefficient: 2, maximumInterval: '5 minutes', maximumAttempts: 10 },
});

/**
 * DESIGN flow 4, started daily by the `retention-daily` schedule (src/temporal/schedules.ts): destroy
 * tokens of disconnected channels and expired tokens, delete expired OAuth sessions, webhook-log rows
 * message statuses and send-ledger rows past the window, and idle send-rate rows. The parts run side by side and independently: one that
 * keeps failing does not stop the others, and the run then fails naming it, visible in the Web UI.
 */
export async function retentionWorkflow(input: RetentionInput): Promise<RetentionResult> {
  const tracksStatus = patched(RETENTION_STATUS_PATCH);
  const setStatus = (value: RetentionStatus) => {
    if (tracksStatus) upsertSearchAttributes([{ key: STATUS, value }]);
  };
  // The schedule starts runs with `purging` already; a run started by hand gets it here.
  setStatus('purging');
  const days = input.webhookLogDays;
  if (!Number.isInteger(days) || days < MIN_WEBHOOK_LOG_DAYS) {
    setStatus('failed');
    throw ApplicationFailure.nonRetryable(`webhookLogDays must be an integer >= ${MIN_WEBHOOK_LOG_DAYS}`, 'invalid_retention_window');
  }
  const everyTable = patched(RETENTION_EVERY_TABLE_PATCH);
  const [tokens, sessions, webhookLog, messageStatus, outboundSends, sendRateSlots, records] = await Promise.allSettled([
    destroyDeadTokens(),
    purgeExpiredSessions(),
    purgeWebhookLog({ olderThanDays: days }),
    purgeMessageStatus({ olderThanDays: days }),
    purgeOutboundSends({ olderThanDays: days }),
    purgeIdleSendRateSlots(),
    everyTable
      ? purgeRecords({
          connectionDays: RETENTION_DAYS.connections,
          channelDays: RETENTION_DAYS.channelRecords,
          deletionRequestDays: RETENTION_DAYS.deletionRequests,
          instanceDays: RETENTION_DAYS.instances,
          quotaWindowDays: RETENTION_DAYS.quotaWindows,
        })
      : Promise.resolve(undefined),
  ]);
  const outcomes = { tokens, sessions, webhookLog, messageStatus, outboundSends, sendRateSlots, records };
  const count = (o: PromiseSettledResult<number>) => (o.status === 'fulfilled' ? o.value : 0);
  const result: RetentionResult = {
    tokens: count(outcomes.tokens),
    sessions: count(outcomes.sessions),
    webhookLog: count(outcomes.webhookLog),
    messageStatus: count(outcomes.messageStatus),
    outboundSends: count(outcomes.outboundSends),
    sendRateSlots: count(outcomes.sendRateSlots),
    ...(records.status === 'fulfilled' && records.value ? { records: records.value } : {}),
  };
  const failed = Object.entries(outcomes).filter(([, o]) => o.status === 'rejected').map(([name]) => name);
  log.info('retention purge finished', { ...result, records: JSON.stringify(result.records ?? null), failed: failed.join(',') || 'none' });
  setStatus(failed.length > 0 ? 'failed' : 'purged');
  if (failed.length > 0) {
    throw ApplicationFailure.create({ type: 'retention_incomplete', message: `retention purge incomplete: ${failed.join(', ')} failed`, nonRetryable: true });
  }
  return result;
}
