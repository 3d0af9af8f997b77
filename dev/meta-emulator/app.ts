import { createServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import Koa from 'koa';
import type Router from '@koa/router';
import type { EmulatorContext } from './context.js';
import {
  authenticate,
  CdnError,
  DialogError,
  GraphError,
  graphErrors,
  graphStatusFor,
  hostOf,
  renderCdnError,
  renderDialogError,
  renderGraphError,
  renderInstagramOAuthError,
  tokenFrom,
  VERSION_SEGMENT,
} from './graph.js';
import { facebookDialogRoutes, instagramDialogRoutes } from './routes/dialogs.js';
import { instagramApiRoutes, instagramGraphRoutes } from './routes/instagram.js';
import { mediaRoutes } from './routes/media.js';
import { instagramMessageRoutes, whatsappMessageRoutes } from './routes/messages.js';
import { facebookOAuthRoutes } from './routes/oauth.js';
import { appSubscriptionRoutes } from './routes/app-subscriptions.js';
import { pageRoutes } from './routes/pages.js';
import { whatsappAccountRoutes } from './routes/whatsapp-accounts.js';
import { instagramCdnRoutes, instagramUserRoutes, profileRoutes } from './routes/profiles.js';
import { templateRoutes } from './routes/templates.js';
import { sandboxRoutes } from './sandbox.js';
import { EMULATED_HOSTS, type EmulatedHost } from './scenario.js';
import { EmulatorState, type EmulatorStateOptions, type RecordedRequest } from './state.js';

/**
 * A stand-in for Meta's Graph API (graph.facebook.com/{v}/…), its media CDN, the OAuth dialogs and the
 * Instagram hosts, faithful to docs reference meta-platform.md: versioned paths, Bearer or
 * `?access_token=` auth, Graph error JSON with WA-ERR statuses. Used by the tests and by the dev stack,
 * so it lives in src/. Endpoints live in routes/*.ts.
 *
 * URL layout: one server, every host under a path prefix, so one base URL configures them all.
 *
 *   <url>/…                        graph.facebook.com (the root mount: META_GRAPH_BASE_URL=<url>)
 *   <url>/graph.facebook.com/…     the same, for symmetry
 *   <url>/www.facebook.com/…       META_DIALOG_BASE_URL=<url>/www.facebook.com      ({v}/dialog/oauth)
 *   <url>/www.instagram.com/…      INSTAGRAM_DIALOG_BASE_URL=<url>/www.instagram.com (oauth/authorize)
 *   <url>/graph.instagram.com/…    INSTAGRAM_GRAPH_BASE_URL=<url>/graph.instagram.com
 *   <url>/api.instagram.com/…      INSTAGRAM_API_BASE_URL=<url>/api.instagram.com   (oauth/access_token)
 *   <url>/sandbox                  the emulator's own page: write as a customer, see what the business sent
 *
 * Requests are recorded with their host and the path within it; faults match the same way.
 */

export interface MetaEmulatorOptions {
  /**
   * When set, `appsecret_proof` is verified whenever a call carries one. Also the Meta app's secret
   * (client_secret of the code exchange) unless `metaApp.secret` says otherwise.
   */
  appSecret?: string;
  /** The Meta app: ids default to app-ids.ts, so a service on default dev config matches. */
  metaApp?: EmulatorStateOptions['metaApp'];
  /** The Instagram app (Instagram Login): id DEV_INSTAGRAM_APP_ID, secret `emulator-instagram-app-secret` by default. */
  instagramApp?: EmulatorStateOptions['instagramApp'];
  /** Reject Graph calls without `appsecret_proof` (Meta's "Require App Secret" app setting). */
  requireAppSecretProof?: boolean;
  /** Base of URLs handed out (media URLs); default: the origin each request came to. */
  publicUrl?: string;
  /** Injected time, so tests can expire tokens and URLs without waiting. */
  clock?: () => Date;
  /** Default 100 MB, Meta's overall media limit. */
  maxUploadBytes?: number;
  /** Default 300 s (reference §6.2: media URLs live about 5 minutes). */
  mediaUrlTtlSeconds?: number;
  /**
   * The app's webhook callback URL (the service's `/webhooks/meta`): where the sandbox page
   * (`GET /sandbox`) delivers what a customer writes. Also settable later as `state.webhookCallbackUrl`.
   */
  webhookCallbackUrl?: string;
  /**
   * Follow each accepted send with the webhook Meta sends for it (WhatsApp `sent` status, Instagram
   * echo) to the callback URL; default false. Also `state.sendStatusWebhooks`.
   */
  sendStatusWebhooks?: boolean;
  /**
   * Enforce the customer-service windows (WhatsApp 24 h → `failed` 131047 after acceptance; Instagram
   * 24 h, 7 days with HUMAN_AGENT → 10/2534022); default false. Also `state.messaging.windowsEnforced`.
   */
  messagingWindows?: boolean;
}

export interface RunningMetaEmulator {
  /** e.g. `http://127.0.0.1:40123`, without a trailing slash: use it as the Graph base URL. */
  url: string;
  /** The base URL of each emulated host (`url` + `/<host>`; graph.facebook.com is `url` itself). */
  hosts: Record<EmulatedHost, string>;
  server: Server;
  close(): Promise<void>;
}

export interface MetaEmulator {
  app: Koa;
  state: EmulatorState;
  /**
   * Port 0 (default) picks a free one; host defaults to loopback. With `tls` (PEM) it serves https, as
   * Meta does: a service with NODE_ENV=production refuses plain-http Meta hosts (test:production).
   */
  listen(port?: number, host?: string, tls?: { cert: string | Buffer; key: string | Buffer }): Promise<RunningMetaEmulator>;
}

/** graph.facebook.com paths served without a version prefix: the media CDNs (WhatsApp's, Instagram's). */
const UNVERSIONED_PATHS = [/^\/whatsapp_business\/attachments\/?$/, /^\/ig_messaging_cdn\/?$/];

export function createMetaEmulator(options: MetaEmulatorOptions = {}): MetaEmulator {
  const state = new EmulatorState(options.clock ?? (() => new Date()), {
    ...(options.appSecret === undefined ? {} : { appSecret: options.appSecret }),
    ...(options.requireAppSecretProof === undefined ? {} : { requireAppSecretProof: options.requireAppSecretProof }),
    ...(options.metaApp === undefined ? {} : { metaApp: options.metaApp }),
    ...(options.instagramApp === undefined ? {} : { instagramApp: options.instagramApp }),
    ...(options.webhookCallbackUrl === undefined ? {} : { webhookCallbackUrl: options.webhookCallbackUrl }),
    ...(options.sendStatusWebhooks === undefined ? {} : { sendStatusWebhooks: options.sendStatusWebhooks }),
    ...(options.messagingWindows === undefined ? {} : { messagingWindows: options.messagingWindows }),
  });
  const emu: EmulatorContext = {
    state,
    publicUrl: options.publicUrl?.replace(/\/+$/, ''),
    maxUploadBytes: options.maxUploadBytes ?? 100 * 1024 * 1024,
    mediaUrlTtlSeconds: options.mediaUrlTtlSeconds ?? 300,
  };

  const routersByHost: Record<EmulatedHost, Router[]> = {
    'graph.facebook.com': [
      mediaRoutes(emu),
      instagramCdnRoutes(emu),
      facebookOAuthRoutes(emu),
      appSubscriptionRoutes(emu),
      whatsappAccountRoutes(emu),
      templateRoutes(emu),
      profileRoutes(emu),
      instagramUserRoutes(emu, 'facebook'),
      pageRoutes(emu),
      whatsappMessageRoutes(emu),
    ],
    'www.facebook.com': [facebookDialogRoutes(emu)],
    'www.instagram.com': [instagramDialogRoutes(emu)],
    'graph.instagram.com': [instagramGraphRoutes(emu), instagramUserRoutes(emu, 'instagram'), instagramMessageRoutes(emu)],
    'api.instagram.com': [instagramApiRoutes(emu)],
  };

  const app = new Koa();
  app.silent = true;
  app.use(mountHosts());
  // The sandbox page is the emulator's own UI, not a Meta endpoint: not recorded, no Graph rules.
  app.use(sandboxRoutes(emu));
  app.use(recordRequests(state));
  app.use(renderErrors());
  app.use(injectFaults(state));
  app.use(requireVersion());
  for (const host of EMULATED_HOSTS) {
    for (const router of routersByHost[host]) {
      const routes = router.routes() as unknown as Koa.Middleware;
      app.use((ctx, next) => (hostOf(ctx) === host ? routes(ctx, next) : next()));
    }
  }
  app.use(notFound(state));

  return {
    app,
    state,
    async listen(port = 0, host = '127.0.0.1', tls?: { cert: string | Buffer; key: string | Buffer }) {
      const server: Server = tls ? createHttpsServer({ cert: tls.cert, key: tls.key }, app.callback()) : createServer(app.callback());
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => resolve());
      });
      const address = server.address() as AddressInfo;
      const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
      const url = `${tls ? 'https' : 'http'}://${shownHost}:${address.port}`;
      return {
        url,
        hosts: Object.fromEntries(EMULATED_HOSTS.map((h) => [h, h === 'graph.facebook.com' ? url : `${url}/${h}`])) as Record<EmulatedHost, string>,
        server,
        close: () =>
          new Promise<void>((resolve, reject) => {
            // Keep-alive connections from fetch would otherwise hold close() until they time out.
            server.closeAllConnections();
            server.close((err) => (err ? reject(err) : resolve()));
          }),
      };
    },
  };
}

/** `/graph.instagram.com/v26.0/me` → host graph.instagram.com, path `/v26.0/me`; anything else is graph.facebook.com. */
function mountHosts(): Koa.Middleware {
  return async (ctx, next) => {
    const first = ctx.path.split('/')[1] ?? '';
    const host = (EMULATED_HOSTS as readonly string[]).includes(first) ? (first as EmulatedHost) : undefined;
    ctx.state.emulatedHost = host ?? 'graph.facebook.com';
    ctx.state.emulatedPrefix = host ? `/${host}` : '';
    if (host) ctx.path = ctx.path.slice(host.length + 1) || '/';
    return next();
  };
}

function recordRequests(state: EmulatorState): Koa.Middleware {
  return async (ctx, next) => {
    const { token, via } = tokenFrom(ctx);
    const query: Record<string, string> = {};
    for (const [name, value] of Object.entries(ctx.query)) {
      if (name !== 'access_token' && typeof value === 'string') query[name] = value;
    }
    const first = ctx.path.split('/')[1] ?? '';
    const record: RecordedRequest = {
      method: ctx.method,
      host: hostOf(ctx),
      path: ctx.path,
      version: VERSION_SEGMENT.test(first) ? first : undefined,
      query,
      tokenVia: via,
      token,
      appsecretProof: token ? state.checkAppsecretProof(token, query.appsecret_proof) : query.appsecret_proof ? 'unchecked' : 'absent',
      at: state.now(),
    };
    state.requests.push(record);
    try {
      await next();
    } finally {
      const afterSend = ctx.state.emulatedAfterSend as RecordedRequest['afterSend'];
      if (afterSend) record.afterSend = afterSend;
      // A reset connection has no status.
      if (ctx.respond !== false) record.status = ctx.status;
    }
  };
}

function renderErrors(): Koa.Middleware {
  return async (ctx, next) => {
    try {
      await next();
    } catch (err) {
      if (err instanceof GraphError && hostOf(ctx) === 'api.instagram.com') renderInstagramOAuthError(ctx, err.spec);
      else if (err instanceof GraphError) renderGraphError(ctx, err.spec);
      else if (err instanceof DialogError) renderDialogError(ctx, err);
      else if (err instanceof CdnError) renderCdnError(ctx, err.status, err.title);
      else {
        // A bug in the emulator itself: answer like Graph does, and let `app.on('error')` see it.
        ctx.app.emit('error', err, ctx);
        renderGraphError(ctx, graphErrors.unexpected());
      }
    }
  };
}

function injectFaults(state: EmulatorState): Koa.Middleware {
  return async (ctx, next) => {
    const fault = state.takeFault(ctx.method, ctx.path, hostOf(ctx));
    if (!fault) return next();
    if (fault.delayMs) await sleep(fault.delayMs);
    for (const [name, value] of Object.entries(fault.headers ?? {})) ctx.set(name, value);
    if (fault.error) {
      const { code, subcode, message, type, isTransient, errorData } = fault.error;
      throw new GraphError({
        code,
        message: message ?? `(#${code}) Injected error`,
        status: fault.status ?? graphStatusFor(code),
        ...(subcode === undefined ? {} : { subcode }),
        ...(type === undefined ? {} : { type }),
        ...(isTransient === undefined ? {} : { isTransient }),
        ...(errorData === undefined ? {} : { errorData }),
      });
    }
    if (fault.status === undefined && fault.body === undefined) return next();
    ctx.status = fault.status ?? 200;
    ctx.body = fault.body ?? '';
    // Koa would guess a type from the body; keep the one the fault set, if any.
    if (fault.headers && Object.keys(fault.headers).some((h) => h.toLowerCase() === 'content-type')) {
      ctx.set('content-type', Object.entries(fault.headers).find(([h]) => h.toLowerCase() === 'content-type')![1]);
    }
  };
}

/**
 * Every graph.facebook.com path starts with `/v<N>.0/`; unversioned calls are a client bug here (the
 * service pins a version). The other hosts have unversioned endpoints (`oauth/authorize`, `access_token`).
 */
function requireVersion(): Koa.Middleware {
  return async (ctx, next) => {
    if (hostOf(ctx) !== 'graph.facebook.com' || UNVERSIONED_PATHS.some((p) => p.test(ctx.path))) return next();
    const first = ctx.path.split('/')[1] ?? '';
    if (!VERSION_SEGMENT.test(first)) {
      throw new GraphError({ ...graphErrors.unknownPath(ctx.path), message: `Unknown path components: ${ctx.path} (the emulator serves only /v<N>.0/ paths)` });
    }
    return next();
  };
}

/** What Graph answers when no module claimed the path: an unknown object id, or unknown path components. */
function notFound(state: EmulatorState): Koa.Middleware {
  return async (ctx) => {
    const host = hostOf(ctx);
    if (host === 'www.facebook.com' || host === 'www.instagram.com') throw new DialogError('Page not found', 'Sorry, this page isn\'t available.', 404);
    if (host === 'api.instagram.com') throw new GraphError({ code: 400, type: 'IGApiException', message: `Unsupported request: ${ctx.method} ${ctx.path}` });
    const segments = ctx.path.split('/').filter(Boolean);
    const versioned = VERSION_SEGMENT.test(segments[0] ?? '');
    if (segments.length === 2 && versioned) {
      // Graph checks the token before it looks the object up.
      authenticate(ctx, state, { platform: host === 'graph.instagram.com' ? 'instagram' : 'facebook' });
      throw new GraphError(graphErrors.objectNotFound(ctx.method, segments[1]!));
    }
    throw new GraphError(graphErrors.unknownPath(`/${segments.slice(versioned ? 2 : 0).join('/')}`));
  };
}
