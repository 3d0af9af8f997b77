import { allHandlersFinished, condition, defineUpdate, proxyActivities, proxyLocalActivities, setHandler, upsertSearchAttributes } from '@temporalio/workflow';
import { STATUS } from '../../src/shared/search-attributes.js';

/*
 * The yardsticks: what Temporal itself costs per workflow, with nothing of the service's in them. The
 * service's inbound workflow in its common case is `oneLocalActivityWorkflow`'s shape (one workflow
 * task, one local-activity marker); a send is `emptyUpdateWithStartWorkflow`'s plus its work.
 */

interface CeilingActivities {
  noop(): Promise<void>;
}

const local = proxyLocalActivities<CeilingActivities>({ startToCloseTimeout: '10 seconds' });
const regular = proxyActivities<CeilingActivities>({ startToCloseTimeout: '10 seconds' });

export async function emptyWorkflow(): Promise<void> {}

export async function oneLocalActivityWorkflow(): Promise<void> {
  await local.noop();
}

/** The inbound workflow's common shape with its final status recorded: what the upsert costs. */
export async function oneLocalActivityAndUpsertWorkflow(): Promise<void> {
  await local.noop();
  upsertSearchAttributes([{ key: STATUS, value: 'delivered' }]);
}

export async function oneActivityWorkflow(): Promise<void> {
  await regular.noop();
}

export const ceilingUpdate = defineUpdate<string, []>('ceiling');

/** Answers its update at once and completes: the least an update-with-start can cost. */
export async function emptyUpdateWithStartWorkflow(): Promise<void> {
  setHandler(ceilingUpdate, () => 'done');
  await condition(allHandlersFinished);
}
