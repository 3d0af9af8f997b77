import { requireKind, type ChannelAdapter, type MediaContent, type SendTarget } from '../channel-adapter.js';
import type { ChannelConnector } from '../connectors.js';
import type { InstagramLoginApi } from './login-api.js';
import type { InstagramPagesApi } from './pages-api.js';
import { instagramGraphBody, type InstagramGraphBody } from './send-bodies.js';
import type { InstagramSendResult } from './send-result.js';

export interface InstagramAdapterDeps {
  pages: Pick<InstagramPagesApi, 'sendMessage' | 'getSenderProfile'>;
  login: Pick<InstagramLoginApi, 'sendMessage' | 'getSenderProfile'>;
  /** Attachment bytes from their signed CDN URL (allow-listed hosts only, no token sent). */
  downloadAttachment(url: string): Promise<MediaContent>;
  facebookLogin: ChannelConnector;
  instagramLogin: ChannelConnector;
}

/**
 * Instagram professional accounts, connected one of two ways, which decides where their token works:
 * through Facebook Login the channel holds its page's token and talks to graph.facebook.com (`me` =
 * the page); through Instagram Login it holds an Instagram user token for graph.instagram.com (`me` =
 * the account). Only Facebook Login channels have a page. Media travel as URLs: no media ids.
 */
export function instagramAdapter(deps: InstagramAdapterDeps): ChannelAdapter {
  function deliver(target: SendTarget, body: InstagramGraphBody): Promise<InstagramSendResult> {
    return target.channel.pageId ? deps.pages.sendMessage(target.token, 'me', body) : deps.login.sendMessage(target.token, 'me', body);
  }

  return {
    channelType: 'instagram',
    connectors: { instagram_facebook_login: deps.facebookLogin, instagram_login: deps.instagramLogin },

    async send(target, outbound) {
      const { request } = requireKind('instagram', outbound);
      if (request.type === 'read') throw new TypeError('a read request is sent with markRead');
      const result = await deliver(target, instagramGraphBody(request));
      return { metaMessageId: result.messageId ?? null };
    },

    async markRead(target, outbound) {
      const { request } = requireKind('instagram', outbound);
      if (request.type !== 'read') throw new TypeError('only a read request marks a message read');
      await deliver(target, instagramGraphBody(request));
    },

    fetchInboundMedia(_token, _channel, item) {
      if (!item.url) throw new TypeError('Instagram attachments are fetched by their URL');
      return deps.downloadAttachment(item.url);
    },

    senderProfiles: {
      get: (token, channel, senderId) => (channel.pageId ? deps.pages.getSenderProfile(token, senderId) : deps.login.getSenderProfile(token, senderId)),
    },
  };
}
