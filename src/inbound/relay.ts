import type { ClaimedEntry, InboundIntakeStore, IntakeStats, StartedEntry } from '../db/inbound-intake.js';
import { routeKey, type Routing } from '../db/routing.js';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics.js';
import type { DeliveryRoute } from '../shared/delivery.js';
import type { Workflows } from '../temporal/client.js';
import type { EventSeal } from './sealed-event.js';

export interface RelayOptions {
  /** Rows claimed per transaction. */
  batchSize: number;
  /** Workflow starts in flight per batch. */
  startConcurrency: number;
  /** Batches relayed at once by this process (each its own transaction; SKIP LOCKED keeps them apart). */
  loops: number;
  /** How often the intake is looked at without a wake-up: rows of another replica that stopped, retries. */
  pollMs: number;
  /** A start that takes longer is left for the next round (a late start only meets "already started" then). */
  startTimeoutMs: number;
  /** How often the depth and oldest age the bound reads are refreshed. */
  statsEveryMs: number;
}

export const DEFAULT_RELAY_OPTIONS: RelayOptions = { batchSize: 200, startConcurrency: 32, loops: 2, pollMs: 1_000, startTimeoutMs: 5_000, statsEveryMs: 250 };

export interface RelayDeps {
  store: Pick<InboundIntakeStore, 'claim' | 'stats'>;
  routing: Pick<Routing, 'resolveMany'>;
  workflows: Pick<Workflows, 'startInbound'>;
  seal: Pick<EventSeal, 'open'>;
  taskQueue: string;
  deliveryHorizon: string;
  options?: Partial<RelayOptions>;
  metrics?: Pick<Metrics, 'intakeRelayStarts'>;
  clock: () => Date;
  log: Logger;
}

/**
 * Starts the workflows of the events the intake holds, in every api process. Woken by its own
 * process's commits, and polling for the rest (rows another replica left when it stopped, rows whose
 * start failed): a LISTEN connection per replica and a NOTIFY per commit would buy nothing more,
 * since rows written by this process are woken for directly and SKIP LOCKED keeps replicas from
 * claiming the same rows. The route of each event is resolved here, for the whole batch in one
 * query, so the workflow starts with its search attributes set and does not look it up itself. A row
 * is deleted once its workflow has started (or had started before: an id already used means the
 * event has its workflow). While Temporal is unreachable rows stay and the relay backs off; Meta
 * keeps getting its 200 until the intake reaches its bound.
 */
export function createIntakeRelay(deps: RelayDeps) {
  const opts = { ...DEFAULT_RELAY_OPTIONS, ...deps.options };
  let stopped = true;
  const sleepers = new Set<() => void>();
  let woken = false;
  let loops: Promise<void>[] = [];
  let stats: IntakeStats = { depth: 0, oldestReceivedAt: null };
  let statsAt = 0;
  let failures = 0;

  const wake = () => {
    woken = true;
    for (const w of [...sleepers]) w();
  };

  const idle = (ms: number) =>
    new Promise<void>((resolve) => {
      if (woken || stopped) return resolve();
      const done = () => {
        clearTimeout(timer);
        sleepers.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      sleepers.add(done);
    });

  async function refreshStats(force = false): Promise<void> {
    if (!force && Date.now() - statsAt < opts.statsEveryMs) return;
    statsAt = Date.now();
    stats = await deps.store.stats(deps.taskQueue);
  }

  async function startAll(rows: ClaimedEntry[]): Promise<StartedEntry[]> {
    const pairs = rows.filter(routable).map((r) => ({ channelType: r.channelType as 'whatsapp' | 'instagram', businessId: r.businessId }));
    const routes = await deps.routing.resolveMany(pairs);
    const started: StartedEntry[] = [];
    let failed = 0;
    let firstError: string | undefined;
    let next = 0;
    const one = async (row: ClaimedEntry) => {
      try {
        const event = await deps.seal.open({ keyId: row.payloadKeyId, payload: row.payload });
        const found = routable(row) ? routes.get(routeKey(row.channelType, row.businessId)) : undefined;
        const route: DeliveryRoute | null = found
          ? { channelId: found.channelId, instanceId: found.instanceId, channelType: found.channelType, externalId: found.externalId }
          : null;
        const outcome = await withTimeout(
          deps.workflows.startInbound({
            event,
            receivedAt: row.receivedAt.toISOString(),
            deliveryHorizon: deps.deliveryHorizon,
            route,
            ...(row.sequence ? { sequence: row.sequence } : {}),
          }),
          opts.startTimeoutMs,
        );
        deps.metrics?.intakeRelayStarts.inc({ outcome });
        started.push({ key: row.key, route: route && { channelId: route.channelId, instanceId: route.instanceId } });
      } catch (err) {
        failed += 1;
        firstError ??= err instanceof Error ? err.name : typeof err;
        deps.metrics?.intakeRelayStarts.inc({ outcome: 'failed' });
      }
    };
    await Promise.all(
      Array.from({ length: Math.min(opts.startConcurrency, rows.length) }, async () => {
        while (next < rows.length) await one(rows[next++]!);
      }),
    );
    if (failed > 0) {
      failures += 1;
      deps.log.warn({ failed, started: started.length, errorName: firstError, attempts: Math.max(...rows.map((r) => r.attempts)) + 1 }, 'inbound workflows not started; the intake keeps them');
    } else {
      failures = 0;
    }
    return started;
  }

  async function loop(): Promise<void> {
    while (!stopped) {
      woken = false;
      let claimed = 0;
      try {
        await refreshStats();
        ({ claimed } = await deps.store.claim(deps.taskQueue, opts.batchSize, startAll, deps.clock));
        if (claimed > 0) await refreshStats(true);
      } catch (err) {
        failures += 1;
        deps.log.warn({ errorName: err instanceof Error ? err.name : typeof err }, 'inbound intake relay round failed');
      }
      if (stopped) return;
      // Backing off only while starts fail: a full batch means more is waiting.
      if (failures > 0) await idle(Math.min(opts.pollMs * 5, 100 * 2 ** Math.min(failures, 6)));
      else if (claimed < opts.batchSize) await idle(opts.pollMs);
    }
  }

  return {
    start(): void {
      if (!stopped) return;
      stopped = false;
      loops = Array.from({ length: opts.loops }, () => loop());
    },
    /** New rows were committed: look now rather than at the next poll. */
    wake,
    /** The last reading of this task queue's intake; what the bound is checked against. */
    backlog: (): IntakeStats => stats,
    /** Stops after the batches in flight are relayed (or left): what is left waits for another replica or the next start. */
    async stop(): Promise<void> {
      stopped = true;
      wake();
      await Promise.all(loops);
      loops = [];
    },
  };
}

export type IntakeRelay = ReturnType<typeof createIntakeRelay>;

const routable = (row: { channelType: string; businessId: string }) => (row.channelType === 'whatsapp' || row.channelType === 'instagram') && row.businessId !== '';

async function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  // A start that loses the race may still land; its row is relayed again and meets "already started".
  promise.catch(() => undefined);
  try {
    return await Promise.race([promise, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error('start timed out')), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}
