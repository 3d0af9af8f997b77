import type { InstagramOutboundRequest } from '../../shared/outbound-request.js';

/*
 * Validated DSK requests → the exact JSON Instagram's Send API takes (reference meta-platform.md §6.3),
 * the same on graph.facebook.com (Facebook Login, page token) and graph.instagram.com (Instagram
 * Login). Instagram has no correlation field in the reference (Messenger's `message.metadata` is not
 * documented for Instagram), so Instagram sends are matched by the `message_id` the Send API returns,
 * which the `is_echo` webhook repeats as `mid` (§3.2 ⚠).
 */

export type InstagramAttachmentType = Extract<InstagramOutboundRequest, { type: 'attachment' }>['attachment']['type'];

export type InstagramGraphBody =
  | {
      recipient: { id: string };
      message: { text: string } | { attachment: { type: InstagramAttachmentType; payload: { url: string } } };
      messaging_type?: 'MESSAGE_TAG';
      tag?: 'HUMAN_AGENT';
    }
  | { recipient: { id: string }; sender_action: 'react'; payload: { message_id: string; reaction: string } }
  | { recipient: { id: string }; sender_action: 'unreact'; payload: { message_id: string } }
  | { recipient: { id: string }; sender_action: 'mark_seen' };

/**
 * `POST /{ig-id}/messages` (or `/me/messages`) body for a validated Instagram request. Without a tag
 * `messaging_type` is left out, as in Meta's Instagram examples (reference §6.3).
 */
export function instagramGraphBody(request: InstagramOutboundRequest): InstagramGraphBody {
  const recipient = { id: request.to };
  switch (request.type) {
    case 'text':
    case 'attachment': {
      const message =
        request.type === 'text'
          ? { text: request.text.body }
          : { attachment: { type: request.attachment.type, payload: { url: request.attachment.url } } };
      return { recipient, message, ...(request.tag === 'HUMAN_AGENT' ? { messaging_type: 'MESSAGE_TAG' as const, tag: 'HUMAN_AGENT' as const } : {}) };
    }
    case 'reaction':
      return request.reaction.emoji === ''
        ? { recipient, sender_action: 'unreact', payload: { message_id: request.reaction.message_id } }
        : { recipient, sender_action: 'react', payload: { message_id: request.reaction.message_id, reaction: request.reaction.emoji } };
    case 'read':
      return { recipient, sender_action: 'mark_seen' };
  }
}
