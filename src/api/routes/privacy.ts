import { readFileSync } from 'node:fs';
import path from 'node:path';
import Router from '@koa/router';
import type Koa from 'koa';
import { projectRoot } from '../../project-root.js';
import { documentPage } from '../pages/html.js';
import { renderMarkdown } from '../pages/markdown.js';

export const PRIVACY_POLICY_PATH = path.join(projectRoot(), 'docs', 'privacy-policy.md');

/**
 * Reads and renders docs/privacy-policy.md once, at startup: a missing policy stops the API from
 * starting rather than leaving `/privacy` (which Meta's app review links to) broken. The Dockerfile
 * copies the file into the image.
 */
export function loadPrivacyPolicy(file = PRIVACY_POLICY_PATH): string {
  let markdown: string;
  try {
    markdown = readFileSync(file, 'utf8');
  } catch (err) {
    throw new Error(`privacy policy ${file} cannot be read`, { cause: err });
  }
  const { title, body } = renderMarkdown(markdown);
  return documentPage(title, body);
}

export interface PrivacyRouteDeps {
  /** The rendered page (loadPrivacyPolicy). */
  page: string;
  /** The public pages' rate limit; omitted: none. */
  rateLimit?: Koa.Middleware;
}

/** `GET /privacy`: the service's privacy policy as an HTML page, for end users, Meta and DSK's customers. */
export function privacyRoutes(deps: PrivacyRouteDeps): Router {
  const router = new Router();
  if (deps.rateLimit) router.use(deps.rateLimit);
  router.get('/privacy', (ctx) => {
    ctx.type = 'html';
    // The same for everyone and changed only by a deploy: shared caches may keep it for an hour.
    ctx.set('Cache-Control', 'public, max-age=3600');
    ctx.body = deps.page;
  });
  return router;
}
