/*
 * The document embeds the DSK event schema (docs/schemas/dsk-event.v1.schema.json) rather than
 * pointing at it, so the served document is self-contained. The schema's `$defs` become components
 * named `DskEvent<Def>` (the `DskEvent` prefix is reserved for them) and its `#/$defs/…` refs are
 * rewritten to match, which every OpenAPI tool resolves.
 */

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

export const EVENT_COMPONENT = 'DskEvent';

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
  for (const [name, def] of Object.entries(($defs ?? {}) as JsonObject)) {
    components[`${EVENT_COMPONENT}${name}`] = rewriteRefs(def) as JsonObject;
  }
  return components;
}

export function isEventComponent(name: string): boolean {
  return name.startsWith(EVENT_COMPONENT);
}
