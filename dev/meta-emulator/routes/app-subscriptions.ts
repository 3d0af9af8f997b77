import Router from '@koa/router';
import type Koa from 'koa';
import type { EmulatorContext } from '../context.js';
import { GraphError, graphErrors, requestParams, tokenFrom, VERSION_SEGMENT } from '../graph.js';
import type { EmulatedApp } from '../scenario.js';
import type { EmulatorState } from '../state.js';

/**
 * An app's webhook subscriptions, as the App Dashboard (WhatsApp → Configuration, Webhooks product,
 * Instagram → API setup) or the Graph edge sets them, and as `npm run doctor` reads them back:
 *
 *   GET  /{v}/{app-id}/subscriptions   → {data:[{object, callback_url, active, fields:[{name, version}]}]}
 *   POST /{v}/{app-id}/subscriptions   object, callback_url, fields (comma-separated), verify_token
 *
 * Both with the app token `{app-id}|{app-secret}` (or the one `oauth/access_token` with
 * grant_type=client_credentials hands out). Meta runs the GET verification handshake against the
 * callback before saving, and refuses the subscription when the challenge does not come back
 * (error 2200). Reference §1.1 and §1.2; Meta documents the edge at
 * https://developers.facebook.com/docs/graph-api/reference/app/subscriptions and the handshake at
 * https://developers.facebook.com/docs/graph-api/webhooks/getting-started#verification-requests.
 */
export interface AppSubscription {
  object: string;
  callbackUrl: string;
  fields: string[];
  active: boolean;
}

/** The app an app token belongs to: `{app-id}|{app-secret}` of the Meta app or the Instagram app. */
export function appOfAppToken(state: EmulatorState, token: string | undefined): EmulatedApp | undefined {
  return [state.metaApp, state.instagramApp].find((app) => token === `${app.id}|${app.secret}`);
}

export function appSubscriptionRoutes(emu: EmulatorContext): Router {
  const { state } = emu;
  const router = new Router();
  const appFor = (version: string | undefined, appId: string | undefined) => {
    if (!VERSION_SEGMENT.test(version ?? '')) return undefined;
    const app = [state.metaApp, state.instagramApp].find((a) => a.id === appId);
    return app;
  };
  const requireAppToken = async (ctx: Koa.Context, app: EmulatedApp) => {
    // Graph takes access_token in the body of a POST too.
    const token = tokenFrom(ctx).token ?? (await requestParams(ctx)).get('access_token') ?? undefined;
    if (token === undefined) throw new GraphError(graphErrors.noToken());
    const owner = appOfAppToken(state, token);
    if (!owner) throw new GraphError(graphErrors.invalidToken());
    if (owner.id !== app.id) throw new GraphError(graphErrors.missingPermission());
  };

  router.get('/:version/:appId/subscriptions', async (ctx, next) => {
    const app = appFor(ctx.params.version, ctx.params.appId);
    if (!app) return next();
    await requireAppToken(ctx, app);
    const subscriptions = [...(state.appSubscriptions.get(app.id)?.values() ?? [])];
    ctx.body = {
      data: subscriptions.map((s) => ({ object: s.object, callback_url: s.callbackUrl, active: s.active, fields: s.fields.map((name) => ({ name, version: 'v26.0' })) })),
    };
  });

  router.post('/:version/:appId/subscriptions', async (ctx, next) => {
    const app = appFor(ctx.params.version, ctx.params.appId);
    if (!app) return next();
    await requireAppToken(ctx, app);
    const params = await requestParams(ctx);
    const object = params.get('object');
    const callbackUrl = params.get('callback_url');
    const verifyToken = params.get('verify_token') ?? '';
    const fields = (params.get('fields') ?? '').split(',').map((f) => f.trim()).filter(Boolean);
    if (!object) throw new GraphError(graphErrors.missingParam('object'));
    if (!callbackUrl) throw new GraphError(graphErrors.missingParam('callback_url'));
    if (fields.length === 0) throw new GraphError(graphErrors.missingParam('fields'));
    const challenge = String(Math.floor(Math.random() * 1e9));
    const url = new URL(callbackUrl);
    url.searchParams.set('hub.mode', 'subscribe');
    url.searchParams.set('hub.challenge', challenge);
    url.searchParams.set('hub.verify_token', verifyToken);
    const answer = await fetch(url, { signal: AbortSignal.timeout(10_000) }).then(
      async (res) => ({ status: res.status, body: await res.text() }),
      () => ({ status: 0, body: '' }),
    );
    if (answer.status !== 200 || answer.body !== challenge) {
      throw new GraphError({ code: 2200, message: `(#2200) callback verification failed: Response does not match challenge, expected value="${challenge}", received="${answer.body.slice(0, 40)}"` });
    }
    const current = state.appSubscriptions.get(app.id) ?? new Map<string, AppSubscription>();
    const previous = current.get(object);
    // Fields add up across calls for the same object, as in the dashboard.
    current.set(object, { object, callbackUrl, fields: [...new Set([...(previous?.fields ?? []), ...fields])], active: true });
    state.appSubscriptions.set(app.id, current);
    ctx.body = { success: true };
  });
  return router;
}
