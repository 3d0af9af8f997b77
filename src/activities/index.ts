import { createConnectionActivities, type ConnectionActivityDeps } from './connection.js';
import { createInboundActivities, type InboundActivityDeps } from './inbound.js';

export type ActivityDeps = InboundActivityDeps & { connection: ConnectionActivityDeps };

/** Every activity the worker registers, built from injected dependencies. */
export function createActivities(deps: ActivityDeps) {
  return {
    ...createInboundActivities(deps),
    ...createConnectionActivities(deps.connection),
  };
}

export type Activities = ReturnType<typeof createActivities>;
