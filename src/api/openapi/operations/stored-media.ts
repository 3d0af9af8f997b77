import { z } from 'zod';
import { StoredMediaParams } from '../../routes/stored-media.js';
import { ValidationDetails } from '../common.js';
import { operation } from '../operation.js';
import * as S from '../schemas.js';

/* The operations of src/api/routes/stored-media.ts as docs/openapi.json states them. */

export const getChannelMedia = operation({
  method: 'get',
  path: '/v1/channels/:id/media/:mediaId',
  operationId: 'getChannelMedia',
  tags: ["media"],
  summary: "Download an inbound media item",
  description: "What an event's `service_url` points at, for the whole delivery horizon. Instagram attachments (whose CDN links expire) were captured when the event arrived and are served from the service's encrypted store, with `Range` support; WhatsApp media (whose ids Meta keeps 7 days) is fetched from Meta with the channel's token and streamed through, unless the horizon outlives Meta's ids, when it is captured too.",
  auth: 'dsk',
  params: StoredMediaParams,
  parameterDocs: {
    "id": {
      "description": "A channel id.",
      "example": "3f2b6c1e-9a4d-4e8b-b1c2-7d5e9f0a1b2c"
    },
    "mediaId": {
      "description": "The last segment of a media item's `service_url` from an event: a captured item's id (`ig…`), or a WhatsApp media id.",
      "example": "1479523016612041"
    }
  },
  headerParameters: [
    {
      "name": "Range",
      "in": "header",
      "required": false,
      "description": "`bytes=a-b`, `bytes=a-` or `bytes=-n` (captured items).",
      "schema": {
        "type": "string"
      },
      "example": "bytes=0-1023"
    }
  ],
  responses: {
    200: { kind: 'raw', description: "The whole item. Captured items answer `Accept-Ranges: bytes`; WhatsApp media fetched from Meta answers `Accept-Ranges: none`.", content: {
      "*/*": {
        "schema": {
          "type": "string",
          "contentMediaType": "application/octet-stream"
        }
      }
    }, headers: {
      "Content-Type": {
        "description": "The media's MIME type.",
        "schema": {
          "type": "string"
        }
      },
      "Content-Length": {
        "description": "Size in bytes, when known.",
        "schema": {
          "type": "integer",
          "minimum": 0
        }
      },
      "Accept-Ranges": {
        "description": "`bytes` for captured items, `none` for media streamed from Meta.",
        "schema": {
          "enum": [
            "bytes",
            "none"
          ]
        }
      },
      "Cache-Control": {
        "description": "Always `private, no-store`.",
        "schema": {
          "type": "string",
          "const": "private, no-store"
        }
      }
    } },
    206: { kind: 'raw', description: "The part of a captured item a `Range: bytes=a-b` asked for (one range; several are answered whole).", content: {
      "*/*": {
        "schema": {
          "type": "string",
          "contentMediaType": "application/octet-stream"
        }
      }
    }, headers: {
      "Content-Range": {
        "description": "`bytes a-b/size`.",
        "schema": {
          "type": "string"
        }
      },
      "Content-Length": {
        "schema": {
          "type": "integer",
          "minimum": 0
        }
      }
    } },
    404: { kind: 'error', description: "Unknown channel (or another instance's), or no such media: the service holds none under this id (never captured, acknowledged, or past its horizon), or Meta has none for this channel.", codes: ["channel_not_found", "media_not_found"], details: S.MetaFailureDetails, examples: {
      "channel_not_found": {
        "error": {
          "code": "channel_not_found",
          "message": "No such channel"
        }
      },
      "media_not_found": {
        "error": {
          "code": "media_not_found",
          "message": "The service holds no such media for this channel (never captured, acknowledged, or past its horizon)"
        }
      }
    } },
    409: { kind: 'error', description: "The channel cannot fetch media now: disconnected; `reauth_required` (the channel's status says so, or Meta refused its token: code 190/0); a missing Meta permission; or the WhatsApp Business account is blocked (`policy_blocked`). Codes from Meta carry `details`.", codes: ["channel_disconnected", "reauth_required", "permission_missing", "policy_blocked"], details: S.MetaFailureDetails, examples: {
      "channel_disconnected": {
        "error": {
          "code": "channel_disconnected",
          "message": "The channel is disconnected"
        }
      },
      "reauth_required": {
        "error": {
          "code": "reauth_required",
          "message": "The channel must be connected again before media can be fetched"
        }
      },
      "permission_missing": {
        "error": {
          "code": "permission_missing",
          "message": "The channel lacks a Meta permission needed to read media",
          "details": {
            "meta_code": 131005,
            "meta_subcode": null,
            "reason": "Access denied: the token lacks WhatsApp messaging permission for this phone number.",
            "retryable": false
          }
        }
      },
      "policy_blocked": {
        "error": {
          "code": "policy_blocked",
          "message": "The WhatsApp Business account is blocked from this action; an operator must act in Meta Business Manager",
          "details": {
            "meta_code": 131031,
            "meta_subcode": null,
            "reason": "The WhatsApp Business account is locked or restricted for a policy violation.",
            "retryable": false
          }
        }
      }
    } },
    416: { kind: 'error', description: "The range lies outside the item.", codes: ["range_not_satisfiable"], details: z.strictObject({
        size: z.int(),
      }), examples: {
      "range_not_satisfiable": {
        "error": {
          "code": "range_not_satisfiable",
          "message": "The requested range is outside the media",
          "details": {
            "size": 16384
          }
        }
      }
    }, headers: {
      "Content-Range": {
        "description": "`bytes */size`.",
        "schema": {
          "type": "string"
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
              "path": "mediaId",
              "message": "must be a media id from an event"
            }
          ]
        }
      }
    } },
    429: { kind: 'error', description: "Meta is throttling calls for this channel.", codes: ["meta_throttled"], details: S.MetaFailureDetails, examples: {
      "meta_throttled": {
        "error": {
          "code": "meta_throttled",
          "message": "Meta is throttling calls for this channel; retry later",
          "details": {
            "meta_code": 80007,
            "meta_subcode": null,
            "reason": "The WhatsApp Business account reached Meta's rate limit; the send can be retried after a wait.",
            "retryable": true
          }
        }
      }
    }, headers: {
      "Retry-After": {
        "description": "Seconds to wait, when Meta said so.",
        "schema": {
          "type": "integer",
          "minimum": 0
        }
      }
    } },
    502: { kind: 'error', description: "Meta failed or refused the request. `meta_unavailable`: temporary (no answer, a 5xx, a transient code), retry later. `undeliverable`: Meta could not process the media. `bad_request`: Meta refused a parameter. `meta_error`: anything else. `details.retryable` says whether repeating can help; Meta's own text is never passed on.", codes: ["meta_unavailable", "undeliverable", "bad_request", "meta_error"], details: S.MetaFailureDetails, examples: {
      "meta_unavailable": {
        "error": {
          "code": "meta_unavailable",
          "message": "Meta is temporarily unavailable; retry later",
          "details": {
            "meta_code": 2,
            "meta_subcode": null,
            "reason": "Meta is temporarily unavailable; the send can be retried.",
            "retryable": true
          }
        }
      },
      "undeliverable": {
        "error": {
          "code": "undeliverable",
          "message": "Meta could not complete the media request",
          "details": {
            "meta_code": 131053,
            "meta_subcode": null,
            "reason": "WhatsApp could not process the media (unsupported type or size).",
            "retryable": false
          }
        }
      },
      "bad_request": {
        "error": {
          "code": "bad_request",
          "message": "Meta refused the media request as invalid",
          "details": {
            "meta_code": 100,
            "meta_subcode": null,
            "reason": "Meta rejected a parameter of the request as invalid.",
            "retryable": false
          }
        }
      },
      "meta_error": {
        "error": {
          "code": "meta_error",
          "message": "Meta refused the media request",
          "details": {
            "meta_code": null,
            "meta_subcode": null,
            "reason": "Meta answered the request with something this service cannot read; the request can be retried.",
            "retryable": true
          }
        }
      }
    }, headers: {
      "Retry-After": {
        "description": "Seconds to wait, when Meta said so.",
        "schema": {
          "type": "integer",
          "minimum": 0
        }
      }
    } },
  },
});

export const acknowledgeChannelMedia = operation({
  method: 'delete',
  path: '/v1/channels/:id/media/:mediaId',
  operationId: 'acknowledgeChannelMedia',
  tags: ["media"],
  summary: "Acknowledge an inbound media item",
  description: "DSK has what it needs: the service deletes its captured copy now (it would go at the horizon anyway). Idempotent; for WhatsApp media streamed from Meta nothing is held, so nothing changes.",
  auth: 'dsk',
  params: StoredMediaParams,
  parameterDocs: {
    "id": {
      "description": "A channel id.",
      "example": "3f2b6c1e-9a4d-4e8b-b1c2-7d5e9f0a1b2c"
    },
    "mediaId": {
      "description": "The last segment of a media item's `service_url` from an event: a captured item's id (`ig…`), or a WhatsApp media id.",
      "example": "1479523016612041"
    }
  },
  responses: {
    204: { kind: 'raw', description: "Nothing is held under this id any more." },
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
              "path": "mediaId",
              "message": "must be a media id from an event"
            }
          ]
        }
      }
    } },
  },
});
