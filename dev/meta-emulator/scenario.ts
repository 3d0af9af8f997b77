/**
 * The Meta-side objects the emulator's OAuth and onboarding endpoints work on (reference §4, §5):
 * apps, WABAs with phone numbers, pages with linked Instagram accounts, Instagram-Login accounts,
 * what a person grants in each flow's dialog, and the authorization codes. EmulatorState holds them.
 */

export type EmulatedFlow = 'whatsapp_embedded_signup' | 'instagram_facebook_login' | 'instagram_login';

/** The hosts one emulator serves: graph.facebook.com at the root, every host also under `/<host>`. */
export const EMULATED_HOSTS = ['graph.facebook.com', 'www.facebook.com', 'graph.instagram.com', 'api.instagram.com', 'www.instagram.com'] as const;
export type EmulatedHost = (typeof EMULATED_HOSTS)[number];

export interface EmulatedApp {
  id: string;
  secret: string;
  name: string;
  /** Valid OAuth Redirect URIs, matched exactly (trailing slash included); undefined = any http(s) URL. */
  redirectUris: string[] | undefined;
}

export interface EmulatedMetaApp extends EmulatedApp {
  /** Facebook Login for Business configurations: config_id → the flow it is set up for. */
  configs: Map<string, Exclude<EmulatedFlow, 'instagram_login'>>;
}

export interface WabaRecord {
  id: string;
  name: string;
  businessId: string;
  phoneNumberIds: string[];
  /** app id → subscription (`POST /{waba}/subscribed_apps`). */
  subscriptions: Map<string, { overrideCallbackUri?: string }>;
}

export interface PhoneNumberRecord {
  id: string;
  wabaId: string;
  displayPhoneNumber: string;
  verifiedName: string;
  codeVerificationStatus: string;
  qualityRating: string;
  nameStatus: string;
  platformType: string;
  throughputLevel: string;
  accountMode: string;
  registered: boolean;
  /** The two-step verification PIN; a registration with another PIN fails with 133005. */
  pin: string | undefined;
  /** On the WhatsApp Business app as well (coexistence): registered by the app, never by `/register` (C5). */
  onBizApp: boolean;
}

export interface PageRecord {
  id: string;
  name: string;
  tasks: string[];
  instagramAccountId: string | undefined;
  /** app id → subscribed fields (`POST /{page}/subscribed_apps`). */
  subscriptions: Map<string, string[]>;
}

export interface InstagramAccountRecord {
  /** Professional account id (`1784…`), what webhooks carry as `entry[].id`. */
  id: string;
  username: string;
  name: string;
  /** Linked page (Instagram via Facebook Login). */
  pageId: string | undefined;
  /** App-scoped id for the Instagram app (Instagram Login's `/me` `id`). */
  appScopedId: string;
  /** Instagram Login webhook subscription (`POST /me/subscribed_apps`); undefined = none. */
  loginSubscription: string[] | undefined;
}

export interface PhoneNumberSpec {
  id?: string;
  displayPhoneNumber?: string;
  verifiedName?: string;
  codeVerificationStatus?: 'VERIFIED' | 'NOT_VERIFIED' | 'EXPIRED';
  qualityRating?: 'GREEN' | 'YELLOW' | 'RED' | 'UNKNOWN';
  nameStatus?: string;
  platformType?: 'CLOUD_API' | 'ON_PREMISE' | 'NOT_APPLICABLE';
  throughputLevel?: 'STANDARD' | 'HIGH' | 'NOT_APPLICABLE';
  accountMode?: 'SANDBOX' | 'LIVE';
  /** A two-step verification PIN the number already has. */
  pin?: string;
  /** Already registered on Cloud API (migrated from another provider, or connected before): status CONNECTED. */
  registered?: boolean;
  /** A WhatsApp Business app number onboarded for coexistence (`is_on_biz_app`): registered by the app. */
  onBizApp?: boolean;
}

export interface WabaSpec {
  id?: string;
  name?: string;
  businessId?: string;
  /** Default: one number; `[]` = a WABA without numbers (Embedded Signup's FINISH_ONLY_WABA). */
  phoneNumbers?: PhoneNumberSpec[];
}

export interface PageSpec {
  id?: string;
  name?: string;
  /** Default: every task (ANALYZE, ADVERTISE, MESSAGING, MODERATE, CREATE_CONTENT, MANAGE). */
  tasks?: string[];
  /** Default: a linked account; null = a page without an Instagram professional account. */
  instagram?: { id?: string; username?: string; name?: string } | null;
}

export interface InstagramLoginAccountSpec {
  id?: string;
  appScopedId?: string;
  username?: string;
  name?: string;
}

/**
 * What the person behind the dialog can grant in one flow, listed on the consent page. Embedded Signup
 * grants WABAs (with their numbers), Instagram via Facebook Login grants pages, Instagram Login grants
 * exactly one account.
 */
export type GrantSpec =
  | { flow: 'whatsapp_embedded_signup'; assets: WabaSpec[]; userId?: string }
  | { flow: 'instagram_facebook_login'; assets: PageSpec[]; userId?: string }
  | { flow: 'instagram_login'; assets: [InstagramLoginAccountSpec] };

export interface ConfiguredGrant {
  flow: EmulatedFlow;
  /** The granting person's app-scoped user id (debug_token `user_id`). */
  userId: string;
  /** What the consent page offers: WABA ids, page ids, or the Instagram account id. */
  assetIds: string[];
  wabaIds: string[];
  phoneNumberIds: string[];
  pageIds: string[];
  instagramAccountIds: string[];
}

export interface AuthorizationCode {
  code: string;
  flow: EmulatedFlow;
  appId: string;
  /** The exchange must repeat it exactly. */
  redirectUri: string;
  userId: string;
  /** The subset of the grant's assets the person left selected. */
  assetIds: string[];
  issuedAt: Date;
  expiresAt: Date;
  usedAt?: Date;
}

/** Token lifetimes the emulator issues with (reference §4.6); tests may change them. null = never expires. */
export interface TokenLifetimes {
  facebookShortSeconds: number;
  facebookLongSeconds: number;
  /** Embedded Signup business tokens: null by default (`expires_at: 0`). */
  businessSeconds: number | null;
  instagramShortSeconds: number;
  instagramLongSeconds: number;
}

export const DEFAULT_LIFETIMES: TokenLifetimes = {
  facebookShortSeconds: 3600,
  facebookLongSeconds: 5_183_944,
  businessSeconds: null,
  instagramShortSeconds: 3600,
  instagramLongSeconds: 5_183_944,
};

/** Embedded Signup codes live 30 s (reference §4.2), Instagram codes 1 h (§4.3); Facebook Login about 10 min. */
export const DEFAULT_CODE_TTL_SECONDS: Record<EmulatedFlow, number> = {
  whatsapp_embedded_signup: 30,
  instagram_facebook_login: 600,
  instagram_login: 3600,
};

export const ALL_PAGE_TASKS = ['ANALYZE', 'ADVERTISE', 'MESSAGING', 'MODERATE', 'CREATE_CONTENT', 'MANAGE'];
