import { IdParam, SendParams, WaitQuery } from '../../routes/messages.js';
import { OutboundMessage } from '../outbound.js';
import { operation } from '../operation.js';
import * as S from '../schemas.js';

/* The operations of src/api/routes/messages.ts as docs/openapi.json states them. */

export const sendMessage = operation({
  method: 'post',
  path: '/v1/channels/:id/messages',
  operationId: 'sendMessage',
  tags: ["messages", "channels"],
  summary: "Send a message on a channel",
  description: "Validates the body against the channel's type (field-level `422` before anything is sent), then starts the send as the workflow `outbound-<instance>-<client_message_id>` and waits up to `wait_ms` for Meta's answer: `200` with Meta's message id, or `202` if Meta has not answered yet (the outcome follows as a `message.status` event with `source: \"send\"` and can be read with `GET …/messages/{clientMessageId}`). DSK hears every outcome as an event too, so its view is the same whichever answer it got.\n\n**Idempotent**: the same `client_message_id` (per instance) never sends twice; a repeat, concurrent or later, answers the first send's result (or its error).\n\n**Errors from Meta** are classified by Meta's code, not the HTTP status: throttling and transient errors are retried with backoff inside the send (up to 10 minutes); a refused token answers `409 reauth_required` and moves the channel to `reauth_required`; permission, policy, window, template and recipient errors fail at once. Error `details` carry `client_message_id`, `meta_code` and `meta_subcode`.\n\n**Rates**: sends are paced to Meta's per-number throughput (`WHATSAPP_SENDS_PER_SECOND`, 80 by default) and per-recipient pair rate (error 131056), across all workers, so a burst waits instead of being refused.\n\nLimits JSON Schema cannot state, enforced by the API: WhatsApp text ≤ 4096 characters, captions ≤ 1024, interactive texts as in Meta's documentation (counted in Unicode code points); Instagram text ≤ 1000 bytes of UTF-8; an Instagram reaction is a single emoji, `love`, or `\"\"` to remove it.",
  auth: 'dsk',
  params: IdParam,
  query: WaitQuery,
  parameterDocs: {
    "id": {
      "description": "A channel id.",
      "example": "3f2b6c1e-9a4d-4e8b-b1c2-7d5e9f0a1b2c"
    },
    "wait_ms": {
      "description": "How long to wait for Meta's answer before answering `202` (default 5000).",
      "example": 5000
    }
  },
  body: { kind: 'json', schema: OutboundMessage, examples: {
    "whatsappText": {
      "client_message_id": "crm-msg-0042",
      "to": "+16505551234",
      "type": "text",
      "text": {
        "body": "Your order has shipped: https://acme.com/t/1234",
        "preview_url": true
      }
    },
    "whatsappTemplate": {
      "client_message_id": "crm-msg-0043",
      "to": "+16505551234",
      "type": "template",
      "template": {
        "name": "order_update",
        "language": {
          "code": "en_US"
        },
        "components": [
          {
            "type": "body",
            "parameters": [
              {
                "type": "text",
                "text": "#1234"
              }
            ]
          }
        ]
      }
    },
    "whatsappImageReply": {
      "client_message_id": "crm-msg-0044",
      "to": "+16505551234",
      "type": "image",
      "image": {
        "link": "https://cdn.acme.com/shop.jpg",
        "caption": "Our shop"
      },
      "reply_to": {
        "message_id": "wamid.HBgLMTY1MDU1NTEyMzQVAgARGBJEQTk3RTQ4QjJFNzE3MUNBAA=="
      }
    }
  } },
  responses: {
    200: { kind: 'json', description: "Meta accepted the message.", schema: S.SendResult, examples: {
      "accepted": {
        "client_message_id": "crm-msg-0042",
        "channel_id": "3f2b6c1e-9a4d-4e8b-b1c2-7d5e9f0a1b2c",
        "status": "accepted",
        "message_id": "wamid.HBgLMTY1MDU1NTEyMzQVAgARGBJEQTk3RTQ4QjJFNzE3MUNBAA=="
      }
    } },
    202: { kind: 'json', description: "Meta has not answered within `wait_ms` (`pending`), or its answer was lost (`unknown`, never resent). The outcome follows as a `message.status` event.", schema: S.SendResult, examples: {
      "pending": {
        "client_message_id": "crm-msg-0042",
        "channel_id": "3f2b6c1e-9a4d-4e8b-b1c2-7d5e9f0a1b2c",
        "status": "pending"
      },
      "unknown": {
        "client_message_id": "crm-msg-0042",
        "channel_id": "3f2b6c1e-9a4d-4e8b-b1c2-7d5e9f0a1b2c",
        "status": "unknown",
        "error": {
          "code": "ambiguous_send",
          "meta_code": null,
          "meta_subcode": null,
          "reason": "No answer came back from Meta, so the message may have been sent; it is reconciled from webhooks instead of being sent again."
        }
      }
    } },
    404: { kind: 'error', description: "Unknown channel, or another instance's.", codes: ["channel_not_found"], examples: {
      "channel_not_found": {
        "error": {
          "code": "channel_not_found",
          "message": "No such channel"
        }
      }
    } },
    409: { kind: 'error', description: "The channel cannot send: disconnected, waiting for re-authorization (`reauth_required`, also when Meta refuses its token: code 190 or 0), the app lacks a permission, or the business account is blocked. `outside_customer_window`: the customer has not written within the service window (WhatsApp 24 hours; Instagram 24 hours, 7 days with `tag: HUMAN_AGENT`), so a free-form message is refused before Meta is called (ENFORCE_CUSTOMER_WINDOW); send a template instead. `details` say until when the window ran (null: the customer never wrote, or too long ago). A repeat of a send made while the window was open still answers that send.", codes: ["channel_disconnected", "reauth_required", "channel_type_mismatch", "permission_missing", "policy_blocked", "outside_customer_window"], examples: {
      "reauth_required": {
        "error": {
          "code": "reauth_required",
          "message": "The channel's access token is invalid or expired; the channel must be reconnected.",
          "details": {
            "client_message_id": "crm-msg-0042",
            "meta_code": 190,
            "meta_subcode": 463
          }
        }
      },
      "policy_blocked": {
        "error": {
          "code": "policy_blocked",
          "message": "The WhatsApp Business account is locked or restricted for a policy violation.",
          "details": {
            "client_message_id": "crm-msg-0042",
            "meta_code": 131031,
            "meta_subcode": null
          }
        }
      },
      "outside_customer_window": {
        "error": {
          "code": "outside_customer_window",
          "message": "The customer's 24-hour window has closed; a reply tagged HUMAN_AGENT is still accepted, or send a template",
          "details": {
            "client_message_id": "crm-msg-0042",
            "window_expires_at": "2026-07-30T08:03:09.000Z",
            "human_agent_window_expires_at": "2026-08-05T08:03:09.000Z"
          }
        }
      }
    } },
    422: { kind: 'error', description: "The body does not match the channel type's schema; `details` names each field.", codes: ["validation_failed"], examples: {
      "validation_failed": {
        "error": {
          "code": "validation_failed",
          "message": "Request does not match the schema",
          "details": [
            {
              "path": "image.captoin",
              "message": "is not an accepted field here"
            }
          ]
        }
      }
    } },
    429: { kind: 'error', description: "Meta kept throttling the send for 10 minutes (retries included); it was not sent. Or the instance is over a quota (`quota_exceeded`, with `Retry-After`; see the `QuotaExceeded` response).", codes: ["meta_throttled", "quota_exceeded"], examples: {
      "meta_throttled": {
        "error": {
          "code": "meta_throttled",
          "message": "The phone number exceeded its WhatsApp Cloud API throughput (messages per second); the send can be retried after a wait.",
          "details": {
            "client_message_id": "crm-msg-0042",
            "meta_code": 130429,
            "meta_subcode": null
          }
        }
      }
    }, headers: {
      "Retry-After": {
        "description": "Seconds to wait (always sent for quota_exceeded).",
        "schema": {
          "type": "integer",
          "minimum": 0
        }
      }
    } },
    502: { kind: 'error', description: "Meta refused or failed the send; the request itself was valid. The code says why, e.g. `outside_customer_window` (131047: send a template), `recipient_unavailable` (551: the person cannot be reached by this account, usually a block), `template_error`, `invalid_recipient`, `meta_unavailable` (still failing after retries).", codes: ["outside_customer_window", "recipient_unavailable", "invalid_recipient", "template_error", "bad_request", "undeliverable", "quality_limited", "meta_unavailable", "meta_error", "ambiguous_send"], examples: {
      "outside_customer_window": {
        "error": {
          "code": "outside_customer_window",
          "message": "More than 24 hours have passed since the customer last wrote; only an approved template can be sent now.",
          "details": {
            "client_message_id": "crm-msg-0042",
            "meta_code": 131047,
            "meta_subcode": null
          }
        }
      }
    } },
  },
});

export const getMessage = operation({
  method: 'get',
  path: '/v1/channels/:id/messages/:clientMessageId',
  operationId: 'getMessage',
  tags: ["messages", "channels"],
  summary: "Read where a send stands",
  description: "The send's current result: `pending` while Meta has not answered, `accepted`, `unknown` (answer lost, never resent; becomes `accepted` if a webhook proves it), or `failed` with its error. Sends are kept as long as the Temporal namespace keeps closed workflows (8 days in the standard deployment).",
  auth: 'dsk',
  params: SendParams,
  parameterDocs: {
    "id": {
      "description": "A channel id.",
      "example": "3f2b6c1e-9a4d-4e8b-b1c2-7d5e9f0a1b2c"
    },
    "clientMessageId": {
      "description": "DSK's `client_message_id` of the send.",
      "example": "crm-msg-0042"
    }
  },
  responses: {
    200: { kind: 'json', description: "The send's result.", schema: S.SendResult, examples: {
      "accepted": {
        "client_message_id": "crm-msg-0042",
        "channel_id": "3f2b6c1e-9a4d-4e8b-b1c2-7d5e9f0a1b2c",
        "status": "accepted",
        "message_id": "wamid.HBgLMTY1MDU1NTEyMzQVAgARGBJEQTk3RTQ4QjJFNzE3MUNBAA=="
      },
      "failed": {
        "client_message_id": "crm-msg-0042",
        "channel_id": "3f2b6c1e-9a4d-4e8b-b1c2-7d5e9f0a1b2c",
        "status": "failed",
        "error": {
          "code": "outside_customer_window",
          "meta_code": 131047,
          "meta_subcode": null,
          "reason": "More than 24 hours have passed since the customer last wrote; only an approved template can be sent now."
        }
      }
    } },
    404: { kind: 'error', description: "Unknown channel (or another instance's), or no send with this id on this channel.", codes: ["channel_not_found", "message_not_found"], examples: {
      "message_not_found": {
        "error": {
          "code": "message_not_found",
          "message": "No send with this client_message_id on this channel"
        }
      }
    } },
    422: { kind: 'error', description: "A malformed channel id or client_message_id.", codes: ["validation_failed"], examples: {
      "validation_failed": {
        "error": {
          "code": "validation_failed",
          "message": "Request does not match the schema",
          "details": [
            {
              "path": "clientMessageId",
              "message": "must be 1-128 of A-Z a-z 0-9 . _ : -"
            }
          ]
        }
      }
    } },
    429: 'QuotaExceeded',
  },
});
