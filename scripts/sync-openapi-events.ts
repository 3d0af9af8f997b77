import { writeFileSync } from 'node:fs';
import { EVENT_SCHEMA_PATH, OPENAPI_PATH, readEventExamples, readJson, syncEventSchema } from './openapi-events.js';
import { syncOutboundSchemas } from './openapi-outbound.js';

/**
 * Re-embeds docs/schemas/dsk-event.v1.schema.json (and the webhook's examples from
 * docs/schemas/examples) into docs/openapi.json after the event schema changed, and regenerates the
 * outbound message schemas from src/api/outbound-schema/. The unit test
 * test/unit/openapi.test.ts fails until this has been run.
 *
 *   npm run build && node dist/scripts/sync-openapi-events.js
 */
const synced = syncOutboundSchemas(syncEventSchema(readJson(OPENAPI_PATH), readJson(EVENT_SCHEMA_PATH), readEventExamples()));
writeFileSync(OPENAPI_PATH, `${JSON.stringify(synced, null, 2)}\n`);
process.stdout.write(`${OPENAPI_PATH} re-embeds the event schema\n`);
