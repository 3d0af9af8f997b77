import type { DskFake } from '../../test/support/dsk-fake.js';
import type { RunResult } from './client.js';
import { ms, percentile, sortedMs } from './measure.js';

/** What the inbound benchmarks report of a run: acknowledgements (Meta's side) and deliveries (DSK's). */
export interface AckStats {
  posts: number;
  ok: number;
  failed: number;
  failures: Record<string, number>;
  ackedEvents: number;
  /**
   * Acknowledged events per second from the first send to the last ack. Max runs count the requests
   * still outstanding at the end of the window too: with acks slower than the window is long, cutting
   * them off would understate the rate.
   */
  ackedPerSecond: number;
  p50: number;
  p99: number;
  max: number;
  /** From the moment the POST was due: includes time held by the in-flight cap, as the sender would see it. */
  scheduledP50: number;
  scheduledP99: number;
  lagP99: number;
  lagMax: number;
}

export function ackStats(r: RunResult): AckStats {
  const failures: Record<string, number> = {};
  let ackedEvents = 0;
  let lastAck = r.startedAt;
  const latencies: number[] = [];
  const fromSchedule: number[] = [];
  const lags: number[] = [];
  for (const p of r.posts) {
    lags.push(ms(p.sentAt - p.scheduledAt));
    if (p.status === 200 && p.doneAt !== undefined) {
      latencies.push(ms(p.doneAt - p.sentAt));
      fromSchedule.push(ms(p.doneAt - p.scheduledAt));
      ackedEvents += p.keys.length;
      if (p.doneAt > lastAck) lastAck = p.doneAt;
    } else {
      const why = p.error ?? `HTTP ${p.status}`;
      failures[why] = (failures[why] ?? 0) + 1;
    }
  }
  const sorted = sortedMs(latencies);
  const sortedLags = sortedMs(lags);
  const sortedFromSchedule = sortedMs(fromSchedule);
  const seconds = ms(lastAck - r.startedAt) / 1000;
  return {
    posts: r.posts.length,
    ok: latencies.length,
    failed: r.posts.length - latencies.length,
    failures,
    ackedEvents,
    ackedPerSecond: ackedEvents / seconds,
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    max: sorted.length ? sorted[sorted.length - 1]! : Number.NaN,
    scheduledP50: percentile(sortedFromSchedule, 50),
    scheduledP99: percentile(sortedFromSchedule, 99),
    lagP99: percentile(sortedLags, 99),
    lagMax: sortedLags.length ? sortedLags[sortedLags.length - 1]! : Number.NaN,
  };
}

export interface DeliveryStats {
  acked: number;
  delivered: number;
  lost: number;
  duplicates: number;
  refused: number;
  deliveredPerSecond: number;
  e2eP50: number;
  e2eP99: number;
  e2eMax: number;
  drainMs: number;
}

export function deliveryStats(r: RunResult, dsk: DskFake, drainMs: number): DeliveryStats {
  const acceptedAt = new Map(dsk.accepted.map((d) => [d.idempotencyKey, d.hrAt]));
  const attemptsByKey = new Map<string, number>();
  let refused = 0;
  for (const a of dsk.attempts) {
    attemptsByKey.set(a.idempotencyKey, (attemptsByKey.get(a.idempotencyKey) ?? 0) + 1);
    if (a.answeredWith < 200 || a.answeredWith >= 300) refused += 1;
  }
  const e2e: number[] = [];
  let acked = 0;
  let lost = 0;
  let duplicates = 0;
  let lastDelivery = r.startedAt;
  for (const p of r.posts) {
    if (p.status !== 200) continue;
    for (const key of p.keys) {
      acked += 1;
      const at = acceptedAt.get(key);
      if (at === undefined) {
        lost += 1;
        continue;
      }
      e2e.push(ms(at - p.sentAt));
      if (at > lastDelivery) lastDelivery = at;
      duplicates += dsk.replays(key);
    }
  }
  const sorted = sortedMs(e2e);
  return {
    acked,
    delivered: e2e.length,
    lost,
    duplicates,
    refused,
    deliveredPerSecond: e2e.length / (ms(lastDelivery - r.startedAt) / 1000),
    e2eP50: percentile(sorted, 50),
    e2eP99: percentile(sorted, 99),
    e2eMax: sorted.length ? sorted[sorted.length - 1]! : Number.NaN,
    drainMs,
  };
}
