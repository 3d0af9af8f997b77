import { createInboundActivities, type InboundActivityDeps } from './inbound.js';

export type ActivityDeps = InboundActivityDeps;

/** Every activity the worker registers, built from injected dependencies. */
export function createActivities(deps: ActivityDeps) {
  return {
    ...createInboundActivities(deps),
  };
}

export type Activities = ReturnType<typeof createActivities>;
