/** Versioned so that an incompatible change of workflow code can be rolled out on a new queue. */
export const DEFAULT_TASK_QUEUE = 'meta-integration-v1';
