import { Params } from '../../routes/media.js';
import { ValidationDetails } from '../common.js';
import { operation } from '../operation.js';
import * as S from '../schemas.js';

/* The operations of src/api/routes/media.ts as docs/openapi.json states them. */

export const getMedia = operation({
  method: 'get',
  path: '/v1/media/:channelId/:mediaId',
  operationId: 'getMedia',
  tags: ["media"],
  summary: "Download WhatsApp media",
  description: "Streams the bytes behind a media id of an inbound WhatsApp message (`data.message.media.id`), fetched from Meta with the channel's own token. Meta keeps inbound media for a limited time (about 7 days). Instagram attachments arrive as URLs in the event itself and have no media id. Meta's errors carry the same stable codes as failed sends and uploads (`details`: Meta's `meta_code`/`meta_subcode`, a readable `reason`, `retryable`); Meta's own message is never passed on.",
  auth: 'dsk',
  params: Params,
  parameterDocs: {
    "channelId": {
      "description": "The WhatsApp channel the media was sent to.",
      "example": "3f2b6c1e-9a4d-4e8b-b1c2-7d5e9f0a1b2c"
    },
    "mediaId": {
      "description": "Meta's media id from the event (`data.message.media.id`).",
      "example": "1479523016612041"
    }
  },
  responses: {
    200: { kind: 'raw', description: "The media bytes. `Content-Type` is Meta's MIME type (`application/octet-stream` when Meta's is not a valid one). If Meta's stream breaks midway, the body ends short of `Content-Length`.", content: {
      "*/*": {
        "schema": {
          "type": "string",
          "contentMediaType": "application/octet-stream"
        }
      }
    }, headers: {
      "Content-Type": {
        "description": "The media's MIME type, e.g. `image/jpeg`, `audio/ogg; codecs=opus`.",
        "schema": {
          "type": "string"
        }
      },
      "Content-Length": {
        "description": "Size in bytes, when Meta gives it.",
        "schema": {
          "type": "integer",
          "minimum": 0
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
    400: { kind: 'error', description: "The channel is not a WhatsApp channel.", codes: ["unsupported_channel_type"], examples: {
      "unsupported_channel_type": {
        "error": {
          "code": "unsupported_channel_type",
          "message": "Media ids exist only for WhatsApp channels"
        }
      }
    } },
    404: { kind: 'error', description: "Unknown channel (or another instance's), or Meta has no such media for this channel (unknown, expired, or of another number).", codes: ["channel_not_found", "media_not_found"], details: S.MetaFailureDetails, examples: {
      "channel_not_found": {
        "error": {
          "code": "channel_not_found",
          "message": "No such channel for this instance"
        }
      },
      "media_not_found": {
        "error": {
          "code": "media_not_found",
          "message": "Meta has no such media for this channel (unknown or expired)",
          "details": {
            "meta_code": 100,
            "meta_subcode": 33,
            "reason": "Meta has no such media for this channel (unknown or expired).",
            "retryable": false
          }
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
    422: { kind: 'error', description: "The request does not match the schema. `details` lists every problem with its field path (`a.b`, `a[0]`; `(body)` for the object itself, e.g. an unknown key).", codes: ["validation_failed"], details: ValidationDetails, examples: {
      "validation_failed": {
        "error": {
          "code": "validation_failed",
          "message": "Request does not match the schema",
          "details": [
            {
              "path": "channelId",
              "message": "must be a UUID"
            },
            {
              "path": "mediaId",
              "message": "must be 1 to 32 digits"
            }
          ]
        }
      }
    } },
    429: { kind: 'error', description: "Meta is throttling calls for this channel. Or the instance is over a quota (`quota_exceeded`, with `Retry-After`; see the `QuotaExceeded` response).", codes: ["meta_throttled", "quota_exceeded"], details: S.MetaFailureDetails, examples: {
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
