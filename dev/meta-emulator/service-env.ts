import { DEV_INSTAGRAM_APP_ID, DEV_META_APP_ID, DEV_WHATSAPP_CONFIG_ID } from './app-ids.js';
import type { RunningMetaEmulator } from './app.js';

/**
 * The service variables that point every Meta host at a running emulator (graph.facebook.com at its
 * root, the other hosts under path prefixes), with Instagram Login enabled when the emulator's
 * Instagram app secret is given. Used by the dev stack, the tests and the scale script alike.
 */
export function emulatorServiceEnv(meta: RunningMetaEmulator, options: { instagramAppSecret?: string } = {}): Record<string, string> {
  return {
    // The emulator's Meta app: the service has no built-in ids, so they are passed like a real app's.
    META_APP_ID: DEV_META_APP_ID,
    META_CONFIG_ID: DEV_WHATSAPP_CONFIG_ID,
    META_GRAPH_BASE_URL: meta.hosts['graph.facebook.com'],
    META_DIALOG_BASE_URL: meta.hosts['www.facebook.com'],
    INSTAGRAM_GRAPH_BASE_URL: meta.hosts['graph.instagram.com'],
    INSTAGRAM_API_BASE_URL: meta.hosts['api.instagram.com'],
    INSTAGRAM_DIALOG_BASE_URL: meta.hosts['www.instagram.com'],
    META_MEDIA_HOSTS: meta.url,
    ...(options.instagramAppSecret ? { INSTAGRAM_APP_ID: DEV_INSTAGRAM_APP_ID, INSTAGRAM_APP_SECRET: options.instagramAppSecret } : {}),
  };
}
