import type { DataConverter, PayloadCodec } from '@temporalio/common';

/**
 * The single place where payload codecs plug in. Client, worker, replay tests and the codec endpoint
 * must all build their converter here so that they agree on how payloads are encoded.
 */
export function createDataConverter(options: { payloadCodecs?: PayloadCodec[] } = {}): DataConverter {
  return {
    payloadCodecs: options.payloadCodecs ?? [],
  };
}
