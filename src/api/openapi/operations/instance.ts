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
        "events_url": "https://acme.dsk.example/hooks/meta-events",
        "event_types": null
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
    },
    "subscribe": {
      "events_url": "https://acme.dsk.example/hooks/meta-events",
      "event_types": ["message.received", "message.status", "channel.status"]
    }
  } },
  responses: {
    200: { kind: 'json', description: "The instance's settings after the change.", schema: S.Instance, examples: {
      "configured": {
        "id": "inst_acme_eu_1",
        "events_url": "https://acme.dsk.example/hooks/meta-events",
        "event_types": null
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

export const sendTestEvent = operation({
  method: 'post',
  path: '/v1/instance/test-event',
  operationId: 'sendTestEvent',
  tags: ["instance"],
  summary: "Send a test event to the instance's events URL",
  description: "Sends a `test.ping` event (docs/schemas, `channel: null`) to the events URL now, signed with the service's JWT and keyed with an Idempotency-Key like every event, whatever the instance's `event_types`, and answers what DSK answered. It is not retried: it checks the endpoint.",
  auth: 'dsk',
  responses: {
    200: { kind: 'json', description: "DSK accepted the test event.", schema: S.TestEventResult, examples: {
      "delivered": {
        "event_id": "test:ping:0b6f2a1c-3d4e-4f5a-8b9c-0d1e2f3a4b5c",
        "delivered": true,
        "dsk_status": 200
      }
    } },
    404: { kind: 'error', description: "Test events are not available in this deployment.", codes: ["not_found"], examples: {
      "not_found": {
        "error": {
          "code": "not_found",
          "message": "No such route"
        }
      }
    } },
    409: { kind: 'error', description: "The instance has no events URL yet.", codes: ["no_events_url"], examples: {
      "no_events_url": {
        "error": {
          "code": "no_events_url",
          "message": "This instance has no events URL; PUT /v1/instance first"
        }
      }
    } },
    429: 'QuotaExceeded',
    502: { kind: 'error', description: "The events URL did not accept the test event: `details` say DSK's status (null when none came) and the class of failure (`http`, `network`, `timeout`, `no_events_url`).", codes: ["test_event_failed"], details: S.TestEventFailureDetails, examples: {
      "test_event_failed": {
        "error": {
          "code": "test_event_failed",
          "message": "The events URL did not accept the test event",
          "details": {
            "event_id": "test:ping:0b6f2a1c-3d4e-4f5a-8b9c-0d1e2f3a4b5c",
            "dsk_status": 500,
            "reason": "http"
          }
        }
      }
    } },
  },
});
