import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { BIZ_OPAQUE_CALLBACK_DATA_MAX } from '../../src/meta/whatsapp/send-bodies.js';
import { parseOutboundRequest } from '../../src/api/outbound-schema/index.js';
import { expectedCallbackData, sendTag } from '../../src/outbound/send-tag.js';

const INSTANCE = '3f1d6c2e-8a4b-4c55-9d0e-2b7a1f9e4c10';
const CMID = 'crm-42';
const TO = '+16505551234';
const WAMID = 'wamid.HBgLMTY1MDU1NTEyMzQVAgARGBI5QTNDQTVCM0Q0Q0Q2RTY3RTcA';
const IGSID = '6841100000000000';
/** Computed here, independently of the module: `dsk:` + 32 hex of SHA-256(instance \0 client_message_id). */
const TAG = `dsk:${createHash('sha256').update(`${INSTANCE}\u0000${CMID}`).digest('hex').slice(0, 32)}`;

describe('sendTag', () => {
  it('is dsk: plus the first 128 bits of SHA-256 over instance id and client_message_id', () => {
    assert.equal(sendTag(INSTANCE, CMID), TAG);
    assert.match(TAG, /^dsk:[0-9a-f]{32}$/);
    assert.ok(TAG.length <= BIZ_OPAQUE_CALLBACK_DATA_MAX);
  });

  it('is the same for a retried send and differs across instances and client ids', () => {
    assert.equal(sendTag(INSTANCE, CMID), sendTag(INSTANCE, CMID));
    assert.notEqual(sendTag('other-instance', CMID), TAG);
    assert.notEqual(sendTag(INSTANCE, 'crm-43'), TAG);
  });

  it('keeps the two ids apart (no concatenation ambiguity)', () => {
    assert.notEqual(sendTag('ab', 'c'), sendTag('a', 'bc'));
  });
});

describe('expectedCallbackData', () => {
  it('is the send tag of a WhatsApp message, and nothing for Instagram sends and reads', () => {
    const whatsapp = parseOutboundRequest('whatsapp', { client_message_id: CMID, to: TO, type: 'text', text: { body: 'Hi' } });
    const instagram = parseOutboundRequest('instagram', { client_message_id: CMID, to: IGSID, type: 'text', text: { body: 'Hi' } });
    assert.equal(expectedCallbackData(whatsapp, INSTANCE), TAG);
    // Instagram sends are matched by the returned message_id / echo mid, and reads produce no status.
    assert.equal(expectedCallbackData(instagram, INSTANCE), undefined);
    assert.equal(expectedCallbackData(parseOutboundRequest('whatsapp', { client_message_id: CMID, type: 'read', message_id: WAMID }), INSTANCE), undefined);
  });
});
