import type { Config } from './config.js';
import type { Logger } from './logger.js';
import type { ChannelAdapterDeps } from './meta/adapters.js';
import { createGraphTransport, type GraphTransport } from './meta/graph/transport.js';
import { createInstagramLoginApi, type InstagramLoginApi } from './meta/instagram/login-api.js';

/**
 * ChannelAdapterDeps from the service config: graph.facebook.com with `appsecret_proof` under the Meta
 * app's secret (the first META_APP_SECRETS entry), the Instagram Login hosts, and the media allow-list.
 */
export function adapterDepsFromConfig(
  config: Config,
  overrides: { graph?: GraphTransport; instagram?: InstagramLoginApi; fetch?: typeof fetch; clock?: () => Date; log?: Logger } = {},
): ChannelAdapterDeps {
  const metaAppSecret = config.meta.appSecrets[0];
  const fetchOverride = overrides.fetch ? { fetch: overrides.fetch } : {};
  const graph =
    overrides.graph ??
    createGraphTransport({
      baseUrl: config.meta.graphBaseUrl,
      version: config.meta.graphVersion,
      ...(metaAppSecret ? { appSecret: metaAppSecret } : {}),
      timeoutMs: config.meta.graphTimeoutMs,
      ...fetchOverride,
    });
  const instagram =
    overrides.instagram ??
    createInstagramLoginApi({
      graphBaseUrl: config.instagram.graphBaseUrl,
      apiBaseUrl: config.instagram.apiBaseUrl,
      version: config.meta.graphVersion,
      timeoutMs: config.meta.graphTimeoutMs,
      ...fetchOverride,
    });
  const { appId, whatsappConfigId, instagramConfigId } = config.meta;
  return {
    graph,
    instagram,
    whatsappMedia: { mediaHosts: config.meta.mediaOrigins },
    facebookDialogBaseUrl: config.meta.dialogBaseUrl,
    instagramDialogBaseUrl: config.instagram.dialogBaseUrl,
    metaApp: appId && metaAppSecret ? { appId, appSecret: metaAppSecret, whatsappConfigId, instagramConfigId } : undefined,
    instagramApp: config.instagram.appId && config.instagram.appSecret ? { appId: config.instagram.appId, appSecret: config.instagram.appSecret } : undefined,
    whatsappRegistrationPin: config.meta.whatsappRegistrationPin,
    ...(overrides.clock ? { clock: overrides.clock } : {}),
    ...(overrides.log ? { log: overrides.log } : {}),
  };
}
