import { createHmac } from 'node:crypto';
import type { Logger } from '../../logger.js';
import { appToken, ConnectorError, exchanged, expiresAtFrom, withQuery } from '../connector-common.js';
import type { ChannelConnector, DiscoveredAsset, ExchangedToken, StoredAsset, TokenInspection } from '../connectors.js';
import { MetaApiError } from '../graph/errors.js';
import type { GraphOAuth } from '../oauth.js';
import type { WhatsAppCloudApi, WhatsAppPhoneNumber } from './cloud-api.js';
import { REGISTRATION_WAIT_MS, registrationDecision } from './registration.js';

export interface WhatsAppEmbeddedSignupDeps {
  oauth: GraphOAuth;
  cloud: WhatsAppCloudApi;
  /** Graph version, also in the dialog path. */
  version: string;
  /** `https://www.facebook.com` (emulator: `<emu>/www.facebook.com`). */
  dialogBaseUrl: string;
  app: { appId: string; appSecret: string; configId: string };
  /** The two-step verification PIN to register numbers with; undefined: derived per number. */
  registrationPin?: string;
  clock: () => Date;
  log?: Logger;
}

const MANAGEMENT_SCOPE = 'whatsapp_business_management';

/**
 * WhatsApp Embedded Signup, redirect variant (reference §4.2): the `dialog/oauth` URL with the
 * Embedded Signup configuration and `extras`, the code sent to our redirect URI. Without the JS SDK's
 * session info the WABA comes from `debug_token`'s granular scopes and the numbers from the WABA
 * (§5.1). Activation subscribes our app to the WABA and registers the number where it needs it
 * (registration.ts): never a number already on Cloud API or on the WhatsApp Business app, and with
 * the person's PIN when the number has two-step verification.
 */
export function whatsappEmbeddedSignupConnector(deps: WhatsAppEmbeddedSignupDeps): ChannelConnector {
  const { oauth, cloud, app } = deps;

  /**
   * For a number without two-step verification, whose first registration sets the PIN (P3): the
   * configured PIN, else one derived from the app secret and the number, stable across activity
   * retries (a fresh random PIN on a retried registration would collide with the PIN the first one
   * set, error 133005) and as unguessable as the app secret.
   */
  function pinFor(phoneNumberId: string): string {
    if (deps.registrationPin) return deps.registrationPin;
    const digest = createHmac('sha256', app.appSecret).update(`whatsapp-registration-pin:${phoneNumberId}`).digest();
    return String(digest.readUIntBE(0, 6) % 1_000_000).padStart(6, '0');
  }

  function requireWaba(asset: { wabaId?: string | null | undefined }): string {
    if (!asset.wabaId) throw new ConnectorError('asset_incomplete', 'The WhatsApp number is missing its WhatsApp Business Account');
    return asset.wabaId;
  }

  return {
    flow: 'whatsapp_embedded_signup',

    dialogUrl({ state, redirectUri }) {
      return withQuery(`${deps.dialogBaseUrl}/${deps.version}/dialog/oauth`, {
        client_id: app.appId,
        redirect_uri: redirectUri,
        state,
        config_id: app.configId,
        response_type: 'code',
        override_default_response_type: 'true',
        extras: JSON.stringify({ setup: {} }),
      });
    },

    async exchangeCode({ code, redirectUri }): Promise<ExchangedToken> {
      // The dialog was opened with a redirect_uri, so the exchange must repeat it (reference §4.1).
      const response = await oauth.exchangeCode({ appId: app.appId, appSecret: app.appSecret, code, redirectUri });
      return exchanged(response.accessToken, 'business_system_user', expiresAtFrom(response, deps.clock()));
    },

    async discoverAssets(token): Promise<DiscoveredAsset[]> {
      const info = await oauth.debugToken({ inputToken: token.accessToken, appToken: appToken(app) });
      if (!info.isValid) throw new ConnectorError('token_invalid', 'Meta reports the new business token as invalid');
      const targets = info.granularScopes.find((g) => g.scope === MANAGEMENT_SCOPE)?.targetIds ?? [];
      // Newest first (reference §4.7): the just-onboarded WABA leads.
      const wabaIds = [...new Set(targets)];
      if (wabaIds.length === 0) {
        throw new ConnectorError('no_waba_granted', 'Meta did not report which WhatsApp Business Account was shared');
      }
      const assets: DiscoveredAsset[] = [];
      for (const wabaId of wabaIds) {
        const numbers = await cloud.listPhoneNumbers(token.accessToken, wabaId);
        for (const number of numbers) assets.push(assetOf(number, wabaId, info.userId, token));
      }
      deps.log?.info({ flow: 'whatsapp_embedded_signup', wabaCount: wabaIds.length, assetCount: assets.length }, 'assets discovered');
      return assets;
    },

    async activate(asset, options = {}) {
      const wabaId = requireWaba(asset);
      const token = asset.token.accessToken;
      await cloud.subscribeApp(token, wabaId);
      const number = await cloud.getPhoneNumber(token, asset.externalId);
      // A deployment-wide PIN (WHATSAPP_REGISTRATION_PIN) is tried for a number with two-step verification too.
      const decision = registrationDecision(number, { pinGiven: options.pin !== undefined || deps.registrationPin !== undefined });
      deps.log?.info({ flow: 'whatsapp_embedded_signup', registration: decision.action === 'skip' ? decision.reason : decision.action }, 'registration decided');
      if (decision.action === 'skip') return;
      if (decision.action === 'ask_pin') throw pinRequired(false);
      try {
        await cloud.registerPhoneNumber(token, asset.externalId, options.pin ?? pinFor(asset.externalId));
      } catch (err) {
        throw registrationFailure(err, options.pin !== undefined);
      }
    },

    async inspectToken(accessToken): Promise<TokenInspection> {
      const info = await oauth.debugToken({ inputToken: accessToken, appToken: appToken(app) });
      return { valid: info.isValid, expiresAt: info.expiresAt, ...(info.errorCode === undefined ? {} : { errorCode: info.errorCode }) };
    },

    async ensureSubscribed(asset: StoredAsset, accessToken: string) {
      const wabaId = requireWaba(asset);
      const apps = await cloud.listSubscribedApps(accessToken, wabaId);
      if (apps.some((a) => a.appId === app.appId)) return false;
      await cloud.subscribeApp(accessToken, wabaId);
      return true;
    },

    async unsubscribe(asset: StoredAsset, accessToken: string) {
      await cloud.unsubscribeApp(accessToken, requireWaba(asset));
    },
  };
}

function assetOf(number: WhatsAppPhoneNumber, wabaId: string, metaUserId: string | undefined, token: ExchangedToken): DiscoveredAsset {
  return {
    externalId: number.id,
    displayName: number.verifiedName ?? number.displayPhoneNumber ?? number.id,
    ...(number.displayPhoneNumber ? { phoneNumber: number.displayPhoneNumber } : {}),
    wabaId,
    ...(metaUserId ? { metaUserId } : {}),
    verification: {
      code_verification_status: number.codeVerificationStatus ?? null,
      quality_rating: number.qualityRating ?? null,
      name_status: number.nameStatus ?? null,
      platform_type: number.platformType ?? null,
      throughput_level: number.throughputLevel ?? null,
      account_mode: number.accountMode ?? null,
    },
    token,
  };
}

/**
 * The number's own PIN is needed (P3, P5): the connect page asks the person for it. `wrong`: the PIN
 * they gave did not match.
 */
function pinRequired(wrong: boolean): ConnectorError {
  return new ConnectorError(
    'whatsapp_pin_required',
    wrong
      ? "That PIN does not match this number's two-step verification PIN. Enter the PIN set for this number, or reset it in WhatsApp Manager."
      : 'This number has two-step verification: enter its six-digit PIN to finish connecting.',
  );
}

/**
 * Registration errors (reference §5.1, P5–P7) that need a person or a wait, named; everything else
 * stays a Meta error. A wait is the workflow's, on a timer: retrying sooner spends the number's
 * register calls and, after 133016, extends the block.
 */
function registrationFailure(err: unknown, personsPin: boolean): unknown {
  if (!(err instanceof MetaApiError)) return err;
  switch (err.code) {
    case 133005:
      return pinRequired(personsPin);
    case 133008:
    case 133009:
      return new ConnectorError('whatsapp_pin_locked', 'Too many two-step verification PIN attempts for this number; try again later');
    case 133016:
      return new ConnectorError('whatsapp_registration_limited', 'Meta blocks registration of this number for up to 72 hours after too many attempts; the connection completes by itself afterwards', { waitMs: REGISTRATION_WAIT_MS[133016]! });
    case 133015:
      return new ConnectorError('whatsapp_registration_pending', 'The number was deleted recently; Meta asks to wait a few minutes before registering it again, and the connection completes by itself afterwards', { waitMs: REGISTRATION_WAIT_MS[133015]! });
    default:
      return err;
  }
}
