/* The document's front matter, its security schemes and the events webhook: prose, not schemas. */

export const INFO = {
  "title": "Meta Integration Service — DSK API",
  "version": "1.0.0",
  "summary": "What a DSK instance calls to connect WhatsApp and Instagram channels, and the events it receives in return.",
  "description": "The service connects DSK Platform instances to Meta's WhatsApp Business Cloud API and Instagram Messaging. It is the only component that holds Meta access tokens: DSK never sees them.\n\n## Authentication\nEvery `/v1` request carries `Authorization: Bearer <JWT>` issued by DSK (see the `dskBearer` security scheme for the claims). The instance claim scopes the request: a resource of another instance answers `404`, exactly like an unknown one.\n\n## Errors\nEvery error is JSON `{\"error\": {\"code\", \"message\", \"details\"?}}`. `code` is stable and is what clients branch on; `message` is for people. Each operation lists the codes it can return. Validation errors (`422 validation_failed`) carry `details: [{path, message}]`.\n\nAcross all `/v1` paths, after authentication: a method a path does not support answers `405 method_not_allowed`; an unknown path answers `404 not_found`; `OPTIONS` answers `200` with an `Allow` header. Every `GET` also answers `HEAD`.\n\n## Conventions\n- Every response carries `X-Request-Id` (the caller's own `X-Request-Id` when it matches `^[A-Za-z0-9._-]{8,128}$`, else a new UUID); quote it when reporting a problem.\n- Timestamps are ISO 8601 UTC with milliseconds. Ids the service creates are UUIDs.\n- Clients must ignore response fields they do not know: fields may be added without a new version.\n- JSON request bodies: `Content-Type: application/json`, at most 1 MiB, UTF-8.\n\n## Events to DSK\nThe service POSTs events (inbound messages, statuses, channel changes) to the instance's events URL (`PUT /v1/instance`). See the `dskEvent` webhook: it is signed with the service's key published at `/.well-known/jwks.json`, and carries an `Idempotency-Key`."
} as const;

export const SERVERS = [
  {
    "url": "/",
    "description": "The service itself (this document is served at `/openapi.json`)."
  }
];

export const TAGS = [
  {
    "name": "instance",
    "description": "The calling instance's own settings."
  },
  {
    "name": "connections",
    "description": "Connecting a WhatsApp number or an Instagram account: each connection is a long-running workflow (OAuth, verification, token refresh, disconnect)."
  },
  {
    "name": "channels",
    "description": "Connected channels of the calling instance, including the data-subject rights: information (`/data`), correction (`PATCH`), deletion (`DELETE`)."
  },
  {
    "name": "deliveries",
    "description": "Events whose delivery to DSK failed or is still being retried, and retrying a failed one."
  },
  {
    "name": "messages",
    "description": "Sending WhatsApp and Instagram messages: one idempotent send per `client_message_id`, Meta's errors classified, Meta's rates respected."
  },
  {
    "name": "templates",
    "description": "WhatsApp message templates of a channel's business account: list (with parameter counts), create and delete at Meta."
  },
  {
    "name": "profiles",
    "description": "The WhatsApp business profile customers see: read, change, photo."
  },
  {
    "name": "media",
    "description": "WhatsApp media: the files behind the media ids of inbound messages, and uploads of files to send."
  },
  {
    "name": "public",
    "description": "Unauthenticated documents: the service's JWKS and this OpenAPI document."
  },
  {
    "name": "events",
    "description": "What the service sends to DSK."
  }
];

export const SECURITY_SCHEMES = {
  "dskBearer": {
    "type": "http",
    "scheme": "bearer",
    "bearerFormat": "JWT",
    "description": "A JWT issued by DSK for one instance, verified with `jose`:\n\n| claim / header | requirement |\n|---|---|\n| `alg` (header) | in the deployment's allow-list (`DSK_JWT_ALGORITHMS`, default `ES256`, `RS256`, `EdDSA`; `HS256/384/512` only with a shared secret); `none` is never accepted |\n| `kid` (header) | selects the key when keys come from DSK's JWKS URL |\n| `iss` | equals the configured issuer (`DSK_JWT_ISSUER`) |\n| `aud` | equals or contains the configured audience (`DSK_JWT_AUDIENCE`) |\n| `exp` | required; the token must not be expired (30 s clock tolerance) |\n| `instance_id` | required string matching `^[A-Za-z0-9._:-]{1,128}$`: the DSK instance the request acts for (the claim's name is `DSK_JWT_INSTANCE_CLAIM`, default `instance_id`) |\n| `iat` | required; at most `DSK_JWT_MAX_AGE_SECONDS` (default 3600) old, and `exp - iat` at most as long: a token minted for years is refused |\n| `nbf` | optional; checked when present |\n| `sub` | optional; the DSK user or component, for audit |\n\nKeys: DSK's JWKS URL, a configured public key, or a shared secret (one per deployment). A token longer than 8192 characters, or not a compact JWS, is `invalid_token`.\n\nRejections are `401` with `WWW-Authenticate: Bearer error=\"invalid_token\"` and one of the codes listed in the `Unauthorized` response; when DSK's JWKS cannot be fetched, `503 auth_unavailable`.",
    "x-required-claims": [
      "iss",
      "aud",
      "exp",
      "iat",
      "instance_id"
    ]
  },
  "serviceJwt": {
    "type": "http",
    "scheme": "bearer",
    "bearerFormat": "JWT",
    "description": "The JWT the service puts on every event delivery to DSK (`dskEvent` webhook). Verify:\n\n| claim / header | value |\n|---|---|\n| `alg` (header) | `ES256` (default), `RS256` or `EdDSA` (`SERVICE_JWT_ALG`) |\n| `kid` (header) | a key id listed at `/.well-known/jwks.json` |\n| `typ` (header) | `JWT` |\n| `iss` | the service (`SERVICE_JWT_ISSUER`, default `meta-integration-service`) |\n| `aud` | DSK (`SERVICE_JWT_AUDIENCE`, default `dsk-platform`) |\n| `sub`, `instance_id` | the instance id the event belongs to (equals the envelope's `instance_id`): refuse a token naming another instance |\n| `body_sha256` | base64url (no padding) SHA-256 of the exact request body bytes: refuse the request when it differs |\n| `iat`, `exp` | `exp = iat + 300`: valid for 5 minutes |\n| `jti` | a UUID, unique per delivery attempt |\n\nDuring a key rotation the previous public key stays listed at `/.well-known/jwks.json` until tokens signed with it have expired.",
    "x-required-claims": [
      "iss",
      "aud",
      "sub",
      "iat",
      "exp",
      "jti"
    ]
  }
};

/** The `dskEvent` webhook without its examples, which come from docs/schemas/examples (by name, else by type). */
export const DSK_EVENT_WEBHOOK = {
  "operationId": "dskEvent",
  "tags": [
    "events"
  ],
  "summary": "An event for DSK (the service calls DSK)",
  "description": "The service POSTs each event to the instance's `events_url` (set with `PUT /v1/instance`). The body is the event envelope, version 1 (`docs/schemas/dsk-event.v1.schema.json`, embedded here as `DskEvent`).\n\n- **Authentication**: `Authorization: Bearer <JWT>` signed by the service (see the `serviceJwt` scheme); verify it with `/.well-known/jwks.json`.\n- **Idempotency**: `Idempotency-Key` equals the envelope's `id`. The same event may arrive more than once (retries, `POST /v1/deliveries/{key}/retry`): process each key once and answer `2xx` for a repeat.\n- **Retries**: `2xx` is success. `408`, `429`, `5xx`, timeouts (10 s by default) and network errors are retried with exponential backoff (from 1 s, doubling, at most 10 minutes apart; `Retry-After` when given) until the delivery horizon (7 days by default). Redirects are not followed: a `301/302/303/307/308` counts as a network error. Any other status fails the delivery for good; it is then listed by `GET /v1/deliveries` as `failed` and can be retried with `POST /v1/deliveries/{key}/retry`. The response body is not read.\n- Consumers must ignore fields they do not know.",
  "security": [
    {
      "serviceJwt": []
    }
  ],
  "parameters": [
    {
      "name": "Idempotency-Key",
      "in": "header",
      "required": true,
      "description": "The event's id (the envelope's `id`): process each key once.",
      "schema": {
        "type": "string",
        "minLength": 1,
        "maxLength": 200
      },
      "example": "wa:msg:wamid.HBgLMTY1MDU1NTEyMzQVAgASGBQzRUIwQjM5NEQ2QzY3RjE2RjY0AA=="
    },
    {
      "name": "User-Agent",
      "in": "header",
      "required": false,
      "schema": {
        "type": "string",
        "const": "meta-integration-service"
      }
    }
  ],
  "requestBody": {
    "required": true,
    "content": {
      "application/json": {
        "schema": {
          "$ref": "#/components/schemas/DskEvent"
        }
      }
    }
  },
  "responses": {
    "408": {
      "description": "Retried later."
    },
    "429": {
      "description": "Retried later, not before `Retry-After`.",
      "headers": {
        "Retry-After": {
          "description": "Seconds, or an HTTP date.",
          "schema": {
            "type": "string"
          }
        }
      }
    },
    "2XX": {
      "description": "Accepted (also for a key processed before). The service does not read the body."
    },
    "3XX": {
      "description": "`301/302/303/307/308`: not followed, retried like a network error. Any other 3xx: as a refusing 4xx."
    },
    "4XX": {
      "description": "Any other 4xx: DSK refused this event. Not retried; listed by `GET /v1/deliveries` as `failed`."
    },
    "5XX": {
      "description": "Retried later (honouring `Retry-After` when present).",
      "headers": {
        "Retry-After": {
          "description": "Seconds, or an HTTP date.",
          "schema": {
            "type": "string"
          }
        }
      }
    }
  }
};

/** The webhook's examples: name → the docs/schemas/examples file (`<type>` or `<type>.<variant>`) it shows, and its summary. */
export const DSK_EVENT_WEBHOOK_EXAMPLES: Record<string, { file: string; summary: string }> = {
  messageReceived: { file: 'message.received', summary: "A WhatsApp text message" },
  messageStatus: { file: 'message.status', summary: "A WhatsApp delivery status" },
  channelStatus: { file: 'channel.status', summary: "A channel needs re-authorization" },
  'message.status.send-outcome': { file: 'message.status.send-outcome', summary: "The outcome of a send (source: send)" },
};
