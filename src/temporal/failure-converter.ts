import { DefaultFailureConverter } from '@temporalio/common';

/**
 * Loaded by path (DataConverter.failureConverterPath), in the worker and inside the workflow sandbox,
 * so it imports nothing but @temporalio/common. With `encodeCommonAttributes` a failure's message and
 * stack trace move into a payload that the encryption codec encrypts; history keeps only
 * "Encoded failure". Error messages can quote Meta or DSK responses, so they count as content.
 */
export const failureConverter = new DefaultFailureConverter({ encodeCommonAttributes: true });
