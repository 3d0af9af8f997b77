import { writeFileSync } from 'node:fs';
import { CLIENT_TYPES_PATH, clientTypes, generatedOpenApi, OPENAPI_PATH } from './openapi-events.js';

/**
 * Writes docs/openapi.json from the operations the route modules declare (src/api/openapi) and the
 * DSK event schema in docs/schemas, then the DSK client's types from it (clients/dsk-node/src/api.ts). test/unit/openapi.test.ts fails until this has been run after
 * a route, a schema or an event example changed.
 *
 *   npm run openapi        (= npm run build && node dist/scripts/openapi.js)
 */
const document = generatedOpenApi();
writeFileSync(OPENAPI_PATH, `${JSON.stringify(document, null, 2)}\n`);
writeFileSync(CLIENT_TYPES_PATH, await clientTypes(document));
process.stdout.write(`${OPENAPI_PATH} and ${CLIENT_TYPES_PATH} written\n`);
