import type { InboundIntakeStore, IntakeEntry, IntakeOutcome, IntakeStats } from '../db/inbound-intake.js';
import type { Metrics } from '../metrics.js';
import { conversationOf, type ConversationRef } from '../shared/conversation.js';
import type { InboundEvent } from '../shared/inbound-events.js';
import { createGroupCommit } from './group-commit.js';
import type { EventSeal } from './sealed-event.js';
import type { WabaRouting } from './waba-routing.js';

export interface IntakeResult {
  accepted: number;
  /** New keys, now waiting in the intake for the relay to start their workflows. */
  queued: number;
  duplicates: number;
}

/** How much the intake may hold before the webhook answers 503 and Meta keeps the events instead. */
export interface IntakeBound {
  maxRows: number;
  maxAgeMs: number;
}

/** The intake is past its bound: nothing of the POST was stored, Meta is to deliver it again later. */
export class IntakeFullError extends Error {
  constructor(readonly reason: 'rows' | 'age') {
    super(`the inbound intake is full (${reason})`);
    this.name = 'IntakeFullError';
  }
}

export interface IntakeDeps {
  store: Pick<InboundIntakeStore, 'accept'>;
  seal: Pick<EventSeal, 'seal'>;
  taskQueue: string;
  bound: IntakeBound;
  /** The relay's last reading of the intake (refreshed by it every fraction of a second), for the bound. */
  backlog: () => IntakeStats;
  /** Called after each commit that queued events: the relay of this process starts them at once. */
  onQueued: () => void;
  groupCommit?: { maxRows?: number; maxDelayMs?: number; maxConcurrent?: number };
  metrics?: Pick<Metrics, 'webhookEvents' | 'intakeBatchEvents' | 'intakeCommitSeconds'>;
  /** Routes the WABA's own events per number and per instance before anything is accepted. */
  wabaRouting: WabaRouting;
  /** The keyed hash a conversation's sequence counter is stored under (./conversation-key.ts). */
  conversationKey: (conversation: ConversationRef) => string;
  clock: () => Date;
}

/**
 * Durable acceptance of a webhook's events, without Temporal on the path: each event is sealed with
 * the payload codec, and one group-committed statement writes its webhook-log row (the 30-day dedup
 * record) and, for a new key, its intake row with its conversation's next sequence number. The caller acknowledges Meta when this resolves; the
 * relay (./relay.ts) starts the workflows. If PostgreSQL fails, or the intake is past its bound, this
 * rejects, Meta gets a 503 and delivers the POST again later.
 */
export function createInboundIntake(deps: IntakeDeps) {
  // Rows queued by this process since the relay last read the table, so a burst meets the bound
  // before the next reading rather than after it.
  let queuedSinceReading = 0;
  let lastReading: IntakeStats | undefined;
  const writer = createGroupCommit<IntakeEntry, IntakeOutcome>({
    maxItems: deps.groupCommit?.maxRows ?? 200,
    maxDelayMs: deps.groupCommit?.maxDelayMs ?? 1,
    maxConcurrent: deps.groupCommit?.maxConcurrent ?? 2,
    async write(entries) {
      const outcomes = await deps.store.accept(entries, deps.taskQueue);
      // A key repeated in the batch (one POST, or concurrent redeliveries) is queued once: the rest are duplicates.
      const seen = new Set<string>();
      return entries.map((e) => {
        const first = !seen.has(e.key);
        seen.add(e.key);
        return first ? (outcomes.get(e.key) ?? 'duplicate') : 'duplicate';
      });
    },
    onBatch(events, seconds) {
      deps.metrics?.intakeBatchEvents.observe(events);
      deps.metrics?.intakeCommitSeconds.observe(seconds);
    },
  });

  function checkBound(now: Date): void {
    const reading = deps.backlog();
    if (reading !== lastReading) {
      lastReading = reading;
      queuedSinceReading = 0;
    }
    if (reading.depth + queuedSinceReading >= deps.bound.maxRows) throw new IntakeFullError('rows');
    if (reading.oldestReceivedAt && now.getTime() - reading.oldestReceivedAt.getTime() > deps.bound.maxAgeMs) throw new IntakeFullError('age');
  }

  return {
    async accept(split: readonly InboundEvent[], receivedAt: Date): Promise<IntakeResult> {
      if (split.length === 0) return { accepted: 0, queued: 0, duplicates: 0 };
      checkBound(receivedAt);
      const events = await deps.wabaRouting.route(split);
      if (events.length === 0) return { accepted: 0, queued: 0, duplicates: 0 };
      const entries = await Promise.all(
        events.map(async (event): Promise<IntakeEntry> => {
          const sealed = await deps.seal.seal(event);
          const conversation = conversationOf(event);
          return {
            key: event.key,
            kind: event.kind,
            channelType: event.channelType,
            businessId: event.businessId,
            receivedAt,
            payloadKeyId: sealed.keyId,
            payload: sealed.payload,
            ...(conversation ? { conversation: deps.conversationKey(conversation) } : {}),
          };
        }),
      );
      const outcomes = await writer.submit(entries);
      let queued = 0;
      events.forEach((e, i) => {
        const outcome = outcomes[i] === 'queued' ? 'accepted' : 'duplicate';
        if (outcome === 'accepted') queued += 1;
        deps.metrics?.webhookEvents.inc({ kind: e.kind, outcome });
      });
      if (queued > 0) {
        queuedSinceReading += queued;
        deps.onQueued();
      }
      return { accepted: events.length, queued, duplicates: events.length - queued };
    },
  };
}

export type InboundIntake = ReturnType<typeof createInboundIntake>;
