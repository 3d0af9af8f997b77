import { requireKind, type ChannelAdapter } from '../channel-adapter.js';
import type { ChannelConnector } from '../connectors.js';
import type { WhatsAppBusinessProfileApi } from './business-profile-api.js';
import type { WhatsAppCloudApi } from './cloud-api.js';
import type { WhatsAppMediaApi } from './media-api.js';
import type { WhatsAppTemplatesApi } from './templates-api.js';
import { whatsappReadBody, whatsappSendBody } from './send-bodies.js';

export interface WhatsAppAdapterDeps {
  cloud: Pick<WhatsAppCloudApi, 'sendMessage' | 'markRead'>;
  media: WhatsAppMediaApi;
  templates: WhatsAppTemplatesApi;
  businessProfile: WhatsAppBusinessProfileApi;
  embeddedSignup: ChannelConnector;
}

/** Templates belong to the WABA; a channel without one (never through Embedded Signup) has none to manage. */
function wabaOf(channel: { wabaId: string | null }): string {
  if (!channel.wabaId) throw new TypeError('the WhatsApp channel has no WABA id');
  return channel.wabaId;
}

/**
 * WhatsApp Cloud API channels: a phone number (the channel's external id) of a WABA, connected by
 * Embedded Signup, sending and reading media on graph.facebook.com with the business token.
 */
export function whatsappAdapter(deps: WhatsAppAdapterDeps): ChannelAdapter {
  async function download(token: string, channel: { externalId: string }, mediaId: string) {
    // With the phone number id, Meta answers only for this number's media: no reading another channel's.
    const info = await deps.media.getMediaInfo(token, mediaId, channel.externalId);
    const download = await deps.media.downloadMedia(token, info.url, { expectedMimeType: info.mimeType });
    return { stream: download.stream, mimeType: info.mimeType, contentLength: download.contentLength };
  }

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
      download,

      upload(token, channel, file) {
        return deps.media.uploadMedia(token, channel.externalId, file);
      },
    },

    fetchInboundMedia(token, channel, item) {
      if (!item.id) throw new TypeError('WhatsApp media is fetched by its id');
      return download(token, channel, item.id);
    },

    templates: {
      list: (token, channel) => deps.templates.list(token, wabaOf(channel)),
      create: (token, channel, template) => deps.templates.create(token, wabaOf(channel), template),
      delete: (token, channel, name, templateId) => deps.templates.delete(token, wabaOf(channel), name, templateId),
    },

    businessProfile: {
      get: (token, channel) => deps.businessProfile.get(token, channel.externalId),
      update: (token, channel, update) => deps.businessProfile.update(token, channel.externalId, update),
      uploadPhoto: (token, file) => deps.businessProfile.uploadPhoto(token, file),
    },
  };
}
