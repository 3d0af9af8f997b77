import { Request } from '../../routes/channel-media.js';
import { ValidationDetails } from '../common.js';
import { operation } from '../operation.js';
import * as S from '../schemas.js';

/* The operations of src/api/routes/channel-media.ts as docs/openapi.json states them. */

export const uploadChannelMedia = operation({
  method: 'post',
  path: '/v1/channels/:id/media',
  operationId: 'uploadChannelMedia',
  tags: ["media", "channels"],
  summary: "Upload a file to send on a WhatsApp channel",
  description: "Streams the request body to Meta (`POST /{phone-number-id}/media` with the channel's own token) and answers Meta's media id, which a WhatsApp message can then reference (`image.id`, `document.id`, …). Meta keeps uploaded media for 30 days.\n\n**The body is the raw file** (not a form): `Content-Type` is the file's MIME type, `Content-Length` its size when known (a chunked body is accepted and streamed to Meta chunked ⚠ not verified against Meta). No `Content-Encoding`. `multipart/form-data` is refused with `415`.\n\nChecked before anything reaches Meta: the channel (this instance's, WhatsApp, connected), the type, and the size from `Content-Length`. A body that grows past the limit while streaming aborts the upload to Meta and answers `413`: a response carries either a media id or an error, never both. An upload that failed can be repeated safely (at worst Meta keeps an unused media id).\n\nTypes and limits (⚠ WhatsApp's published limits, as the service knows them; MB read as MiB):\n\n| Content-Type | kind | max size |\n|---|---|---|\n| `image/jpeg` | image | 5 MiB |\n| `image/png` | image | 5 MiB |\n| `image/webp` | sticker | 500 KiB |\n| `audio/aac` | audio | 16 MiB |\n| `audio/amr` | audio | 16 MiB |\n| `audio/mpeg` | audio | 16 MiB |\n| `audio/mp4` | audio | 16 MiB |\n| `audio/ogg` | audio | 16 MiB |\n| `audio/opus` | audio | 16 MiB |\n| `video/mp4` | video | 16 MiB |\n| `video/3gpp` | video | 16 MiB |\n| `text/plain` | document | 100 MiB |\n| `application/pdf` | document | 100 MiB |\n| `application/msword` | document | 100 MiB |\n| `application/vnd.openxmlformats-officedocument.wordprocessingml.document` | document | 100 MiB |\n| `application/vnd.ms-excel` | document | 100 MiB |\n| `application/vnd.openxmlformats-officedocument.spreadsheetml.sheet` | document | 100 MiB |\n| `application/vnd.ms-powerpoint` | document | 100 MiB |\n| `application/vnd.openxmlformats-officedocument.presentationml.presentation` | document | 100 MiB |\n\n`image/webp` is sent as a sticker (static stickers: 100 KB, checked by Meta only). Parameters such as `; codecs=opus` are accepted and dropped: Meta receives the bare type.\n\nMeta's errors carry the same stable codes as failed sends (`details`: Meta's `meta_code`/`meta_subcode`, a readable `reason`, `retryable`); Meta's own message is never passed on. A token Meta no longer accepts answers `409 reauth_required`; the channel's status is left to the connection's own token checks.",
  auth: 'dsk',
  params: Request.pick({ id: true }),
  query: Request.pick({ filename: true }),
  parameterDocs: {
    "id": {
      "description": "A channel id.",
      "example": "3f2b6c1e-9a4d-4e8b-b1c2-7d5e9f0a1b2c"
    },
    "filename": {
      "description": "Name of the multipart file Meta receives. Sanitized: last path segment, accents dropped, other characters outside `A-Z a-z 0-9 space . _ ( ) + -` replaced by `_`, at most 200 characters (extension kept); `media.<ext>` when nothing usable is left. WhatsApp shows a document's name from the message's `filename`, not from here.",
      "example": "invoice-2026-07.pdf"
    }
  },
  body: { kind: 'raw', description: "The raw file; `Content-Type` one of the types below.", content: {
    "image/jpeg": {
      "schema": {
        "type": "string",
        "contentMediaType": "image/jpeg",
        "description": "The raw file."
      }
    },
    "image/png": {
      "schema": {
        "type": "string",
        "contentMediaType": "image/png",
        "description": "The raw file."
      }
    },
    "image/webp": {
      "schema": {
        "type": "string",
        "contentMediaType": "image/webp",
        "description": "The raw file."
      }
    },
    "audio/aac": {
      "schema": {
        "type": "string",
        "contentMediaType": "audio/aac",
        "description": "The raw file."
      }
    },
    "audio/amr": {
      "schema": {
        "type": "string",
        "contentMediaType": "audio/amr",
        "description": "The raw file."
      }
    },
    "audio/mpeg": {
      "schema": {
        "type": "string",
        "contentMediaType": "audio/mpeg",
        "description": "The raw file."
      }
    },
    "audio/mp4": {
      "schema": {
        "type": "string",
        "contentMediaType": "audio/mp4",
        "description": "The raw file."
      }
    },
    "audio/ogg": {
      "schema": {
        "type": "string",
        "contentMediaType": "audio/ogg",
        "description": "The raw file."
      }
    },
    "audio/opus": {
      "schema": {
        "type": "string",
        "contentMediaType": "audio/opus",
        "description": "The raw file."
      }
    },
    "video/mp4": {
      "schema": {
        "type": "string",
        "contentMediaType": "video/mp4",
        "description": "The raw file."
      }
    },
    "video/3gpp": {
      "schema": {
        "type": "string",
        "contentMediaType": "video/3gpp",
        "description": "The raw file."
      }
    },
    "text/plain": {
      "schema": {
        "type": "string",
        "contentMediaType": "text/plain",
        "description": "The raw file."
      }
    },
    "application/pdf": {
      "schema": {
        "type": "string",
        "contentMediaType": "application/pdf",
        "description": "The raw file."
      }
    },
    "application/msword": {
      "schema": {
        "type": "string",
        "contentMediaType": "application/msword",
        "description": "The raw file."
      }
    },
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": {
      "schema": {
        "type": "string",
        "contentMediaType": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "description": "The raw file."
      }
    },
    "application/vnd.ms-excel": {
      "schema": {
        "type": "string",
        "contentMediaType": "application/vnd.ms-excel",
        "description": "The raw file."
      }
    },
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {
      "schema": {
        "type": "string",
        "contentMediaType": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "description": "The raw file."
      }
    },
    "application/vnd.ms-powerpoint": {
      "schema": {
        "type": "string",
        "contentMediaType": "application/vnd.ms-powerpoint",
        "description": "The raw file."
      }
    },
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": {
      "schema": {
        "type": "string",
        "contentMediaType": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "description": "The raw file."
      }
    }
  } },
  responses: {
    201: { kind: 'json', description: "Meta stored the file. `Location` is where it can be read back (`GET /v1/media/{channelId}/{mediaId}`).", schema: S.MediaUpload, examples: {
      "image": {
        "id": "1479523016612041",
        "mime_type": "image/jpeg",
        "file_size": 48213,
        "expires_at": "2026-08-28T08:03:09.000Z"
      }
    }, headers: {
      "Location": {
        "description": "The media's download path.",
        "schema": {
          "type": "string"
        }
      }
    } },
    400: { kind: 'error', description: "The channel is not a WhatsApp channel (`unsupported_channel_type`; Instagram takes attachments as URLs), or the client aborted the upload (`request_aborted`, seen in logs only).", codes: ["unsupported_channel_type", "request_aborted"], examples: {
      "unsupported_channel_type": {
        "error": {
          "code": "unsupported_channel_type",
          "message": "Media can be uploaded only to WhatsApp channels"
        }
      },
      "request_aborted": {
        "error": {
          "code": "request_aborted",
          "message": "Request was aborted by the client"
        }
      }
    } },
    404: { kind: 'error', description: "Unknown channel, or another instance's.", codes: ["channel_not_found"], examples: {
      "channel_not_found": {
        "error": {
          "code": "channel_not_found",
          "message": "No such channel for this instance"
        }
      }
    } },
    409: { kind: 'error', description: "The channel cannot upload now: disconnected; `reauth_required` (the channel's status says so, or Meta refused its token: code 190/0); a missing Meta permission; or the WhatsApp Business account is blocked (`policy_blocked`). Codes from Meta carry `details`.", codes: ["channel_disconnected", "reauth_required", "permission_missing", "policy_blocked"], details: S.MetaFailureDetails, examples: {
      "channel_disconnected": {
        "error": {
          "code": "channel_disconnected",
          "message": "The channel is disconnected"
        }
      },
      "reauth_required": {
        "error": {
          "code": "reauth_required",
          "message": "Meta no longer accepts the channel's token; the channel must be connected again",
          "details": {
            "meta_code": 190,
            "meta_subcode": 463,
            "reason": "The channel's access token expired; the channel must be reconnected.",
            "retryable": false
          }
        }
      },
      "permission_missing": {
        "error": {
          "code": "permission_missing",
          "message": "The channel lacks a Meta permission needed to upload media",
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
    413: { kind: 'error', description: "The file is larger than WhatsApp accepts for its kind: known from `Content-Length` before anything is sent, or found while streaming (the upload to Meta is then aborted). The connection is closed after this answer.", codes: ["media_too_large"], details: S.MediaSizeLimit, examples: {
      "media_too_large": {
        "error": {
          "code": "media_too_large",
          "message": "WhatsApp accepts image media of at most 5242880 bytes",
          "details": {
            "kind": "image",
            "max_bytes": 5242880
          }
        }
      }
    } },
    415: { kind: 'error', description: "`Content-Type` is not a type WhatsApp accepts (including `multipart/form-data`: send the raw file), or the body has a `Content-Encoding`.", codes: ["unsupported_media_type"], examples: {
      "unsupported_media_type": {
        "error": {
          "code": "unsupported_media_type",
          "message": "Content-Type must be a media type WhatsApp accepts, and the body the raw file",
          "details": {
            "content_type": "image/gif"
          }
        }
      }
    } },
    422: { kind: 'error', description: "A malformed channel id or `filename`, or an empty body (`details[].path` `(body)`).", codes: ["validation_failed"], details: ValidationDetails, examples: {
      "validation_failed": {
        "error": {
          "code": "validation_failed",
          "message": "Request does not match the schema",
          "details": [
            {
              "path": "(body)",
              "message": "must not be empty"
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
    502: { kind: 'error', description: "Meta failed or refused the upload. `meta_unavailable`: temporary (no answer, a 5xx, a transient code), retry later. `undeliverable`: Meta could not process the file (e.g. 131053). `bad_request`: Meta refused a parameter (e.g. 100). `meta_error`: anything else. `details.retryable` says whether repeating can help.", codes: ["meta_unavailable", "undeliverable", "bad_request", "meta_error"], details: S.MetaFailureDetails, examples: {
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
          "message": "Meta could not process the media",
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
          "message": "Meta refused the upload as invalid",
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
          "message": "Meta refused the upload",
          "details": {
            "meta_code": 999999,
            "meta_subcode": null,
            "reason": "Meta returned an error this service does not recognise.",
            "retryable": false
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
