import { writeFile } from 'node:fs/promises';
import { bundleWorkflowCode } from '@temporalio/worker';
import { WORKFLOWS_ENTRY, WORKFLOW_BUNDLE_PATH } from '../src/temporal/worker.js';

/** Production build step: bundle the workflow code once, so workers start without webpack. */
const { code } = await bundleWorkflowCode({ workflowsPath: WORKFLOWS_ENTRY });
await writeFile(WORKFLOW_BUNDLE_PATH, code);
process.stdout.write(`workflow bundle written to ${WORKFLOW_BUNDLE_PATH} (${(code.length / 1024).toFixed(0)} KiB)\n`);
