import { InstanceBody } from '../../routes/instance.js';
import { ValidationDetails } from '../common.js';
import { operation } from '../operation.js';
import * as S from '../schemas.js';

/* The operations of src/api/routes/instance.ts as docs/openapi.json states them. */

export const getInstance = operation({
  method: 'get',
  path: '/v1/instance',
  operationId: 'getInstance',
  tags: ["instance"],
  summary: "Read the calling instance's settings",
  auth: 'dsk',
  responses: {
    200: { kind: 'json', description: "The instance's settings.", schema: S.Instance, examples: {
      "configured": {
        "id": "inst_acme_eu_1",
        "events_url": "https://acme.dsk.example/hooks/meta-events"
      }
    } },
    404: { kind: 'error', description: "The instance has no settings yet.", codes: ["instance_not_found"], examples: {
      "instance_not_found": {
        "error": {
          "code": "instance_not_found",
          "message": "This instance has no settings yet; PUT /v1/instance first"
        }
      }
    } },
    429: 'QuotaExceeded',
  },
});

export const putInstance = operation({
  method: 'put',
  path: '/v1/instance',
  operationId: 'putInstance',
  tags: ["instance"],
  summary: "Set where the service POSTs this instance's events",
  description: "Creates the instance's settings on first use. `events_url: null` stops deliveries: events are then recorded as failed with `last_error_code: no_events_url` (see `/v1/deliveries`). Unknown body fields are ignored.",
  auth: 'dsk',
  body: { kind: 'json', schema: InstanceBody, component: 'InstanceUpdate', examples: {
    "set": {
      "events_url": "https://acme.dsk.example/hooks/meta-events"
    },
    "clear": {
      "events_url": null
    }
  } },
  responses: {
    200: { kind: 'json', description: "The instance's settings after the change.", schema: S.Instance, examples: {
      "configured": {
        "id": "inst_acme_eu_1",
        "events_url": "https://acme.dsk.example/hooks/meta-events"
      }
    } },
    422: { kind: 'error', description: "The request does not match the schema. `details` lists every problem with its field path (`a.b`, `a[0]`; `(body)` for the object itself, e.g. an unknown key).", codes: ["validation_failed"], details: ValidationDetails, examples: {
      "validation_failed": {
        "error": {
          "code": "validation_failed",
          "message": "Request does not match the schema",
          "details": [
            {
              "path": "events_url",
              "message": "must be an http(s) URL"
            }
          ]
        }
      }
    } },
    429: 'QuotaExceeded',
  },
});
