import { CustomerWindowParams } from '../../routes/customer-windows.js';
import { ValidationDetails } from '../common.js';
import { operation } from '../operation.js';
import * as S from '../schemas.js';

/* The operations of src/api/routes/customer-windows.ts as docs/openapi.json states them. */

export const getCustomerWindow = operation({
  method: 'get',
  path: '/v1/channels/:id/windows/:customer',
  operationId: 'getCustomerWindow',
  tags: ["messages", "channels"],
  summary: "Read a customer's service window",
  description: "Whether a free-form message to the customer is accepted now and until when, from the customer's last message the service received (message, button tap, reaction or ad referral). WhatsApp: 24 hours; Instagram: 24 hours, 7 days for replies tagged `HUMAN_AGENT`. Templates are never bound by it. The service keeps only a keyed hash of the channel and customer with the time, until the window has passed: a customer who never wrote, or wrote too long ago, answers `open: false` with `expires_at: null`. With `ENFORCE_CUSTOMER_WINDOW` (default on) a free-form send outside the window is refused with `409 outside_customer_window` before Meta is called.",
  auth: 'dsk',
  params: CustomerWindowParams,
  parameterDocs: {
    "id": {
      "description": "A channel id.",
      "example": "3f2b6c1e-9a4d-4e8b-b1c2-7d5e9f0a1b2c"
    },
    "customer": {
      "description": "The customer as DSK addresses them in a send's `to`: a WhatsApp number in any spelling (`+16505551234`, `1 650 555 1234`), a WhatsApp BSUID, or an Instagram-scoped id. URL-encode it.",
      "example": "+16505551234"
    }
  },
  responses: {
    200: { kind: 'json', description: "The window now.", schema: S.CustomerWindow, examples: {
      "whatsapp_open": {
        "channel_id": "3f2b6c1e-9a4d-4e8b-b1c2-7d5e9f0a1b2c",
        "open": true,
        "expires_at": "2026-07-30T08:03:09.000Z"
      },
      "instagram_human_agent_only": {
        "channel_id": "3f2b6c1e-9a4d-4e8b-b1c2-7d5e9f0a1b2c",
        "open": false,
        "expires_at": "2026-07-30T08:03:09.000Z",
        "human_agent": {
          "open": true,
          "expires_at": "2026-08-05T08:03:09.000Z"
        }
      },
      "never_wrote": {
        "channel_id": "3f2b6c1e-9a4d-4e8b-b1c2-7d5e9f0a1b2c",
        "open": false,
        "expires_at": null
      }
    } },
    404: { kind: 'error', description: "Unknown channel (or another instance's).", codes: ["channel_not_found"], examples: {
      "channel_not_found": {
        "error": {
          "code": "channel_not_found",
          "message": "No such channel"
        }
      }
    } },
    422: { kind: 'error', description: "A malformed channel id or customer.", codes: ["validation_failed"], details: ValidationDetails, examples: {
      "validation_failed": {
        "error": {
          "code": "validation_failed",
          "message": "Request does not match the schema",
          "details": [
            {
              "path": "customer",
              "message": "must be a phone number, a BSUID or an Instagram-scoped id"
            }
          ]
        }
      }
    } },
    429: 'QuotaExceeded',
  },
});
