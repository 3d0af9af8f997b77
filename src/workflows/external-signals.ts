import { ApplicationFailure, getExternalWorkflowHandle, type SignalDefinition } from '@temporalio/workflow';

/** The failure type Temporal gives a signal to a workflow id with no open run (sdk-core's cause name). */
const NOT_FOUND = 'ExternalWorkflowExecutionNotFound';

/**
 * Signals the open run of another workflow, as a command of this one: recorded in its history and
 * retried by Temporal, so no activity needs a Temporal client to do it. Returns false when no run of
 * that id is open (never started, or closed); any other failure is thrown.
 */
export async function signalIfRunning<Args extends unknown[]>(workflowId: string, signal: SignalDefinition<Args>, ...args: Args): Promise<boolean> {
  try {
    await getExternalWorkflowHandle(workflowId).signal(signal, ...args);
    return true;
  } catch (err) {
    if (err instanceof ApplicationFailure && err.type === NOT_FOUND) return false;
    throw err;
  }
}
