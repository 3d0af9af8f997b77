import type { RunningMetaEmulator } from '../../dev/meta-emulator/app.js';
import { emulatorServiceEnv } from '../../dev/meta-emulator/service-env.js';

/** Service environment pointing every Meta host at `meta`; Instagram Login on when its secret is given. */
export function metaEmulatorEnv(meta: RunningMetaEmulator, options: { instagramAppSecret?: string } = {}): Record<string, string> {
  return emulatorServiceEnv(meta, options);
}
