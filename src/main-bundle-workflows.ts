import { writeFile } from 'node:fs/promises';
import { bundleWorkflowCode } from '@temporalio/worker';
import { FAILURE_CONVERTER_PATH } from './temporal/data-converter.js';
import { WORKFLOWS_ENTRY, WORKFLOW_BUNDLE_PATH } from './temporal/worker.js';

/**
 * Production build step: bundle the workflow code once, so workers start without webpack. The
 * failure converter is bundled too: workflow failures must be encoded like the worker's own.
 */
const { code } = await bundleWorkflowCode({ workflowsPath: WORKFLOWS_ENTRY, failureConverterPath: FAILURE_CONVERTER_PATH });
await writeFile(WORKFLOW_BUNDLE_PATH, code);
process.stdout.write(`workflow bundle written to ${WORKFLOW_BUNDLE_PATH} (${(code.length / 1024).toFixed(0)} KiB)\n`);
