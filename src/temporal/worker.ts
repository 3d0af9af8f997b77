import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import type { DataConverter } from '@temporalio/common';

const here = path.dirname(fileURLToPath(import.meta.url));

/** Entry module of the workflow code (compiled), used by `workflowsPath` and by the bundler. */
export const WORKFLOWS_ENTRY = path.resolve(here, '../workflows/index.js');
/** Where `npm run bundle:workflows` writes the production bundle. */
export const WORKFLOW_BUNDLE_PATH = path.resolve(here, '../../workflow-bundle.js');

export type WorkflowSource = { kind: 'bundle'; codePath: string } | { kind: 'path'; workflowsPath: string };

/**
 * Production loads the pre-built bundle (no webpack at start, and the code that runs is the code
 * that was tested); development bundles from source at start so edits take effect on restart.
 */
export function workflowSourceFor(env: 'development' | 'production' | 'test'): WorkflowSource {
  return env === 'production' ? { kind: 'bundle', codePath: WORKFLOW_BUNDLE_PATH } : { kind: 'path', workflowsPath: WORKFLOWS_ENTRY };
}

export interface WorkerDeps {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  activities: object;
  dataConverter: DataConverter;
  source: WorkflowSource;
  tuning?: Pick<WorkerOptions, 'maxConcurrentActivityTaskExecutions' | 'maxConcurrentWorkflowTaskExecutions' | 'maxCachedWorkflows'>;
}

/**
 * The worker's tuning from configuration. The sticky cache is what thousands of idle connection
 * workflows cost in memory (bench/scale-connections.ts); as many workflow tasks run at once as fit in it.
 */
export function workerTuning(config: { worker: { maxCachedWorkflows: number } }): NonNullable<WorkerDeps['tuning']> {
  const cached = config.worker.maxCachedWorkflows;
  return { maxCachedWorkflows: cached, ...(cached > 0 ? { maxConcurrentWorkflowTaskExecutions: Math.min(40, Math.max(2, cached)) } : {}) };
}

/** Builds the worker; in-flight activities get a grace period on shutdown instead of being cancelled at once. */
export async function createWorker(deps: WorkerDeps): Promise<Worker> {
  return Worker.create({
    connection: deps.connection,
    namespace: deps.namespace,
    taskQueue: deps.taskQueue,
    activities: deps.activities,
    dataConverter: deps.dataConverter,
    ...(deps.source.kind === 'bundle'
      ? { workflowBundle: { codePath: deps.source.codePath } }
      : { workflowsPath: deps.source.workflowsPath }),
    shutdownGraceTime: '20s',
    shutdownForceTime: '40s',
    ...deps.tuning,
  });
}
