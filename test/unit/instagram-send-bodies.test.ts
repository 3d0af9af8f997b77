import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { instagramGraphBody } from '../../src/meta/instagram/send-bodies.js';
import { parseOutboundRequest } from '../../src/api/outbound-schema/index.js';
import { type InstagramOutboundRequest } from '../../src/shared/outbound-request.js';

const CMID = 'crm-42';
const IGSID = '6841100000000000';
const MID = 'aWdfZG1fMTc4NDE0MDAwMDAwMDAwMDA6MzQwMjgyMzY2ODQxNzEw';

function ig(fields: Record<string, unknown>): InstagramOutboundRequest {
  const parsed = parseOutboundRequest('instagram', { client_message_id: CMID, to: IGSID, ...fields });
  assert.equal(parsed.channelType, 'instagram');
  return parsed.request as InstagramOutboundRequest;
}

describe('Instagram bodies: POST /{ig-id}/messages', () => {
  it('text (reference §6.3 example), without messaging_type', () => {
    assert.deepEqual(instagramGraphBody(ig({ type: 'text', text: { body: 'Hola 👋' } })), { recipient: { id: IGSID }, message: { text: 'Hola 👋' } });
  });

  it('text with the HUMAN_AGENT tag', () => {
    assert.deepEqual(instagramGraphBody(ig({ type: 'text', text: { body: 'Following up' }, tag: 'HUMAN_AGENT' })), {
      recipient: { id: IGSID },
      message: { text: 'Following up' },
      messaging_type: 'MESSAGE_TAG',
      tag: 'HUMAN_AGENT',
    });
  });

  for (const type of ['image', 'audio', 'video', 'file'] as const) {
    it(`${type} attachment by URL`, () => {
      assert.deepEqual(instagramGraphBody(ig({ type: 'attachment', attachment: { type, url: 'https://cdn.acme.com/x' } })), {
        recipient: { id: IGSID },
        message: { attachment: { type, payload: { url: 'https://cdn.acme.com/x' } } },
      });
    });
  }

  it('attachment with the HUMAN_AGENT tag', () => {
    assert.deepEqual(instagramGraphBody(ig({ type: 'attachment', attachment: { type: 'image', url: 'https://cdn.acme.com/a.jpg' }, tag: 'HUMAN_AGENT' })), {
      recipient: { id: IGSID },
      message: { attachment: { type: 'image', payload: { url: 'https://cdn.acme.com/a.jpg' } } },
      messaging_type: 'MESSAGE_TAG',
      tag: 'HUMAN_AGENT',
    });
  });

  it('reaction: sender_action react with message_id and reaction (⚠ not in the reference)', () => {
    assert.deepEqual(instagramGraphBody(ig({ type: 'reaction', reaction: { message_id: MID, emoji: '❤️' } })), {
      recipient: { id: IGSID },
      sender_action: 'react',
      payload: { message_id: MID, reaction: '❤️' },
    });
  });

  it('reaction removal: sender_action unreact with message_id only', () => {
    assert.deepEqual(instagramGraphBody(ig({ type: 'reaction', reaction: { message_id: MID, emoji: '' } })), {
      recipient: { id: IGSID },
      sender_action: 'unreact',
      payload: { message_id: MID },
    });
  });

  it('mark seen: sender_action mark_seen (reference §6.3), message id not sent', () => {
    assert.deepEqual(instagramGraphBody(ig({ type: 'read', message_id: MID })), { recipient: { id: IGSID }, sender_action: 'mark_seen' });
  });
});
