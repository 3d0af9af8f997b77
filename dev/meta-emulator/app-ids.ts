/**
 * Ids of the Meta app the emulator plays in development and tests. The emulator registers them by
 * default and `emulatorServiceEnv` hands them to the service as META_APP_ID / META_CONFIG_ID (the
 * service itself has no default ids). They are ids, not secrets: the app secret is always
 * META_APP_SECRETS' first entry, which the emulator is given (`createMetaEmulator({ appSecret })`).
 */
export const DEV_META_APP_ID = '1000000000000001';
/** Facebook Login for Business configuration for WhatsApp Embedded Signup. */
export const DEV_WHATSAPP_CONFIG_ID = '2000000000000001';
/** Facebook Login for Business configuration for Instagram (optional in config: the scope variant is the default). */
export const DEV_INSTAGRAM_CONFIG_ID = '2000000000000002';
/** The Instagram app (Instagram Login) the emulator knows; config needs it set explicitly, with its secret. */
export const DEV_INSTAGRAM_APP_ID = '3000000000000001';
