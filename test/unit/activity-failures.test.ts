import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ApplicationFailure } from '@temporalio/common';
import { rateLimitedFailure, sendFailure, toActivityFailure } from '../../src/activities/failures.js';
import { DskDeliveryError } from '../../src/dsk/client.js';
import { ConnectorError } from '../../src/meta/adapters.js';
import { MetaApiError, MetaRequestError, type GraphOperation } from '../../src/meta/graph/errors.js';
import { toMetaFailure } from '../../src/meta/graph/failure.js';

const apiError = (operation: GraphOperation, code: number | undefined, opts: { subcode?: number; httpStatus?: number; retryAfterMs?: number } = {}) =>
  new MetaApiError({
    operation,
    httpStatus: opts.httpStatus ?? 400,
    code,
    subcode: opts.subcode,
    type: undefined,
    fbtraceId: undefined,
    metaTransientFlag: undefined,
    retryAfterMs: opts.retryAfterMs,
    metaMessage: 'Meta text that may quote the message: hello there',
    details: undefined,
  });

describe('toActivityFailure: Meta failures', () => {
  it('types a send failure send.<code> with the OutboundError the outbound workflow reads', () => {
    const failure = toActivityFailure(apiError('sendMessage', 131047));
    assert.deepEqual([failure.type, failure.nonRetryable, failure.nextRetryDelay], ['send.outside_customer_window', true, undefined]);
    assert.equal(failure.message, 'send failed: outside_customer_window (Meta 131047)');
    assert.deepEqual(failure.details, [
      { code: 'outside_customer_window', meta_code: 131047, meta_subcode: null, reason: 'More than 24 hours have passed since the customer last wrote; only an approved template can be sent now.' },
    ]);
  });

  it('marks a send that may have gone out send.ambiguous, never retried', () => {
    const failure = toActivityFailure(new MetaRequestError('sendMessage', 'timeout'));
    assert.deepEqual([failure.type, failure.nonRetryable], ['send.ambiguous', true]);
    assert.equal((failure.details?.[0] as { code: string }).code, 'ambiguous_send');
  });

  it('types any other Meta call by the stable code itself, which becomes a connection\'s failure code', () => {
    const dead = toActivityFailure(apiError('debugToken', 190, { subcode: 460, httpStatus: 401 }));
    assert.deepEqual([dead.type, dead.nonRetryable, dead.message], ['reauth_required', true, 'Meta debugToken failed: reauth_required (Meta 190/460)']);
    const down = toActivityFailure(new MetaRequestError('subscribeApp', 'timeout'));
    assert.deepEqual([down.type, down.nonRetryable, down.message], ['meta_unavailable', false, 'Meta subscribeApp failed: meta_unavailable']);
  });

  it('retries throttling after Meta\'s wait, kept between 1 second and 5 minutes, whichever call it was', () => {
    for (const operation of ['sendMessage', 'subscribeApp'] as const) {
      const at = (retryAfterMs: number) => toActivityFailure(apiError(operation, 80007, { retryAfterMs }));
      assert.deepEqual([at(7000).type, at(7000).nonRetryable, at(7000).nextRetryDelay], [operation === 'sendMessage' ? 'send.meta_throttled' : 'meta_throttled', false, 7000]);
      assert.equal(at(200).nextRetryDelay, 1000);
      assert.equal(at(60 * 60_000).nextRetryDelay, 5 * 60_000);
    }
  });

  it('accepts a MetaFailure already classified, with the same result as the error it came from', () => {
    const err = apiError('sendMessage', 130429, { retryAfterMs: 3000 });
    const fromError = toActivityFailure(err);
    const fromFailure = toActivityFailure(toMetaFailure(err));
    assert.deepEqual([fromFailure.type, fromFailure.nonRetryable, fromFailure.nextRetryDelay, fromFailure.details], [fromError.type, fromError.nonRetryable, fromError.nextRetryDelay, fromError.details]);
  });

  it('makes everything final when asked (a spent OAuth code), retry delay included', () => {
    const failure = toActivityFailure(apiError('exchangeCode', 2), { nonRetryable: true });
    assert.deepEqual([failure.type, failure.nonRetryable, failure.nextRetryDelay], ['meta_unavailable', true, undefined]);
  });

  it('never carries Meta\'s own text', () => {
    const failure = toActivityFailure(apiError('sendMessage', 131047));
    assert.ok(!JSON.stringify([failure.message, failure.details]).includes('hello there'));
  });
});

describe('toActivityFailure: DSK and everything else', () => {
  it('types a DSK failure dsk.<reason> as the deliveries API names it, with DSK\'s status in the details', () => {
    const unavailable = toActivityFailure(new DskDeliveryError('http', 503, 2000));
    assert.deepEqual([unavailable.type, unavailable.nonRetryable, unavailable.nextRetryDelay, unavailable.details], ['dsk.http', false, 2000, [{ dskStatus: 503 }]]);
    const refused = toActivityFailure(new DskDeliveryError('http', 400, undefined));
    assert.deepEqual([refused.type, refused.nonRetryable, refused.details], ['dsk.http', true, [{ dskStatus: 400 }]]);
    const timeout = toActivityFailure(new DskDeliveryError('timeout', undefined, undefined));
    assert.deepEqual([timeout.type, timeout.nonRetryable, timeout.details], ['dsk.timeout', false, [{ dskStatus: null }]]);
    assert.equal(toActivityFailure(new DskDeliveryError('no_events_url', undefined, undefined)).nonRetryable, true);
  });

  it('passes an ApplicationFailure (a connector\'s own refusal) through unchanged', () => {
    const own = new ConnectorError('whatsapp_pin_locked', 'Too many PIN attempts');
    assert.equal(toActivityFailure(own), own);
  });

  it('names an unknown error as internal, without its message (which could quote anything)', () => {
    const failure = toActivityFailure(new TypeError('token EAA… is bad'));
    assert.deepEqual([failure.type, failure.message, failure.nonRetryable], ['internal', 'TypeError', false]);
    assert.equal(toActivityFailure(new TypeError('x'), { nonRetryable: true }).nonRetryable, true);
  });
});

describe('send failures decided before Meta is called', () => {
  it('a channel refusal keeps its bare channel_* type', () => {
    const failure = sendFailure({ code: 'channel_disconnected', meta_code: null, meta_subcode: null, reason: 'gone' }, { retryable: false });
    assert.deepEqual([failure.type, failure.nonRetryable, failure.message], ['channel_disconnected', true, 'send failed: channel_disconnected']);
  });

  it('our own rate limit is send.rate_limited under the code of Meta\'s throttling, retried when the slot comes', () => {
    const failure = rateLimitedFailure(4200);
    assert.ok(failure instanceof ApplicationFailure);
    assert.deepEqual([failure.type, failure.nonRetryable, failure.nextRetryDelay], ['send.rate_limited', false, 4200]);
    assert.equal((failure.details?.[0] as { code: string }).code, 'meta_throttled');
  });
});
