import { requireKind, type ChannelAdapter } from '../channel-adapter.js';
import type { ChannelConnector } from '../connectors.js';
import type { WhatsAppCloudApi } from './cloud-api.js';
import type { WhatsAppMediaApi } from './media-api.js';
import { whatsappReadBody, whatsappSendBody } from './send-bodies.js';

export interface WhatsAppAdapterDeps {
  cloud: Pick<WhatsAppCloudApi, 'sendMessage' | 'markRead'>;
  media: WhatsAppMediaApi;
  embeddedSignup: ChannelConnector;
}

/**
 * WhatsApp Cloud API channels: a phone number (the channel's external id) of a WABA, connected by
 * Embedded Signup, sending and reading media on graph.facebook.com with the business token.
 */
export function whatsappAdapter(deps: WhatsAppAdapterDeps): ChannelAdapter {
  return {
    channelType: 'whatsapp',
    connectors: { whatsapp_embedded_signup: deps.embeddedSignup },

    async send(target, outbound) {
      const { request } = requireKind('whatsapp', outbound);
      if (request.type === 'read') throw new TypeError('a read request is sent with markRead');
      const result = await deps.cloud.sendMessage(target.token, target.channel.externalId, whatsappSendBody(request, target.instanceId));
      const recipient = { ...(result.waId === undefined ? {} : { wa_id: result.waId }), ...(result.userId === undefined ? {} : { user_id: result.userId }) };
      return { metaMessageId: result.messageId, ...(Object.keys(recipient).length > 0 ? { recipient } : {}) };
    },

    async markRead(target, outbound) {
      const { request } = requireKind('whatsapp', outbound);
      if (request.type !== 'read') throw new TypeError('only a read request marks a message read');
      await deps.cloud.markRead(target.token, target.channel.externalId, whatsappReadBody(request));
    },

    media: {
      async download(token, channel, mediaId) {
        // With the phone number id, Meta answers only for this number's media: no reading another channel's.
        const info = await deps.media.getMediaInfo(token, mediaId, channel.externalId);
        const download = await deps.media.downloadMedia(token, info.url, { expectedMimeType: info.mimeType });
        return { stream: download.stream, mimeType: info.mimeType, contentLength: download.contentLength };
      },

      upload(token, channel, file) {
        return deps.media.uploadMedia(token, channel.externalId, file);
      },
    },
  };
}
