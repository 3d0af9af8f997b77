import { createConnectionActivities, type ConnectionActivityDeps } from './connection.js';
import { createInboundActivities, type InboundActivityDeps } from './inbound.js';
import { createOutboundActivities, type OutboundActivityDeps } from './outbound.js';
import { createRetentionActivities, type RetentionActivityDeps } from './retention.js';

export type ActivityDeps = InboundActivityDeps & RetentionActivityDeps & { connection: ConnectionActivityDeps; outbound: OutboundActivityDeps };

/** Every activity the worker registers, built from injected dependencies. */
export function createActivities(deps: ActivityDeps) {
  return {
    ...createInboundActivities(deps),
    ...createConnectionActivities(deps.connection),
    ...createRetentionActivities(deps),
    ...createOutboundActivities(deps.outbound),
  };
}

export type Activities = ReturnType<typeof createActivities>;
