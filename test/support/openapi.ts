import { OPENAPI_PATH, readJson } from '../../scripts/openapi-events.js';
import type { JsonSchema } from './json-schema.js';

/** The parts of docs/openapi.json the tests walk; everything else stays `unknown`. */
export interface OpenApiOperation {
  operationId: string;
  security?: Array<Record<string, string[]>>;
  parameters?: Array<ParameterObject | { $ref: string }>;
  requestBody?: { required?: boolean; content: Record<string, MediaTypeObject> };
  responses: Record<string, ResponseObject | { $ref: string }>;
}
export interface ParameterObject {
  name: string;
  in: 'path' | 'query' | 'header' | 'cookie';
  required?: boolean;
  schema: JsonSchema;
}
export interface MediaTypeObject {
  schema?: JsonSchema;
  examples?: Record<string, { value: unknown }>;
}
export interface ResponseObject {
  description: string;
  headers?: Record<string, unknown>;
  content?: Record<string, MediaTypeObject>;
}
export interface OpenApiDocument {
  openapi: string;
  info: { title: string; version: string };
  paths: Record<string, Record<string, OpenApiOperation>>;
  webhooks: Record<string, Record<string, OpenApiOperation>>;
  components: {
    schemas: Record<string, JsonSchema>;
    parameters: Record<string, ParameterObject>;
    responses: Record<string, ResponseObject>;
    securitySchemes: Record<string, Record<string, unknown>>;
  };
  [key: string]: unknown;
}

export const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

export function readOpenApi(): OpenApiDocument {
  return readJson<OpenApiDocument>(OPENAPI_PATH);
}

/** `/v1/channels/:id` → `/v1/channels/{id}` (koa-router's path syntax to OpenAPI's template). */
export function toTemplate(koaPath: string): string {
  return koaPath.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
}

/** Follows one `$ref` to a component (`#/components/<kind>/<name>`). */
export function deref<T>(doc: OpenApiDocument, node: T | { $ref: string }): T {
  if (typeof node === 'object' && node !== null && '$ref' in node && typeof node.$ref === 'string') {
    const [, , kind, name] = node.$ref.split('/');
    const target = (doc.components as unknown as Record<string, Record<string, unknown>>)[kind ?? '']?.[name ?? ''];
    if (target === undefined) throw new Error(`unresolvable $ref ${node.$ref}`);
    return target as T;
  }
  return node as T;
}

/** Every operation of `paths` as `{method, path, op}` (methods upper-case). */
export function operations(doc: OpenApiDocument): Array<{ method: string; path: string; op: OpenApiOperation }> {
  return Object.entries(doc.paths).flatMap(([path, item]) =>
    HTTP_METHODS.filter((m) => item[m]).map((m) => ({ method: m.toUpperCase(), path, op: item[m]! })),
  );
}

/** The documented JSON schema of an operation's response with this status. */
export function responseSchema(doc: OpenApiDocument, method: string, path: string, status: number): JsonSchema {
  const op = doc.paths[path]?.[method.toLowerCase()];
  if (!op) throw new Error(`${method} ${path} is not documented`);
  const response = op.responses[String(status)];
  if (!response) throw new Error(`${method} ${path} does not document ${status}`);
  const schema = deref(doc, response).content?.['application/json']?.schema;
  if (schema === undefined) throw new Error(`${method} ${path} ${status} has no JSON schema`);
  return schema;
}

/** The `error.code` values a documented error response lists. */
export function errorCodes(doc: OpenApiDocument, response: ResponseObject | { $ref: string } | undefined): string[] {
  if (response === undefined) return [];
  const schema = deref(doc, response).content?.['application/json']?.schema as
    | { properties?: { error?: { properties?: { code?: { enum?: string[] } } } } }
    | undefined;
  return schema?.properties?.error?.properties?.code?.enum ?? [];
}
