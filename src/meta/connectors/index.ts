import type { Config } from '../../config.js';
import type { Logger } from '../../logger.js';
import type { ConnectFlow } from '../../shared/connections.js';
import type { ChannelConnector } from '../connectors.js';
import { createGraphClient, type GraphClient } from '../graph-client.js';
import { createInstagramClient, type InstagramClient } from '../instagram-client.js';
import { disabledConnector } from './common.js';
import { instagramFacebookLoginConnector } from './instagram-facebook-login.js';
import { instagramLoginConnector } from './instagram-login.js';
import { whatsappEmbeddedSignupConnector } from './whatsapp-embedded-signup.js';

export { ConnectorError } from './common.js';
export { INSTAGRAM_FACEBOOK_LOGIN_SCOPES, PAGE_SUBSCRIBED_FIELDS } from './instagram-facebook-login.js';
export { INSTAGRAM_LOGIN_SCOPES } from './instagram-login.js';

export interface ConnectorDeps {
  /** graph.facebook.com (WhatsApp Embedded Signup, Instagram via Facebook Login). */
  graph: GraphClient;
  /** graph.instagram.com + api.instagram.com (Instagram Login). */
  instagram: InstagramClient;
  /** Pinned Graph version, e.g. `v26.0`: also the dialog path's version. */
  graphVersion: string;
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
 * The three connectors the connection activities and the connect pages use. A flow the deps do not
 * configure gets a connector that refuses every call with ConnectorError `flow_not_configured`, so the
 * record is always complete; config's `enabledFlows` decides what is offered.
 */
export function createConnectors(deps: ConnectorDeps): Record<ConnectFlow, ChannelConnector> {
  const clock = deps.clock ?? (() => new Date());
  const log = deps.log ? { log: deps.log } : {};
  const meta = deps.metaApp;
  return {
    whatsapp_embedded_signup:
      meta && meta.whatsappConfigId
        ? whatsappEmbeddedSignupConnector({
            graph: deps.graph,
            version: deps.graphVersion,
            dialogBaseUrl: deps.facebookDialogBaseUrl.replace(/\/+$/, ''),
            app: { appId: meta.appId, appSecret: meta.appSecret, configId: meta.whatsappConfigId },
            ...(deps.whatsappRegistrationPin ? { registrationPin: deps.whatsappRegistrationPin } : {}),
            clock,
            ...log,
          })
        : disabledConnector('whatsapp_embedded_signup'),
    instagram_facebook_login: meta
      ? instagramFacebookLoginConnector({
          graph: deps.graph,
          version: deps.graphVersion,
          dialogBaseUrl: deps.facebookDialogBaseUrl.replace(/\/+$/, ''),
          app: { appId: meta.appId, appSecret: meta.appSecret, configId: meta.instagramConfigId },
          clock,
          ...log,
        })
      : disabledConnector('instagram_facebook_login'),
    instagram_login: deps.instagramApp
      ? instagramLoginConnector({
          instagram: deps.instagram,
          dialogBaseUrl: deps.instagramDialogBaseUrl.replace(/\/+$/, ''),
          app: deps.instagramApp,
          clock,
          ...log,
        })
      : disabledConnector('instagram_login'),
  };
}

/**
 * ConnectorDeps from the service config. Pass the process's Graph client (`foundation.graph`) to share
 * it; otherwise one is created like the runtime's (appsecret_proof with the Meta app secret).
 */
export function connectorDepsFromConfig(
  config: Config,
  overrides: { graph?: GraphClient; instagram?: InstagramClient; fetch?: typeof fetch; clock?: () => Date; log?: Logger } = {},
): ConnectorDeps {
  const metaAppSecret = config.meta.appSecrets[0];
  const graph =
    overrides.graph ??
    createGraphClient({
      baseUrl: config.meta.graphBaseUrl,
      version: config.meta.graphVersion,
      mediaHosts: config.meta.mediaOrigins,
      ...(metaAppSecret ? { appSecret: metaAppSecret } : {}),
      timeoutMs: config.meta.graphTimeoutMs,
      ...(overrides.fetch ? { fetch: overrides.fetch } : {}),
    });
  const instagram =
    overrides.instagram ??
    createInstagramClient({
      graphBaseUrl: config.instagram.graphBaseUrl,
      apiBaseUrl: config.instagram.apiBaseUrl,
      version: config.meta.graphVersion,
      timeoutMs: config.meta.graphTimeoutMs,
      ...(overrides.fetch ? { fetch: overrides.fetch } : {}),
    });
  const { appId, whatsappConfigId, instagramConfigId } = config.meta;
  return {
    graph,
    instagram,
    graphVersion: config.meta.graphVersion,
    facebookDialogBaseUrl: config.meta.dialogBaseUrl,
    instagramDialogBaseUrl: config.instagram.dialogBaseUrl,
    metaApp: appId && metaAppSecret ? { appId, appSecret: metaAppSecret, whatsappConfigId, instagramConfigId } : undefined,
    instagramApp: config.instagram.appId && config.instagram.appSecret ? { appId: config.instagram.appId, appSecret: config.instagram.appSecret } : undefined,
    whatsappRegistrationPin: config.meta.whatsappRegistrationPin,
    ...(overrides.clock ? { clock: overrides.clock } : {}),
    ...(overrides.log ? { log: overrides.log } : {}),
  };
}
