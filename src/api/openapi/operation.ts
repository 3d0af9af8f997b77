import type Router from '@koa/router';
import type Koa from 'koa';
import type { z } from 'zod';

/*
 * How a route declares itself. An `Operation` is the one statement of a route's method, path,
 * parameters, body and answers: the route module mounts its handler with `mount(router, op, handler)`
 * and validates with the operation's own zod schemas, and api/openapi/document.ts turns the same
 * objects into docs/openapi.json. A route therefore cannot accept or answer something its document
 * does not say (test/unit/openapi.test.ts checks the committed document is the generated one).
 */

export type HttpMethod = 'get' | 'put' | 'post' | 'patch' | 'delete';

/** Free-form JSON Schema, for the few parts no zod schema describes (raw media, the document itself). */
export type JsonSchemaObject = { [keyword: string]: unknown };

export interface HeaderDoc {
  description?: string;
  required?: boolean;
  schema: JsonSchemaObject;
}

/** A response with a JSON body described by a zod schema. */
export interface JsonResponseDoc {
  kind: 'json';
  description: string;
  schema: z.ZodType;
  examples: Record<string, unknown>;
  headers?: Record<string, HeaderDoc>;
}

/** An error response: the stable codes it can carry, and examples of them. */
export interface ErrorResponseDoc {
  kind: 'error';
  description: string;
  codes: readonly string[];
  examples: Record<string, unknown>;
  headers?: Record<string, HeaderDoc>;
  /** `validation_failed` lists its issues (`ValidationIssue[]`). */
  validationDetails?: boolean;
}

/** Anything else (raw bytes, an empty answer): stated as OpenAPI has it. */
export interface RawResponseDoc {
  kind: 'raw';
  description: string;
  headers?: Record<string, HeaderDoc>;
  content?: Record<string, { schema?: JsonSchemaObject }>;
}

export type ResponseDoc = JsonResponseDoc | ErrorResponseDoc | RawResponseDoc;

export interface JsonBodyDoc<B extends z.ZodType = z.ZodType> {
  kind: 'json';
  schema: B;
  examples: Record<string, unknown>;
  description?: string;
}

/** A body that is the file itself (uploads), by content type. */
export interface RawBodyDoc {
  kind: 'raw';
  description: string;
  contentTypes: readonly string[];
}

type AnyObject = z.ZodObject<z.ZodRawShape>;

export interface Operation<P extends AnyObject | undefined = AnyObject | undefined, Q extends AnyObject | undefined = AnyObject | undefined, B extends z.ZodType | undefined = z.ZodType | undefined> {
  method: HttpMethod;
  /** Koa's path syntax (`/v1/channels/:id`); the document writes `{id}`. */
  path: string;
  operationId: string;
  tags: readonly string[];
  summary: string;
  description?: string;
  /** `dsk`: behind DSK's bearer token and the instance quota (their answers are added to the document). */
  auth: 'dsk' | 'none';
  /** Path parameters; each field's `.meta({description, example})` documents it. */
  params?: P;
  query?: Q;
  /** Request headers the route reads (e.g. `Idempotency-Key`), documented like parameters. */
  headers?: AnyObject;
  body?: (B extends z.ZodType ? JsonBodyDoc<B> : never) | RawBodyDoc;
  /**
   * The operation's own answers. The document adds the ones every operation of its kind shares:
   * 401/429/500/503 behind DSK auth, 400/413/415 for a JSON body, 422 where input is validated
   * (an operation states its own 422 or 429 to give examples or further codes).
   */
  responses: Record<number, ResponseDoc>;
  /** An alias path served by the same handler (kept for older clients), documented as deprecated. */
  aliasOf?: string;
}

/** Declares an operation; the identity, typed so routes keep their schemas' types. */
export function operation<P extends AnyObject | undefined = undefined, Q extends AnyObject | undefined = undefined, B extends z.ZodType | undefined = undefined>(
  op: Operation<P, Q, B>,
): Operation<P, Q, B> {
  return op;
}

export function jsonResponse(description: string, schema: z.ZodType, examples: Record<string, unknown>, headers?: Record<string, HeaderDoc>): JsonResponseDoc {
  return { kind: 'json', description, schema, examples, ...(headers ? { headers } : {}) };
}

export function errorResponse(description: string, codes: readonly string[], examples: Record<string, unknown> = {}, headers?: Record<string, HeaderDoc>): ErrorResponseDoc {
  return { kind: 'error', description, codes, examples, ...(headers ? { headers } : {}) };
}

/** Builds `{error: {code, message}}` examples named by their codes. */
export function errorExamples(messages: Record<string, string>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(messages).map(([code, message]) => [code, { error: { code, message } }]));
}

export const VALIDATION_FAILED_DESCRIPTION =
  'The request does not match the schema. `details` lists every problem with its field path (`a.b`, `a[0]`; `(body)` for the object itself, e.g. an unknown key).';

/** The operation's 422 with an example of its own issues. */
export function validationFailed(details: ReadonlyArray<{ path: string; message: string }>): ErrorResponseDoc {
  return {
    kind: 'error',
    description: VALIDATION_FAILED_DESCRIPTION,
    codes: ['validation_failed'],
    examples: { validation_failed: { error: { code: 'validation_failed', message: 'Request does not match the schema', details } } },
    validationDetails: true,
  };
}

export const RETRY_AFTER_HEADER: HeaderDoc = { description: 'Seconds to wait before trying again.', schema: { type: 'integer', minimum: 1 } };

/** Registers `handler` on the router at the operation's method and path. */
export function mount(router: Router, op: Pick<Operation, 'method' | 'path'>, handler: Koa.Middleware): void {
  router[op.method](op.path, handler as never);
}
