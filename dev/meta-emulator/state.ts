import { createHash, createHmac, randomBytes, randomInt, timingSafeEqual } from 'node:crypto';
import type { AppSubscription } from './routes/app-subscriptions.js';
import { DEV_INSTAGRAM_APP_ID, DEV_INSTAGRAM_CONFIG_ID, DEV_META_APP_ID, DEV_WHATSAPP_CONFIG_ID } from './app-ids.js';
import {
  ALL_PAGE_TASKS,
  DEFAULT_CODE_TTL_SECONDS,
  DEFAULT_LIFETIMES,
  type AuthorizationCode,
  type ConfiguredGrant,
  type EmulatedApp,
  type EmulatedFlow,
  type EmulatedHost,
  type EmulatedMetaApp,
  type GrantSpec,
  type InstagramAccountRecord,
  type PageRecord,
  type PhoneNumberRecord,
  type TokenLifetimes,
  type WabaRecord,
} from './scenario.js';
import type { BusinessMessage, CustomerMessage } from './conversation.js';
import { MessagingState } from './messaging-state.js';
import { CatalogState } from './catalog-state.js';

/**
 * Everything the Meta emulator knows, in memory: issued tokens, stored media, the apps, WABAs, phone
 * numbers, pages and Instagram accounts with their webhook subscriptions, what each flow's dialog
 * grants, authorization codes, injected faults and a log of the requests it answered. Tests drive it
 * directly (configure a grant, issue, expire or revoke a token, drop a subscription, inject a fault)
 * and then assert on what the service sent. Route modules (routes/*.ts) read and change it; new
 * endpoints add their own maps here.
 *
 * A fresh state (and `reset()`) holds a default sandbox: one WABA with one number, one page with an
 * Instagram account, one Instagram-Login account.
 */

export type TokenKind = 'user' | 'page' | 'system_user' | 'business_integration' | 'instagram';

/** Subcodes of error 190 (reference §7.2) a revoked token can answer with. */
export type RevokeSubcode = 458 | 459 | 460 | 464 | 467 | 492;

export interface TokenGrant {
  kind: TokenKind;
  /** Permissions granted, e.g. `whatsapp_business_messaging`; omitted = every permission. */
  scopes?: readonly string[];
  /** null or omitted = never expires (business tokens by default, reference §4.6). */
  expiresAt?: Date | null;
  /** Ids of the WABAs / phone numbers / pages the token may touch; omitted = any. */
  assets?: readonly string[];
  /** The app the token was issued to (debug_token `app_id`); default: the emulator's Meta or Instagram app. */
  appId?: string;
  /** The person (app-scoped id) behind it (debug_token `user_id`). */
  userId?: string;
  /** debug_token `granular_scopes`; `targetIds` omitted = not asset-restricted. */
  granularScopes?: ReadonlyArray<{ scope: string; targetIds?: readonly string[] }>;
  /** A long-lived user token (what `fb_exchange_token` / `ig_exchange_token` return). */
  longLived?: boolean;
  /** Page tokens: the page (debug_token `profile_id`). */
  profileId?: string;
}

export interface TokenRecord extends Required<Pick<TokenGrant, 'kind'>> {
  token: string;
  scopes: readonly string[] | undefined;
  expiresAt: Date | null;
  assets: readonly string[] | undefined;
  issuedAt: Date;
  revoked?: RevokeSubcode;
  appId: string | undefined;
  userId: string | undefined;
  granularScopes: ReadonlyArray<{ scope: string; targetIds?: readonly string[] }> | undefined;
  longLived: boolean;
  profileId: string | undefined;
}

/** Instagram tokens (`IGAA…`) work on graph.instagram.com only, all others on graph.facebook.com only. */
export function platformOf(kind: TokenKind): 'facebook' | 'instagram' {
  return kind === 'instagram' ? 'instagram' : 'facebook';
}

export interface EmulatorStateOptions {
  appSecret?: string;
  requireAppSecretProof?: boolean;
  /** The Meta app (Facebook Login for Business); defaults: app-ids.ts ids, secret = appSecret. */
  metaApp?: Partial<Omit<EmulatedMetaApp, 'configs'>> & { configs?: Record<string, Exclude<EmulatedFlow, 'instagram_login'>> };
  /** The Instagram app (Instagram Login). */
  instagramApp?: Partial<EmulatedApp>;
  /** The app's webhook callback URL (the service's `/webhooks/meta`), where the sandbox page delivers. */
  webhookCallbackUrl?: string;
  /** Initial (and after `reset()`) value of `sendStatusWebhooks`; default false. */
  sendStatusWebhooks?: boolean;
  /** Initial (and after `reset()`) value of `messaging.windowsEnforced`; default false. */
  messagingWindows?: boolean;
}

export interface MediaRecord {
  id: string;
  bytes: Buffer;
  mimeType: string;
  /** Hex SHA-256 of the bytes (Meta's encoding is ⚠ unverified: hex or base64). */
  sha256: string;
  /** Phone number the media belongs to (uploaded on, or received by); undefined = any. */
  phoneNumberId: string | undefined;
  createdAt: Date;
  /** Uploads live 30 days, media ids from webhooks 7 days (reference §6.2). */
  expiresAt: Date;
}

/** Matches a request; every given field must match. */
export interface FaultMatch {
  method?: string;
  /**
   * Tested against the path within the host, e.g. `/v26.0/1234`, `/whatsapp_business/attachments/`,
   * or `/oauth/access_token` on api.instagram.com (its `/api.instagram.com` prefix removed).
   */
  path?: RegExp | string;
  /** Default: any host. */
  host?: EmulatedHost;
}

/**
 * How a Send API call fails *after* Meta processed it (the message is recorded as sent and its
 * status/echo webhook goes out), the cases that make a send ambiguous (reference §0.14, §7.2):
 * - `reset`: the connection is reset without an answer;
 * - `error-but-sent`: Messenger/Instagram's `{error: {code: 1, error_subcode: 1357046}}` ("invalid
 *   JSON reply"), HTTP 500;
 * - `invalid-json`: HTTP 200 with a JSON content type and a truncated, unparseable body.
 */
export type AfterSendMode = 'reset' | 'error-but-sent' | 'invalid-json';

/** What the emulator answers instead of the real endpoint, `times` times (default 1). */
export interface Fault extends FaultMatch {
  times?: number;
  /**
   * Wait before answering (or, with nothing else set, before handling the request normally). With
   * `afterSend`: after the send was processed, before the failed answer.
   */
  delayMs?: number;
  /** A Graph error; HTTP status follows WA-ERR unless `status` is given. `errorData` is rendered as `error_data`. */
  error?: { code: number; subcode?: number; message?: string; type?: string; isTransient?: boolean; errorData?: Record<string, unknown> };
  /**
   * Process the send normally, then fail the answer this way. Only accepted Send API messages take
   * such a fault (a rejected body, a mark-as-read or a sender action leaves it armed); `error`,
   * `status` and `body` are ignored with it.
   */
  afterSend?: AfterSendMode;
  /** A raw answer (e.g. an HTML page with 200); used when `error` is not set. */
  status?: number;
  body?: string | Buffer;
  headers?: Record<string, string>;
}

export interface RecordedRequest {
  method: string;
  /** The emulated host (graph.facebook.com for the root mount). */
  host: EmulatedHost;
  /** The path within that host: `/v26.0/1234/subscribed_apps`, `/oauth/authorize`. */
  path: string;
  /** `v26.0` for versioned Graph paths. */
  version: string | undefined;
  /** Query parameters except `access_token`. */
  query: Record<string, string>;
  tokenVia: 'header' | 'query' | 'none';
  token: string | undefined;
  /** `valid` / `invalid` only when the emulator has an app secret to check against. */
  appsecretProof: 'absent' | 'valid' | 'invalid' | 'unchecked';
  /** Undefined while in flight, and when the connection was reset instead of answered. */
  status?: number;
  /** Set when an `afterSend` fault failed the answer of a processed send. */
  afterSend?: AfterSendMode;
  at: Date;
}

/** A per-(phone number, recipient) rate: one message per `intervalMs`, after a burst of `burst`. */
export interface PairRate {
  intervalMs: number;
  burst: number;
}

/** Instagram Send API calls per second per account (reference §6.3, IG-OV). */
export interface InstagramSendRate {
  /** Text, links, reactions, stickers, sender actions. */
  perSecond: number;
  /** Audio and video attachments. */
  mediaPerSecond: number;
}

/** WA-TPUT (reference §6.1): 80 messages/s per number by default. */
export const DEFAULT_WHATSAPP_THROUGHPUT = 80;
/**
 * The pair rate (reference §6.1: "≈1 message per 6 s to the same user" ⚠, error 131056), with the
 * burst of 45 messages in 6 seconds Meta's throughput page allows before the steady rate applies ⚠.
 */
export const DEFAULT_PAIR_RATE: Readonly<PairRate> = { intervalMs: 6000, burst: 45 };
export const DEFAULT_INSTAGRAM_SEND_RATE: Readonly<InstagramSendRate> = { perSecond: 100, mediaPerSecond: 10 };

/** What a throughput check decided; `undefined` from the admit methods means accepted. */
export type SendLimitHit = 'throughput' | 'pair_rate';

/** A status (WhatsApp) or echo (Instagram) webhook that followed an accepted send. */
export interface SendWebhookDelivery {
  kind: 'status' | 'echo' | 'history';
  /** When the send was accepted (the webhook's timestamp). */
  at: Date;
  /** Phone number id or Instagram account id. */
  channelId: string;
  /** wamid or mid. */
  messageId: string;
  /** The payload before Meta's escaping and signing. */
  payload: Record<string, unknown>;
  /** Undefined when skipped: the app is not subscribed to the channel, or no callback URL is set. */
  callbackUrl: string | undefined;
  skipped?: 'not_subscribed' | 'no_callback_url';
  /** The callback's HTTP status; undefined when skipped or when it did not answer. */
  status: number | undefined;
  detail: string;
}

const DAY_MS = 24 * 60 * 60 * 1000;

export class EmulatorState {
  readonly tokens = new Map<string, TokenRecord>();
  readonly media = new Map<string, MediaRecord>();
  readonly requests: RecordedRequest[] = [];
  readonly faults: Array<Fault & { remaining: number }> = [];
  /** Signs attachment URLs so they cannot be forged or extended. */
  readonly urlSecret = randomBytes(32);
  appSecret: string | undefined;
  requireAppSecretProof: boolean;
  private readonly issuedIds = new Set<string>();

  /** The Meta app the dialogs and the code exchange know; change `redirectUris`/`configs` freely. */
  readonly metaApp: EmulatedMetaApp;
  readonly instagramApp: EmulatedApp;
  readonly wabas = new Map<string, WabaRecord>();
  readonly phoneNumbers = new Map<string, PhoneNumberRecord>();
  readonly pages = new Map<string, PageRecord>();
  readonly instagramAccounts = new Map<string, InstagramAccountRecord>();
  /** The current grant per flow: what the dialog offers (a default sandbox until configureGrant). */
  readonly grants = new Map<EmulatedFlow, ConfiguredGrant>();
  readonly codes = new Map<string, AuthorizationCode>();
  /** `<user token>:<page id>` → the page token `me/accounts` derived (Meta hands out the same one again). */
  readonly pageTokens = new Map<string, string>();
  lifetimes: TokenLifetimes = { ...DEFAULT_LIFETIMES };
  codeTtlSeconds: Record<EmulatedFlow, number> = { ...DEFAULT_CODE_TTL_SECONDS };
  /**
   * What a dialog GET does: render the consent page (default; a browser clicks Continue/Cancel), or
   * redirect at once as if the person had approved or cancelled (API-level end-to-end tests).
   */
  dialogBehaviour: 'consent_page' | 'approve' | 'cancel' = 'consent_page';
  /** api.instagram.com answers `{data:[{…}]}` (documented) or flat (observed); clients must take both. */
  instagramTokenResponse: 'data' | 'flat' = 'data';
  /** The app's webhook callback URL (App Dashboard → Webhooks); the sandbox page delivers there. */
  webhookCallbackUrl: string | undefined;
  /** App-level webhook subscriptions per app id, then per object (routes/app-subscriptions.ts). */
  readonly appSubscriptions = new Map<string, Map<string, AppSubscription>>();
  /** What customers wrote on the sandbox page, with the callback's answer (newest last). */
  readonly customerMessages: CustomerMessage[] = [];
  /**
   * What the business sent through the Send APIs (`/{phone-number-id}/messages`, `/me/messages`;
   * newest last, the last 1000). Only accepted messages: a body Meta rejects, or a send over a rate
   * limit, is not here. `at` is the acceptance time (emulator clock, ms).
   */
  readonly businessMessages: BusinessMessage[] = [];
  /**
   * Whether an accepted send is followed by its webhook, as Meta does: a signed `statuses` webhook
   * with `status: 'sent'` for WhatsApp (reference §2.5), an `is_echo` message for Instagram (§3.2).
   * Off by default so tests that count what the service forwards see only what they caused.
   */
  sendStatusWebhooks: boolean;
  /** The status/echo webhooks that followed sends, with the callback's answer (the last 1000). */
  readonly sendWebhooks: SendWebhookDelivery[] = [];
  /** Customer-service windows, status sequences, failing and blocking recipients, register counts. */
  readonly messaging: MessagingState;
  /** Per phone number messages/s overrides (`setThroughput`); others get `DEFAULT_WHATSAPP_THROUGHPUT`. */
  readonly throughput = new Map<string, number>();
  pairRate: PairRate = { ...DEFAULT_PAIR_RATE };
  instagramSendRate: InstagramSendRate = { ...DEFAULT_INSTAGRAM_SEND_RATE };
  /** Rate-limit key → acceptance times (ms) within the last second. */
  private readonly sendWindows = new Map<string, number[]>();
  /** `<phone number id>:<recipient>` → GCRA theoretical arrival time (ms). */
  private readonly pairArrivals = new Map<string, number>();
  private readonly pendingWebhooks = new Set<Promise<void>>();
  /** Templates, business profiles, uploads, Instagram customers and CDN files (catalog-state.ts). */
  readonly catalog: CatalogState = new CatalogState(this);
  private readonly initialSendStatusWebhooks: boolean;

  constructor(
    private readonly clock: () => Date,
    options: EmulatorStateOptions = {},
  ) {
    this.appSecret = options.appSecret;
    this.requireAppSecretProof = options.requireAppSecretProof ?? false;
    this.webhookCallbackUrl = options.webhookCallbackUrl;
    this.initialSendStatusWebhooks = options.sendStatusWebhooks ?? false;
    this.sendStatusWebhooks = this.initialSendStatusWebhooks;
    this.messaging = new MessagingState(clock, options.messagingWindows ?? false);
    const meta = options.metaApp ?? {};
    this.metaApp = {
      id: meta.id ?? DEV_META_APP_ID,
      secret: meta.secret ?? options.appSecret ?? 'emulator-meta-app-secret',
      name: meta.name ?? 'Emulator Meta App',
      redirectUris: meta.redirectUris,
      configs: new Map(
        Object.entries(meta.configs ?? { [DEV_WHATSAPP_CONFIG_ID]: 'whatsapp_embedded_signup', [DEV_INSTAGRAM_CONFIG_ID]: 'instagram_facebook_login' }),
      ),
    };
    const ig = options.instagramApp ?? {};
    this.instagramApp = {
      id: ig.id ?? DEV_INSTAGRAM_APP_ID,
      secret: ig.secret ?? 'emulator-instagram-app-secret',
      name: ig.name ?? 'Emulator Instagram App',
      redirectUris: ig.redirectUris,
    };
    this.installSandbox();
  }

  now(): Date {
    return this.clock();
  }

  /** With an app secret, `appsecret_proof` is verified whenever sent; `required` also rejects calls without it. */
  setAppSecret(secret: string | undefined, opts: { required?: boolean } = {}): void {
    this.appSecret = secret;
    this.requireAppSecretProof = opts.required ?? false;
  }

  issueToken(grant: TokenGrant): string {
    // Meta access tokens are opaque and long: Facebook's start with "EAAG", Instagram Login's with
    // "IGAA"; ours only need to look the part.
    const prefix = platformOf(grant.kind) === 'instagram' ? 'IGAA' : 'EAAG';
    const token = `${prefix}${randomBytes(60).toString('base64url').replace(/[-_]/g, '')}`;
    this.tokens.set(token, {
      token,
      kind: grant.kind,
      scopes: grant.scopes ? [...grant.scopes] : undefined,
      expiresAt: grant.expiresAt ?? null,
      assets: grant.assets ? [...grant.assets] : undefined,
      issuedAt: this.now(),
      appId: grant.appId,
      userId: grant.userId,
      granularScopes: grant.granularScopes?.map((g) => ({ scope: g.scope, ...(g.targetIds ? { targetIds: [...g.targetIds] } : {}) })),
      longLived: grant.longLived ?? false,
      profileId: grant.profileId,
    });
    return token;
  }

  /** Moves a token's expiry (null = never); the next call with it fails with 190/463 once past. */
  setTokenExpiry(token: string, expiresAt: Date | null): void {
    const record = this.tokens.get(token);
    if (!record) throw new Error('unknown token');
    record.expiresAt = expiresAt;
  }

  /** The token then fails with 190 and this subcode (default 467, invalid session). */
  revokeToken(token: string, subcode: RevokeSubcode = 467): void {
    const record = this.tokens.get(token);
    if (!record) throw new Error('unknown token');
    record.revoked = subcode;
  }

  appsecretProofFor(token: string): string | undefined {
    return this.appSecret ? createHmac('sha256', this.appSecret).update(token).digest('hex') : undefined;
  }

  checkAppsecretProof(token: string, proof: string | undefined): RecordedRequest['appsecretProof'] {
    if (proof === undefined) return 'absent';
    const expected = this.appsecretProofFor(token);
    if (expected === undefined) return 'unchecked';
    const given = Buffer.from(proof, 'utf8');
    const wanted = Buffer.from(expected, 'utf8');
    return given.length === wanted.length && timingSafeEqual(given, wanted) ? 'valid' : 'invalid';
  }

  /**
   * Stores media as if a customer had sent it (a webhook media id, 7 days) or it had been uploaded
   * (`ttlDays: 30`). Returns the media id.
   */
  addMedia(bytes: Buffer | Uint8Array, mimeType: string, opts: { phoneNumberId?: string; ttlDays?: number; expiresAt?: Date } = {}): string {
    const id = this.newId();
    const createdAt = this.now();
    const buffer = Buffer.from(bytes);
    this.media.set(id, {
      id,
      bytes: buffer,
      mimeType,
      sha256: createHash('sha256').update(buffer).digest('hex'),
      phoneNumberId: opts.phoneNumberId,
      createdAt,
      expiresAt: opts.expiresAt ?? new Date(createdAt.getTime() + (opts.ttlDays ?? 7) * DAY_MS),
    });
    return id;
  }

  /** Live media only: expired entries behave as if they never existed. */
  getMedia(id: string): MediaRecord | undefined {
    const record = this.media.get(id);
    return record && record.expiresAt.getTime() > this.now().getTime() ? record : undefined;
  }

  injectFault(fault: Fault): void {
    this.faults.push({ ...fault, remaining: fault.times ?? 1 });
  }

  /** Takes (and counts down) the first fault matching the request; `afterSend` faults are left to takeAfterSendFault. */
  takeFault(method: string, path: string, host: EmulatedHost = 'graph.facebook.com'): Fault | undefined {
    return this.takeMatching(method, path, host, false);
  }

  /** Takes (and counts down) the first `afterSend` fault matching an accepted Send API call. */
  takeAfterSendFault(method: string, path: string, host: EmulatedHost = 'graph.facebook.com'): (Fault & { afterSend: AfterSendMode }) | undefined {
    return this.takeMatching(method, path, host, true) as (Fault & { afterSend: AfterSendMode }) | undefined;
  }

  private takeMatching(method: string, path: string, host: EmulatedHost, afterSend: boolean): Fault | undefined {
    const index = this.faults.findIndex(
      (f) =>
        f.remaining > 0 &&
        (f.afterSend !== undefined) === afterSend &&
        (f.method === undefined || f.method.toUpperCase() === method) &&
        (f.host === undefined || f.host === host) &&
        (f.path === undefined || (typeof f.path === 'string' ? f.path === path : f.path.test(path))),
    );
    if (index < 0) return undefined;
    const fault = this.faults[index]!;
    fault.remaining -= 1;
    if (fault.remaining <= 0) this.faults.splice(index, 1);
    return fault;
  }

  /** Messages per second the number may send (WA-TPUT: 80 by default, up to 1000; 20 for coexistence numbers). */
  setThroughput(phoneNumberId: string, perSecond: number): void {
    if (!(perSecond > 0)) throw new Error('throughput must be positive');
    this.throughput.set(phoneNumberId, perSecond);
  }

  throughputOf(phoneNumberId: string): number {
    return this.throughput.get(phoneNumberId) ?? DEFAULT_WHATSAPP_THROUGHPUT;
  }

  /** The per-(number, recipient) rate for every number (default `DEFAULT_PAIR_RATE`). */
  setPairRate(rate: PairRate): void {
    if (!(rate.intervalMs > 0) || !(rate.burst >= 1)) throw new Error('pair rate needs intervalMs > 0 and burst >= 1');
    this.pairRate = { ...rate };
  }

  /** Instagram Send API calls per second per account (default `DEFAULT_INSTAGRAM_SEND_RATE`). */
  setInstagramSendRate(rate: Partial<InstagramSendRate>): void {
    this.instagramSendRate = { ...this.instagramSendRate, ...rate };
  }

  /**
   * Admits a WhatsApp message now, or says which limit it hits: the number's throughput (a sliding
   * one-second window over accepted messages, error 130429), then the pair rate (GCRA, error 131056).
   * Only an admitted message counts against either limit.
   */
  admitWhatsAppSend(phoneNumberId: string, recipient: string): SendLimitHit | undefined {
    const now = this.now().getTime();
    const windowKey = `wa:${phoneNumberId}`;
    if (this.inWindow(windowKey, now) >= this.throughputOf(phoneNumberId)) return 'throughput';
    // GCRA: the theoretical arrival time moves one interval per message; a burst of N means it may run
    // (N - 1) intervals ahead of the clock.
    const pairKey = `${phoneNumberId}:${recipient}`;
    const { intervalMs, burst } = this.pairRate;
    const tat = Math.max(this.pairArrivals.get(pairKey) ?? now, now);
    if (tat - now > (burst - 1) * intervalMs) return 'pair_rate';
    this.pairArrivals.set(pairKey, tat + intervalMs);
    if (this.pairArrivals.size > 10_000) {
      for (const [key, at] of this.pairArrivals) if (at <= now) this.pairArrivals.delete(key);
    }
    this.sendWindows.get(windowKey)!.push(now);
    return undefined;
  }

  /** Admits an Instagram Send API call now (true), within its account's calls/s (audio and video have their own, lower rate). */
  admitInstagramSend(accountId: string, media: boolean): boolean {
    const now = this.now().getTime();
    const key = `ig:${accountId}:${media ? 'media' : 'other'}`;
    const limit = media ? this.instagramSendRate.mediaPerSecond : this.instagramSendRate.perSecond;
    if (this.inWindow(key, now) >= limit) return false;
    this.sendWindows.get(key)!.push(now);
    return true;
  }

  /** Accepted sends under `key` in the last second, (now - 1000 ms, now]; drops older ones. */
  private inWindow(key: string, now: number): number {
    let times = this.sendWindows.get(key);
    if (!times) {
      times = [];
      this.sendWindows.set(key, times);
    }
    let drop = 0;
    while (drop < times.length && times[drop]! <= now - 1000) drop += 1;
    if (drop > 0) times.splice(0, drop);
    return times.length;
  }

  /** Logs a status/echo webhook and keeps its delivery in view of `webhooksSettled()`. */
  trackSendWebhook(delivery: Promise<SendWebhookDelivery>): void {
    const pending: Promise<void> = delivery.then(
      (d) => {
        this.sendWebhooks.push(d);
        if (this.sendWebhooks.length > 1000) this.sendWebhooks.splice(0, this.sendWebhooks.length - 1000);
      },
      // deliverWebhook reports failures in its outcome; anything else is an emulator bug not worth a crash.
      () => undefined,
    ).finally(() => this.pendingWebhooks.delete(pending));
    this.pendingWebhooks.add(pending);
  }

  /** Resolves once every status/echo webhook started so far was answered, failed or skipped. */
  async webhooksSettled(): Promise<void> {
    while (this.pendingWebhooks.size > 0) await Promise.allSettled([...this.pendingWebhooks]);
  }

  /** 16-digit numeric ids, like Meta's media / phone number / WABA ids. */
  newId(): string {
    for (;;) {
      // randomInt's range is capped at 2^48, so the 15 random digits come in two draws.
      const id = `${randomInt(1, 10)}${String(randomInt(0, 1e8)).padStart(8, '0')}${String(randomInt(0, 1e7)).padStart(7, '0')}`;
      if (!this.issuedIds.has(id)) {
        this.issuedIds.add(id);
        return id;
      }
    }
  }

  /**
   * Template ids: 16 digits, but below 2^53, because Meta's template webhooks carry
   * `message_template_id` as a JSON number, which any JSON parser reads exactly only up to 2^53.
   */
  newTemplateId(): string {
    for (;;) {
      const id = this.newId();
      if (Number.isSafeInteger(Number(id))) return id;
    }
  }

  /** Instagram professional account ids: 17 digits starting `1784` (reference §10). */
  newInstagramId(): string {
    for (;;) {
      const id = `1784${String(randomInt(0, 1e7)).padStart(7, '0')}${String(randomInt(0, 1e6)).padStart(6, '0')}`;
      if (!this.issuedIds.has(id)) {
        this.issuedIds.add(id);
        return id;
      }
    }
  }

  /**
   * Replaces what the person behind `flow`'s dialog can grant, creating the WABAs and numbers, pages
   * and Instagram accounts it names (ids are generated where not given). Returns the ids.
   */
  configureGrant(spec: GrantSpec): ConfiguredGrant {
    const grant: ConfiguredGrant = { flow: spec.flow, userId: '', assetIds: [], wabaIds: [], phoneNumberIds: [], pageIds: [], instagramAccountIds: [] };
    if (spec.flow === 'whatsapp_embedded_signup') {
      grant.userId = spec.userId ?? this.newId();
      for (const [i, w] of spec.assets.entries()) {
        const waba: WabaRecord = {
          id: w.id ?? this.newId(),
          name: w.name ?? `Emulator WABA ${i + 1}`,
          businessId: w.businessId ?? this.newId(),
          phoneNumberIds: [],
          subscriptions: new Map(),
        };
        for (const [j, n] of (w.phoneNumbers ?? [{}]).entries()) {
          const number: PhoneNumberRecord = {
            id: n.id ?? this.newId(),
            wabaId: waba.id,
            displayPhoneNumber: n.displayPhoneNumber ?? `+1 555-${String(randomInt(100, 1000))}-${String(randomInt(1000, 10000))}`,
            verifiedName: n.verifiedName ?? (j === 0 ? waba.name.replace('WABA', 'Business') : `${waba.name.replace('WABA', 'Business')} ${j + 1}`),
            codeVerificationStatus: n.codeVerificationStatus ?? 'VERIFIED',
            qualityRating: n.qualityRating ?? 'GREEN',
            nameStatus: n.nameStatus ?? 'APPROVED',
            platformType: n.platformType ?? 'CLOUD_API',
            throughputLevel: n.throughputLevel ?? 'STANDARD',
            accountMode: n.accountMode ?? 'LIVE',
            registered: n.registered ?? n.onBizApp ?? false,
            pin: n.pin,
            onBizApp: n.onBizApp ?? false,
          };
          this.phoneNumbers.set(number.id, number);
          waba.phoneNumberIds.push(number.id);
          grant.phoneNumberIds.push(number.id);
        }
        this.wabas.set(waba.id, waba);
        grant.wabaIds.push(waba.id);
      }
      grant.assetIds = [...grant.wabaIds];
    } else if (spec.flow === 'instagram_facebook_login') {
      grant.userId = spec.userId ?? this.newId();
      for (const [i, p] of spec.assets.entries()) {
        const page: PageRecord = { id: p.id ?? this.newId(), name: p.name ?? `Emulator Page ${i + 1}`, tasks: [...(p.tasks ?? ALL_PAGE_TASKS)], instagramAccountId: undefined, subscriptions: new Map() };
        if (p.instagram !== null) {
          const ig = p.instagram ?? {};
          const account: InstagramAccountRecord = {
            id: ig.id ?? this.newInstagramId(),
            username: ig.username ?? `emulator_page_${i + 1}`,
            name: ig.name ?? page.name,
            pageId: page.id,
            appScopedId: this.newId(),
            loginSubscription: undefined,
          };
          this.instagramAccounts.set(account.id, account);
          page.instagramAccountId = account.id;
          grant.instagramAccountIds.push(account.id);
        }
        this.pages.set(page.id, page);
        grant.pageIds.push(page.id);
      }
      grant.assetIds = [...grant.pageIds];
    } else {
      if (spec.assets.length !== 1) throw new Error('Instagram Login grants exactly one account');
      const a = spec.assets[0];
      const account: InstagramAccountRecord = {
        id: a.id ?? this.newInstagramId(),
        username: a.username ?? 'emulator_business',
        name: a.name ?? 'Emulator Business',
        pageId: undefined,
        appScopedId: a.appScopedId ?? this.newId(),
        loginSubscription: undefined,
      };
      this.instagramAccounts.set(account.id, account);
      grant.userId = account.appScopedId;
      grant.instagramAccountIds.push(account.id);
      grant.assetIds = [account.id];
    }
    this.grants.set(spec.flow, grant);
    return grant;
  }

  grantFor(flow: EmulatedFlow): ConfiguredGrant {
    return this.grants.get(flow)!;
  }

  /** A single-use code for what the person granted, bound to the redirect URI (reference §4.1–4.3). */
  issueCode(input: { flow: EmulatedFlow; appId: string; redirectUri: string; userId: string; assetIds: string[] }): AuthorizationCode {
    // Meta's codes are long opaque strings starting "AQ".
    const code = `AQ${randomBytes(96).toString('base64url')}`;
    const issuedAt = this.now();
    const record: AuthorizationCode = { code, ...input, issuedAt, expiresAt: new Date(issuedAt.getTime() + this.codeTtlSeconds[input.flow] * 1000) };
    this.codes.set(code, record);
    return record;
  }

  /**
   * Simulates Meta unsubscribing the app (Instagram/Messenger after an hour of failed webhooks, or a
   * change in WhatsApp Manager). `assetId`: a WABA or phone number id, a page or its Instagram account
   * id, or an Instagram-Login account id. Every app's subscription on that object is removed.
   */
  dropSubscription(assetId: string): void {
    const target = this.subscriptionTarget(assetId);
    if (target.kind === 'waba') target.waba.subscriptions.clear();
    else if (target.kind === 'page') target.page.subscriptions.clear();
    else target.account.loginSubscription = undefined;
  }

  /** Whether `appId` (default: the flow's app) is subscribed to the object `assetId` resolves to (see dropSubscription). */
  isSubscribed(assetId: string, appId?: string): boolean {
    const target = this.subscriptionTarget(assetId);
    if (target.kind === 'waba') return target.waba.subscriptions.has(appId ?? this.metaApp.id);
    if (target.kind === 'page') return target.page.subscriptions.has(appId ?? this.metaApp.id);
    return target.account.loginSubscription !== undefined;
  }

  private subscriptionTarget(
    assetId: string,
  ): { kind: 'waba'; waba: WabaRecord } | { kind: 'page'; page: PageRecord } | { kind: 'instagram_login'; account: InstagramAccountRecord } {
    const waba = this.wabas.get(assetId) ?? this.wabas.get(this.phoneNumbers.get(assetId)?.wabaId ?? '');
    if (waba) return { kind: 'waba', waba };
    const account = this.instagramAccounts.get(assetId);
    const page = this.pages.get(assetId) ?? this.pages.get(account?.pageId ?? '');
    if (page) return { kind: 'page', page };
    if (account) return { kind: 'instagram_login', account };
    throw new Error(`no WABA, phone number, page or Instagram account ${assetId}`);
  }

  /** One WABA with one number, one page with an Instagram account, one Instagram-Login account. */
  private installSandbox(): void {
    this.configureGrant({ flow: 'whatsapp_embedded_signup', assets: [{ name: 'Emulator Sandbox WABA', phoneNumbers: [{ verifiedName: 'Emulator Sandbox' }] }] });
    this.configureGrant({ flow: 'instagram_facebook_login', assets: [{ name: 'Emulator Sandbox Page', instagram: { username: 'emulator_sandbox' } }] });
    this.configureGrant({ flow: 'instagram_login', assets: [{ username: 'emulator_business', name: 'Emulator Business' }] });
  }

  /** Forgets everything the tests did and reinstalls the default sandbox; the apps stay configured. */
  reset(): void {
    this.tokens.clear();
    this.media.clear();
    this.requests.length = 0;
    this.faults.length = 0;
    this.wabas.clear();
    this.phoneNumbers.clear();
    this.pages.clear();
    this.instagramAccounts.clear();
    this.grants.clear();
    this.codes.clear();
    this.pageTokens.clear();
    this.customerMessages.length = 0;
    this.businessMessages.length = 0;
    this.sendWebhooks.length = 0;
    this.sendStatusWebhooks = this.initialSendStatusWebhooks;
    this.messaging.reset();
    this.throughput.clear();
    this.pairRate = { ...DEFAULT_PAIR_RATE };
    this.instagramSendRate = { ...DEFAULT_INSTAGRAM_SEND_RATE };
    this.sendWindows.clear();
    this.pairArrivals.clear();
    this.lifetimes = { ...DEFAULT_LIFETIMES };
    this.codeTtlSeconds = { ...DEFAULT_CODE_TTL_SECONDS };
    this.dialogBehaviour = 'consent_page';
    this.instagramTokenResponse = 'data';
    this.catalog.reset();
    this.installSandbox();
  }
}
