import type { WebhookLog } from '../db/webhook-log.js';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics.js';
import type { InboundEvent } from '../shared/inbound-events.js';
import type { Workflows } from '../temporal/client.js';
import type { WabaRouting } from './waba-routing.js';

export interface IntakeResult {
  accepted: number;
  started: number;
  duplicates: number;
}

export interface IntakeDeps {
  metrics?: Pick<Metrics, 'webhookEvents'>;
  webhookLog: WebhookLog;
  workflows: Pick<Workflows, 'startInbound'>;
  /** Routes the WABA's own events per number and per instance before anything is accepted. */
  wabaRouting: WabaRouting;
  deliveryHorizon: string;
  clock: () => Date;
  log: Logger;
}

/**
 * Durable acceptance of a webhook's events: a webhook-log row per key (the 30-day dedup record), then
 * a workflow `inbound-<key>` per new key. The caller acknowledges Meta only when this resolves; if
 * PostgreSQL or Temporal fails it rejects, Meta gets a 5xx and redelivers, and a key whose row exists
 * without a started workflow is started on that redelivery.
 *
 * Why the ack waits for the workflow start rather than resting on the row alone (an outbox): the row
 * holds no message content, by policy, so a relay could not start the workflow from it; the content's
 * only durable home is the (encrypted) workflow history. Meta's redelivery is our relay.
 */
export function createInboundIntake(deps: IntakeDeps) {
  const start = (event: InboundEvent, receivedAt: Date) =>
    deps.workflows.startInbound({ event, receivedAt: receivedAt.toISOString(), deliveryHorizon: deps.deliveryHorizon });

  return {
    async accept(split: readonly InboundEvent[], receivedAt: Date): Promise<IntakeResult> {
      const events = await deps.wabaRouting.route(split);
      const outcomes = await deps.webhookLog.accept(events, receivedAt);
      const toStart = [...new Map(events.filter((e) => outcomes.get(e.key) !== 'duplicate').map((e) => [e.key, e])).values()];
      const results = await Promise.all(toStart.map((event) => start(event, receivedAt)));
      // Marking the rows as started can wait: Meta's 200 does not depend on it. A row left unmarked only
      // costs a redundant start attempt (answered "already started") if Meta sends the key again.
      deps.webhookLog.markStarted(toStart.map((e) => e.key), deps.clock()).catch((err: unknown) => {
        deps.log.warn({ events: toStart.length, errorName: err instanceof Error ? err.name : 'unknown' }, 'webhook log not marked started');
      });
      const startedKeys = new Set(toStart.filter((_, i) => results[i] === 'started').map((e) => e.key));
      for (const e of events) deps.metrics?.webhookEvents.inc({ kind: e.kind, outcome: startedKeys.delete(e.key) ? 'accepted' : 'duplicate' });
      const started = results.filter((r) => r === 'started').length;
      return { accepted: events.length, started, duplicates: events.length - started };
    },
  };
}

export type InboundIntake = ReturnType<typeof createInboundIntake>;
