import { ChannelListQuery, Correction, IdParam } from '../../routes/channels.js';
import { PAGE_PARAMETER_DOCS, ValidationDetails } from '../common.js';
import { operation } from '../operation.js';
import * as S from '../schemas.js';

/* The operations of src/api/routes/channels.ts as docs/openapi.json states them. */

export const listChannels = operation({
  method: 'get',
  path: '/v1/channels',
  operationId: 'listChannels',
  tags: ["channels"],
  summary: "List the instance's channels",
  description: "Oldest first. Unknown query parameters are ignored.",
  auth: 'dsk',
  query: ChannelListQuery,
  parameterDocs: {
    "status": {
      "description": "Only channels with this status."
    },
    "channel_type": {
      "description": "Only channels of this type."
    },
    ...PAGE_PARAMETER_DOCS,
  },
  responses: {
    200: { kind: 'json', description: "The channels (possibly none).", schema: S.ChannelList, examples: {
      "two": {
        "channels": [
          {
            "id": "3f2b6c1e-9a4d-4e8b-b1c2-7d5e9f0a1b2c",
            "channel_type": "whatsapp",
            "status": "active",
            "external_id": "106540352242922",
            "display_name": "Acme Support",
            "phone_number": "+1 555-078-3881",
            "username": null,
            "waba_id": "102290129340398",
            "page_id": null,
            "labels": {
              "team": "support",
              "region": "eu"
            },
            "verification": {
              "code_verification_status": "VERIFIED",
              "quality_rating": "GREEN",
              "name_status": "APPROVED"
            },
            "connection_id": "8d0f5a7e-2c41-4b9e-9f3a-6b1d2e4c5a70",
            "created_at": "2026-07-01T09:12:44.120Z",
            "updated_at": "2026-07-20T16:02:10.005Z",
            "disconnected_at": null
          },
          {
            "id": "5a9e2d71-0c3b-4f86-a4d2-91b7e6f3c208",
            "channel_type": "instagram",
            "status": "reauth_required",
            "external_id": "17841405822304914",
            "display_name": "acme.shop",
            "phone_number": null,
            "username": "acme.shop",
            "waba_id": null,
            "page_id": "110987654321098",
            "labels": {},
            "verification": {
              "page_tasks": "MANAGE,MESSAGING"
            },
            "connection_id": "0b6c4f2e-7d18-4a35-b9e0-3c5d8a1f2e64",
            "created_at": "2026-05-11T07:40:02.311Z",
            "updated_at": "2026-07-28T03:00:00.000Z",
            "disconnected_at": null
          }
        ],
        "next_cursor": null
      },
      "none": {
        "channels": [],
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
              "path": "status",
              "message": "Invalid option: expected one of \"active\"|\"reauth_required\"|\"disconnected\""
            }
          ]
        }
      }
    } },
    429: 'QuotaExceeded',
  },
});

export const getChannel = operation({
  method: 'get',
  path: '/v1/channels/:id',
  operationId: 'getChannel',
  tags: ["channels"],
  summary: "Read a channel",
  auth: 'dsk',
  params: IdParam,
  parameterDocs: {
    "id": {
      "description": "A channel id.",
      "example": "3f2b6c1e-9a4d-4e8b-b1c2-7d5e9f0a1b2c"
    }
  },
  responses: {
    200: { kind: 'json', description: "The channel. Its token is never shown (see `/data` for what is stored about it).", schema: S.Channel, examples: {
      "whatsapp": {
        "id": "3f2b6c1e-9a4d-4e8b-b1c2-7d5e9f0a1b2c",
        "channel_type": "whatsapp",
        "status": "active",
        "external_id": "106540352242922",
        "display_name": "Acme Support",
        "phone_number": "+1 555-078-3881",
        "username": null,
        "waba_id": "102290129340398",
        "page_id": null,
        "labels": {
          "team": "support",
          "region": "eu"
        },
        "verification": {
          "code_verification_status": "VERIFIED",
          "quality_rating": "GREEN",
          "name_status": "APPROVED"
        },
        "connection_id": "8d0f5a7e-2c41-4b9e-9f3a-6b1d2e4c5a70",
        "created_at": "2026-07-01T09:12:44.120Z",
        "updated_at": "2026-07-20T16:02:10.005Z",
        "disconnected_at": null
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

export const correctChannel = operation({
  method: 'patch',
  path: '/v1/channels/:id',
  operationId: 'correctChannel',
  tags: ["channels"],
  summary: "Correct a channel's display name and labels",
  description: "The correction right. Give `display_name`, `labels` or both; `labels` replaces the whole set (`{}` removes all).",
  auth: 'dsk',
  params: IdParam,
  parameterDocs: {
    "id": {
      "description": "A channel id.",
      "example": "3f2b6c1e-9a4d-4e8b-b1c2-7d5e9f0a1b2c"
    }
  },
  body: { kind: 'json', schema: Correction, component: 'ChannelCorrection', examples: {
    "rename": {
      "display_name": "Acme Support EU"
    },
    "relabel": {
      "labels": {
        "team": "support",
        "region": "eu"
      }
    },
    "clearName": {
      "display_name": null
    }
  } },
  responses: {
    200: { kind: 'json', description: "The channel after the correction.", schema: S.Channel, examples: {
      "corrected": {
        "id": "3f2b6c1e-9a4d-4e8b-b1c2-7d5e9f0a1b2c",
        "channel_type": "whatsapp",
        "status": "active",
        "external_id": "106540352242922",
        "display_name": "Acme Support EU",
        "phone_number": "+1 555-078-3881",
        "username": null,
        "waba_id": "102290129340398",
        "page_id": null,
        "labels": {
          "team": "support",
          "region": "eu"
        },
        "verification": {
          "code_verification_status": "VERIFIED",
          "quality_rating": "GREEN",
          "name_status": "APPROVED"
        },
        "connection_id": "8d0f5a7e-2c41-4b9e-9f3a-6b1d2e4c5a70",
        "created_at": "2026-07-01T09:12:44.120Z",
        "updated_at": "2026-07-20T16:02:10.005Z",
        "disconnected_at": null
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
    422: { kind: 'error', description: "The request does not match the schema. `details` lists every problem with its field path (`a.b`, `a[0]`; `(body)` for the object itself, e.g. an unknown key).", codes: ["validation_failed"], details: ValidationDetails, examples: {
      "validation_failed": {
        "error": {
          "code": "validation_failed",
          "message": "Request does not match the schema",
          "details": [
            {
              "path": "(body)",
              "message": "nothing to correct: give display_name and/or labels"
            }
          ]
        }
      }
    } },
    429: 'QuotaExceeded',
  },
});

export const disconnectChannel = operation({
  method: 'delete',
  path: '/v1/channels/:id',
  operationId: 'disconnectChannel',
  tags: ["channels"],
  summary: "Disconnect a channel",
  description: "The deletion right. The connection workflow unsubscribes the app from the channel's webhooks where possible, destroys the token, marks the channel `disconnected` and sends a `channel.status` event. Idempotent: a disconnected channel answers `200` again.",
  auth: 'dsk',
  params: IdParam,
  parameterDocs: {
    "id": {
      "description": "A channel id.",
      "example": "3f2b6c1e-9a4d-4e8b-b1c2-7d5e9f0a1b2c"
    }
  },
  responses: {
    200: { kind: 'json', description: "The channel is disconnected (now, or it already was).", schema: S.ChannelDisconnect, examples: {
      "disconnected": {
        "id": "3f2b6c1e-9a4d-4e8b-b1c2-7d5e9f0a1b2c",
        "status": "disconnected"
      }
    } },
    202: { kind: 'json', description: "The connection workflow was asked to disconnect; the `channel.status` event tells when it is done.", schema: S.ChannelDisconnect, examples: {
      "disconnecting": {
        "id": "3f2b6c1e-9a4d-4e8b-b1c2-7d5e9f0a1b2c",
        "status": "disconnecting"
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

export const getChannelData = operation({
  method: 'get',
  path: '/v1/channels/:id/data',
  operationId: 'getChannelData',
  tags: ["channels"],
  summary: "Everything the service stores about a channel",
  description: "The information right: the channel, a description of its token (never the token), and counts of the webhook log and message statuses. No message content is stored.",
  auth: 'dsk',
  params: IdParam,
  parameterDocs: {
    "id": {
      "description": "A channel id.",
      "example": "3f2b6c1e-9a4d-4e8b-b1c2-7d5e9f0a1b2c"
    }
  },
  responses: {
    200: { kind: 'json', description: "What is stored.", schema: S.ChannelData, examples: {
      "whatsapp": {
        "channel": {
          "id": "3f2b6c1e-9a4d-4e8b-b1c2-7d5e9f0a1b2c",
          "channel_type": "whatsapp",
          "status": "active",
          "external_id": "106540352242922",
          "display_name": "Acme Support",
          "phone_number": "+1 555-078-3881",
          "username": null,
          "waba_id": "102290129340398",
          "page_id": null,
          "labels": {
            "team": "support",
            "region": "eu"
          },
          "verification": {
            "code_verification_status": "VERIFIED",
            "quality_rating": "GREEN",
            "name_status": "APPROVED"
          },
          "connection_id": "8d0f5a7e-2c41-4b9e-9f3a-6b1d2e4c5a70",
          "created_at": "2026-07-01T09:12:44.120Z",
          "updated_at": "2026-07-20T16:02:10.005Z",
          "disconnected_at": null
        },
        "token": {
          "present": true,
          "kind": "business_system_user",
          "expires_at": null,
          "encryption_key_id": "k2026",
          "last_checked_at": "2026-07-29T03:00:00.000Z"
        },
        "webhook_log": {
          "retention_days": 30,
          "contains": "event keys, kinds, times and delivery outcomes; never message content",
          "by_outcome": [
            {
              "outcome": "delivered",
              "count": 1289,
              "oldest": "2026-06-29T08:10:41.000Z"
            },
            {
              "outcome": "failed",
              "count": 2,
              "oldest": "2026-07-12T22:01:05.000Z"
            }
          ]
        },
        "message_statuses": {
          "count": 311,
          "contains": "message ids and their latest delivery status"
        },
        "sends": {
          "retention_days": 30,
          "contains": "client_message_id, Meta's message id and the send's state; never content or the recipient",
          "by_state": [
            {
              "state": "accepted",
              "count": 12
            }
          ]
        },
        "captured_media": {
          "contains": "inbound media files (Instagram attachments), AES-256-GCM encrypted, until acknowledged or the delivery horizon plus one day",
          "count": 0,
          "bytes": 0,
          "oldest": null
        }
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
