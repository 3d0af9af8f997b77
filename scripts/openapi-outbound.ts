import { z } from 'zod';
import { instagramOutboundSchema, whatsappOutboundSchema } from '../src/api/outbound-schema/index.js';
import type { JsonObject } from './openapi-events.js';

/**
 * The bodies of `POST /v1/channels/{id}/messages` in docs/openapi.json are generated from the zod
 * schemas that validate them (src/api/outbound-schema/), so the document states exactly the
 * constraints the API enforces. What JSON Schema cannot say (Unicode code-point and UTF-8 byte
 * lengths, "a single emoji") is enforced by the API and described in the operation's text.
 * scripts/sync-openapi-events.ts writes them; test/unit/openapi.test.ts checks they are current.
 */
export const OUTBOUND_COMPONENTS = {
  OutboundWhatsAppMessage: whatsappOutboundSchema,
  OutboundInstagramMessage: instagramOutboundSchema,
} as const;

export function outboundComponents(): Record<keyof typeof OUTBOUND_COMPONENTS, JsonObject> {
  const out = {} as Record<keyof typeof OUTBOUND_COMPONENTS, JsonObject>;
  for (const [name, schema] of Object.entries(OUTBOUND_COMPONENTS) as Array<[keyof typeof OUTBOUND_COMPONENTS, z.ZodType]>) {
    // The request as DSK writes it (`io: input`): defaults are optional, refinements are checked by the API.
    const { $schema: _dialect, ...json } = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonObject;
    out[name] = json;
  }
  return out;
}

/** The document with its outbound-message components replaced by freshly generated ones. Pure. */
export function syncOutboundSchemas(doc: JsonObject): JsonObject {
  const next = structuredClone(doc);
  const components = next.components as JsonObject;
  components.schemas = { ...(components.schemas as JsonObject), ...outboundComponents() };
  return next;
}
