import { z } from 'zod';
import { ErrorBody, HttpUrl, STANDARD_RESPONSES, Uuid, ValidationIssue } from './common.js';
import { DSK_EVENT_WEBHOOK, DSK_EVENT_WEBHOOK_EXAMPLES, INFO, SECURITY_SCHEMES, SERVERS, TAGS } from './document-info.js';
import { embedEventSchema, type JsonObject } from './events.js';
import { toTemplate, type ErrorResponseDoc, type Examples, type Operation, type ResponseDoc } from './operation.js';

/*
 * docs/openapi.json, generated: the operations the route modules declare (src/api/openapi/operations),
 * their zod schemas as JSON Schema (requests as DSK writes them, answers as the service writes them),
 * the answers every operation shares, and the DSK event schema embedded from docs/schemas.
 * `node dist/scripts/openapi.js` writes it; pure, so the unit test can compare.
 */

export interface DocumentInputs {
  operations: readonly Operation[];
  /** docs/schemas/dsk-event.v1.schema.json */
  eventSchema: JsonObject;
  /** docs/schemas/examples, by file name without `.json` (`message.received`, `message.status.send-outcome`). */
  eventExamples: ReadonlyMap<string, JsonObject>;
}

const SAFE_INTEGER_BOUNDS = new Set([Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER]);
const COMPONENT_REF = '#/components/schemas/';

/** Collects components from the zod schemas it converts (schemas with a `.meta({id})` become components). */
class SchemaCollector {
  readonly components = new Map<string, { json: JsonObject; from: string }>();

  constructor() {
    // The shared building blocks come first, in a stable order.
    for (const schema of [ErrorBody, ValidationIssue, Uuid, HttpUrl]) this.convert(schema, 'output');
  }

  /** The JSON Schema of `schema` (a `$ref` when it is a component). */
  convert(schema: z.ZodType, io: 'input' | 'output', name?: string): JsonObject {
    // Wrapping makes a schema with an id come back as a $ref like any nested one.
    const json = z.toJSONSchema(z.object({ x: schema }), { io, unrepresentable: 'any', target: 'draft-2020-12' }) as JsonObject;
    for (const [id, def] of Object.entries((json.$defs ?? {}) as JsonObject)) this.add(id, def as JsonObject);
    const converted = tidy((json.properties as JsonObject).x) as JsonObject;
    if (name && !('$ref' in converted)) {
      this.add(name, converted);
      return { $ref: `${COMPONENT_REF}${name}` };
    }
    return converted;
  }

  private add(id: string, def: JsonObject): void {
    const json = tidy(def) as JsonObject;
    const text = JSON.stringify(json);
    const known = this.components.get(id);
    if (known && known.from !== text) throw new Error(`two different schemas are named ${id}`);
    this.components.set(id, { json, from: text });
  }
}

/** Rewrites zod's `$defs` refs to components and drops the safe-integer bounds `z.int()` states. */
function tidy(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(tidy);
  if (node === null || typeof node !== 'object') return node;
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === '$ref' && typeof value === 'string') out[key] = value.replace(/^#\/\$defs\//, COMPONENT_REF);
    else if ((key === 'minimum' || key === 'maximum') && typeof value === 'number' && SAFE_INTEGER_BOUNDS.has(value)) continue;
    else out[key] = tidy(value) as JsonObject[string];
  }
  return out;
}

/** Declarations are plain data already; this only restates their type. */
function asJson(value: unknown): JsonObject {
  return value as JsonObject;
}

function examples(values: Examples): JsonObject {
  return Object.fromEntries(Object.entries(values).map(([name, value]) => [name, { value: value as JsonObject }]));
}

function errorResponse(doc: ErrorResponseDoc, schemas: SchemaCollector): JsonObject {
  const error: JsonObject = { code: { enum: [...doc.codes] } };
  if (doc.details) error.details = schemas.convert(doc.details, 'output');
  return {
    description: doc.description,
    ...(doc.headers ? { headers: asJson(doc.headers) } : {}),
    content: {
      'application/json': {
        schema: { $ref: `${COMPONENT_REF}Error`, properties: { error: { properties: error } } },
        examples: examples(doc.examples),
      },
    },
  };
}

function response(doc: ResponseDoc, schemas: SchemaCollector): JsonObject {
  if (typeof doc === 'string') return { $ref: `#/components/responses/${doc}` };
  if (doc.kind === 'error') return errorResponse(doc, schemas);
  const headers: JsonObject = doc.headers ? { headers: asJson(doc.headers) } : {};
  if (doc.kind === 'raw') return { description: doc.description, ...headers, ...(doc.content ? { content: asJson(doc.content) } : {}) };
  return {
    description: doc.description,
    ...headers,
    content: { 'application/json': { schema: schemas.convert(doc.schema, 'output'), examples: examples(doc.examples) } },
  };
}

function parameters(op: Operation, schemas: SchemaCollector): JsonObject[] {
  const out: JsonObject[] = [];
  for (const [where, object] of [['path', op.params], ['query', op.query]] as const) {
    for (const [name, field] of Object.entries(object?.shape ?? {})) {
      const doc = op.parameterDocs?.[name] ?? {};
      const optional = (field as z.ZodType).safeParse(undefined).success;
      out.push({
        name,
        in: where,
        required: where === 'path' || !optional,
        ...(doc.description ? { description: doc.description } : {}),
        schema: schemas.convert(field as z.ZodType, 'input'),
        ...(doc.example !== undefined ? { example: doc.example as JsonObject } : {}),
      });
    }
  }
  for (const header of op.headerParameters ?? []) {
    out.push(asJson({ ...header, schema: header.schema instanceof z.ZodType ? schemas.convert(header.schema, 'input') : header.schema }));
  }
  return out;
}

function operationObject(op: Operation, schemas: SchemaCollector): JsonObject {
  const responses: Record<string, ResponseDoc> = Object.fromEntries(Object.entries(op.responses).map(([status, doc]) => [status, doc]));
  if (op.auth === 'dsk') Object.assign(responses, { 401: 'Unauthorized', 500: 'InternalError', 503: 'AuthUnavailable' }, { ...responses });
  if (op.body?.kind === 'json') Object.assign(responses, { 400: 'BadRequestBody', 413: 'PayloadTooLarge', 415: 'UnsupportedMediaType' }, { ...responses });
  const params = parameters(op, schemas);
  let requestBody: JsonObject | undefined;
  if (op.body?.kind === 'json') {
    requestBody = {
      ...(op.body.description ? { description: op.body.description } : {}),
      required: true,
      content: { 'application/json': { schema: schemas.convert(op.body.schema, 'input', op.body.component), examples: examples(op.body.examples) } },
    };
  } else if (op.body?.kind === 'raw') {
    requestBody = { ...(op.body.description ? { description: op.body.description } : {}), required: true, content: op.body.content as JsonObject };
  }
  return {
    operationId: op.operationId,
    tags: [...op.tags],
    summary: op.summary,
    ...(op.description ? { description: op.description } : {}),
    security: op.auth === 'dsk' ? [{ dskBearer: [] }] : [],
    ...(params.length > 0 ? { parameters: params } : {}),
    ...(requestBody ? { requestBody } : {}),
    responses: Object.fromEntries(
      Object.entries(responses)
        .sort(([a], [b]) => Number(a) - Number(b))
        .map(([status, doc]) => [status, response(doc, schemas)]),
    ),
  };
}

function webhook(eventExamples: ReadonlyMap<string, JsonObject>): JsonObject {
  const named: JsonObject = {};
  for (const [name, { file, summary }] of Object.entries(DSK_EVENT_WEBHOOK_EXAMPLES)) {
    const value = eventExamples.get(file);
    if (!value) throw new Error(`the dskEvent webhook shows docs/schemas/examples/${file}.json, which does not exist`);
    named[name] = { summary, value };
  }
  const content = DSK_EVENT_WEBHOOK.requestBody.content['application/json'];
  return { post: { ...DSK_EVENT_WEBHOOK, requestBody: { ...DSK_EVENT_WEBHOOK.requestBody, content: { 'application/json': { ...content, examples: named } } } } } as unknown as JsonObject;
}

export function buildOpenApiDocument({ operations, eventSchema, eventExamples }: DocumentInputs): JsonObject {
  const schemas = new SchemaCollector();
  const paths: Record<string, JsonObject> = {};
  const ids = new Set<string>();
  for (const op of operations) {
    if (ids.has(op.operationId)) throw new Error(`operationId ${op.operationId} is declared twice`);
    ids.add(op.operationId);
    const item = (paths[toTemplate(op.path)] ??= {});
    if (item[op.method]) throw new Error(`${op.method.toUpperCase()} ${op.path} is declared twice`);
    item[op.method] = operationObject(op, schemas);
  }
  const responses = Object.fromEntries(
    Object.entries(STANDARD_RESPONSES).map(([name, doc]) => [name, errorResponse(doc as ErrorResponseDoc, schemas)]),
  );
  const events = embedEventSchema(eventSchema);
  for (const name of Object.keys(events)) if (schemas.components.has(name)) throw new Error(`component ${name} collides with the embedded event schema`);
  return {
    openapi: '3.1.0',
    jsonSchemaDialect: 'https://spec.openapis.org/oas/3.1/dialect/base',
    info: INFO as unknown as JsonObject,
    servers: SERVERS,
    tags: TAGS,
    security: [{ dskBearer: [] }],
    paths,
    webhooks: { dskEvent: webhook(eventExamples) },
    components: {
      securitySchemes: SECURITY_SCHEMES as unknown as JsonObject,
      responses,
      schemas: { ...Object.fromEntries([...schemas.components].map(([id, { json }]) => [id, json])), ...events },
    },
  };
}
