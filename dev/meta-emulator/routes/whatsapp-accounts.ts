import Router from '@koa/router';
import type Koa from 'koa';
import type { EmulatorContext } from '../context.js';
import { authenticate, canAccess, GraphError, graphErrors, paginate, parseFields, pickFields, requestParams, requireScope, VERSION_SEGMENT } from '../graph.js';
import type { PhoneNumberRecord, WabaRecord } from '../scenario.js';
import type { TokenRecord } from '../state.js';

/**
 * WhatsApp Business Account onboarding (reference §5.1): `GET /{waba}/phone_numbers`, `GET /{phone-number}`,
 * `GET|POST|DELETE /{waba}/subscribed_apps` and `POST /{phone-number}/register`. Ids this module does
 * not know fall through to other modules (pages share the subscribed_apps path).
 *
 * Registration as Meta enforces it (docs/meta-behaviours.md P1–P7, C5): a number with two-step
 * verification registers only with its own PIN (133005); at most 10 register calls per number in 72 h
 * (the 11th: 133016); a number on the WhatsApp Business app (coexistence) is registered by the app.
 */

const MANAGEMENT_SCOPE = 'whatsapp_business_management';
const DEFAULT_NUMBER_FIELDS = new Map<string, undefined>(
  ['verified_name', 'code_verification_status', 'display_phone_number', 'quality_rating', 'platform_type', 'throughput', 'last_onboarded_time', 'id'].map((f) => [f, undefined]),
);

export function whatsappAccountRoutes(emu: EmulatorContext): Router {
  const { state } = emu;
  const router = new Router();

  function wabaFor(ctx: Koa.Context & { params: Record<string, string> }): WabaRecord | undefined {
    return VERSION_SEGMENT.test(ctx.params.version!) ? state.wabas.get(ctx.params.id!) : undefined;
  }

  function authorized(ctx: Koa.Context, objectId: string): TokenRecord {
    const record = authenticate(ctx, state);
    if (!canAccess(record, objectId)) throw new GraphError(graphErrors.objectNotFound(ctx.method, objectId));
    requireScope(record, MANAGEMENT_SCOPE);
    return record;
  }

  router.get('/:version/:id', async (ctx, next) => {
    const number = VERSION_SEGMENT.test(ctx.params.version!) ? state.phoneNumbers.get(ctx.params.id!) : undefined;
    if (!number) return next();
    authorized(ctx, number.id);
    const fields = parseFields((await requestParams(ctx)).get('fields')) ?? DEFAULT_NUMBER_FIELDS;
    ctx.body = pickFields(numberJson(number), fields);
  });

  router.get('/:version/:id/phone_numbers', async (ctx, next) => {
    const waba = wabaFor(ctx);
    if (!waba) return next();
    authorized(ctx, waba.id);
    const params = await requestParams(ctx);
    const fields = parseFields(params.get('fields')) ?? DEFAULT_NUMBER_FIELDS;
    const rows = waba.phoneNumberIds.map((id) => pickFields(numberJson(state.phoneNumbers.get(id)!), fields));
    ctx.body = paginate(ctx, rows, params);
  });

  router.get('/:version/:id/subscribed_apps', async (ctx, next) => {
    const waba = wabaFor(ctx);
    if (!waba) return next();
    authorized(ctx, waba.id);
    ctx.body = {
      data: [...waba.subscriptions].map(([appId, sub]) => ({
        whatsapp_business_api_data: { id: appId, link: `https://www.facebook.com/games/?app_id=${appId}`, name: appId === state.metaApp.id ? state.metaApp.name : 'Other App' },
        ...(sub.overrideCallbackUri ? { override_callback_uri: sub.overrideCallbackUri } : {}),
      })),
    };
  });

  router.post('/:version/:id/subscribed_apps', async (ctx, next) => {
    const waba = wabaFor(ctx);
    if (!waba) return next();
    const record = authorized(ctx, waba.id);
    const params = await requestParams(ctx);
    const override = params.get('override_callback_uri');
    if (override !== null && !/^https:\/\//.test(override)) throw new GraphError(graphErrors.invalidParam('override_callback_uri must be an https URL'));
    waba.subscriptions.set(record.appId ?? state.metaApp.id, override ? { overrideCallbackUri: override } : {});
    ctx.body = { success: true };
  });

  router.delete('/:version/:id/subscribed_apps', async (ctx, next) => {
    const waba = wabaFor(ctx);
    if (!waba) return next();
    const record = authorized(ctx, waba.id);
    waba.subscriptions.delete(record.appId ?? state.metaApp.id);
    ctx.body = { success: true };
  });

  router.post('/:version/:id/register', async (ctx, next) => {
    const number = VERSION_SEGMENT.test(ctx.params.version!) ? state.phoneNumbers.get(ctx.params.id!) : undefined;
    if (!number) return next();
    authorized(ctx, number.id);
    const params = await requestParams(ctx);
    const product = params.get('messaging_product');
    if (product === null) throw new GraphError(graphErrors.missingParam('messaging_product'));
    if (product !== 'whatsapp') throw new GraphError(graphErrors.invalidParam('Param messaging_product must be "whatsapp"'));
    const pin = params.get('pin');
    if (pin === null) throw new GraphError(graphErrors.missingParam('pin'));
    if (!/^\d{6}$/.test(pin)) throw new GraphError(graphErrors.invalidParam('Param pin must be 6 characters long.'));
    // P6: every call counts, refused ones too; the 11th in 72 h is refused and so are the next ones.
    if (!state.messaging.admitRegister(number.id)) throw new GraphError(REGISTER_RATE_ERROR);
    // C5 ⚠ the code and wording are ours: Chatwoot reports only that /register "is not available" for such numbers.
    if (number.onBizApp) throw new GraphError(graphErrors.invalidParam('Registration is not available for a number on the WhatsApp Business app (coexistence)'));
    // A number with two-step verification only registers with its PIN (reference §5.1, WA-ERR 133005).
    if (number.pin !== undefined && number.pin !== pin) {
      throw new GraphError({ code: 133005, message: 'Two step verification PIN Mismatch', type: 'OAuthException' });
    }
    number.pin = pin;
    number.registered = true;
    ctx.body = { success: true };
  });

  return router;
}

/** WA-REG-REF row 133016 (P6). */
const REGISTER_RATE_ERROR = {
  code: 133016,
  message: '(#133016) Account register deregister rate limit exceeded',
  errorData: { messaging_product: 'whatsapp', details: 'Registration or Deregistration failed because there were too many attempts for this phone number in a short period of time' },
};

/**
 * `GET /{phone-number-id}` (fields per restfb's recorded full answer, graph/wa-phone-number-full.json):
 * `status` CONNECTED once registered, `is_pin_enabled` with two-step verification, `is_on_biz_app` for
 * coexistence numbers (P2, P4, C5).
 */
function numberJson(n: PhoneNumberRecord): Record<string, unknown> {
  return {
    id: n.id,
    display_phone_number: n.displayPhoneNumber,
    verified_name: n.verifiedName,
    code_verification_status: n.codeVerificationStatus,
    quality_rating: n.qualityRating,
    name_status: n.nameStatus,
    platform_type: n.platformType,
    throughput: { level: n.throughputLevel },
    account_mode: n.accountMode,
    status: n.registered ? 'CONNECTED' : 'PENDING',
    is_pin_enabled: n.pin !== undefined,
    is_on_biz_app: n.onBizApp,
    last_onboarded_time: '2026-09-01T12:00:00+0000',
  };
}
