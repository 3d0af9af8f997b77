import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { projectRoot } from '../dev/infra/tools.js';
import { buildOpenApiDocument } from '../src/api/openapi/document.js';
import { OPERATIONS } from '../src/api/openapi/operations/index.js';
import type { JsonObject } from '../src/api/openapi/events.js';

export type { Json, JsonObject } from '../src/api/openapi/events.js';

/** Where the generated document and its file inputs live. */
export const OPENAPI_PATH = path.join(projectRoot(), 'docs', 'openapi.json');
export const EVENT_SCHEMA_PATH = path.join(projectRoot(), 'docs', 'schemas', 'dsk-event.v1.schema.json');
export const EVENT_EXAMPLES_DIR = path.join(projectRoot(), 'docs', 'schemas', 'examples');

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

/** The document as the code and docs/schemas state it now. */
export function generatedOpenApi(): JsonObject {
  return buildOpenApiDocument({ operations: OPERATIONS, eventSchema: readJson(EVENT_SCHEMA_PATH), eventExamples: readEventExamples() });
}
