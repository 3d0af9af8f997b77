import type { z } from 'zod';

/*
 * How a route declares itself. An `Operation` is the one statement of a route's method, path,
 * parameters, body and answers, next to the route (src/api/openapi/operations/<route module>.ts):
 * its parameter and body schemas are the very zod schemas the route validates with, its answers
 * are zod schemas too, and src/api/openapi/document.ts turns the declarations into
 * docs/openapi.json. test/unit/openapi.test.ts fails when the committed document is not the
 * generated one, and checks the declarations against the routers' own route tables.
 */

export type HttpMethod = 'get' | 'put' | 'post' | 'patch' | 'delete';

/** Free-form JSON Schema / OpenAPI objects, for the few parts no zod schema describes (raw media, headers). */
export type JsonSchemaObject = { [keyword: string]: unknown };

export interface HeaderDoc {
  description?: string;
  required?: boolean;
  schema: JsonSchemaObject;
}

/** Examples by name (each becomes `{value}`). */
export type Examples = Record<string, unknown>;

/** A response with a JSON body described by a zod schema. */
export interface JsonResponseDoc {
  kind: 'json';
  description: string;
  schema: z.ZodType;
  examples: Examples;
  headers?: Record<string, HeaderDoc>;
}

/** An error response: the stable codes it can carry, and examples of them. */
export interface ErrorResponseDoc {
  kind: 'error';
  description: string;
  codes: readonly string[];
  examples: Examples;
  /** The shape of `error.details` for these codes. */
  details?: z.ZodType;
  headers?: Record<string, HeaderDoc>;
}

/** Anything else (raw bytes, an empty answer): stated as OpenAPI has it. */
export interface RawResponseDoc {
  kind: 'raw';
  description: string;
  headers?: Record<string, HeaderDoc>;
  content?: Record<string, { schema?: JsonSchemaObject }>;
}

/** The name of an answer every operation of a kind shares (src/api/openapi/common.ts `STANDARD_RESPONSES`). */
export type StandardResponseName = 'Unauthorized' | 'AuthUnavailable' | 'InternalError' | 'BadRequestBody' | 'PayloadTooLarge' | 'UnsupportedMediaType' | 'QuotaExceeded';

export type ResponseDoc = JsonResponseDoc | ErrorResponseDoc | RawResponseDoc | StandardResponseName;

export interface JsonBodyDoc {
  kind: 'json';
  schema: z.ZodType;
  /** The component the body schema is listed as (`#/components/schemas/<component>`), when it has no id of its own. */
  component?: string;
  description?: string;
  examples: Examples;
}

/** A body that is the file itself (uploads): its media types as OpenAPI states them. */
export interface RawBodyDoc {
  kind: 'raw';
  description: string;
  content: Record<string, { schema?: JsonSchemaObject }>;
}

/** A request header the route reads: `schema` is the route's own zod schema of it, or JSON Schema where it has none. */
export interface HeaderParameterDoc {
  name: string;
  in: 'header';
  required?: boolean;
  description?: string;
  schema: z.ZodType | JsonSchemaObject;
  example?: unknown;
}

export interface ParameterDoc {
  description?: string;
  example?: unknown;
}

type AnyObject = z.ZodObject<z.ZodRawShape>;

export interface Operation {
  method: HttpMethod;
  /** Koa's path syntax (`/v1/channels/:id`); the document writes `{id}`. */
  path: string;
  operationId: string;
  tags: readonly string[];
  summary: string;
  description?: string;
  /** `dsk`: behind DSK's bearer token (401, 500 and 503 are added to the document); `none`: public. */
  auth: 'dsk' | 'none';
  /** The route's own path-parameter schema. */
  params?: AnyObject;
  /** The route's own query schema. */
  query?: AnyObject;
  /** Descriptions and examples of path and query parameters, by name. */
  parameterDocs?: Record<string, ParameterDoc>;
  /** Request headers the route reads. */
  headerParameters?: readonly HeaderParameterDoc[];
  /** A JSON body also gets 400, 413 and 415 in the document. */
  body?: JsonBodyDoc | RawBodyDoc;
  responses: Record<number, ResponseDoc>;
}

/** Declares an operation (the identity, for type checking at the declaration). */
export function operation(op: Operation): Operation {
  return op;
}

/** `/v1/channels/:id` → `/v1/channels/{id}`. */
export function toTemplate(koaPath: string): string {
  return koaPath.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
}
