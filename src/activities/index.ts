import { createConnectionActivities, type ConnectionActivityDeps } from './connection.js';
import { createInboundActivities, type InboundActivityDeps } from './inbound.js';
import { createOutboundActivities, type OutboundActivityDeps } from './outbound.js';
import { createRetentionActivities, type RetentionActivityDeps } from './retention.js';

export interface ActivityDeps {
  inbound: InboundActivityDeps;
  connection: ConnectionActivityDeps;
  outbound: OutboundActivityDeps;
  retention: RetentionActivityDeps;
}

/** Every activity the worker registers, built from injected dependencies. */
export function createActivities(deps: ActivityDeps) {
  return {
    ...createInboundActivities(deps.inbound),
    ...createConnectionActivities(deps.connection),
    ...createRetentionActivities(deps.retention),
    ...createOutboundActivities(deps.outbound),
  };
}

export type Activities = ReturnType<typeof createActivities>;
