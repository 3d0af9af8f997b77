import { z } from 'zod';
import { ConnectionListQuery, CreateConnection, IdempotencyKeyHeader, IdParam } from '../../routes/connections.js';
import { PAGE_PARAMETER_DOCS, Uuid, ValidationDetails } from '../common.js';
import { operation } from '../operation.js';
import * as S from '../schemas.js';

/* The operations of src/api/routes/connections.ts as docs/openapi.json states them. */

export const createConnection = operation({
  method: 'post',
  path: '/v1/connections',
  operationId: 'createConnection',
  tags: ["connections"],
  summary: "Start connecting a channel",
  description: "Creates a connection and a connect link valid for 30 minutes, and starts the workflow `connection-<connection_id>`. Send the end user to `connect_url`; after Meta's dialog they return to `return_url`. Follow progress with `GET /v1/connections/{id}` or wait for the `channel.status` event.\n\n`flow` defaults to the first flow this deployment offers for the channel type. A flow the deployment does not offer (or one of the other channel type) is `422 validation_failed` with `details[].path = \"flow\"` naming the available flows.",
  auth: 'dsk',
  headerParameters: [
    {
      name: 'Idempotency-Key',
      in: 'header',
      required: false,
      description:
        "DSK's own id for this request. A repeat with the same key and the same body within 24 hours answers the same connection (201, header `Idempotent-Replayed: true`; the connection's workflow is started if the first request died before it) and creates nothing; the same key with a different body is refused with 409 `idempotency_key_reused`. Keys are per instance.",
      schema: IdempotencyKeyHeader,
      example: 'crm-conn-7f3a',
    },
  ],
  body: { kind: 'json', schema: CreateConnection, component: 'ConnectionCreate', examples: {
    "whatsapp": {
      "channel_type": "whatsapp",
      "return_url": "https://acme.dsk.example/settings/channels"
    },
    "instagram": {
      "channel_type": "instagram",
      "return_url": "https://acme.dsk.example/settings/channels",
      "flow": "instagram_login"
    }
  } },
  responses: {
    201: { kind: 'json', description: "The connection was created; its workflow waits for the end user.", schema: S.ConnectionCreated, examples: {
      "created": {
        "connection_id": "8d0f5a7e-2c41-4b9e-9f3a-6b1d2e4c5a70",
        "connect_url": "https://meta.example.com/connect/8d0f5a7e-2c41-4b9e-9f3a-6b1d2e4c5a70",
        "expires_at": "2026-07-29T08:33:09.000Z",
        "status": "awaiting_authorization",
        "flow": "whatsapp_embedded_signup"
      }
    }, headers: {
      "Idempotent-Replayed": {
        "description": "`true` when this answers an earlier request with the same Idempotency-Key.",
        "schema": {
          "enum": ["true"]
        }
      }
    } },
    409: { kind: 'error', description: "`idempotency_key_reused`: the Idempotency-Key was used by this instance for a different body within the last 24 hours.", codes: ["idempotency_key_reused"], details: z.strictObject({ connection_id: Uuid }), examples: {
      "idempotency_key_reused": {
        "error": {
          "code": "idempotency_key_reused",
          "message": "This Idempotency-Key was used for a different request within the last 24 hours; use a new key",
          "details": {
            "connection_id": "8d0f5a7e-2c41-4b9e-9f3a-6b1d2e4c5a70"
          }
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
              "path": "flow",
              "message": "not available for instagram here; available: instagram_facebook_login"
            }
          ]
        }
      }
    } },
    429: 'QuotaExceeded',
  },
});

export const listConnections = operation({
  method: 'get',
  path: '/v1/connections',
  operationId: 'listConnections',
  tags: ["connections"],
  summary: "List connections",
  description: "The instance's connections, oldest first, a page at a time, as stored (GET /v1/connections/{id} answers one connection's live phase).",
  auth: 'dsk',
  query: ConnectionListQuery,
  parameterDocs: PAGE_PARAMETER_DOCS,
  responses: {
    200: { kind: 'json', description: "A page of connections (possibly none).", schema: S.ConnectionList, examples: {
      "one": {
        "connections": [
          {
            "connection_id": "8d0f5a7e-2c41-4b9e-9f3a-6b1d2e4c5a70",
            "channel_type": "whatsapp",
            "flow": "whatsapp_embedded_signup",
            "status": "active",
            "channel_id": "3f2b6c1e-9a4d-4e8b-b1c2-7d5e9f0a1b2c",
            "failure": null,
            "expires_at": "2026-07-29T08:33:09.000Z",
            "created_at": "2026-07-29T08:03:09.000Z"
          }
        ],
        "next_cursor": null
      }
    } },
    422: { kind: 'error', description: "A malformed limit or cursor.", codes: ["validation_failed"], details: ValidationDetails, examples: {
      "validation_failed": {
        "error": {
          "code": "validation_failed",
          "message": "Request does not match the schema",
          "details": [
            {
              "path": "after",
              "message": "must be a next_cursor from a previous page"
            }
          ]
        }
      }
    } },
    429: 'QuotaExceeded',
  },
});

export const getConnection = operation({
  method: 'get',
  path: '/v1/connections/:id',
  operationId: 'getConnection',
  tags: ["connections"],
  summary: "Follow a connection",
  description: "The live state of the connection workflow when it can be asked, else the stored state.",
  auth: 'dsk',
  params: IdParam,
  parameterDocs: {
    "id": {
      "description": "A connection id (`connection_id`).",
      "example": "8d0f5a7e-2c41-4b9e-9f3a-6b1d2e4c5a70"
    }
  },
  responses: {
    200: { kind: 'json', description: "The connection.", schema: S.Connection, examples: {
      "waiting": {
        "connection_id": "8d0f5a7e-2c41-4b9e-9f3a-6b1d2e4c5a70",
        "channel_type": "whatsapp",
        "flow": "whatsapp_embedded_signup",
        "status": "awaiting_authorization",
        "channel_id": null,
        "failure": null,
        "expires_at": "2026-07-29T08:33:09.000Z",
        "created_at": "2026-07-29T08:03:09.000Z"
      },
      "active": {
        "connection_id": "8d0f5a7e-2c41-4b9e-9f3a-6b1d2e4c5a70",
        "channel_type": "whatsapp",
        "flow": "whatsapp_embedded_signup",
        "status": "active",
        "channel_id": "3f2b6c1e-9a4d-4e8b-b1c2-7d5e9f0a1b2c",
        "failure": null,
        "expires_at": "2026-07-29T08:33:09.000Z",
        "created_at": "2026-07-29T08:03:09.000Z"
      },
      "failed": {
        "connection_id": "8d0f5a7e-2c41-4b9e-9f3a-6b1d2e4c5a70",
        "channel_type": "whatsapp",
        "flow": "whatsapp_embedded_signup",
        "status": "failed",
        "channel_id": null,
        "failure": {
          "code": "no_assets",
          "message": "Meta granted no phone number or account that can be connected"
        },
        "expires_at": "2026-07-29T08:33:09.000Z",
        "created_at": "2026-07-29T08:03:09.000Z"
      }
    } },
    404: { kind: 'error', description: "Unknown id, or an id of another instance (instances never see each other's resources).", codes: ["connection_not_found"], examples: {
      "connection_not_found": {
        "error": {
          "code": "connection_not_found",
          "message": "No such connection"
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
              "path": "id",
              "message": "must be a UUID"
            }
          ]
        }
      }
    } },
    429: 'QuotaExceeded',
  },
});

export const reconnectChannel = operation({
  method: 'post',
  path: '/v1/channels/:id/reconnect',
  operationId: 'reconnectChannel',
  tags: ["channels", "connections"],
  summary: "Start a new authorization round for a channel",
  description: "For a channel in `reauth_required`, or to replace its token. Opens a new connect link (30 minutes) on the channel's existing connection; send the end user to `connect_url`. No request body.",
  auth: 'dsk',
  params: IdParam,
  parameterDocs: {
    "id": {
      "description": "A channel id.",
      "example": "3f2b6c1e-9a4d-4e8b-b1c2-7d5e9f0a1b2c"
    }
  },
  responses: {
    200: { kind: 'json', description: "A new connect link.", schema: S.ReconnectLink, examples: {
      "reconnect": {
        "connection_id": "8d0f5a7e-2c41-4b9e-9f3a-6b1d2e4c5a70",
        "connect_url": "https://meta.example.com/connect/8d0f5a7e-2c41-4b9e-9f3a-6b1d2e4c5a70",
        "expires_at": "2026-07-29T09:30:00.000Z",
        "status": "awaiting_authorization"
      }
    } },
    404: { kind: 'error', description: "Unknown id, or an id of another instance (instances never see each other's resources).", codes: ["channel_not_found"], examples: {
      "channel_not_found": {
        "error": {
          "code": "channel_not_found",
          "message": "No such channel"
        }
      }
    } },
    409: { kind: 'error', description: "The channel cannot start a new authorization round.", codes: ["channel_disconnected", "not_reconnectable"], examples: {
      "channel_disconnected": {
        "error": {
          "code": "channel_disconnected",
          "message": "A disconnected channel cannot be re-connected; create a new connection"
        }
      },
      "not_reconnectable": {
        "error": {
          "code": "not_reconnectable",
          "message": "The channel cannot be re-connected now (phase authorizing)"
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
              "path": "id",
              "message": "must be a UUID"
            }
          ]
        }
      }
    } },
    429: 'QuotaExceeded',
  },
});
