import { TemplateDeleteQuery, TemplateListQuery, TemplateNameParams, TemplateParams } from '../../routes/templates.js';
import { TemplateCreateBody } from '../../template-schema.js';
import { ValidationDetails } from '../common.js';
import { operation } from '../operation.js';
import * as S from '../schemas.js';

/* The operations of src/api/routes/templates.ts as docs/openapi.json states them. */

export const listTemplates = operation({
  method: 'get',
  path: '/v1/channels/:id/templates',
  operationId: 'listTemplates',
  tags: ["templates"],
  summary: "List the channel's message templates",
  description: "The templates of the channel's WhatsApp Business account with, per component, how many parameters a send must give it. Read from Meta once when the account was never read (then kept current by Meta's template webhooks and a daily sync), so the first call may answer Meta's errors. Cursor paging: pass `next_cursor` as `after`.",
  auth: 'dsk',
  params: TemplateParams,
  query: TemplateListQuery,
  parameterDocs: {
    "id": {
      "description": "A channel id.",
      "example": "3f2b6c1e-9a4d-4e8b-b1c2-7d5e9f0a1b2c"
    },
    "limit": {
      "description": "Page size (default 100).",
      "example": 50
    },
    "after": {
      "description": "`next_cursor` of the previous page.",
      "example": "WyJvcmRlcl91cGRhdGUiLCJlbl9VUyJd"
    },
    "status": {
      "description": "Only templates in this status.",
      "example": "APPROVED"
    },
    "name": {
      "description": "Only the languages of this template.",
      "example": "order_update"
    }
  },
  responses: {
    200: { kind: 'json', description: "A page of templates, by name and language.", schema: S.TemplateList, examples: {
      "page": {
        "templates": [
          {
            "id": "1234567890",
            "name": "order_update",
            "language": "en_US",
            "category": "UTILITY",
            "status": "APPROVED",
            "parameter_format": "positional",
            "components": [
              {
                "type": "body",
                "text": "Your order {{1}} has shipped.",
                "parameter_count": 1
              },
              {
                "type": "button",
                "index": 0,
                "sub_type": "quick_reply",
                "text": "Confirm receipt",
                "parameter_count": 0
              }
            ]
          }
        ],
        "next_cursor": null
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
    409: { kind: 'error', description: "The channel is not a WhatsApp channel (`unsupported_channel_type`), or the channel cannot read its templates now: disconnected; `reauth_required` (its status says so, or Meta refused its token); a missing Meta permission; or the account is blocked. Codes from Meta carry `details`.", codes: ["unsupported_channel_type", "reauth_required", "permission_missing", "policy_blocked"], details: S.MetaFailureDetails, examples: {
      "unsupported_channel_type": {
        "error": {
          "code": "unsupported_channel_type",
          "message": "Message templates exist only for WhatsApp channels"
        }
      },
      "reauth_required": {
        "error": {
          "code": "reauth_required",
          "message": "Meta no longer accepts the channel's token; the channel must be connected again"
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
              "path": "limit",
              "message": "Too big: expected number to be <=200"
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

export const createTemplate = operation({
  method: 'post',
  path: '/v1/channels/:id/templates',
  operationId: 'createTemplate',
  tags: ["templates"],
  summary: "Create a message template at Meta",
  description: "Submits the template for Meta's review. It starts `PENDING`; the outcome arrives as a `template.status` event (and in the list). The send check refuses it until it is `APPROVED`.",
  auth: 'dsk',
  params: TemplateParams,
  parameterDocs: {
    "id": {
      "description": "A channel id.",
      "example": "3f2b6c1e-9a4d-4e8b-b1c2-7d5e9f0a1b2c"
    }
  },
  body: { kind: 'json', schema: TemplateCreateBody, component: 'TemplateCreate', examples: {
    "orderShipped": {
      "name": "order_shipped",
      "language": "en_US",
      "category": "UTILITY",
      "components": [
        {
          "type": "header",
          "format": "text",
          "text": "Order shipped"
        },
        {
          "type": "body",
          "text": "Hi {{1}}, your order {{2}} is on its way.",
          "examples": [
            "Ana",
            "#1234"
          ]
        },
        {
          "type": "footer",
          "text": "Acme Shop"
        },
        {
          "type": "buttons",
          "buttons": [
            {
              "type": "quick_reply",
              "text": "Thanks"
            },
            {
              "type": "url",
              "text": "Track",
              "url": "https://acme.example/track/{{1}}",
              "example": "https://acme.example/track/1234"
            }
          ]
        }
      ]
    }
  } },
  responses: {
    201: { kind: 'json', description: "Created at Meta, waiting for review.", schema: S.Template, examples: {
      "pending": {
        "id": "1357924680",
        "name": "order_shipped",
        "language": "en_US",
        "category": "UTILITY",
        "status": "PENDING",
        "parameter_format": "positional",
        "components": [
          {
            "type": "header",
            "format": "text",
            "text": "Order shipped",
            "parameter_count": 0
          },
          {
            "type": "body",
            "text": "Hi {{1}}, your order {{2}} is on its way.",
            "parameter_count": 2
          },
          {
            "type": "footer",
            "text": "Acme Shop",
            "parameter_count": 0
          },
          {
            "type": "button",
            "index": 0,
            "sub_type": "quick_reply",
            "text": "Thanks",
            "parameter_count": 0
          },
          {
            "type": "button",
            "index": 1,
            "sub_type": "url",
            "text": "Track",
            "url": "https://acme.example/track/{{1}}",
            "parameter_count": 1
          }
        ]
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
    409: { kind: 'error', description: "The channel is not a WhatsApp channel (`unsupported_channel_type`), or the channel cannot create templates now: disconnected; `reauth_required` (its status says so, or Meta refused its token); a missing Meta permission; or the account is blocked. Codes from Meta carry `details`.", codes: ["unsupported_channel_type", "channel_disconnected", "reauth_required", "permission_missing", "policy_blocked"], details: S.MetaFailureDetails, examples: {
      "unsupported_channel_type": {
        "error": {
          "code": "unsupported_channel_type",
          "message": "Message templates exist only for WhatsApp channels"
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
          "message": "The channel must be connected again before templates can be changed at Meta"
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
              "path": "components[1].examples",
              "message": "give one example for each variable: {{1}}, {{2}}"
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

export const deleteTemplate = operation({
  method: 'delete',
  path: '/v1/channels/:id/templates/:name',
  operationId: 'deleteTemplate',
  tags: ["templates"],
  summary: "Delete a message template at Meta",
  description: "Deletes every language of the template at Meta (Meta's rule for a delete by name), or only the one `template_id` names.",
  auth: 'dsk',
  params: TemplateNameParams,
  query: TemplateDeleteQuery,
  parameterDocs: {
    "id": {
      "description": "A channel id.",
      "example": "3f2b6c1e-9a4d-4e8b-b1c2-7d5e9f0a1b2c"
    },
    "name": {
      "description": "A template name (every language of it is deleted unless `template_id` names one).",
      "example": "order_update"
    },
    "template_id": {
      "description": "Delete only this template (one language).",
      "example": "1234567890"
    }
  },
  responses: {
    200: { kind: 'json', description: "Deleted at Meta and here.", schema: S.TemplateDeleted, examples: {
      "deleted": {
        "name": "order_update",
        "template_id": null,
        "deleted": 2
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
    409: { kind: 'error', description: "The channel is not a WhatsApp channel (`unsupported_channel_type`), or the channel cannot delete templates now: disconnected; `reauth_required` (its status says so, or Meta refused its token); a missing Meta permission; or the account is blocked. Codes from Meta carry `details`.", codes: ["unsupported_channel_type", "channel_disconnected", "reauth_required", "permission_missing", "policy_blocked"], details: S.MetaFailureDetails, examples: {
      "unsupported_channel_type": {
        "error": {
          "code": "unsupported_channel_type",
          "message": "Message templates exist only for WhatsApp channels"
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
          "message": "The channel must be connected again before templates can be changed at Meta"
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
              "path": "name",
              "message": "must be lowercase letters, digits and underscores"
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
