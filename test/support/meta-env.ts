import type { RunningMetaEmulator } from '../../src/meta-emulator/app.js';
import { DEV_INSTAGRAM_APP_ID } from '../../src/meta/dev-defaults.js';

/**
 * Service environment that points every Meta host at a running emulator (graph.facebook.com at its
 * root, the other hosts under path prefixes), with Instagram Login enabled when an Instagram app
 * secret is given.
 */
export function metaEmulatorEnv(meta: RunningMetaEmulator, options: { instagramAppSecret?: string } = {}): Record<string, string> {
  return {
    META_GRAPH_BASE_URL: meta.hosts['graph.facebook.com'],
    META_DIALOG_BASE_URL: meta.hosts['www.facebook.com'],
    INSTAGRAM_GRAPH_BASE_URL: meta.hosts['graph.instagram.com'],
    INSTAGRAM_API_BASE_URL: meta.hosts['api.instagram.com'],
    INSTAGRAM_DIALOG_BASE_URL: meta.hosts['www.instagram.com'],
    META_MEDIA_HOSTS: meta.url,
    ...(options.instagramAppSecret ? { INSTAGRAM_APP_ID: DEV_INSTAGRAM_APP_ID, INSTAGRAM_APP_SECRET: options.instagramAppSecret } : {}),
  };
}
