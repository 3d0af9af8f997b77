import Router from '@koa/router';
import type Koa from 'koa';
import type { EmulatorContext } from '../context.js';
import { authenticate, GraphError, graphErrors, paginate, parseFields, pickFields, requestParams, requireScope, VERSION_SEGMENT } from '../graph.js';
import { PAGE_SUBSCRIPTION_FIELDS, unknownFieldMessage, unknownSubscriptionField } from '../rules/subscription-fields.js';
import type { PageRecord } from '../scenario.js';

/**
 * Pages for Instagram via Facebook Login (reference §5.2): `GET /me/accounts` (pages with their page
 * tokens and linked Instagram accounts) and `GET|POST|DELETE /{page}/subscribed_apps`, which take a
 * page token only (error 210 otherwise).
 */

const DEFAULT_PAGE_FIELDS = new Map<string, undefined>(['access_token', 'category', 'name', 'id', 'tasks'].map((f) => [f, undefined]));

export function pageRoutes(emu: EmulatorContext): Router {
  const { state } = emu;
  const router = new Router();

  router.get('/:version/me/accounts', async (ctx, next) => {
    if (!VERSION_SEGMENT.test(ctx.params.version!)) return next();
    const record = authenticate(ctx, state);
    if (record.kind === 'page') throw new GraphError(graphErrors.invalidParam('Tried accessing nonexisting field (accounts) on node type (Page)'));
    requireScope(record, 'pages_show_list');
    const params = await requestParams(ctx);
    const fields = parseFields(params.get('fields')) ?? DEFAULT_PAGE_FIELDS;
    const pages = [...state.pages.values()].filter((p) => record.assets === undefined || record.assets.includes(p.id));
    const rows = pages.map((page) => {
      // Derived from a long-lived user token a page token does not expire; from a short-lived one it dies with it (reference §4.6).
      const key = `${record.token}:${page.id}`;
      let pageToken = state.pageTokens.get(key);
      if (!pageToken) {
        pageToken = state.issueToken({
          kind: 'page',
          ...(record.scopes ? { scopes: record.scopes } : {}),
          assets: [page.id, ...(page.instagramAccountId ? [page.instagramAccountId] : [])],
          ...(record.appId ? { appId: record.appId } : {}),
          ...(record.userId ? { userId: record.userId } : {}),
          profileId: page.id,
          expiresAt: record.longLived || record.kind !== 'user' ? null : record.expiresAt,
        });
        state.pageTokens.set(key, pageToken);
      }
      const ig = page.instagramAccountId ? state.instagramAccounts.get(page.instagramAccountId) : undefined;
      return pickFields(
        {
          id: page.id,
          name: page.name,
          category: 'Business',
          access_token: pageToken,
          tasks: page.tasks,
          ...(ig ? { instagram_business_account: { id: ig.id, username: ig.username, name: ig.name } } : {}),
        },
        fields,
      );
    });
    ctx.body = paginate(ctx, rows, params);
  });

  function pageFor(version: string | undefined, id: string | undefined): PageRecord | undefined {
    return VERSION_SEGMENT.test(version ?? '') ? state.pages.get(id ?? '') : undefined;
  }

  /** The page's own token: Meta refuses user tokens on this edge. */
  function pageTokenFor(ctx: Koa.Context, page: PageRecord) {
    const record = authenticate(ctx, state);
    if (record.kind !== 'page') throw new GraphError({ code: 210, message: '(#210) A page access token is required to request this resource.' });
    if (record.profileId !== page.id) throw new GraphError(graphErrors.objectNotFound(ctx.method, page.id));
    return record;
  }

  router.get('/:version/:id/subscribed_apps', async (ctx, next) => {
    const page = pageFor(ctx.params.version, ctx.params.id);
    if (!page) return next();
    pageTokenFor(ctx, page);
    ctx.body = {
      data: [...page.subscriptions].map(([appId, fields]) => ({
        category: 'Business',
        link: `https://www.facebook.com/games/?app_id=${appId}`,
        name: appId === state.metaApp.id ? state.metaApp.name : 'Other App',
        id: appId,
        subscribed_fields: fields,
      })),
    };
  });

  router.post('/:version/:id/subscribed_apps', async (ctx, next) => {
    const page = pageFor(ctx.params.version, ctx.params.id);
    if (!page) return next();
    const record = pageTokenFor(ctx, page);
    requireScope(record, 'pages_manage_metadata');
    const params = await requestParams(ctx);
    const raw = params.get('subscribed_fields');
    if (raw === null || raw.trim() === '') throw new GraphError(graphErrors.missingParam('subscribed_fields'));
    const fields = raw.split(',').map((f) => f.trim()).filter(Boolean);
    // Page names only (Instagram's `messaging_seen` is refused here); one unknown name fails the whole call.
    const unknown = unknownSubscriptionField(fields, PAGE_SUBSCRIPTION_FIELDS);
    if (unknown) throw new GraphError(graphErrors.invalidParam(unknownFieldMessage(unknown, PAGE_SUBSCRIPTION_FIELDS)));
    page.subscriptions.set(record.appId ?? state.metaApp.id, fields);
    ctx.body = { success: true };
  });

  router.delete('/:version/:id/subscribed_apps', async (ctx, next) => {
    const page = pageFor(ctx.params.version, ctx.params.id);
    if (!page) return next();
    const record = pageTokenFor(ctx, page);
    page.subscriptions.delete(record.appId ?? state.metaApp.id);
    ctx.body = { success: true };
  });

  return router;
}
