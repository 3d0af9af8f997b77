import { Counter, Gauge, Histogram, collectDefaultMetrics, type Registry } from 'prom-client';
import { DskDeliveryError, type DskClient } from './dsk/client.js';

/** Every status a channel can have (migrations: channels.status); each is reported, zeros included. */
export const CHANNEL_STATUSES = ['active', 'reauth_required', 'disconnected'] as const;

export interface MetricsOptions {
  /**
   * Channels per status, read from PostgreSQL when Prometheus scrapes (the api process). Omitted:
   * no `channels` gauge (the worker, whose registry is scraped separately).
   */
  channelCounts?: () => Promise<Readonly<Record<string, number>>>;
  /** A failed channel count leaves the gauge empty for that scrape; this hears about it. */
  onCollectError?: (err: unknown) => void;
  /** `process_*` / `nodejs_*` metrics of this process; default true. */
  defaultMetrics?: boolean;
  /** Put before every metric name (METRICS_PREFIX, e.g. `mis_`), so the service's series stand apart in a shared Prometheus. */
  prefix?: string;
}

/**
 * The service's Prometheus metrics, registered in the registry passed in (one per process; never
 * prom-client's global registry, so tests and processes cannot share counters by accident). Labels
 * hold bounded values only: kinds, outcomes, statuses, reasons; never ids.
 */
export function createMetrics(registry: Registry, options: MetricsOptions = {}) {
  const registers = [registry];
  const p = options.prefix ?? '';
  if (options.defaultMetrics !== false) collectDefaultMetrics({ register: registry, prefix: p });

  const metrics = {
    registry,
    /** One per Meta event in an accepted webhook POST; outcome `accepted` (new key) | `duplicate` (seen before). */
    webhookEvents: new Counter({
      name: `${p}webhook_events_total`,
      help: 'Meta webhook events by kind and dedup outcome',
      labelNames: ['kind', 'outcome'] as const,
      registers,
    }),
    /** One per POST /webhooks/meta, by the HTTP status answered (200, 400, 401, 413, 503, …). */
    webhookRequests: new Counter({
      name: `${p}webhook_requests_total`,
      help: 'Meta webhook POSTs by response status',
      labelNames: ['status'] as const,
      registers,
    }),
    /** One per attempt to POST an event to DSK; outcome `delivered` | `retryable` | `rejected` (see instrumentDskClient). */
    dskDeliveryAttempts: new Counter({
      name: `${p}dsk_delivery_attempts_total`,
      help: 'Delivery attempts to DSK by outcome',
      labelNames: ['outcome'] as const,
      registers,
    }),
    /** Wall time of one delivery attempt (successful or not). */
    dskDeliveryDuration: new Histogram({
      name: `${p}dsk_delivery_duration_seconds`,
      help: 'Duration of one delivery attempt to DSK',
      buckets: [0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    }),
    /** A failed attempt, by reason: `http_4xx` | `http_5xx` | `network` | `timeout` | `no_events_url` | `error` (anything else). */
    dskDeliveryFailures: new Counter({
      name: `${p}dsk_delivery_failures_total`,
      help: 'Failed delivery attempts to DSK by reason',
      labelNames: ['reason'] as const,
      registers,
    }),
    /** One per Graph send attempt; outcome `sent` | `retryable` (throttled/transient) | `rejected` (permanent) | `ambiguous` (may have gone out). */
    outboundSends: new Counter({
      name: `${p}outbound_sends_total`,
      help: 'Outbound message sends to Meta by outcome',
      labelNames: ['outcome'] as const,
      registers,
    }),
    /** Every HTTP request the api answered, by method, route pattern (never the path: it holds ids) and status. */
    httpRequestDuration: new Histogram({
      name: `${p}http_request_duration_seconds`,
      help: 'HTTP requests by method, route pattern and status, with their duration',
      labelNames: ['method', 'route', 'status'] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    }),
    /** Requests to the public pages and Meta's callbacks refused with 429 by the per-IP rate limit. */
    rateLimited: new Counter({
      name: `${p}rate_limited_requests_total`,
      help: 'Requests to public pages and callbacks refused by the per-IP rate limit',
      registers,
    }),
    /** One per token check; result `valid` | `refreshed` | `invalid` | `error`. */
    tokenRefreshes: new Counter({
      name: `${p}token_refreshes_total`,
      help: 'Channel token checks and refreshes by result',
      labelNames: ['result'] as const,
      registers,
    }),
  };

  const { channelCounts, onCollectError } = options;
  if (channelCounts) {
    new Gauge({
      name: `${p}channels`,
      // A database-wide count: every api replica reports the same numbers, so aggregate with max(), never sum().
      help: 'Channels by status, database-wide (read from PostgreSQL at scrape time; the same on every replica: use max, not sum)',
      labelNames: ['status'] as const,
      registers,
      async collect() {
        // Reset first: when the count fails, no series is more honest than yesterday's numbers.
        this.reset();
        try {
          const counts = await channelCounts();
          for (const status of new Set([...CHANNEL_STATUSES, ...Object.keys(counts)])) this.set({ status }, counts[status] ?? 0);
        } catch (err) {
          onCollectError?.(err);
        }
      },
    });
  }
  return metrics;
}

export type Metrics = ReturnType<typeof createMetrics>;

/**
 * The DSK client with every delivery attempt counted and timed: `createDskClient` is the service's
 * only path to DSK (inbound events and channel.status alike), so wrapping it once covers all of them.
 */
export function instrumentDskClient(dsk: DskClient, metrics: Pick<Metrics, 'dskDeliveryAttempts' | 'dskDeliveryDuration' | 'dskDeliveryFailures'>): DskClient {
  return {
    ...dsk,
    async deliver(request) {
      const end = metrics.dskDeliveryDuration.startTimer();
      try {
        const result = await dsk.deliver(request);
        metrics.dskDeliveryAttempts.inc({ outcome: 'delivered' });
        return result;
      } catch (err) {
        const failure = err instanceof DskDeliveryError ? err : undefined;
        metrics.dskDeliveryAttempts.inc({ outcome: failure && !failure.retryable ? 'rejected' : 'retryable' });
        metrics.dskDeliveryFailures.inc({ reason: failure ? dskFailureReason(failure) : 'error' });
        throw err;
      } finally {
        end();
      }
    },
  };
}

/** `dsk_delivery_failures_total{reason}` for a DskDeliveryError: HTTP statuses grouped by class. */
export function dskFailureReason(err: { reason: string; status: number | undefined }): string {
  return err.reason === 'http' && err.status !== undefined ? `http_${Math.floor(err.status / 100)}xx` : err.reason;
}
