import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { describe, it } from 'node:test';
import { verifyMetaSignature, verifySignedRequest } from '../../src/meta/signature.js';
import { metaBody, signMeta, signedDelivery, signedRequest, waMessagePayload, waTextMessage } from '../support/meta-webhook-sender.js';

const secret = 'app-secret-1';
const body = Buffer.from('{"object":"whatsapp_business_account","entry":[]}');
const valid = signMeta(body, secret);

describe('verifyMetaSignature', () => {
  it('accepts the signature of the exact bytes received', () => {
    assert.deepEqual(verifyMetaSignature(body, valid, [secret]), { ok: true, secretIndex: 0 });
  });

  it('accepts a body signed with any configured secret and reports which one matched', () => {
    assert.deepEqual(verifyMetaSignature(body, valid, ['old-secret', 'instagram-secret', secret]), { ok: true, secretIndex: 2 });
  });

  it('accepts upper-case hex digits in the header', () => {
    assert.deepEqual(verifyMetaSignature(body, `sha256=${valid.slice('sha256='.length).toUpperCase()}`, [secret]), {
      ok: true,
      secretIndex: 0,
    });
  });

  it('rejects a signature made with a secret that is not configured', () => {
    assert.deepEqual(verifyMetaSignature(body, signMeta(body, 'someone-else'), [secret]), { ok: false });
  });

  it('rejects when no secret is configured', () => {
    assert.deepEqual(verifyMetaSignature(body, valid, []), { ok: false });
  });

  it('ignores an empty configured secret', () => {
    assert.deepEqual(verifyMetaSignature(body, signMeta(body, ''), ['']), { ok: false });
  });

  it('rejects a header of the wrong length without throwing', () => {
    assert.deepEqual(verifyMetaSignature(body, 'sha256=ab', [secret]), { ok: false });
    assert.deepEqual(verifyMetaSignature(body, `${valid}00`, [secret]), { ok: false });
  });

  it('rejects malformed headers without throwing', () => {
    for (const header of [undefined, '', 'sha256=', valid.slice('sha256='.length), `sha512=${valid.slice(7)}`, `sha256=${'z'.repeat(64)}`, `sha256 = ${valid.slice(7)}`]) {
      assert.deepEqual(verifyMetaSignature(body, header, [secret]), { ok: false }, String(header));
    }
  });

  it('treats a legacy sha1-only header as unsigned', () => {
    const sha1 = `sha1=${createHmac('sha1', secret).update(body).digest('hex')}`;
    assert.deepEqual(verifyMetaSignature(body, sha1, [secret]), { ok: false });
  });

  it('rejects a body changed by one byte', () => {
    const tampered = Buffer.from(body);
    tampered[tampered.length - 2] = 0x20;
    assert.deepEqual(verifyMetaSignature(tampered, valid, [secret]), { ok: false });
  });

  it('rejects a signature computed over re-serialized JSON', () => {
    const reserialized = Buffer.from(JSON.stringify(JSON.parse(String(body)), null, 1));
    assert.deepEqual(verifyMetaSignature(body, signMeta(reserialized, secret), [secret]), { ok: false });
  });

  describe('non-ASCII bodies', () => {
    const payload = waMessagePayload(waTextMessage({ wamid: 'wamid.A/B+C=', text: 'Ça coûte 5€ / pièce? 😀' }));

    it('verifies Meta\'s escaped ASCII body when signed over the bytes sent', () => {
      const delivery = signedDelivery(payload, secret);
      assert.match(delivery.body.toString('latin1'), /\\u00c7a co\\u00fbte 5\\u20ac \\\/ pi\\u00e8ce\? \\ud83d\\ude00/);
      assert.ok(delivery.body.every((byte) => byte <= 0x7e), 'body is pure ASCII');
      assert.deepEqual(verifyMetaSignature(delivery.body, delivery.headers['x-hub-signature-256'], [secret]), { ok: true, secretIndex: 0 });
    });

    it('verifies an unescaped UTF-8 body when signed over the bytes sent', () => {
      const delivery = signedDelivery(payload, secret, { escape: false });
      assert.ok(delivery.body.includes(Buffer.from('😀', 'utf8')));
      assert.deepEqual(verifyMetaSignature(delivery.body, delivery.headers['x-hub-signature-256'], [secret]), { ok: true, secretIndex: 0 });
    });

    it('rejects the escaped body\'s signature once an intermediary has decoded it to UTF-8', () => {
      const escaped = metaBody(payload);
      const decoded = Buffer.from(JSON.stringify(JSON.parse(escaped.toString('utf8'))), 'utf8');
      assert.notDeepEqual(decoded, escaped);
      assert.deepEqual(verifyMetaSignature(decoded, signMeta(escaped, secret), [secret]), { ok: false });
    });
  });
});

describe('verifySignedRequest', () => {
  const request = signedRequest({ user_id: '218471', issued_at: 1291836800, expires: 1291840400 }, secret);

  it('accepts a valid signed_request and returns its payload', () => {
    assert.deepEqual(verifySignedRequest(request, [secret]), {
      ok: true,
      payload: { algorithm: 'HMAC-SHA256', user_id: '218471', issued_at: 1291836800, expires: 1291840400 },
      secretIndex: 0,
    });
  });

  it('accepts a signed_request signed with any configured secret', () => {
    const result = verifySignedRequest(request, ['meta-app-secret', secret]);
    assert.equal(result.ok && result.secretIndex, 1);
  });

  it('has no padding in either part, as Meta sends it', () => {
    assert.doesNotMatch(request, /=/);
    assert.equal(request.split('.').length, 2);
  });

  it('returns a numeric user_id as a string', () => {
    const result = verifySignedRequest(signedRequest({ user_id: 218471 }, secret), [secret]);
    assert.equal(result.ok && result.payload.user_id, '218471');
  });

  it('rejects a tampered payload', () => {
    const [sig] = request.split('.');
    const forged = Buffer.from(JSON.stringify({ algorithm: 'HMAC-SHA256', user_id: '999999' })).toString('base64url');
    assert.deepEqual(verifySignedRequest(`${sig}.${forged}`, [secret]), { ok: false, reason: 'bad_signature' });
  });

  it('rejects a tampered signature', () => {
    const [sig, payload] = request.split('.') as [string, string];
    const flipped = `${sig[0] === 'A' ? 'B' : 'A'}${sig.slice(1)}`;
    assert.deepEqual(verifySignedRequest(`${flipped}.${payload}`, [secret]), { ok: false, reason: 'bad_signature' });
  });

  it('rejects a signature made with another secret', () => {
    assert.deepEqual(verifySignedRequest(request, ['other']), { ok: false, reason: 'bad_signature' });
  });

  it('rejects any algorithm other than HMAC-SHA256, even when correctly signed', () => {
    for (const algorithm of ['HMAC-SHA1', 'none', '']) {
      const payload = Buffer.from(JSON.stringify({ algorithm, user_id: '218471' })).toString('base64url');
      const sig = createHmac('sha256', secret).update(payload).digest('base64url');
      assert.deepEqual(verifySignedRequest(`${sig}.${payload}`, [secret]), { ok: false, reason: 'unsupported_algorithm' }, algorithm);
    }
  });

  it('rejects a payload without an algorithm', () => {
    const payload = Buffer.from(JSON.stringify({ user_id: '218471' })).toString('base64url');
    const sig = createHmac('sha256', secret).update(payload).digest('base64url');
    assert.deepEqual(verifySignedRequest(`${sig}.${payload}`, [secret]), { ok: false, reason: 'unsupported_algorithm' });
  });

  it('rejects malformed input without throwing', () => {
    for (const input of ['', 'abc', 'a.b.c', '.abc', 'abc.', 'a+b.c/d', `${request}.x`]) {
      assert.deepEqual(verifySignedRequest(input, [secret]), { ok: false, reason: 'malformed' }, input);
    }
  });

  it('rejects a payload that is not a JSON object', () => {
    for (const json of ['[1,2]', 'not json', '"text"']) {
      const payload = Buffer.from(json).toString('base64url');
      const sig = createHmac('sha256', secret).update(payload).digest('base64url');
      assert.deepEqual(verifySignedRequest(`${sig}.${payload}`, [secret]), { ok: false, reason: 'bad_payload' }, json);
    }
  });
});
