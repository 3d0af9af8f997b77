import { z } from 'zod';
import { ProfileParams, ProfilePatch } from '../../routes/business-profile.js';
import { ValidationDetails } from '../common.js';
import { operation } from '../operation.js';
import * as S from '../schemas.js';

/* The operations of src/api/routes/business-profile.ts as docs/openapi.json states them. */

export const getBusinessProfile = operation({
  method: 'get',
  path: '/v1/channels/:id/profile',
  operationId: 'getBusinessProfile',
  tags: ["profiles"],
  summary: "Read the WhatsApp business profile",
  description: "The number's business profile as customers see it, read from Meta with the channel's token.",
  auth: 'dsk',
  params: ProfileParams,
  parameterDocs: {
    "id": {
      "description": "A channel id.",
      "example": "3f2b6c1e-9a4d-4e8b-b1c2-7d5e9f0a1b2c"
    }
  },
  responses: {
    200: { kind: 'json', description: "The profile.", schema: S.BusinessProfile, examples: {
      "profile": {
        "about": "Succulent specialists!",
        "address": "1 Hacker Way, Menlo Park, CA 94025",
        "description": "We sell succulents.",
        "email": "shop@acme.example",
        "profile_picture_url": "https://pps.whatsapp.net/v/t61.24/acme.jpg",
        "websites": [
          "https://acme.example/"
        ],
        "vertical": "RETAIL"
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
    409: { kind: 'error', description: "The channel is not a WhatsApp channel (`unsupported_channel_type`), or the channel cannot read its profile now: disconnected; `reauth_required` (its status says so, or Meta refused its token); a missing Meta permission; or the account is blocked. Codes from Meta carry `details`.", codes: ["unsupported_channel_type", "channel_disconnected", "reauth_required", "permission_missing", "policy_blocked"], details: S.MetaFailureDetails, examples: {
      "unsupported_channel_type": {
        "error": {
          "code": "unsupported_channel_type",
          "message": "Business profiles exist only for WhatsApp channels"
        }
      },
      "channel_disconnected": {
        "error": {
          "code": "channel_disconnected",
          "message": "The channel is disconnected"
        }
      },
      "reauth_required": {
        "error": {
          "code": "reauth_required",
          "message": "The channel must be connected again before its profile can be read or changed"
        }
      },
      "permission_missing": {
        "error": {
          "code": "permission_missing",
          "message": "The channel lacks a Meta permission needed to manage the WhatsApp Business account",
          "details": {
            "meta_code": 200,
            "meta_subcode": null,
            "reason": "The app lacks a permission needed to send on this channel.",
            "retryable": false
          }
        }
      },
      "policy_blocked": {
        "error": {
          "code": "policy_blocked",
          "message": "The WhatsApp Business account is blocked from this action; an operator must act in Meta Business Manager",
          "details": {
            "meta_code": 368,
            "meta_subcode": null,
            "reason": "The WhatsApp Business account is blocked for a policy violation.",
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
              "path": "id",
              "message": "must be a UUID"
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
            "meta_code": 80008,
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
    502: { kind: 'error', description: "Meta failed or refused the request. `meta_unavailable`: temporary, retry later. `bad_request`: Meta refused a parameter (e.g. a template of that name and language already exists). `meta_error`: anything else. Meta's own text is never passed on.", codes: ["meta_unavailable", "bad_request", "meta_error"], details: S.MetaFailureDetails, examples: {
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
      "bad_request": {
        "error": {
          "code": "bad_request",
          "message": "Meta refused the request as invalid",
          "details": {
            "meta_code": 100,
            "meta_subcode": 2388024,
            "reason": "Meta rejected a parameter of the request as invalid.",
            "retryable": false
          }
        }
      },
      "meta_error": {
        "error": {
          "code": "meta_error",
          "message": "Meta refused the request",
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

export const updateBusinessProfile = operation({
  method: 'patch',
  path: '/v1/channels/:id/profile',
  operationId: 'updateBusinessProfile',
  tags: ["profiles"],
  summary: "Change the WhatsApp business profile",
  description: "Changes the given fields at Meta and answers the profile as Meta then shows it. The photo is changed with `PUT /v1/channels/{id}/profile/photo`.",
  auth: 'dsk',
  params: ProfileParams,
  parameterDocs: {
    "id": {
      "description": "A channel id.",
      "example": "3f2b6c1e-9a4d-4e8b-b1c2-7d5e9f0a1b2c"
    }
  },
  body: { kind: 'json', schema: ProfilePatch, component: 'BusinessProfileUpdate', examples: {
    "about": {
      "about": "Succulent specialists!",
      "websites": [
        "https://acme.example/"
      ],
      "vertical": "RETAIL",
      "email": "shop@acme.example"
    }
  } },
  responses: {
    200: { kind: 'json', description: "The profile after the change.", schema: S.BusinessProfile, examples: {
      "profile": {
        "about": "Succulent specialists!",
        "address": "1 Hacker Way, Menlo Park, CA 94025",
        "description": "We sell succulents.",
        "email": "shop@acme.example",
        "profile_picture_url": "https://pps.whatsapp.net/v/t61.24/acme.jpg",
        "websites": [
          "https://acme.example/"
        ],
        "vertical": "RETAIL"
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
    409: { kind: 'error', description: "The channel is not a WhatsApp channel (`unsupported_channel_type`), or the channel cannot change its profile now: disconnected; `reauth_required` (its status says so, or Meta refused its token); a missing Meta permission; or the account is blocked. Codes from Meta carry `details`.", codes: ["unsupported_channel_type", "channel_disconnected", "reauth_required", "permission_missing", "policy_blocked"], details: S.MetaFailureDetails, examples: {
      "unsupported_channel_type": {
        "error": {
          "code": "unsupported_channel_type",
          "message": "Business profiles exist only for WhatsApp channels"
        }
      },
      "channel_disconnected": {
        "error": {
          "code": "channel_disconnected",
          "message": "The channel is disconnected"
        }
      },
      "reauth_required": {
        "error": {
          "code": "reauth_required",
          "message": "The channel must be connected again before its profile can be read or changed"
        }
      },
      "permission_missing": {
        "error": {
          "code": "permission_missing",
          "message": "The channel lacks a Meta permission needed to manage the WhatsApp Business account",
          "details": {
            "meta_code": 200,
            "meta_subcode": null,
            "reason": "The app lacks a permission needed to send on this channel.",
            "retryable": false
          }
        }
      },
      "policy_blocked": {
        "error": {
          "code": "policy_blocked",
          "message": "The WhatsApp Business account is blocked from this action; an operator must act in Meta Business Manager",
          "details": {
            "meta_code": 368,
            "meta_subcode": null,
            "reason": "The WhatsApp Business account is blocked for a policy violation.",
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
              "path": "about",
              "message": "Too big: expected string to have <=139 characters"
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
            "meta_code": 80008,
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
    502: { kind: 'error', description: "Meta failed or refused the request. `meta_unavailable`: temporary, retry later. `bad_request`: Meta refused a parameter (e.g. a template of that name and language already exists). `meta_error`: anything else. Meta's own text is never passed on.", codes: ["meta_unavailable", "bad_request", "meta_error"], details: S.MetaFailureDetails, examples: {
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
      "bad_request": {
        "error": {
          "code": "bad_request",
          "message": "Meta refused the request as invalid",
          "details": {
            "meta_code": 100,
            "meta_subcode": 2388024,
            "reason": "Meta rejected a parameter of the request as invalid.",
            "retryable": false
          }
        }
      },
      "meta_error": {
        "error": {
          "code": "meta_error",
          "message": "Meta refused the request",
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

export const setBusinessProfilePhoto = operation({
  method: 'put',
  path: '/v1/channels/:id/profile/photo',
  operationId: 'setBusinessProfilePhoto',
  tags: ["profiles"],
  summary: "Set the WhatsApp profile photo",
  description: "The body is the image itself (JPEG or PNG, at most 5 MiB). The service uploads it with Meta's Resumable Upload API under its own app (DSK holds no Meta token, so it cannot produce the handle Meta wants) and sets it as the profile picture.",
  auth: 'dsk',
  params: ProfileParams,
  parameterDocs: {
    "id": {
      "description": "A channel id.",
      "example": "3f2b6c1e-9a4d-4e8b-b1c2-7d5e9f0a1b2c"
    }
  },
  body: { kind: 'raw', description: "The raw image; `Content-Type` one of the types below.", content: {
    "image/jpeg": {
      "schema": {
        "type": "string",
        "contentMediaType": "image/jpeg",
        "description": "The raw image."
      }
    },
    "image/png": {
      "schema": {
        "type": "string",
        "contentMediaType": "image/png",
        "description": "The raw image."
      }
    }
  } },
  responses: {
    200: { kind: 'json', description: "The profile with its new photo.", schema: S.BusinessProfile, examples: {
      "profile": {
        "about": "Succulent specialists!",
        "address": "1 Hacker Way, Menlo Park, CA 94025",
        "description": "We sell succulents.",
        "email": "shop@acme.example",
        "profile_picture_url": "https://pps.whatsapp.net/v/t61.24/acme.jpg",
        "websites": [
          "https://acme.example/"
        ],
        "vertical": "RETAIL"
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
    409: { kind: 'error', description: "The channel is not a WhatsApp channel (`unsupported_channel_type`), or the channel cannot change its profile now: disconnected; `reauth_required` (its status says so, or Meta refused its token); a missing Meta permission; or the account is blocked. Codes from Meta carry `details`.", codes: ["unsupported_channel_type", "channel_disconnected", "reauth_required", "permission_missing", "policy_blocked"], details: S.MetaFailureDetails, examples: {
      "unsupported_channel_type": {
        "error": {
          "code": "unsupported_channel_type",
          "message": "Business profiles exist only for WhatsApp channels"
        }
      },
      "channel_disconnected": {
        "error": {
          "code": "channel_disconnected",
          "message": "The channel is disconnected"
        }
      },
      "reauth_required": {
        "error": {
          "code": "reauth_required",
          "message": "The channel must be connected again before its profile can be read or changed"
        }
      },
      "permission_missing": {
        "error": {
          "code": "permission_missing",
          "message": "The channel lacks a Meta permission needed to manage the WhatsApp Business account",
          "details": {
            "meta_code": 200,
            "meta_subcode": null,
            "reason": "The app lacks a permission needed to send on this channel.",
            "retryable": false
          }
        }
      },
      "policy_blocked": {
        "error": {
          "code": "policy_blocked",
          "message": "The WhatsApp Business account is blocked from this action; an operator must act in Meta Business Manager",
          "details": {
            "meta_code": 368,
            "meta_subcode": null,
            "reason": "The WhatsApp Business account is blocked for a policy violation.",
            "retryable": false
          }
        }
      }
    } },
    413: { kind: 'error', description: "The image is larger than 5 MiB. The connection is closed after this answer.", codes: ["media_too_large"], details: z.strictObject({
        max_bytes: z.int(),
      }), examples: {
      "media_too_large": {
        "error": {
          "code": "media_too_large",
          "message": "A profile photo may be at most 5242880 bytes",
          "details": {
            "max_bytes": 5242880
          }
        }
      }
    } },
    415: { kind: 'error', description: "`Content-Type` is not image/jpeg or image/png.", codes: ["unsupported_media_type"], details: z.strictObject({
        content_type: z.string().nullable(),
      }), examples: {
      "unsupported_media_type": {
        "error": {
          "code": "unsupported_media_type",
          "message": "Content-Type must be image/jpeg or image/png, and the body the image itself",
          "details": {
            "content_type": "image/gif"
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
              "path": "(body)",
              "message": "must not be empty"
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
            "meta_code": 80008,
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
    502: { kind: 'error', description: "Meta failed or refused the request. `meta_unavailable`: temporary, retry later. `bad_request`: Meta refused a parameter (e.g. a template of that name and language already exists). `meta_error`: anything else. Meta's own text is never passed on.", codes: ["meta_unavailable", "bad_request", "meta_error"], details: S.MetaFailureDetails, examples: {
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
      "bad_request": {
        "error": {
          "code": "bad_request",
          "message": "Meta refused the request as invalid",
          "details": {
            "meta_code": 100,
            "meta_subcode": 2388024,
            "reason": "Meta rejected a parameter of the request as invalid.",
            "retryable": false
          }
        }
      },
      "meta_error": {
        "error": {
          "code": "meta_error",
          "message": "Meta refused the request",
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
