import type { Logger } from '../logger.js';
import type { ConnectFlow } from '../shared/connections.js';
import { connectorsOf, type ChannelAdapters } from './channel-adapter.js';
import { disabledConnector } from './connector-common.js';
import type { ChannelConnector } from './connectors.js';
import type { GraphTransport } from './graph/transport.js';
import { instagramAdapter } from './instagram/adapter.js';
import { instagramFacebookLoginConnector } from './instagram/facebook-login.js';
import { instagramLoginConnector } from './instagram/instagram-login.js';
import type { InstagramLoginApi } from './instagram/login-api.js';
import { createInstagramPagesApi } from './instagram/pages-api.js';
import { createGraphOAuth } from './oauth.js';
import { whatsappAdapter } from './whatsapp/adapter.js';
import { createWhatsAppCloudApi } from './whatsapp/cloud-api.js';
import { whatsappEmbeddedSignupConnector } from './whatsapp/embedded-signup.js';
import { createWhatsAppBusinessProfileApi } from './whatsapp/business-profile-api.js';
import { createWhatsAppMediaApi, type WhatsAppMediaOptions } from './whatsapp/media-api.js';
import { createWhatsAppTemplatesApi } from './whatsapp/templates-api.js';

export { ConnectorError } from './connector-common.js';
export { INSTAGRAM_FACEBOOK_LOGIN_SCOPES, PAGE_SUBSCRIBED_FIELDS } from './instagram/facebook-login.js';
export { INSTAGRAM_LOGIN_SCOPES } from './instagram/instagram-login.js';

export interface ChannelAdapterDeps {
  /** graph.facebook.com at the pinned version (WhatsApp, Instagram via Facebook Login, OAuth); its version is also the dialogs'. */
  graph: GraphTransport;
  /** graph.instagram.com + api.instagram.com (Instagram Login). */
  instagram: InstagramLoginApi;
  /** Where WhatsApp media may be downloaded from, and the transfer limits; default: the Graph origin only. */
  whatsappMedia?: WhatsAppMediaOptions;
  /** `https://www.facebook.com`; the emulator's `<url>/www.facebook.com` in dev/tests. */
  facebookDialogBaseUrl: string;
  /** `https://www.instagram.com`; the emulator's `<url>/www.instagram.com` in dev/tests. */
  instagramDialogBaseUrl: string;
  /**
   * The Meta app. Without it neither Facebook-based flow works; without `whatsappConfigId` Embedded
   * Signup does not; without `instagramConfigId` the Instagram dialog asks for scopes.
   */
  metaApp?: { appId: string; appSecret: string; whatsappConfigId?: string | undefined; instagramConfigId?: string | undefined } | undefined;
  /** The Instagram app (Instagram Login); absent: that flow is not offered. */
  instagramApp?: { appId: string; appSecret: string } | undefined;
  /** WHATSAPP_REGISTRATION_PIN; absent: a PIN derived per number from the app secret. */
  whatsappRegistrationPin?: string | undefined;
  clock?: () => Date;
  /** Ids and counts only. */
  log?: Logger;
}

/**
 * The WhatsApp and the Instagram adapter. A connect flow the deps do not configure gets a connector
 * that refuses every call with ConnectorError `flow_not_configured`, so every flow has a connector;
 * config's `enabledFlows` decides what is offered.
 */
export function createChannelAdapters(deps: ChannelAdapterDeps): ChannelAdapters {
  const clock = deps.clock ?? (() => new Date());
  const log = deps.log ? { log: deps.log } : {};
  const { graph } = deps;
  const version = graph.version;
  const facebookDialogBaseUrl = deps.facebookDialogBaseUrl.replace(/\/+$/, '');
  const meta = deps.metaApp;
  const oauth = createGraphOAuth(graph);
  const cloud = createWhatsAppCloudApi(graph);
  const pages = createInstagramPagesApi(graph);

  const embeddedSignup =
    meta && meta.whatsappConfigId
      ? whatsappEmbeddedSignupConnector({
          oauth,
          cloud,
          version,
          dialogBaseUrl: facebookDialogBaseUrl,
          app: { appId: meta.appId, appSecret: meta.appSecret, configId: meta.whatsappConfigId },
          ...(deps.whatsappRegistrationPin ? { registrationPin: deps.whatsappRegistrationPin } : {}),
          clock,
          ...log,
        })
      : disabledConnector('whatsapp_embedded_signup');
  const facebookLogin = meta
    ? instagramFacebookLoginConnector({
        oauth,
        pages,
        version,
        dialogBaseUrl: facebookDialogBaseUrl,
        app: { appId: meta.appId, appSecret: meta.appSecret, configId: meta.instagramConfigId },
        clock,
        ...log,
      })
    : disabledConnector('instagram_facebook_login');
  const instagramLogin = deps.instagramApp
    ? instagramLoginConnector({
        instagram: deps.instagram,
        dialogBaseUrl: deps.instagramDialogBaseUrl.replace(/\/+$/, ''),
        app: deps.instagramApp,
        clock,
        ...log,
      })
    : disabledConnector('instagram_login');

  const media = createWhatsAppMediaApi(graph, deps.whatsappMedia ?? { mediaHosts: [] });
  return {
    whatsapp: whatsappAdapter({
      cloud,
      media,
      templates: createWhatsAppTemplatesApi(graph),
      businessProfile: createWhatsAppBusinessProfileApi(graph, { appId: meta?.appId }),
      embeddedSignup,
    }),
    instagram: instagramAdapter({
      pages,
      login: deps.instagram,
      // Instagram's CDN links are signed: fetched without a token, from the same allow-list as WhatsApp media.
      downloadAttachment: async (url) => {
        const download = await media.downloadMedia(undefined, url);
        return { stream: download.stream, mimeType: download.mimeType, contentLength: download.contentLength };
      },
      facebookLogin,
      instagramLogin,
    }),
  };
}

/** The connect part of the adapters alone, by flow (what the connection activities and connect pages use). */
export function createConnectors(deps: ChannelAdapterDeps): Readonly<Record<ConnectFlow, ChannelConnector>> {
  return connectorsOf(createChannelAdapters(deps));
}

