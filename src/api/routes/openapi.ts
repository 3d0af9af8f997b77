import type Koa from 'koa';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Router } from '@koa/router';
import { projectRoot } from '../../project-root.js';

/** The parsed OpenAPI document; only what is checked at load time is typed. */
export interface OpenApiDocument {
  openapi: string;
  paths: Record<string, unknown>;
  [key: string]: unknown;
}

export const OPENAPI_DOCUMENT_PATH = path.join(projectRoot(), 'docs', 'openapi.json');

/**
 * Reads docs/openapi.json once, at startup: a missing or broken document stops the API from starting
 * rather than failing on the first request (the Dockerfile copies it into the image).
 */
export function loadOpenApiDocument(file = OPENAPI_DOCUMENT_PATH): OpenApiDocument {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new Error(`OpenAPI document ${file} cannot be read as JSON`, { cause: err });
  }
  const doc = parsed as Partial<OpenApiDocument> | null;
  if (typeof doc?.openapi !== 'string' || !/^3\.1\.\d+$/.test(doc.openapi) || typeof doc.paths !== 'object' || doc.paths === null) {
    throw new Error(`OpenAPI document ${file} is not an OpenAPI 3.1 document`);
  }
  return doc as OpenApiDocument;
}

/**
 * `GET /openapi.json`, public: the contract of the DSK API and of the events webhook. Serialized once;
 * the ETag lets DSK's tooling revalidate cheaply after the five minutes of caching.
 */
export function openApiRoutes({ document, rateLimit }: { document: OpenApiDocument; rateLimit?: Koa.Middleware }): Router {
  const body = JSON.stringify(document);
  const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`;
  const router = new Router();
  if (rateLimit) router.use(rateLimit);
  router.get('/openapi.json', (ctx) => {
    ctx.set('Cache-Control', 'public, max-age=300');
    ctx.status = 200;
    ctx.etag = etag;
    if (ctx.fresh) {
      ctx.status = 304;
      return;
    }
    ctx.type = 'application/json';
    ctx.body = body;
  });
  return router;
}
