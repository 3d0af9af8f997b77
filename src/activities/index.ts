import { createConnectionActivities, type ConnectionActivityDeps } from './connection.js';
import { createEventExtrasActivities, type EventExtrasDeps } from './event-extras.js';
import { createRetentionExtrasActivities, type RetentionExtrasDeps } from './retention-extras.js';
import { createTemplateActivities, type TemplateActivityDeps } from './templates.js';
import { createInboundActivities, type InboundActivityDeps } from './inbound.js';
import { createOutboundActivities, type OutboundActivityDeps } from './outbound.js';
import { createRetentionActivities, type RetentionActivityDeps } from './retention.js';

export interface ActivityDeps {
  inbound: InboundActivityDeps;
  connection: ConnectionActivityDeps;
  outbound: OutboundActivityDeps;
  retention: RetentionActivityDeps;
  /** Issue #13: templates, media capture, sender profiles. */
  eventExtras: EventExtrasDeps;
  templates: TemplateActivityDeps;
  retentionExtras: RetentionExtrasDeps;
}

/** Every activity the worker registers, built from injected dependencies. */
export function createActivities(deps: ActivityDeps) {
  return {
    ...createInboundActivities(deps.inbound),
    ...createConnectionActivities(deps.connection),
    ...createRetentionActivities(deps.retention),
    ...createOutboundActivities(deps.outbound),
    ...createEventExtrasActivities(deps.eventExtras),
    ...createTemplateActivities(deps.templates),
    ...createRetentionExtrasActivities(deps.retentionExtras),
  };
}

export type Activities = ReturnType<typeof createActivities>;
