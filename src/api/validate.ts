import type Koa from 'koa';
import getRawBody from 'raw-body';
import type { z } from 'zod';
import { ApiError } from './errors.js';

const JSON_LIMIT = 1024 * 1024;

/** Field-level details: `[{path: 'a.b[0]', message}]`, the same shape for every 422. */
export function validationDetails(error: z.ZodError): Array<{ path: string; message: string }> {
  return error.issues.map((issue) => ({
    path: issue.path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? String(p) : `.${String(p)}`)).join('') || '(body)',
    message: issue.message,
  }));
}

/** Reads a JSON body (1 MiB limit) and validates it: 400 for unparsable JSON, 422 with field paths for a bad shape. */
export async function parseBody<S extends z.ZodType>(ctx: Koa.Context, schema: S): Promise<z.output<S>> {
  return parseWith(schema, await readJsonBody(ctx));
}

/** Reads a JSON body (1 MiB limit) unvalidated, for routes whose schema depends on what they look up first. */
export async function readJsonBody(ctx: Koa.Context): Promise<unknown> {
  if (!ctx.is('application/json')) throw new ApiError(415, 'unsupported_media_type', 'Content-Type must be application/json');
  const raw = await getRawBody(ctx.req, { limit: JSON_LIMIT, encoding: 'utf8' });
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    throw new ApiError(400, 'invalid_json', 'Request body is not valid JSON');
  }
}

export function parseWith<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const result = schema.safeParse(input);
  if (!result.success) throw new ApiError(422, 'validation_failed', 'Request does not match the schema', validationDetails(result.error));
  return result.data;
}

/** Reads a small text body (forms, callbacks) with a limit; 413 above it. */
export async function readText(ctx: Koa.Context, limit: number): Promise<string> {
  return getRawBody(ctx.req, { limit, encoding: 'utf8' });
}
