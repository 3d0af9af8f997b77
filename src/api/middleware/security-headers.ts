import type Koa from 'koa';

/**
 * The server-rendered pages (connect pages, /privacy, Meta's deletion status page) load nothing:
 * inline styles only, forms post to this origin, and no one may frame them (clickjacking on the
 * consent step).
 */
export const PAGE_CONTENT_SECURITY_POLICY = "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/**
 * One year, without `includeSubDomains`: the operator's other hosts under the same domain are not
 * this service's to pin to HTTPS.
 */
export const HSTS_VALUE = 'max-age=31536000';

export interface SecurityHeaderOptions {
  /** PUBLIC_BASE_URL is https: every response carries HSTS (browsers ignore it over plain http). */
  httpsPublicUrl: boolean;
}

/**
 * Headers for every response, and the page headers for every HTML response whichever router wrote it,
 * so a new page cannot forget them. `Strict-Transport-Security` when the public URL is https or the
 * request itself arrived over TLS (native TLS, or X-Forwarded-Proto with TRUST_PROXY).
 * Headers set before `next()` survive errors rendered further up; HTML is only ever a success here.
 */
export function securityHeaders(options: SecurityHeaderOptions): Koa.Middleware {
  return async function setSecurityHeaders(ctx, next) {
    ctx.set('X-Content-Type-Options', 'nosniff');
    if (options.httpsPublicUrl || ctx.secure) ctx.set('Strict-Transport-Security', HSTS_VALUE);
    await next();
    if (ctx.response.is('html')) {
      ctx.set('Content-Security-Policy', PAGE_CONTENT_SECURITY_POLICY);
      ctx.set('X-Frame-Options', 'DENY');
      ctx.set('Referrer-Policy', 'no-referrer');
      // Pages carry one-time links and outcomes; a page that may be cached says so itself (/privacy).
      if (!ctx.response.get('Cache-Control')) ctx.set('Cache-Control', 'no-store');
    }
  };
}
