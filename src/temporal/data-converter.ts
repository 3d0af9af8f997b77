import { fileURLToPath } from 'node:url';
import type { DataConverter, PayloadCodec } from '@temporalio/common';

/**
 * The compiled failure converter. Also what `bundleWorkflowCode({ failureConverterPath })` must be
 * given wherever a workflow bundle is built ahead of the worker (src/main-bundle-workflows.ts, tests):
 * the sandbox then encodes workflow failures the same way the worker encodes activity failures.
 */
export const FAILURE_CONVERTER_PATH = fileURLToPath(new URL('./failure-converter.js', import.meta.url));

/**
 * The single place where payload codecs plug in. Client, worker, replay tests and the codec endpoint
 * must all build their converter here so that they agree on how payloads are encoded.
 */
export function createDataConverter(options: { payloadCodecs?: PayloadCodec[] } = {}): DataConverter {
  return {
    payloadCodecs: options.payloadCodecs ?? [],
    failureConverterPath: FAILURE_CONVERTER_PATH,
  };
}
