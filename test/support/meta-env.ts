import type { RunningMetaEmulator } from '../../src/meta-emulator/app.js';
import { emulatorServiceEnv } from '../../src/meta-emulator/service-env.js';

/** Service environment pointing every Meta host at `meta`; Instagram Login on when its secret is given. */
export function metaEmulatorEnv(meta: RunningMetaEmulator, options: { instagramAppSecret?: string } = {}): Record<string, string> {
  return emulatorServiceEnv(meta, options);
}
