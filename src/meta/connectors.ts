import type { ConnectFlow } from '../shared/connections.js';

/** What a Meta token is, which decides whether it can be refreshed and how it expires. */
export type TokenKind =
  /** WhatsApp Embedded Signup business token (BISU): does not expire by default. */
  | 'business_system_user'
  /** Facebook user token: ~60 days, no refresh endpoint, a person must re-connect. */
  | 'facebook_user'
  /** Page token derived from a long-lived user token: no expiry. */
  | 'facebook_page'
  /** Instagram Login user token: 60 days, refreshable once at least 24 h old. */
  | 'instagram_user';

export interface ExchangedToken {
  accessToken: string;
  kind: TokenKind;
  /** null: does not expire. */
  expiresAt: Date | null;
}

/** One phone number or Instagram account Meta granted, with the token to store for it. */
export interface DiscoveredAsset {
  externalId: string;
  displayName: string;
  phoneNumber?: string;
  username?: string;
  wabaId?: string;
  pageId?: string;
  businessId?: string;
  /** The app-scoped id of the Meta user who granted access (deauthorize/data-deletion callbacks name it). */
  metaUserId?: string;
  /** Verification and quality facts read from Meta (code_verification_status, quality_rating, …). */
  verification: Record<string, string | number | boolean | null>;
  token: ExchangedToken;
}

export interface TokenInspection {
  valid: boolean;
  expiresAt: Date | null;
  /** Meta's error code when invalid (e.g. 190). */
  errorCode?: number;
}

/**
 * One connect flow against Meta (WhatsApp Embedded Signup, Instagram via Facebook Login, Instagram
 * Login): the "connect" part of its kind's ChannelAdapter (channel-adapter.ts). Activities see only
 * this interface; the implementations are the only code that knows each flow's endpoints.
 */
export interface ChannelConnector {
  readonly flow: ConnectFlow;
  /** Meta's authorization dialog URL for this flow. */
  dialogUrl(input: { state: string; redirectUri: string }): string;
  /** Code → the long-lived token the flow yields (already exchanged where the flow needs it). */
  exchangeCode(input: { code: string; redirectUri: string }): Promise<ExchangedToken>;
  /** Every asset the grant covers that can become a channel. */
  discoverAssets(token: ExchangedToken): Promise<DiscoveredAsset[]>;
  /**
   * Make the asset work: subscribe the app to its webhooks, register a WhatsApp number where it needs
   * it. `pin`: the number's two-step verification PIN, given by the person after Meta asked for it.
   */
  activate(asset: DiscoveredAsset, options?: ActivationOptions): Promise<void>;
  inspectToken(accessToken: string): Promise<TokenInspection>;
  /** Only for token kinds that can be refreshed (Instagram Login). */
  refreshToken?(accessToken: string): Promise<ExchangedToken>;
  /** Re-subscribes when Meta dropped the subscription; returns whether it had to. */
  ensureSubscribed(asset: StoredAsset, accessToken: string): Promise<boolean>;
  /** Best effort on disconnect. */
  unsubscribe(asset: StoredAsset, accessToken: string): Promise<void>;
}

export interface ActivationOptions {
  /** Used for this one activation, never stored by the connector. */
  pin?: string;
}

/** The ids of a stored channel that the connector needs later. */
export interface StoredAsset {
  externalId: string;
  wabaId: string | null;
  pageId: string | null;
}
