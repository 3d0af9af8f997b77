import { z } from 'zod';
import { PAGE_SUBSCRIBED_FIELDS } from './instagram/facebook-login.js';
import { INSTAGRAM_SUBSCRIBED_FIELDS } from './instagram/login-api.js';

/**
 * `npm run doctor`'s Meta half: checks a production configuration against Meta itself and says what
 * is missing, in the words of docs/deploy.md. What Meta's API can show is checked (app id and secret
 * through an app access token, the token through debug_token, webhook subscriptions with their
 * callback URL and fields); what it cannot (OAuth redirect URIs, deauthorize and data-deletion URLs,
 * the Embedded Signup configuration's contents) is printed as a manual step with the exact value.
 */

export type FindingLevel = 'ok' | 'error' | 'warning' | 'manual';
export interface Finding {
  level: FindingLevel;
  check: string;
  detail: string;
}

/** The WhatsApp fields the service turns into events (src/meta/whatsapp/webhook.ts); `messages` is indispensable. */
export const WHATSAPP_APP_FIELDS = ['messages', 'account_update', 'message_template_status_update', 'phone_number_quality_update'] as const;

const appTokenSchema = z.object({ access_token: z.string().min(1) });
const debugSchema = z.object({ data: z.object({ is_valid: z.boolean(), app_id: z.string().optional() }) });
const subscriptionsSchema = z.object({
  data: z.array(z.object({ object: z.string(), callback_url: z.string().optional(), active: z.boolean().optional(), fields: z.array(z.union([z.string(), z.object({ name: z.string() })])).optional() })),
});
const graphErrorSchema = z.object({ error: z.object({ code: z.number().optional(), message: z.string().optional() }) });

type Fetch = typeof fetch;

/** The parts of the configuration the Meta checks read (Config satisfies it; meta/ does not import config.ts). */
export interface DoctorConfig {
  http: { publicBaseUrl: string };
  enabledFlows: readonly string[];
  meta: { appId: string | undefined; appSecrets: readonly string[]; whatsappConfigId: string | undefined; graphBaseUrl: string; graphVersion: string; graphTimeoutMs: number };
  instagram: { appId: string | undefined; appSecret: string | undefined };
}

export async function diagnoseMeta(config: DoctorConfig, fetchImpl: Fetch = fetch): Promise<Finding[]> {
  const findings: Finding[] = [];
  const add = (level: FindingLevel, check: string, detail: string) => findings.push({ level, check, detail });
  const base = config.http.publicBaseUrl;
  const callbackUrl = `${base}/webhooks/meta`;
  const graphRoot = `${config.meta.graphBaseUrl}/${config.meta.graphVersion}`;
  const flows = config.enabledFlows;

  if (flows.length === 0) add('error', 'connect flows', 'none configured: set META_APP_ID and META_CONFIG_ID (WhatsApp), and/or INSTAGRAM_APP_ID and INSTAGRAM_APP_SECRET (docs/deploy.md steps 1-3)');
  else add('ok', 'connect flows', flows.join(', '));
  if (config.meta.appId && !config.meta.whatsappConfigId) add('warning', 'WhatsApp Embedded Signup', 'META_CONFIG_ID is unset: WhatsApp numbers cannot be connected (docs/deploy.md step 3)');

  const getJson = async (url: string): Promise<{ status: number; body: unknown }> => {
    try {
      const res = await fetchImpl(url, { signal: AbortSignal.timeout(config.meta.graphTimeoutMs) });
      return { status: res.status, body: await res.json().catch(() => undefined) };
    } catch (err) {
      return { status: 0, body: { error: { message: err instanceof Error ? err.message : String(err) } } };
    }
  };
  const why = (r: { status: number; body: unknown }) => {
    const e = graphErrorSchema.safeParse(r.body);
    return e.success ? `HTTP ${r.status}, Graph error ${e.data.error.code ?? '?'}: ${e.data.error.message ?? ''}` : `HTTP ${r.status}`;
  };

  const checkApp = async (app: { label: string; id: string; secret: string; idVar: string; secretVar: string; debugToken: boolean }, expected: Array<{ object: string; fields: readonly string[]; required: readonly string[]; dashboardOnly: boolean; what: string }>) => {
    const tokenUrl = `${graphRoot}/oauth/access_token?${new URLSearchParams({ client_id: app.id, client_secret: app.secret, grant_type: 'client_credentials' })}`;
    const tokenAnswer = await getJson(tokenUrl);
    const token = appTokenSchema.safeParse(tokenAnswer.body);
    if (!token.success) {
      add('error', `${app.label}: app id and secret`, `Meta refused ${app.idVar} with ${app.secretVar} (${why(tokenAnswer)}): copy both from App Dashboard → App settings → Basic`);
      return;
    }
    add('ok', `${app.label}: app id and secret`, `app access token issued for ${app.id}`);
    const appToken = token.data.access_token;
    // graph.facebook.com's debug_token knows the Meta app; the Instagram app's token is proven by the exchange above.
    const debug = !app.debugToken ? undefined : await getJson(`${graphRoot}/debug_token?${new URLSearchParams({ input_token: appToken, access_token: appToken })}`);
    const debugged = debug && debugSchema.safeParse(debug.body);
    if (debug && debugged && (!debugged.success || !debugged.data.data.is_valid || (debugged.data.data.app_id && debugged.data.data.app_id !== app.id))) {
      add('error', `${app.label}: app token`, `debug_token does not confirm the app token (${why(debug)})`);
    }
    const subs = await getJson(`${graphRoot}/${app.id}/subscriptions?${new URLSearchParams({ access_token: appToken })}`);
    const parsed = subscriptionsSchema.safeParse(subs.body);
    if (!parsed.success) {
      add('error', `${app.label}: webhook subscriptions`, `cannot read GET /${app.id}/subscriptions (${why(subs)})`);
      return;
    }
    for (const want of expected) {
      const found = parsed.data.data.find((s) => s.object === want.object);
      const where = want.dashboardOnly ? 'in the App Dashboard (Meta offers no API for it)' : 'in the App Dashboard or with POST /{app-id}/subscriptions';
      const level: FindingLevel = want.dashboardOnly ? 'warning' : 'error';
      if (!found) {
        add(level, `${app.label}: ${want.what} webhooks`, `no "${want.object}" subscription: set callback URL ${callbackUrl}, META_VERIFY_TOKEN and the fields ${want.fields.join(', ')} ${where} (docs/deploy.md step 4)`);
        continue;
      }
      const problems: string[] = [];
      if (found.callback_url !== callbackUrl) problems.push(`callback URL is ${found.callback_url ?? '(none)'}, expected ${callbackUrl}`);
      if (found.active === false) problems.push('the subscription is inactive');
      const have = new Set((found.fields ?? []).map((f) => (typeof f === 'string' ? f : f.name)));
      const missingRequired = want.required.filter((f) => !have.has(f));
      const missingOther = want.fields.filter((f) => !have.has(f) && !want.required.includes(f));
      if (missingRequired.length) problems.push(`fields missing: ${missingRequired.join(', ')}`);
      if (problems.length) add(level, `${app.label}: ${want.what} webhooks`, `${problems.join('; ')} (docs/deploy.md step 4)`);
      else add('ok', `${app.label}: ${want.what} webhooks`, `${want.object} → ${callbackUrl}, fields ${[...have].sort().join(', ')}`);
      if (missingOther.length) add('warning', `${app.label}: ${want.what} webhook fields`, `not subscribed: ${missingOther.join(', ')} (their events never reach DSK)`);
    }
  };

  if (config.meta.appId) {
    const expected = [
      { object: 'whatsapp_business_account', fields: WHATSAPP_APP_FIELDS, required: ['messages'], dashboardOnly: false, what: 'WhatsApp' },
      ...(flows.includes('instagram_facebook_login') ? [{ object: 'instagram', fields: PAGE_SUBSCRIBED_FIELDS, required: ['messages'], dashboardOnly: true, what: 'Instagram (Facebook Login)' }] : []),
    ];
    await checkApp({ label: 'Meta app', id: config.meta.appId, secret: config.meta.appSecrets[0] ?? '', idVar: 'META_APP_ID', secretVar: 'META_APP_SECRETS (first entry)', debugToken: true }, expected);
  }
  if (config.instagram.appId && config.instagram.appSecret) {
    await checkApp(
      { label: 'Instagram app', id: config.instagram.appId, secret: config.instagram.appSecret, idVar: 'INSTAGRAM_APP_ID', secretVar: 'INSTAGRAM_APP_SECRET', debugToken: false },
      [{ object: 'instagram', fields: INSTAGRAM_SUBSCRIBED_FIELDS, required: ['messages'], dashboardOnly: true, what: 'Instagram Login' }],
    );
  }

  // Meta's API does not show these: the operator compares them with the dashboard.
  const redirectUri = `${base}/oauth/callback`;
  if (config.meta.appId) add('manual', 'Facebook Login for Business → Settings → Valid OAuth Redirect URIs', redirectUri);
  if (config.instagram.appId) add('manual', 'Instagram → API setup with Instagram login → Business login settings → OAuth redirect URIs', redirectUri);
  add('manual', 'Deauthorize callback URL (Facebook Login for Business / Instagram business login settings)', `${base}/meta/deauthorize`);
  add('manual', 'Data deletion request URL', `${base}/meta/data-deletion`);
  add('manual', 'App settings → Basic → Privacy Policy URL', `${base}/privacy`);
  if (config.meta.whatsappConfigId) add('manual', `Embedded Signup configuration ${config.meta.whatsappConfigId}`, 'login variation "WhatsApp Embedded Signup", permissions whatsapp_business_management and whatsapp_business_messaging');
  return findings;
}

const MARK: Record<FindingLevel, string> = { ok: '✔', error: '✖', warning: '!', manual: '→' };

/** The findings as the command prints them, one line each. */
export function formatFindings(findings: readonly Finding[]): string {
  return findings.map((f) => `${MARK[f.level]} ${f.check}: ${f.detail}`).join('\n');
}
