import { writeFileSync } from 'node:fs';
import { generatedOpenApi, OPENAPI_PATH } from './openapi-events.js';

/**
 * Writes docs/openapi.json from the operations the route modules declare (src/api/openapi) and the
 * DSK event schema in docs/schemas. test/unit/openapi.test.ts fails until this has been run after
 * a route, a schema or an event example changed.
 *
 *   npm run openapi        (= npm run build && node dist/scripts/openapi.js)
 */
writeFileSync(OPENAPI_PATH, `${JSON.stringify(generatedOpenApi(), null, 2)}\n`);
process.stdout.write(`${OPENAPI_PATH} written\n`);
