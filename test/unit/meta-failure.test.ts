import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MetaApiError, MetaRequestError, type GraphOperation } from '../../src/meta/graph/errors.js';
import {
  describeMetaError,
  isMetaFailure,
  SEND_ERROR_CODES,
  toMetaFailure,
  type MetaErrorFacts,
  type MetaFailureAction,
  type SendErrorCode,
} from '../../src/meta/graph/failure.js';
import { META_ERROR_REASONS } from '../../src/meta/graph/failure-reasons.js';

type Case = [code: number, subcode: number | undefined, expected: SendErrorCode, action: MetaFailureAction];

/** A Send API call's error, as the send activity meets it. */
const describeSendError = (facts: Omit<MetaErrorFacts, 'operation'>) => describeMetaError({ operation: 'sendMessage', ...facts });

/** Every code reference meta-platform.md §7.2 names, plus the ones the brief calls out. */
const CASES: Case[] = [
  // Transient → retry
  [1, undefined, 'meta_unavailable', 'retry'],
  [2, undefined, 'meta_unavailable', 'retry'],
  [131000, undefined, 'meta_unavailable', 'retry'],
  [131016, undefined, 'meta_unavailable', 'retry'],
  [133004, undefined, 'meta_unavailable', 'retry'],
  [131057, undefined, 'meta_unavailable', 'retry'],
  [341, undefined, 'meta_unavailable', 'retry'],
  // Throttling → retry
  [4, undefined, 'meta_throttled', 'retry'],
  [17, undefined, 'meta_throttled', 'retry'],
  [32, undefined, 'meta_throttled', 'retry'],
  [613, undefined, 'meta_throttled', 'retry'],
  [80001, undefined, 'meta_throttled', 'retry'],
  [80002, undefined, 'meta_throttled', 'retry'],
  [80006, undefined, 'meta_throttled', 'retry'],
  [80007, undefined, 'meta_throttled', 'retry'],
  [130429, undefined, 'meta_throttled', 'retry'],
  [131056, undefined, 'meta_throttled', 'retry'],
  // Quality → fail
  [131048, undefined, 'quality_limited', 'fail'],
  [131049, undefined, 'quality_limited', 'fail'],
  [130472, undefined, 'quality_limited', 'fail'],
  // Auth → reauth
  [190, undefined, 'reauth_required', 'reauth'],
  [190, 458, 'reauth_required', 'reauth'],
  [190, 459, 'reauth_required', 'reauth'],
  [190, 460, 'reauth_required', 'reauth'],
  [190, 463, 'reauth_required', 'reauth'],
  [190, 464, 'reauth_required', 'reauth'],
  [190, 467, 'reauth_required', 'reauth'],
  [190, 492, 'reauth_required', 'reauth'],
  [0, undefined, 'reauth_required', 'reauth'],
  // Permission → fail
  [3, undefined, 'permission_missing', 'fail'],
  [10, undefined, 'permission_missing', 'fail'],
  [200, undefined, 'permission_missing', 'fail'],
  [230, undefined, 'permission_missing', 'fail'],
  [299, undefined, 'permission_missing', 'fail'],
  [131005, undefined, 'permission_missing', 'fail'],
  [200, 2534041, 'permission_missing', 'fail'],
  // Bad request / recipient → fail
  [100, undefined, 'bad_request', 'fail'],
  [131008, undefined, 'bad_request', 'fail'],
  [131009, undefined, 'bad_request', 'fail'],
  [33, undefined, 'bad_request', 'fail'],
  [135000, undefined, 'bad_request', 'fail'],
  [100, 2534014, 'invalid_recipient', 'fail'],
  [131021, undefined, 'invalid_recipient', 'fail'],
  [131030, undefined, 'invalid_recipient', 'fail'],
  // Window → fail
  [131047, undefined, 'outside_customer_window', 'fail'],
  [10, 2534022, 'outside_customer_window', 'fail'],
  // Person unavailable (usually a block): not a window error
  [551, undefined, 'recipient_unavailable', 'fail'],
  [551, 1545041, 'recipient_unavailable', 'fail'],
  // Undeliverable → fail
  [131026, undefined, 'undeliverable', 'fail'],
  [131051, undefined, 'undeliverable', 'fail'],
  [131052, undefined, 'undeliverable', 'fail'],
  [131053, undefined, 'undeliverable', 'fail'],
  // Templates → fail
  [132000, undefined, 'template_error', 'fail'],
  [132001, undefined, 'template_error', 'fail'],
  [132005, undefined, 'template_error', 'fail'],
  [132007, undefined, 'template_error', 'fail'],
  [132012, undefined, 'template_error', 'fail'],
  [132015, undefined, 'template_error', 'fail'],
  [132016, undefined, 'template_error', 'fail'],
  [132068, undefined, 'template_error', 'fail'],
  [132069, undefined, 'template_error', 'fail'],
  // Account / policy / billing → fail
  [368, undefined, 'policy_blocked', 'fail'],
  [131031, undefined, 'policy_blocked', 'fail'],
  [131042, undefined, 'policy_blocked', 'fail'],
  [131045, undefined, 'policy_blocked', 'fail'],
  [133010, undefined, 'policy_blocked', 'fail'],
  // Ambiguous success → reconcile, never resend
  [1, 1357046, 'ambiguous_send', 'reconcile'],
];

describe('describeMetaError (a send): each documented Meta code → our stable code and action', () => {
  for (const [code, subcode, expected, action] of CASES) {
    const label = subcode === undefined ? `${code}` : `${code}/${subcode}`;
    it(`${label} → ${expected} (${action})`, () => {
      const failure = describeSendError({ code, subcode });
      assert.equal(failure.code, expected);
      assert.equal(failure.action, action);
      assert.equal(failure.retryable, action === 'retry');
      assert.equal(failure.meta_code, code);
      assert.equal(failure.meta_subcode, subcode ?? null);
      assert.ok(SEND_ERROR_CODES.includes(failure.code));
    });
  }

  it('gives every code in the table its own reason sentence (299 shares the 200–299 reason)', () => {
    for (const [code, subcode] of CASES) {
      const key = subcode === undefined ? String(code) : `${code}/${subcode}`;
      const reason = describeSendError({ code, subcode }).reason;
      assert.equal(reason, META_ERROR_REASONS[code === 299 ? '200' : key], `reason for ${key}`);
      assert.match(reason, /^[A-Z].*\.$/, `reason for ${key} is a sentence`);
    }
  });
});

describe('describeMetaError (a send): readable reasons for the codes DSK sees most', () => {
  const expectations: Array<[number, number | undefined, string]> = [
    [131047, undefined, 'More than 24 hours have passed since the customer last wrote; only an approved template can be sent now.'],
    [10, 2534022, 'The customer last wrote more than 24 hours ago; a human agent can still reply within 7 days using the HUMAN_AGENT tag.'],
    [
      131026,
      undefined,
      'WhatsApp could not deliver the message: the recipient may not use WhatsApp, may run an outdated app or may not have accepted the latest terms.',
    ],
    [131051, undefined, 'WhatsApp does not support this message type.'],
    [132001, undefined, 'The template does not exist in this language or is not approved.'],
    [130429, undefined, 'The phone number exceeded its WhatsApp Cloud API throughput (messages per second); the send can be retried after a wait.'],
    [131056, undefined, 'Too many messages went to this recipient in a short time (pair rate limit); wait before sending to them again.'],
    [190, 463, "The channel's access token expired; the channel must be reconnected."],
    [100, undefined, 'Meta rejected a parameter of the request as invalid.'],
    [368, undefined, 'Meta blocked the action as abusive or against its policies; the account may be temporarily restricted.'],
    [131031, undefined, 'The WhatsApp Business account is locked or restricted for a policy violation.'],
    [131042, undefined, 'The WhatsApp Business account has a payment problem (missing or invalid payment method, or credit limit reached).'],
  ];
  for (const [code, subcode, reason] of expectations) {
    it(`${subcode === undefined ? code : `${code}/${subcode}`}`, () => {
      assert.equal(describeSendError({ code, subcode }).reason, reason);
    });
  }

  it('an unknown subcode of a known code takes the bare code’s reason', () => {
    assert.deepEqual(describeSendError({ code: 190, subcode: 999 }), {
      meta_code: 190,
      meta_subcode: 999,
      code: 'reauth_required',
      errorClass: 'reauth',
      reason: "The channel's access token is invalid or expired; the channel must be reconnected.",
      retryable: false,
      action: 'reauth',
      operation: 'sendMessage',
    });
  });

  it('an undocumented 132xxx code is still a template error', () => {
    assert.deepEqual(describeSendError({ code: 132999 }), {
      meta_code: 132999,
      meta_subcode: null,
      code: 'template_error',
      errorClass: 'template',
      reason: 'The message template was rejected.',
      retryable: false,
      action: 'fail',
      operation: 'sendMessage',
    });
  });
});

describe('describeMetaError (a send): codes the table does not know', () => {
  it('follow Meta’s is_transient flag', () => {
    assert.deepEqual(describeSendError({ code: 987654, isTransient: true }), {
      meta_code: 987654,
      meta_subcode: null,
      code: 'meta_unavailable',
      errorClass: 'unknown',
      reason: 'Meta reported a temporary error; the send can be retried.',
      retryable: true,
      action: 'retry',
      operation: 'sendMessage',
    });
    assert.deepEqual(describeSendError({ code: 987654, isTransient: false }), {
      meta_code: 987654,
      meta_subcode: null,
      code: 'meta_error',
      errorClass: 'unknown',
      reason: 'Meta returned an error this service does not recognise.',
      retryable: false,
      action: 'fail',
      operation: 'sendMessage',
    });
  });

  it('without any code: a 5xx may hide a sent message and is reconciled; 429 is retried', () => {
    assert.equal(describeSendError({ code: undefined, httpStatus: 502 }).code, 'ambiguous_send');
    assert.equal(describeSendError({ code: undefined, httpStatus: 502 }).action, 'reconcile');
    assert.equal(describeSendError({ code: undefined, httpStatus: 429 }).action, 'retry');
    assert.deepEqual(describeSendError({ code: undefined, httpStatus: 403 }), {
      meta_code: null,
      meta_subcode: null,
      code: 'meta_error',
      errorClass: 'unknown',
      reason: 'Meta answered with an error that carried no error code.',
      retryable: false,
      action: 'fail',
      operation: 'sendMessage',
    });
  });
});

describe('toMetaFailure of a send', () => {
  const apiError = (code: number | undefined, subcode: number | undefined, httpStatus = 400, metaTransientFlag?: boolean) =>
    new MetaApiError({
      operation: 'sendMessage',
      httpStatus,
      code,
      subcode,
      type: 'OAuthException',
      fbtraceId: 'AbCdEf123',
      metaTransientFlag,
      retryAfterMs: undefined,
      metaMessage: '(#131047) Re-engagement message',
      details: 'Message failed to send because more than 24 hours have passed since the customer last replied to this number.',
    });

  it('maps a Graph error by code and subcode, never quoting Meta’s text', () => {
    const failure = toMetaFailure(apiError(131047, undefined));
    assert.deepEqual(failure, {
      meta_code: 131047,
      meta_subcode: null,
      code: 'outside_customer_window',
      errorClass: 'window',
      reason: 'More than 24 hours have passed since the customer last wrote; only an approved template can be sent now.',
      retryable: false,
      action: 'fail',
      operation: 'sendMessage',
    });
    assert.equal(describeSendError({ code: 10, subcode: 2534022 }).code, toMetaFailure(apiError(10, 2534022, 403))?.code);
  });

  it('uses Meta’s transient flag for unknown codes', () => {
    assert.equal(toMetaFailure(apiError(987654, undefined, 400, true))?.action, 'retry');
  });

  it('reconciles a timeout, a dropped connection or an unreadable answer instead of resending', () => {
    for (const reason of ['timeout', 'network', 'invalid_response'] as const) {
      const failure = toMetaFailure(new MetaRequestError('sendMessage', reason));
      assert.equal(failure?.code, 'ambiguous_send', reason);
      assert.equal(failure?.action, 'reconcile', reason);
      assert.equal(failure?.retryable, false, reason);
      assert.equal(failure?.meta_code, null, reason);
    }
  });

  it('fails a request that could not be made at all', () => {
    assert.equal(toMetaFailure(new MetaRequestError('sendMessage', 'url_not_allowed'))?.code, 'meta_error');
  });

  it('leaves errors that are not about Meta alone', () => {
    assert.equal(toMetaFailure(new TypeError('bug')), undefined);
  });
});

describe('toMetaFailure: one condition, one code, whatever the call', () => {
  const apiError = (operation: GraphOperation, code: number | undefined, subcode?: number, httpStatus = 400, retryAfterMs?: number) =>
    new MetaApiError({ operation, httpStatus, code, subcode, type: undefined, fbtraceId: undefined, metaTransientFlag: undefined, retryAfterMs, metaMessage: undefined, details: undefined });
  const SEND_AND_MEDIA: GraphOperation[] = ['sendMessage', 'getMediaInfo', 'downloadMedia', 'uploadMedia'];
  const summary = (err: Error) => {
    const f = toMetaFailure(err)!;
    return [f.code, f.action, f.retryable];
  };

  it('throttling is meta_throttled, retried after Meta\'s wait, for a send, a media download and a media upload', () => {
    for (const operation of SEND_AND_MEDIA) {
      for (const code of [4, 80007, 130429]) {
        const failure = toMetaFailure(apiError(operation, code, undefined, 400, 120_000))!;
        assert.deepEqual([failure.code, failure.action, failure.retryable, failure.retryAfterMs, failure.operation], ['meta_throttled', 'retry', true, 120_000, operation], `${operation} ${code}`);
      }
      // A 429 without a Graph code (a proxy, the CDN) is the same condition.
      assert.deepEqual(summary(apiError(operation, undefined, undefined, 429)), ['meta_throttled', 'retry', true], operation);
    }
  });

  it('a dead token is reauth_required for every call, OAuth and token checks included', () => {
    for (const operation of [...SEND_AND_MEDIA, 'debugToken', 'subscribeApp', 'exchangeToken'] as const) {
      assert.deepEqual(summary(apiError(operation, 190, 463, 401)), ['reauth_required', 'reauth', false], operation);
    }
  });

  it('gives a refusal the same code and reason whichever call met it', () => {
    for (const [code, expected] of [[131005, 'permission_missing'], [131031, 'policy_blocked'], [100, 'bad_request'], [131053, 'undeliverable'], [2, 'meta_unavailable'], [999999, 'meta_error']] as const) {
      const failures = SEND_AND_MEDIA.map((operation) => toMetaFailure(apiError(operation, code))!);
      assert.deepEqual(new Set(failures.map((f) => f.code)), new Set([expected]), String(code));
      assert.equal(new Set(failures.map((f) => f.reason)).size, 1, String(code));
    }
  });

  it('a missing answer may hide a sent message only for a send; any other call is simply repeated', () => {
    for (const reason of ['timeout', 'network'] as const) {
      assert.deepEqual(summary(new MetaRequestError('sendMessage', reason)), ['ambiguous_send', 'reconcile', false], reason);
      for (const operation of ['getMediaInfo', 'downloadMedia', 'uploadMedia', 'debugToken'] as const) {
        assert.deepEqual(summary(new MetaRequestError(operation, reason)), ['meta_unavailable', 'retry', true], `${operation} ${reason}`);
      }
    }
    assert.deepEqual(summary(apiError('sendMessage', undefined, undefined, 502)), ['ambiguous_send', 'reconcile', false]);
    assert.deepEqual(summary(apiError('uploadMedia', undefined, undefined, 502)), ['meta_unavailable', 'retry', true]);
    assert.equal(toMetaFailure(apiError('uploadMedia', undefined, undefined, 502))!.reason, 'Meta answered the upload with a server error; the upload can be retried.');
    assert.deepEqual(summary(apiError('sendMessage', 1, 1357046)), ['ambiguous_send', 'reconcile', false]);
    assert.deepEqual(summary(apiError('uploadMedia', 1, 1357046)), ['meta_unavailable', 'retry', true]);
  });

  it('a connection that never opened is retryable: nothing was sent', () => {
    const failure = toMetaFailure(new MetaRequestError('sendMessage', 'unreachable'))!;
    assert.deepEqual([failure.code, failure.action, failure.retryable, failure.reason], ['meta_unavailable', 'retry', true, 'Meta could not be reached; nothing was sent, and the send can be retried.']);
  });

  it('an unreadable answer to an upload can be repeated; an upload sent nowhere cannot be helped', () => {
    const unreadable = toMetaFailure(new MetaRequestError('uploadMedia', 'invalid_response'))!;
    assert.deepEqual([unreadable.code, unreadable.retryable, unreadable.reason], ['meta_error', true, 'Meta answered the upload with something this service cannot read; the upload can be retried.']);
    assert.deepEqual(summary(new MetaRequestError('downloadMedia', 'url_not_allowed')), ['meta_error', 'fail', false]);
  });

  it('media Meta does not have is media_not_found when reading media, and nothing else', () => {
    assert.deepEqual(summary(apiError('getMediaInfo', 100, 33)), ['media_not_found', 'fail', false]);
    assert.deepEqual(summary(apiError('getMediaInfo', 131052)), ['media_not_found', 'fail', false]);
    assert.deepEqual(summary(apiError('downloadMedia', undefined, undefined, 404)), ['media_not_found', 'fail', false]);
    assert.deepEqual(summary(apiError('downloadMedia', undefined, undefined, 410)), ['media_not_found', 'fail', false]);
    // In a send, 131052 is Meta failing to fetch DSK's media link: the message is undeliverable.
    assert.deepEqual(summary(apiError('sendMessage', 131052)), ['undeliverable', 'fail', false]);
    assert.deepEqual(summary(apiError('uploadMedia', 100, 33)), ['bad_request', 'fail', false]);
  });

  it('tells a plain MetaFailure from an error and from other objects', () => {
    assert.equal(isMetaFailure(toMetaFailure(new MetaRequestError('sendMessage', 'timeout'))), true);
    assert.equal(isMetaFailure(new MetaRequestError('sendMessage', 'timeout')), false);
    assert.equal(isMetaFailure({ code: 'meta_error' }), false);
    assert.equal(isMetaFailure(undefined), false);
  });
});
