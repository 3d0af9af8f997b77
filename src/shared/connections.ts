/** Plain data of the connection lifecycle, shared by the workflow, its activities and the API. */

export type ChannelKind = 'whatsapp' | 'instagram';

/**
 * How the user authorizes: WhatsApp through Facebook Login for Business / Embedded Signup
 * (`config_id`), Instagram through Facebook Login (page + Instagram business account) or, where the
 * service is configured for it, Instagram Login.
 */
export type ConnectFlow = 'whatsapp_embedded_signup' | 'instagram_facebook_login' | 'instagram_login';

export type ConnectionPhase =
  | 'awaiting_authorization'
  | 'authorizing'
  | 'choosing_asset'
  /** Meta refused to register the WhatsApp number without its two-step verification PIN: the person is asked for it. */
  | 'awaiting_pin'
  /** Meta asked to wait before the number is registered (133015, 133016); the connection continues by itself at `retryAt`. */
  | 'registration_waiting'
  | 'active'
  | 'reauth_required'
  | 'disconnected'
  | 'expired'
  | 'cancelled'
  | 'failed';

export const FINAL_PHASES: readonly ConnectionPhase[] = ['disconnected', 'expired', 'cancelled', 'failed'];

/** What a person chooses between when Meta grants several numbers or accounts: ids and names only. */
export interface AssetOption {
  id: string;
  name: string;
  detail?: string;
}

export interface ConnectionFailure {
  code: string;
  message: string;
}

/** The workflow's answer to the status query and to the authorize/choose updates. */
export interface ConnectionStatus {
  connectionId: string;
  instanceId: string;
  channelType: ChannelKind;
  phase: ConnectionPhase;
  channelId?: string;
  assetOptions?: AssetOption[];
  failure?: ConnectionFailure;
  tokenExpiresAt?: string | null;
  lastCheckedAt?: string;
  /** Authorization rounds so far: 1 for the first connect, more after re-connects. */
  round: number;
  /** PINs the person gave for this number so far (awaiting_pin). */
  pinAttempts?: number;
  /** registration_waiting: when registration is tried again (ISO 8601). */
  retryAt?: string;
}

/** A channel and its connection (null: connected before connections existed, or never through one). */
export interface ChannelRef {
  id: string;
  connectionId: string | null;
}

/** What the periodic check learned about the stored token. */
export interface TokenCheck {
  state: 'valid' | 'refreshed' | 'invalid';
  expiresAt: string | null;
  /** The token cannot be refreshed and expires soon: a person must re-connect in time. */
  expiringSoon: boolean;
  /** Meta had dropped the webhook subscription and it was restored. */
  resubscribed: boolean;
}

export interface ConnectionTiming {
  /** How often the token and the webhook subscription are checked (default 1 day). */
  checkEveryMs?: number;
  /** Refresh (or warn) this long before expiry (default 7 days). */
  refreshBeforeMs?: number;
  /** How long the choice between several assets may take (default 30 minutes). */
  chooseTimeoutMs?: number;
  /** How long the person may take to give the number's PIN (default 30 minutes). */
  pinTimeoutMs?: number;
  /** At most this long for a wait Meta asks for before registering (default: as long as Meta asks; tests shorten it). */
  registrationWaitCapMs?: number;
}

export interface ConnectionWorkflowInput {
  connectionId: string;
  instanceId: string;
  channelType: ChannelKind;
  flow: ConnectFlow;
  /** When the first session expires (ISO 8601). */
  sessionExpiresAt: string;
  timing?: ConnectionTiming;
  /** State handed over by continue-as-new. */
  carried?: CarriedConnectionState;
}

export interface CarriedConnectionState {
  phase: ConnectionPhase;
  channelId?: string;
  tokenExpiresAt?: string | null;
  lastCheckedAt?: string;
  round: number;
  warnedForExpiry?: string | null;
}
