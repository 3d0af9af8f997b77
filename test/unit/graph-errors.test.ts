import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { inspect } from 'node:util';
import { MetaApiError, MetaRequestError, parseMetaError, retryAfterFrom } from '../../src/meta/graph/errors.js';

describe('parseMetaError', () => {
  it('reads the Instagram Login OAuth error shape', () => {
    const err = parseMetaError('getMediaInfo', 400, new Headers(), JSON.stringify({ error_type: 'OAuthException', code: 190, error_message: 'Invalid OAuth access token' }));
    assert.deepEqual([err.code, err.type, err.errorClass], [190, 'OAuthException', 'reauth']);
  });

  it('treats a non-JSON 5xx as transient and a non-JSON 4xx as not', () => {
    assert.equal(parseMetaError('downloadMedia', 502, new Headers(), '<html>bad gateway</html>').isTransient, true);
    assert.equal(parseMetaError('downloadMedia', 403, new Headers(), '<html>forbidden</html>').isTransient, false);
  });

  it('takes Retry-After in seconds or as an HTTP date', () => {
    assert.equal(parseMetaError('getMediaInfo', 503, new Headers({ 'retry-after': '12' }), '').retryAfterMs, 12_000);
    const now = Date.parse('2026-08-01T10:00:00Z');
    const dated = parseMetaError('getMediaInfo', 503, new Headers({ 'retry-after': 'Sat, 01 Aug 2026 10:00:30 GMT' }), '', { nowMs: now });
    assert.equal(dated.retryAfterMs, 30_000);
  });
});

describe('retryAfterFrom', () => {
  const NOW = Date.parse('2026-08-01T10:00:00Z');

  it('takes the longest wait of Retry-After and every Business Use Case entry (minutes)', () => {
    const usage = JSON.stringify({ '102290129340398': [{ type: 'whatsapp_business_management', estimated_time_to_regain_access: 3 }, { estimated_time_to_regain_access: 7 }] });
    assert.equal(retryAfterFrom(new Headers({ 'retry-after': '30', 'x-business-use-case-usage': usage }), NOW), 7 * 60_000);
    assert.equal(retryAfterFrom(new Headers({ 'retry-after': '900' }), NOW), 900_000);
  });

  it('ignores what says nothing useful: no header, a malformed usage header, zero minutes, a date in the past', () => {
    assert.equal(retryAfterFrom(new Headers(), NOW), undefined);
    assert.equal(retryAfterFrom(new Headers({ 'x-business-use-case-usage': '{not json' }), NOW), undefined);
    assert.equal(retryAfterFrom(new Headers({ 'x-business-use-case-usage': JSON.stringify({ a: [{ estimated_time_to_regain_access: 0 }] }) }), NOW), undefined);
    assert.equal(retryAfterFrom(new Headers({ 'retry-after': 'Sat, 01 Aug 2026 09:00:00 GMT' }), NOW), 0);
  });
});

describe('MetaApiError and MetaRequestError', () => {
  it('build their message from codes only and keep Meta\'s text out of JSON and inspection', () => {
    const err = parseMetaError('sendMessage', 400, new Headers(), JSON.stringify({ error: { code: 131047, message: 'secret text', error_data: { details: 'more secret text' }, fbtrace_id: 'AbC' } }));
    assert.ok(err instanceof MetaApiError);
    assert.equal(err.message, 'Meta sendMessage failed: HTTP 400, code 131047, fbtrace_id AbC');
    for (const shown of [JSON.stringify(err), inspect(err)]) assert.ok(!shown.includes('secret text'), shown);
    assert.deepEqual([err.metaMessage, err.details], ['secret text', 'more secret text']);
  });

  it('scrubs the token and other secrets from Meta\'s text should Meta echo them', () => {
    const err = parseMetaError('exchangeCode', 400, new Headers(), JSON.stringify({ error: { code: 100, message: 'bad code AQxyz for EAAtoken' } }), { token: 'EAAtoken', secrets: ['AQxyz'] });
    assert.equal(err.metaMessage, 'bad code [redacted] for [token]');
  });

  it('names a request failure by its reason; only the ones without an answer are transient', () => {
    assert.equal(new MetaRequestError('getProfile', 'timeout').message, 'Meta getProfile failed: timeout');
    assert.deepEqual(
      (['timeout', 'network', 'unreachable', 'invalid_response', 'too_large', 'url_not_allowed', 'too_many_redirects'] as const).map((r) => new MetaRequestError('getProfile', r).isTransient),
      [true, true, true, false, false, false, false],
    );
  });
});
