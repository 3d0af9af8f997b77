import { DefaultLogger, Runtime, makeTelemetryFilterString, type LogLevel } from '@temporalio/worker';
import type { Logger } from '../logger.js';

const LEVELS: Record<LogLevel, 'trace' | 'debug' | 'info' | 'warn' | 'error'> = {
  TRACE: 'trace',
  DEBUG: 'debug',
  INFO: 'info',
  WARN: 'warn',
  ERROR: 'error',
};

/**
 * Routes the SDK's logs (worker, activity and workflow `log`) into our structured logger, and lets
 * the Runtime own SIGINT/SIGTERM so workers drain instead of dying mid-task. Must run before any
 * NativeConnection or Worker is created.
 */
export function installTemporalRuntime(log: Logger, options: { handleSignals: boolean; metrics?: { bindAddress: string; prefix: string } }): void {
  Runtime.install({
    logger: new DefaultLogger('INFO', (entry) => {
      const { message, level, meta } = entry;
      log[LEVELS[level]]({ sdk: true, ...pickSafeMeta(meta) }, message);
    }),
    shutdownSignals: options.handleSignals ? ['SIGINT', 'SIGTERM'] : [],
    telemetryOptions: {
      logging: { forward: {}, filter: makeTelemetryFilterString({ core: 'WARN', other: 'ERROR' }) },
      // The SDK's own metrics (task latencies, slots, polls, failures), served by Core on a loopback
      // port that the worker's /metrics merges in (metrics-server.ts), so one scrape has both.
      ...(options.metrics
        ? { metrics: { metricPrefix: `${options.metrics.prefix}temporal_`, prometheus: { bindAddress: options.metrics.bindAddress, useSecondsForDurations: true } } }
        : {}),
    },
  });
}

/** SDK log metadata is ids and types; drop anything else (e.g. failure messages) defensively. */
function pickSafeMeta(meta: Record<string, unknown> | undefined): Record<string, unknown> {
  if (!meta) return {};
  const allowed = ['workflowId', 'runId', 'workflowType', 'activityType', 'activityId', 'attempt', 'taskQueue', 'namespace', 'sdkComponent', 'key', 'kind'];
  return Object.fromEntries(Object.entries(meta).filter(([k]) => allowed.includes(k)));
}
