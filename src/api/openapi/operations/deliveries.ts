import { z } from 'zod';
import { KeyParams, DeliveryListQuery } from '../../routes/deliveries.js';
import { PAGE_PARAMETER_DOCS, ValidationDetails } from '../common.js';
import { operation } from '../operation.js';
import * as S from '../schemas.js';

/* The operations of src/api/routes/deliveries.ts as docs/openapi.json states them. */

export const listDeliveries = operation({
  method: 'get',
  path: '/v1/deliveries',
  operationId: 'listDeliveries',
  tags: ["deliveries"],
  summary: "List deliveries that failed or are still retrying",
  description: "Newest first. Only ids, kinds, outcomes and DSK's own answers are listed, never event content. Unknown query parameters are refused (`422`, path `(body)`).",
  auth: 'dsk',
  query: DeliveryListQuery,
  parameterDocs: {
    "status": {
      "description": "`failed`: given up, can be retried. `retrying`: still being delivered after at least one failed attempt. Omitted: both."
    },
    "limit": {
      "description": "At most this many deliveries."
    },
    "after": PAGE_PARAMETER_DOCS.after,
  },
  responses: {
    200: { kind: 'json', description: "The deliveries (possibly none).", schema: S.DeliveryList, examples: {
      "mixed": {
        "deliveries": [
          {
            "key": "wa:msg:wamid.HBgLMTY1MDU1NTEyMzQVAgASGBQzRUIwQjM5NEQ2QzY3RjE2RjY0AA==",
            "kind": "message.received",
            "channel_id": "3f2b6c1e-9a4d-4e8b-b1c2-7d5e9f0a1b2c",
            "outcome": "failed",
            "attempts": 14,
            "last_dsk_status": 400,
            "last_error_code": "http",
            "received_at": "2026-07-29T08:03:12.417Z",
            "updated_at": "2026-07-29T08:09:40.002Z"
          },
          {
            "key": "wa:status:wamid.HBgLMTY1MDU1NTEyMzQVAgARGBJEQTk3RTQ4QjJFNzE3MUNBAA==:delivered",
            "kind": "message.status",
            "channel_id": "3f2b6c1e-9a4d-4e8b-b1c2-7d5e9f0a1b2c",
            "outcome": "delivering",
            "attempts": 3,
            "last_dsk_status": null,
            "last_error_code": "timeout",
            "received_at": "2026-07-29T08:03:12.417Z",
            "updated_at": "2026-07-29T08:04:02.950Z"
          }
        ],
        "next_cursor": null
      }
    } },
    422: { kind: 'error', description: "The request does not match the schema. `details` lists every problem with its field path (`a.b`, `a[0]`; `(body)` for the object itself, e.g. an unknown key).", codes: ["validation_failed"], details: ValidationDetails, examples: {
      "validation_failed": {
        "error": {
          "code": "validation_failed",
          "message": "Request does not match the schema",
          "details": [
            {
              "path": "limit",
              "message": "Too big: expected number to be <=500"
            }
          ]
        }
      }
    } },
    429: 'QuotaExceeded',
  },
});

export const retryDelivery = operation({
  method: 'post',
  path: '/v1/deliveries/:key/retry',
  operationId: 'retryDelivery',
  tags: ["deliveries"],
  summary: "Deliver a failed event again",
  description: "Replays the failed event into a new delivery run with the same `Idempotency-Key`, so DSK still processes it once. Only `failed` deliveries can be retried, and only while the event is still kept. No request body.",
  auth: 'dsk',
  params: KeyParams,
  parameterDocs: {
    "key": {
      "description": "The delivery's `key` (the event's `Idempotency-Key`), URL-encoded: `wa:msg:wamid.X==` is `wa%3Amsg%3Awamid.X%3D%3D`.",
      "example": "wa:msg:wamid.HBgLMTY1MDU1NTEyMzQVAgASGBQzRUIwQjM5NEQ2QzY3RjE2RjY0AA=="
    }
  },
  responses: {
    202: { kind: 'json', description: "A new delivery run started.", schema: S.DeliveryRetry, examples: {
      "retrying": {
        "key": "wa:msg:wamid.HBgLMTY1MDU1NTEyMzQVAgASGBQzRUIwQjM5NEQ2QzY3RjE2RjY0AA==",
        "status": "retrying"
      }
    } },
    404: { kind: 'error', description: "Unknown id, or an id of another instance (instances never see each other's resources).", codes: ["delivery_not_found"], examples: {
      "delivery_not_found": {
        "error": {
          "code": "delivery_not_found",
          "message": "No delivery with this key for this instance"
        }
      }
    } },
    409: { kind: 'error', description: "The delivery is not in `failed` (it was delivered, is being delivered, or is an orphan). `details.outcome` says where it is.", codes: ["not_retryable"], details: z.strictObject({
        outcome: z.string().meta({"description": "The delivery's current outcome (`accepted`, `started`, `delivering`, `delivered`, `orphan`, `failed`)."}),
      }), examples: {
      "not_retryable": {
        "error": {
          "code": "not_retryable",
          "message": "Only failed deliveries can be retried; this one is delivering",
          "details": {
            "outcome": "delivering"
          }
        }
      }
    } },
    410: { kind: 'error', description: "The event is past the retention window: its content is gone and it cannot be delivered again.", codes: ["retention_expired"], examples: {
      "retention_expired": {
        "error": {
          "code": "retention_expired",
          "message": "The event is no longer kept (past the retention window) and cannot be delivered again"
        }
      }
    } },
    422: { kind: 'error', description: "The request does not match the schema. `details` lists every problem with its field path (`a.b`, `a[0]`; `(body)` for the object itself, e.g. an unknown key).", codes: ["validation_failed"], details: ValidationDetails, examples: {
      "validation_failed": {
        "error": {
          "code": "validation_failed",
          "message": "Request does not match the schema",
          "details": [
            {
              "path": "key",
              "message": "Too big: expected string to have <=200 characters"
            }
          ]
        }
      }
    } },
    429: 'QuotaExceeded',
  },
});
