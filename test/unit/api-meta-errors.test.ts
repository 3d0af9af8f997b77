import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { META_FAILURE_STATUS, metaFailureToApiError } from '../../src/api/meta-errors.js';
import { SEND_FAILURE_STATUS } from '../../src/api/routes/messages.js';
import { MetaApiError, MetaRequestError, type GraphOperation } from '../../src/meta/graph/errors.js';
import { SEND_ERROR_CODES, toMetaFailure } from '../../src/meta/graph/failure.js';

const apiError = (operation: GraphOperation, code: number | undefined, subcode?: number, httpStatus = 400) =>
  new MetaApiError({ operation, httpStatus, code, subcode, type: undefined, fbtraceId: undefined, metaTransientFlag: undefined, retryAfterMs: undefined, metaMessage: 'Meta text', details: undefined });
const answer = (err: Error) => {
  const e = metaFailureToApiError(toMetaFailure(err)!);
  return { status: e.status, code: e.code, message: e.message, details: e.details };
};

describe('metaFailureToApiError', () => {
  it('answers throttling 429 meta_throttled for a media download and a media upload alike', () => {
    for (const operation of ['getMediaInfo', 'downloadMedia', 'uploadMedia'] as const) {
      const a = answer(apiError(operation, 80007));
      assert.deepEqual([a.status, a.code], [429, 'meta_throttled'], operation);
    }
  });

  it('keeps Meta\'s codes, a readable reason and whether to retry in details; never Meta\'s text', () => {
    assert.deepEqual(answer(apiError('uploadMedia', 190, 463, 401)), {
      status: 409,
      code: 'reauth_required',
      message: "Meta no longer accepts the channel's token; the channel must be connected again",
      details: { meta_code: 190, meta_subcode: 463, reason: "The channel's access token expired; the channel must be reconnected.", retryable: false },
    });
  });

  it('answers media Meta does not have 404 media_not_found', () => {
    assert.deepEqual(answer(apiError('getMediaInfo', 100, 33)), {
      status: 404,
      code: 'media_not_found',
      message: 'Meta has no such media for this channel (unknown or expired)',
      details: { meta_code: 100, meta_subcode: 33, reason: 'Meta has no such media for this channel (unknown or expired).', retryable: false },
    });
  });

  it('names the call in the message: reading or uploading media', () => {
    assert.equal(answer(apiError('downloadMedia', 131005)).message, 'The channel lacks a Meta permission needed to read media');
    assert.equal(answer(apiError('uploadMedia', 131005)).message, 'The channel lacks a Meta permission needed to upload media');
    assert.equal(answer(new MetaRequestError('uploadMedia', 'timeout')).status, 502);
  });

  it('reports a code only a message can have (template, window, recipient, quality) on a media call as meta_error, Meta\'s code kept', () => {
    for (const code of [132001, 131047, 131021, 131049]) {
      const a = answer(apiError('uploadMedia', code));
      assert.deepEqual([a.status, a.code, (a.details as { meta_code: number }).meta_code], [502, 'meta_error', code], String(code));
    }
  });

  it('is the table failed sends are answered with, too', () => {
    for (const code of SEND_ERROR_CODES) assert.equal(SEND_FAILURE_STATUS[code], META_FAILURE_STATUS[code], code);
  });
});
