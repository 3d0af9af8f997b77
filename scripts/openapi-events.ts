import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { projectRoot } from '../dev/infra/tools.js';

/**
 * docs/openapi.json embeds the DSK event schema (docs/schemas/dsk-event.v1.schema.json) rather than
 * pointing at it, so the served document is self-contained. The schema's `$defs` become components
 * named `DskEvent<Def>` (the `DskEvent` prefix is reserved for them) and its `#/$defs/…` refs are
 * rewritten to match, which every OpenAPI tool resolves. `syncEventSchema` is the one definition of
 * that embedding: scripts/sync-openapi-events.ts applies it, and test/unit/openapi.test.ts checks
 * that the document is a fixed point of it.
 */

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

export const EVENT_COMPONENT = 'DskEvent';
export const OPENAPI_PATH = path.join(projectRoot(), 'docs', 'openapi.json');
export const EVENT_SCHEMA_PATH = path.join(projectRoot(), 'docs', 'schemas', 'dsk-event.v1.schema.json');
export const EVENT_EXAMPLES_DIR = path.join(projectRoot(), 'docs', 'schemas', 'examples');

function rewriteRefs(node: Json): Json {
  if (Array.isArray(node)) return node.map(rewriteRefs);
  if (node === null || typeof node !== 'object') return node;
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === '$ref' && typeof value === 'string') {
      if (value === '#') out[key] = `#/components/schemas/${EVENT_COMPONENT}`;
      else if (value.startsWith('#/$defs/')) out[key] = `#/components/schemas/${EVENT_COMPONENT}${value.slice('#/$defs/'.length)}`;
      else throw new Error(`the event schema has a $ref the embedding cannot rewrite: ${value}`);
    } else {
      out[key] = rewriteRefs(value);
    }
  }
  return out;
}

/** The components that carry the event schema: `DskEvent` (the envelope) and `DskEvent<Def>` per `$defs` entry. */
export function embedEventSchema(schema: JsonObject): Record<string, JsonObject> {
  const { $schema: _dialect, $id, $defs, ...root } = schema;
  const components: Record<string, JsonObject> = {
    [EVENT_COMPONENT]: { ...(rewriteRefs(root) as JsonObject), 'x-json-schema-id': $id ?? null, 'x-source': 'docs/schemas/dsk-event.v1.schema.json' },
  };
  for (const [name, def] of Object.entries((($defs ?? {}) as JsonObject))) {
    components[`${EVENT_COMPONENT}${name}`] = rewriteRefs(def) as JsonObject;
  }
  return components;
}

export function isEventComponent(name: string): boolean {
  return name.startsWith(EVENT_COMPONENT);
}

/** The `dskEvent` webhook's request examples, keyed by example name. */
function webhookExamples(doc: JsonObject): Record<string, { value: JsonObject }> {
  const webhooks = doc.webhooks as JsonObject;
  const post = (webhooks.dskEvent as JsonObject).post as JsonObject;
  const content = ((post.requestBody as JsonObject).content as JsonObject)['application/json'] as JsonObject;
  return content.examples as unknown as Record<string, { value: JsonObject }>;
}

/**
 * The document with its event components replaced by the embedding of `schema`, and each webhook
 * example replaced by the docs/schemas example of the same event type. Pure: returns a new object.
 */
export function syncEventSchema(doc: JsonObject, schema: JsonObject, examplesByType: ReadonlyMap<string, JsonObject>): JsonObject {
  const next = structuredClone(doc);
  const components = next.components as JsonObject;
  const schemas = components.schemas as JsonObject;
  components.schemas = {
    ...Object.fromEntries(Object.entries(schemas).filter(([name]) => !isEventComponent(name))),
    ...embedEventSchema(schema),
  };
  for (const [name, example] of Object.entries(webhookExamples(next))) {
    const type = String(example.value.type);
    // A variant example (`message.status.send-outcome`) is matched by its name, the others by their type.
    const source = examplesByType.get(name) ?? examplesByType.get(type);
    if (!source) throw new Error(`webhook example "${name}" has type ${type}, which docs/schemas/examples has no example for`);
    example.value = structuredClone(source);
  }
  return next;
}

export function readJson<T = JsonObject>(file: string): T {
  return JSON.parse(readFileSync(file, 'utf8')) as T;
}

/**
 * docs/schemas/examples/<type>.json by the envelope's `type`, and each variant
 * (`<type>.<variant>.json`) by its file name without `.json`.
 */
export function readEventExamples(dir = EVENT_EXAMPLES_DIR): Map<string, JsonObject> {
  const byType = new Map<string, JsonObject>();
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.json')).sort()) {
    const example = readJson(path.join(dir, file));
    const stem = file.slice(0, -'.json'.length);
    byType.set(stem === example.type ? String(example.type) : stem, example);
  }
  return byType;
}
