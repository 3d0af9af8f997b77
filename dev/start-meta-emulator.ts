import { emulatorServiceEnv } from './meta-emulator/service-env.js';
import { createMetaEmulator, type MetaEmulator, type RunningMetaEmulator } from './meta-emulator/app.js';

/**
 * The Meta emulator in the dev stack, used when no Meta app is configured (no META_APP_ID): it plays
 * Graph, the OAuth dialogs and the Instagram hosts, so a newcomer can connect sandbox WhatsApp and
 * Instagram channels in a browser, and its sandbox page (`/sandbox`) writes to them as a customer.
 */
export interface DevMetaEmulator {
  emulator: MetaEmulator;
  running: RunningMetaEmulator;
  /** The service variables that point every Meta host at the emulator, Instagram Login included. */
  serviceEnv: Record<string, string>;
  sandboxUrl: string;
}

/**
 * `appSecret` is the Meta app's secret on both sides: the emulator signs webhooks and checks the
 * OAuth client secret with it, the service verifies signatures with it (META_APP_SECRETS).
 */
export async function startDevMetaEmulator(options: { port: number; appSecret: string; host?: string }): Promise<DevMetaEmulator> {
  // Status and echo webhooks after each send, as Meta sends them: the service reconciles with them. The
  // customer-service windows hold as at Meta, so the sandbox can show a send outside them failing.
  const emulator = createMetaEmulator({ appSecret: options.appSecret, sendStatusWebhooks: true, messagingWindows: true });
  let running: RunningMetaEmulator;
  try {
    running = await emulator.listen(options.port, options.host ?? '127.0.0.1');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new Error(
      code === 'EADDRINUSE'
        ? `port ${options.port} for the Meta emulator is in use: set DEV_META_EMULATOR_PORT to another port, or META_APP_ID to use a real Meta app`
        : `the Meta emulator could not listen on port ${options.port}: ${err instanceof Error ? err.message : String(err)}`,
      { cause: err },
    );
  }
  return {
    emulator,
    running,
    serviceEnv: emulatorServiceEnv(running, { instagramAppSecret: emulator.state.instagramApp.secret }),
    sandboxUrl: `${running.url}/sandbox`,
  };
}
