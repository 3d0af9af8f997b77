/* Generated from docs/openapi.json by openapi-typescript (`npm run openapi`): do not edit. */

export interface paths {
    "/v1/instance": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Read the calling instance's settings */
        get: operations["getInstance"];
        /**
         * Set where the service POSTs this instance's events
         * @description Creates the instance's settings on first use. `events_url: null` stops deliveries: events are then recorded as failed with `last_error_code: no_events_url` (see `/v1/deliveries`). Unknown body fields are ignored.
         */
        put: operations["putInstance"];
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/instance/test-event": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Send a test event to the instance's events URL
         * @description Sends a `test.ping` event (docs/schemas, `channel: null`) to the events URL now, signed with the service's JWT and keyed with an Idempotency-Key like every event, whatever the instance's `event_types`, and answers what DSK answered. It is not retried: it checks the endpoint.
         */
        post: operations["sendTestEvent"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/connections": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * List connections
         * @description The instance's connections, oldest first, a page at a time, as stored (GET /v1/connections/{id} answers one connection's live phase).
         */
        get: operations["listConnections"];
        put?: never;
        /**
         * Start connecting a channel
         * @description Creates a connection and a connect link valid for 30 minutes, and starts the workflow `connection-<connection_id>`. Send the end user to `connect_url`; after Meta's dialog they return to `return_url`. Follow progress with `GET /v1/connections/{id}` or wait for the `channel.status` event.
         *
         *     `flow` defaults to the first flow this deployment offers for the channel type. A flow the deployment does not offer (or one of the other channel type) is `422 validation_failed` with `details[].path = "flow"` naming the available flows.
         */
        post: operations["createConnection"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/connections/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Follow a connection
         * @description The live state of the connection workflow when it can be asked, else the stored state.
         */
        get: operations["getConnection"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/channels/{id}/reconnect": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Start a new authorization round for a channel
         * @description For a channel in `reauth_required`, or to replace its token. Opens a new connect link (30 minutes) on the channel's existing connection; send the end user to `connect_url`. No request body.
         */
        post: operations["reconnectChannel"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/channels/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Read a channel */
        get: operations["getChannel"];
        put?: never;
        post?: never;
        /**
         * Disconnect a channel
         * @description The deletion right. The connection workflow unsubscribes the app from the channel's webhooks where possible, destroys the token, marks the channel `disconnected` and sends a `channel.status` event. Idempotent: a disconnected channel answers `200` again.
         */
        delete: operations["disconnectChannel"];
        options?: never;
        head?: never;
        /**
         * Correct a channel's display name and labels
         * @description The correction right. Give `display_name`, `labels` or both; `labels` replaces the whole set (`{}` removes all).
         */
        patch: operations["correctChannel"];
        trace?: never;
    };
    "/v1/channels/{id}/data": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Everything the service stores about a channel
         * @description The information right: the channel, a description of its token (never the token), and counts of the webhook log and message statuses. No message content is stored.
         */
        get: operations["getChannelData"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/channels": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * List the instance's channels
         * @description Oldest first. Unknown query parameters are ignored.
         */
        get: operations["listChannels"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/channels/{id}/messages/{clientMessageId}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Read where a send stands
         * @description The send's current result: `pending` while Meta has not answered, `accepted`, `unknown` (answer lost, never resent; becomes `accepted` if a webhook proves it), or `failed` with its error. Sends are kept as long as the Temporal namespace keeps closed workflows (8 days in the standard deployment).
         */
        get: operations["getMessage"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/channels/{id}/messages": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Send a message on a channel
         * @description Validates the body against the channel's type (field-level `422` before anything is sent), then starts the send as the workflow `outbound-<instance>-<client_message_id>` and waits up to `wait_ms` for Meta's answer: `200` with Meta's message id, or `202` if Meta has not answered yet (the outcome follows as a `message.status` event with `source: "send"` and can be read with `GET …/messages/{clientMessageId}`). DSK hears every outcome as an event too, so its view is the same whichever answer it got.
         *
         *     **Idempotent**: the same `client_message_id` (per instance) never sends twice; a repeat, concurrent or later, answers the first send's result (or its error).
         *
         *     **Errors from Meta** are classified by Meta's code, not the HTTP status: throttling and transient errors are retried with backoff inside the send (up to 10 minutes); a refused token answers `409 reauth_required` and moves the channel to `reauth_required`; permission, policy, window, template and recipient errors fail at once. Error `details` carry `client_message_id`, `meta_code` and `meta_subcode`.
         *
         *     **Rates**: sends are paced to Meta's per-number throughput (`WHATSAPP_SENDS_PER_SECOND`, 80 by default) and per-recipient pair rate (error 131056), across all workers, so a burst waits instead of being refused.
         *
         *     Limits JSON Schema cannot state, enforced by the API: WhatsApp text ≤ 4096 characters, captions ≤ 1024, interactive texts as in Meta's documentation (counted in Unicode code points); Instagram text ≤ 1000 bytes of UTF-8; an Instagram reaction is a single emoji, `love`, or `""` to remove it.
         */
        post: operations["sendMessage"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/channels/{id}/windows/{customer}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Read a customer's service window
         * @description Whether a free-form message to the customer is accepted now and until when, from the customer's last message the service received (message, button tap, reaction or ad referral). WhatsApp: 24 hours; Instagram: 24 hours, 7 days for replies tagged `HUMAN_AGENT`. Templates are never bound by it. The service keeps only a keyed hash of the channel and customer with the time, until the window has passed: a customer who never wrote, or wrote too long ago, answers `open: false` with `expires_at: null`. With `ENFORCE_CUSTOMER_WINDOW` (default on) a free-form send outside the window is refused with `409 outside_customer_window` before Meta is called.
         */
        get: operations["getCustomerWindow"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/channels/{id}/media": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Upload a file to send on a WhatsApp channel
         * @description Streams the request body to Meta (`POST /{phone-number-id}/media` with the channel's own token) and answers Meta's media id, which a WhatsApp message can then reference (`image.id`, `document.id`, …). Meta keeps uploaded media for 30 days.
         *
         *     **The body is the raw file** (not a form): `Content-Type` is the file's MIME type, `Content-Length` its size when known (a chunked body is accepted and streamed to Meta chunked ⚠ not verified against Meta). No `Content-Encoding`. `multipart/form-data` is refused with `415`.
         *
         *     Checked before anything reaches Meta: the channel (this instance's, WhatsApp, connected), the type, and the size from `Content-Length`. A body that grows past the limit while streaming aborts the upload to Meta and answers `413`: a response carries either a media id or an error, never both. An upload that failed can be repeated safely (at worst Meta keeps an unused media id).
         *
         *     Types and limits (⚠ WhatsApp's published limits, as the service knows them; MB read as MiB):
         *
         *     | Content-Type | kind | max size |
         *     |---|---|---|
         *     | `image/jpeg` | image | 5 MiB |
         *     | `image/png` | image | 5 MiB |
         *     | `image/webp` | sticker | 500 KiB |
         *     | `audio/aac` | audio | 16 MiB |
         *     | `audio/amr` | audio | 16 MiB |
         *     | `audio/mpeg` | audio | 16 MiB |
         *     | `audio/mp4` | audio | 16 MiB |
         *     | `audio/ogg` | audio | 16 MiB |
         *     | `audio/opus` | audio | 16 MiB |
         *     | `video/mp4` | video | 16 MiB |
         *     | `video/3gpp` | video | 16 MiB |
         *     | `text/plain` | document | 100 MiB |
         *     | `application/pdf` | document | 100 MiB |
         *     | `application/msword` | document | 100 MiB |
         *     | `application/vnd.openxmlformats-officedocument.wordprocessingml.document` | document | 100 MiB |
         *     | `application/vnd.ms-excel` | document | 100 MiB |
         *     | `application/vnd.openxmlformats-officedocument.spreadsheetml.sheet` | document | 100 MiB |
         *     | `application/vnd.ms-powerpoint` | document | 100 MiB |
         *     | `application/vnd.openxmlformats-officedocument.presentationml.presentation` | document | 100 MiB |
         *
         *     `image/webp` is sent as a sticker (static stickers: 100 KB, checked by Meta only). Parameters such as `; codecs=opus` are accepted and dropped: Meta receives the bare type.
         *
         *     Meta's errors carry the same stable codes as failed sends (`details`: Meta's `meta_code`/`meta_subcode`, a readable `reason`, `retryable`); Meta's own message is never passed on. A token Meta no longer accepts answers `409 reauth_required`; the channel's status is left to the connection's own token checks.
         */
        post: operations["uploadChannelMedia"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/deliveries": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * List deliveries that failed or are still retrying
         * @description Newest first. Only ids, kinds, outcomes and DSK's own answers are listed, never event content. Unknown query parameters are refused (`422`, path `(body)`).
         */
        get: operations["listDeliveries"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/deliveries/{key}/retry": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Deliver a failed event again
         * @description Replays the failed event into a new delivery run with the same `Idempotency-Key`, so DSK still processes it once. Only `failed` deliveries can be retried, and only while the event is still kept. No request body.
         */
        post: operations["retryDelivery"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/media/{channelId}/{mediaId}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Download WhatsApp media
         * @description Streams the bytes behind a media id of an inbound WhatsApp message (`data.message.media.id`), fetched from Meta with the channel's own token. Meta keeps inbound media for a limited time (about 7 days). Instagram attachments arrive as URLs in the event itself and have no media id. Meta's errors carry the same stable codes as failed sends and uploads (`details`: Meta's `meta_code`/`meta_subcode`, a readable `reason`, `retryable`); Meta's own message is never passed on.
         */
        get: operations["getMedia"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/channels/{id}/templates": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * List the channel's message templates
         * @description The templates of the channel's WhatsApp Business account with, per component, how many parameters a send must give it. Read from Meta once when the account was never read (then kept current by Meta's template webhooks and a daily sync), so the first call may answer Meta's errors. Cursor paging: pass `next_cursor` as `after`.
         */
        get: operations["listTemplates"];
        put?: never;
        /**
         * Create a message template at Meta
         * @description Submits the template for Meta's review. It starts `PENDING`; the outcome arrives as a `template.status` event (and in the list). The send check refuses it until it is `APPROVED`.
         */
        post: operations["createTemplate"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/channels/{id}/templates/{name}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /**
         * Delete a message template at Meta
         * @description Deletes every language of the template at Meta (Meta's rule for a delete by name), or only the one `template_id` names.
         */
        delete: operations["deleteTemplate"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/channels/{id}/profile": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Read the WhatsApp business profile
         * @description The number's business profile as customers see it, read from Meta with the channel's token.
         */
        get: operations["getBusinessProfile"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        /**
         * Change the WhatsApp business profile
         * @description Changes the given fields at Meta and answers the profile as Meta then shows it. The photo is changed with `PUT /v1/channels/{id}/profile/photo`.
         */
        patch: operations["updateBusinessProfile"];
        trace?: never;
    };
    "/v1/channels/{id}/profile/photo": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        /**
         * Set the WhatsApp profile photo
         * @description The body is the image itself (JPEG or PNG, at most 5 MiB). The service uploads it with Meta's Resumable Upload API under its own app (DSK holds no Meta token, so it cannot produce the handle Meta wants) and sets it as the profile picture.
         */
        put: operations["setBusinessProfilePhoto"];
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/channels/{id}/media/{mediaId}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Download an inbound media item
         * @description What an event's `service_url` points at, for the whole delivery horizon. Instagram attachments (whose CDN links expire) were captured when the event arrived and are served from the service's encrypted store, with `Range` support; WhatsApp media (whose ids Meta keeps 7 days) is fetched from Meta with the channel's token and streamed through, unless the horizon outlives Meta's ids, when it is captured too.
         */
        get: operations["getChannelMedia"];
        put?: never;
        post?: never;
        /**
         * Acknowledge an inbound media item
         * @description DSK has what it needs: the service deletes its captured copy now (it would go at the horizon anyway). Idempotent; for WhatsApp media streamed from Meta nothing is held, so nothing changes.
         */
        delete: operations["acknowledgeChannelMedia"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/openapi.json": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * This document
         * @description Served with an `ETag`; a matching `If-None-Match` answers `304`.
         */
        get: operations["getOpenApiDocument"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/.well-known/jwks.json": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The service's public signing keys
         * @description DSK verifies the JWT on every event delivery (`dskEvent` webhook) with these keys, selected by the token's `kid`. During a key rotation the previous keys stay listed until tokens signed with them have expired. Cache it for at most 5 minutes, and refetch on an unknown `kid`.
         */
        get: operations["getServiceJwks"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
}
export interface webhooks {
    dskEvent: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * An event for DSK (the service calls DSK)
         * @description The service POSTs each event to the instance's `events_url` (set with `PUT /v1/instance`). The body is the event envelope, version 1 (`docs/schemas/dsk-event.v1.schema.json`, embedded here as `DskEvent`).
         *
         *     - **Authentication**: `Authorization: Bearer <JWT>` signed by the service (see the `serviceJwt` scheme); verify it with `/.well-known/jwks.json`.
         *     - **Idempotency**: `Idempotency-Key` equals the envelope's `id`. The same event may arrive more than once (retries, `POST /v1/deliveries/{key}/retry`): process each key once and answer `2xx` for a repeat.
         *     - **Retries**: `2xx` is success. `408`, `429`, `5xx`, timeouts (10 s by default) and network errors are retried with exponential backoff (from 1 s, doubling, at most 10 minutes apart; `Retry-After` when given) until the delivery horizon (7 days by default). Redirects are not followed: a `301/302/303/307/308` counts as a network error. Any other status fails the delivery for good; it is then listed by `GET /v1/deliveries` as `failed` and can be retried with `POST /v1/deliveries/{key}/retry`. The response body is not read.
         *     - Consumers must ignore fields they do not know.
         */
        post: operations["dskEvent"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
}
export interface components {
    schemas: {
        /** @description Every error body. The responses list the `code` values each operation can return. */
        Error: {
            error: {
                /** @description Stable, machine-readable. */
                code: string;
                /** @description Readable explanation in English; not stable, do not parse it. */
                message: string;
                /** @description Structured detail for some codes: `ValidationIssue[]` for `validation_failed`, `{outcome}` for `not_retryable`. */
                details?: unknown;
            };
        };
        ValidationIssue: {
            /** @description The field: `events_url`, `labels.team`, `items[0].id`; a path or query parameter by its name; `(body)` for the object itself (unknown key, missing all of several fields). */
            path: string;
            message: string;
        };
        /**
         * Format: uuid
         * @description A UUID (RFC 9562 versions 1–8, or the nil/max UUID), any case.
         */
        Uuid: string;
        /**
         * Format: uri
         * @description An absolute `http://` or `https://` URL (scheme case-insensitive) that parses as a WHATWG URL; at most 2048 characters. Surrounding whitespace is trimmed and tabs/newlines removed before use.
         */
        HttpUrl: string;
        Instance: {
            /** @description The instance id (from the token's instance claim). */
            id: string;
            /** @description Where events are POSTed; `null`: nowhere (deliveries fail with `no_events_url`). */
            events_url: string | null;
            /** @description The event types the instance receives (each once); null: every type, including types added later. Events of other types are recorded as `skipped` (GET /v1/deliveries does not list them) and never sent. `test.ping` always comes. */
            event_types: ("message.received" | "message.echo" | "message.status" | "message.reaction" | "message.read" | "message.edited" | "message.deleted" | "message.postback" | "message.referral" | "conversation.handover" | "conversation.history" | "contact.updated" | "channel.error" | "channel.account_update" | "channel.quality" | "template.status" | "unsupported" | "channel.status")[] | null;
        };
        InstanceUpdate: {
            events_url: string | null;
            event_types?: ("message.received" | "message.echo" | "message.status" | "message.reaction" | "message.read" | "message.edited" | "message.deleted" | "message.postback" | "message.referral" | "conversation.handover" | "conversation.history" | "contact.updated" | "channel.error" | "channel.account_update" | "channel.quality" | "template.status" | "unsupported" | "channel.status")[] | null;
        };
        TestEventResult: {
            /** @description The event's id, also its Idempotency-Key: `test:ping:<uuid>`. */
            event_id: string;
            /** @constant */
            delivered: true;
            /** @description The 2xx status DSK answered. */
            dsk_status: number;
        };
        ConnectionCreate: {
            /** @enum {string} */
            channel_type: "whatsapp" | "instagram";
            /** Format: uri */
            return_url: string;
            /** @enum {string} */
            flow?: "whatsapp_embedded_signup" | "instagram_facebook_login" | "instagram_login";
        };
        ConnectionCreated: {
            connection_id: components["schemas"]["Uuid"];
            /**
             * Format: uri
             * @description The page to send the end user to (`<public base URL>/connect/<connection_id>`).
             */
            connect_url: string;
            /**
             * Format: date-time
             * @description When the connect link stops working (30 minutes).
             */
            expires_at: string;
            /** @constant */
            status: "awaiting_authorization";
            flow: components["schemas"]["ConnectFlow"];
        };
        /**
         * @description `whatsapp_embedded_signup`: WhatsApp Embedded Signup (Facebook Login for Business). `instagram_facebook_login`: an Instagram professional account linked to a Facebook Page, through Facebook Login. `instagram_login`: Instagram Login (Instagram app configured).
         * @enum {string}
         */
        ConnectFlow: "whatsapp_embedded_signup" | "instagram_facebook_login" | "instagram_login";
        Connection: {
            connection_id: components["schemas"]["Uuid"];
            channel_type: components["schemas"]["ChannelType"];
            flow: components["schemas"]["ConnectFlow"];
            status: components["schemas"]["ConnectionStatus"];
            /** @description The channel this connection created, once there is one. */
            channel_id: components["schemas"]["Uuid"] | null;
            /** @description Why the connection failed; `null` otherwise. */
            failure: {
                /** @description Stable, e.g. `no_assets`, `asset_in_use` (the asset is connected to another instance), `no_waba_granted`, `whatsapp_pin_locked`, `authorization_failed`, `activation_failed`; when Meta refused a call, the code of Meta's failure as failed sends name it (`reauth_required`, `permission_missing`, `meta_unavailable`, `meta_throttled`, `bad_request`, `meta_error`, …); `dsk.http`, `dsk.timeout`, `dsk.network` when DSK could not be told. */
                code: string;
                /** @description Readable explanation (absent once the workflow has ended). */
                message?: string;
            } | null;
            /**
             * Format: date-time
             * @description When the current connect link expires.
             */
            expires_at: string;
            /** Format: date-time */
            created_at: string;
        };
        /** @enum {string} */
        ChannelType: "whatsapp" | "instagram";
        /**
         * @description `awaiting_authorization` (`pending` when the workflow cannot be asked): waiting for the end user. `authorizing`: Meta's code is being exchanged and assets verified. `choosing_asset`: the end user picks one of several numbers/accounts. `awaiting_pin`: Meta registers the WhatsApp number only with its two-step verification PIN, which the connect page asks the end user for. `registration_waiting`: Meta asked to wait before registering the number (a few minutes after it was deleted, up to 72 hours after too many attempts); the connection continues by itself. `active`: connected (`channel_id` set). `reauth_required`: the token died, a re-connect is needed. Final: `disconnected`, `expired` (the link timed out), `cancelled`, `failed` (see `failure`).
         * @enum {string}
         */
        ConnectionStatus: "pending" | "awaiting_authorization" | "authorizing" | "choosing_asset" | "awaiting_pin" | "registration_waiting" | "active" | "reauth_required" | "disconnected" | "expired" | "cancelled" | "failed";
        ConnectionList: {
            connections: components["schemas"]["ConnectionSummary"][];
            /** @description Pass as `after` for the next page; null on the last page. */
            next_cursor: string | null;
        };
        /** @description A connection as stored (the list does not ask each workflow for its live phase). */
        ConnectionSummary: {
            connection_id: components["schemas"]["Uuid"];
            channel_type: components["schemas"]["ChannelType"];
            flow: components["schemas"]["ConnectFlow"];
            /** @description As stored: `awaiting_authorization`, `authorizing`, `active`, `cancelled`, `expired`, `failed`, `disconnected`, … (GET /v1/connections/{id} answers the live phase). */
            status: string;
            channel_id: components["schemas"]["Uuid"] | null;
            failure: {
                code: string;
            } | null;
            /** Format: date-time */
            expires_at: string;
            /** Format: date-time */
            created_at: string;
        };
        ReconnectLink: {
            connection_id: components["schemas"]["Uuid"];
            /** Format: uri */
            connect_url: string;
            /** Format: date-time */
            expires_at: string;
            /** @constant */
            status: "awaiting_authorization";
        };
        ChannelCorrection: {
            display_name?: string | null;
            labels?: {
                [key: string]: string;
            };
        };
        Channel: {
            id: components["schemas"]["Uuid"];
            channel_type: components["schemas"]["ChannelType"];
            status: components["schemas"]["ChannelStatus"];
            /** @description Meta's id: the WhatsApp `phone_number_id`, or the Instagram professional account id. Events carry it as `channel.external_id`. */
            external_id: string;
            display_name: string | null;
            /** @description WhatsApp: the display phone number. */
            phone_number: string | null;
            /** @description Instagram: the account's username. */
            username: string | null;
            /** @description WhatsApp Business Account id. */
            waba_id: string | null;
            /** @description Instagram through Facebook Login: the linked Facebook Page. */
            page_id: string | null;
            /** @description DSK's own labels (`PATCH`). */
            labels: {
                [key: string]: string;
            };
            /** @description Verification and quality facts read from Meta when connecting, e.g. `code_verification_status`, `quality_rating`, `name_status`, `page_tasks`. */
            verification: {
                [key: string]: string | number | boolean | null;
            };
            connection_id: components["schemas"]["Uuid"] | null;
            /** Format: date-time */
            created_at: string;
            /** Format: date-time */
            updated_at: string;
            disconnected_at: string | null;
        };
        /**
         * @description `active`: sends and receives. `reauth_required`: Meta no longer accepts the token; inbound events still arrive, re-connect with `POST /v1/channels/{id}/reconnect`. `disconnected`: final.
         * @enum {string}
         */
        ChannelStatus: "active" | "reauth_required" | "disconnected";
        ChannelDisconnect: {
            id: components["schemas"]["Uuid"];
            /** @enum {string} */
            status: "disconnected" | "disconnecting";
        };
        ChannelData: {
            channel: components["schemas"]["Channel"];
            /** @description The Meta token, described: it is stored Fernet-encrypted and never shown. */
            token: {
                /** @description A token is stored (false once disconnected). */
                present: boolean;
                /** @description `business_system_user` (WhatsApp, does not expire), `facebook_user`, `facebook_page`, `instagram_user` (60 days, refreshed). */
                kind: string | null;
                /** @description `null`: does not expire (or no token). */
                expires_at: string | null;
                /** @description Id of the key that encrypts it. */
                encryption_key_id: string | null;
                /** @description Last periodic check with Meta. */
                last_checked_at: string | null;
            };
            webhook_log: {
                /** @constant */
                retention_days: 30;
                contains: string;
                by_outcome: {
                    /** @enum {string} */
                    outcome: "accepted" | "started" | "delivering" | "delivered" | "orphan" | "failed";
                    count: number;
                    oldest: string | null;
                }[];
            };
            message_statuses: {
                count: number;
                contains: string;
            };
            /** @description The send ledger: one row per message sent through the service, so Meta's status webhooks can be matched to it. */
            sends: {
                /** @constant */
                retention_days: 30;
                contains: string;
                by_state: {
                    /** @enum {string} */
                    state: "sending" | "accepted" | "failed" | "unknown";
                    count: number;
                }[];
            };
            /** @description Inbound media the service holds for the platform (Instagram attachments whose CDN links expire), encrypted, until acknowledged or the delivery horizon plus one day. */
            captured_media?: {
                contains: string;
                count: number;
                bytes: number;
                oldest: string | null;
            };
        };
        ChannelList: {
            channels: components["schemas"]["Channel"][];
            /** @description Pass as `after` for the next page; null on the last page. */
            next_cursor: string | null;
        };
        /** @description Where a send stands. `accepted`: Meta took it (`message_id` is Meta's wamid or Instagram mid; null for mark-as-read and Instagram sender actions); delivery statuses follow as `message.status` events. `pending`: Meta has not answered within the wait; the outcome follows as a `message.status` event (`source: "send"`) and `GET` reads it. `unknown`: the request may have reached Meta but its answer was lost: it is never sent again; if a status or echo webhook proves it went out, it becomes `accepted` (event with `reconciled: true`). `failed` (GET only; POST answers it as an error): `error` says why. A WhatsApp send Meta accepted can still fail afterwards (a `failed` status webhook: 131047 outside the 24-hour window, 131026 undeliverable, …): from then on it reads `failed` with the stable code a synchronous refusal of that Meta code gets, and DSK hears it once, as that `message.status` event (`status: failed`, `client_message_id`, `error`). */
        SendResult: {
            client_message_id: string;
            channel_id: components["schemas"]["Uuid"];
            /** @enum {string} */
            status: "accepted" | "pending" | "unknown" | "failed";
            message_id?: string | null;
            error?: components["schemas"]["SendError"];
            /** @description WhatsApp, `accepted`: the recipient as Meta normalised it in its answer (`contacts[0]`). `wa_id` can differ from the `to` you sent (e.g. Brazil's extra 9, Mexico's 1): replies come from it, so match the conversation on it. A send to a business-scoped user id gives `user_id` instead. Absent when the send is answered from the send ledger after Temporal's retention dropped its workflow (the ledger keeps no recipient). */
            recipient?: {
                wa_id?: string;
                user_id?: string;
            };
        };
        SendError: {
            /** @description Stable code: outside_customer_window, recipient_unavailable, invalid_recipient, template_error, permission_missing, policy_blocked, quality_limited, undeliverable, bad_request, reauth_required, meta_throttled, meta_unavailable, meta_error, ambiguous_send, channel_disconnected, channel_not_found. */
            code: string;
            /** @description Meta's error.code, when Meta gave one. */
            meta_code: number | null;
            /** @description Meta's error.error_subcode, when Meta gave one. */
            meta_subcode: number | null;
            /** @description A readable sentence (never Meta's own text, which can quote the message). */
            reason: string;
        };
        /** @description A WhatsApp message (`OutboundWhatsAppMessage`) on a WhatsApp channel, an Instagram message (`OutboundInstagramMessage`) on an Instagram channel; which one applies is decided by the channel, not by the body. Every body needs `client_message_id`, DSK's id of the send, unique per instance: a repeat with the same id returns the first send's result and never sends again. */
        OutboundMessage: components["schemas"]["OutboundWhatsAppMessage"] | components["schemas"]["OutboundInstagramMessage"];
        OutboundWhatsAppMessage: {
            client_message_id: string;
            to: string;
            /** @constant */
            type: "text";
            reply_to?: {
                message_id: string;
            };
            text: {
                body: string;
                preview_url?: boolean;
            };
        } | {
            client_message_id: string;
            to: string;
            /** @constant */
            type: "image";
            reply_to?: {
                message_id: string;
            };
            image: {
                id?: string;
                /** Format: uri */
                link?: string;
                caption?: string;
            };
        } | {
            client_message_id: string;
            to: string;
            /** @constant */
            type: "audio";
            reply_to?: {
                message_id: string;
            };
            audio: {
                id?: string;
                /** Format: uri */
                link?: string;
            };
        } | {
            client_message_id: string;
            to: string;
            /** @constant */
            type: "video";
            reply_to?: {
                message_id: string;
            };
            video: {
                id?: string;
                /** Format: uri */
                link?: string;
                caption?: string;
            };
        } | {
            client_message_id: string;
            to: string;
            /** @constant */
            type: "document";
            reply_to?: {
                message_id: string;
            };
            document: {
                id?: string;
                /** Format: uri */
                link?: string;
                caption?: string;
                filename?: string;
            };
        } | {
            client_message_id: string;
            to: string;
            /** @constant */
            type: "sticker";
            reply_to?: {
                message_id: string;
            };
            sticker: {
                id?: string;
                /** Format: uri */
                link?: string;
            };
        } | {
            client_message_id: string;
            to: string;
            /** @constant */
            type: "location";
            reply_to?: {
                message_id: string;
            };
            location: {
                latitude: number;
                longitude: number;
                name?: string;
                address?: string;
            };
        } | {
            client_message_id: string;
            to: string;
            /** @constant */
            type: "contacts";
            reply_to?: {
                message_id: string;
            };
            contacts: {
                name: {
                    formatted_name: string;
                    first_name?: string;
                    last_name?: string;
                    middle_name?: string;
                    suffix?: string;
                    prefix?: string;
                };
                phones?: {
                    phone?: string;
                    type?: string;
                    wa_id?: string;
                }[];
                emails?: {
                    /** Format: email */
                    email?: string;
                    type?: string;
                }[];
                urls?: {
                    /** Format: uri */
                    url?: string;
                    type?: string;
                }[];
                addresses?: {
                    street?: string;
                    city?: string;
                    state?: string;
                    zip?: string;
                    country?: string;
                    country_code?: string;
                    type?: string;
                }[];
                org?: {
                    company?: string;
                    department?: string;
                    title?: string;
                };
                /** Format: date */
                birthday?: string;
            }[];
        } | {
            client_message_id: string;
            to: string;
            /** @constant */
            type: "template";
            reply_to?: {
                message_id: string;
            };
            template: {
                name: string;
                language: {
                    code: string;
                    /** @constant */
                    policy?: "deterministic";
                };
                components?: ({
                    /** @constant */
                    type: "header";
                    parameters: ({
                        /** @constant */
                        type: "text";
                        text: string;
                        parameter_name?: string;
                    } | {
                        /** @constant */
                        type: "image";
                        image: {
                            id?: string;
                            /** Format: uri */
                            link?: string;
                        };
                    } | {
                        /** @constant */
                        type: "video";
                        video: {
                            id?: string;
                            /** Format: uri */
                            link?: string;
                        };
                    } | {
                        /** @constant */
                        type: "document";
                        document: {
                            id?: string;
                            /** Format: uri */
                            link?: string;
                            filename?: string;
                        };
                    })[];
                } | {
                    /** @constant */
                    type: "body";
                    parameters: ({
                        /** @constant */
                        type: "text";
                        text: string;
                        parameter_name?: string;
                    } | {
                        /** @constant */
                        type: "currency";
                        parameter_name?: string;
                        currency: {
                            fallback_value: string;
                            code: string;
                            amount_1000: number;
                        };
                    } | {
                        /** @constant */
                        type: "date_time";
                        parameter_name?: string;
                        date_time: {
                            fallback_value: string;
                        };
                    })[];
                } | ({
                    /** @constant */
                    type: "button";
                    /** @constant */
                    sub_type: "quick_reply";
                    index: number | string;
                    parameters: {
                        /** @constant */
                        type: "payload";
                        payload: string;
                    }[];
                } | {
                    /** @constant */
                    type: "button";
                    /** @constant */
                    sub_type: "url";
                    index: number | string;
                    parameters: {
                        /** @constant */
                        type: "text";
                        text: string;
                        parameter_name?: string;
                    }[];
                }))[];
            };
        } | {
            client_message_id: string;
            to: string;
            /** @constant */
            type: "interactive";
            reply_to?: {
                message_id: string;
            };
            interactive: {
                /** @constant */
                type: "button";
                header?: {
                    /** @constant */
                    type: "text";
                    text: string;
                } | {
                    /** @constant */
                    type: "image";
                    image: {
                        id?: string;
                        /** Format: uri */
                        link?: string;
                    };
                } | {
                    /** @constant */
                    type: "video";
                    video: {
                        id?: string;
                        /** Format: uri */
                        link?: string;
                    };
                } | {
                    /** @constant */
                    type: "document";
                    document: {
                        id?: string;
                        /** Format: uri */
                        link?: string;
                        filename?: string;
                    };
                };
                body: {
                    text: string;
                };
                footer?: {
                    text: string;
                };
                action: {
                    buttons: {
                        /** @constant */
                        type: "reply";
                        reply: {
                            id: string;
                            title: string;
                        };
                    }[];
                };
            } | {
                /** @constant */
                type: "list";
                header?: {
                    /** @constant */
                    type: "text";
                    text: string;
                };
                body: {
                    text: string;
                };
                footer?: {
                    text: string;
                };
                action: {
                    button: string;
                    sections: {
                        title?: string;
                        rows: {
                            id: string;
                            title: string;
                            description?: string;
                        }[];
                    }[];
                };
            } | {
                /** @constant */
                type: "cta_url";
                header?: {
                    /** @constant */
                    type: "text";
                    text: string;
                } | {
                    /** @constant */
                    type: "image";
                    image: {
                        id?: string;
                        /** Format: uri */
                        link?: string;
                    };
                } | {
                    /** @constant */
                    type: "video";
                    video: {
                        id?: string;
                        /** Format: uri */
                        link?: string;
                    };
                } | {
                    /** @constant */
                    type: "document";
                    document: {
                        id?: string;
                        /** Format: uri */
                        link?: string;
                        filename?: string;
                    };
                };
                body: {
                    text: string;
                };
                footer?: {
                    text: string;
                };
                action: {
                    /**
                     * @default cta_url
                     * @constant
                     */
                    name: "cta_url";
                    parameters: {
                        display_text: string;
                        /** Format: uri */
                        url: string;
                    };
                };
            };
        } | {
            client_message_id: string;
            to: string;
            /** @constant */
            type: "reaction";
            reaction: {
                message_id: string;
                emoji: string;
            };
        } | {
            client_message_id: string;
            to?: string;
            /** @constant */
            type: "read";
            message_id: string;
            typing_indicator?: {
                /** @constant */
                type: "text";
            };
        };
        OutboundInstagramMessage: {
            client_message_id: string;
            to: string;
            reply_to?: unknown;
            /** @constant */
            type: "text";
            text: {
                body: string;
            };
            /** @constant */
            tag?: "HUMAN_AGENT";
        } | {
            client_message_id: string;
            to: string;
            reply_to?: unknown;
            /** @constant */
            type: "attachment";
            attachment: {
                /** @enum {string} */
                type: "image" | "audio" | "video" | "file";
                /** Format: uri */
                url: string;
            };
            /** @constant */
            tag?: "HUMAN_AGENT";
        } | {
            client_message_id: string;
            to: string;
            reply_to?: unknown;
            /** @constant */
            type: "reaction";
            reaction: {
                message_id: string;
                emoji: string;
            };
        } | {
            client_message_id: string;
            to: string;
            reply_to?: unknown;
            /** @constant */
            type: "read";
            message_id?: string;
        };
        /** @description A customer's service window on a channel: whether a free-form message to them is accepted now, and until when. */
        CustomerWindow: {
            /** Format: uuid */
            channel_id: string;
            /** @description A free-form message to this customer is accepted now (24 hours after their last message). */
            open: boolean;
            /** @description When the window closes (or closed, while the service still keeps the record); null when the customer never wrote, or the record expired with the window. */
            expires_at: string | null;
            /** @description Instagram only: replies tagged HUMAN_AGENT are accepted for 7 days after the customer's last message. */
            human_agent?: {
                open: boolean;
                expires_at: string | null;
            };
        };
        /** @description A file Meta stored for this channel's phone number. */
        MediaUpload: {
            /** @description Meta's media id: use it as `image.id`, `document.id`, … in a WhatsApp message of this channel. */
            id: string;
            /** @description The bare type Meta received (parameters dropped). */
            mime_type: string;
            /** @description Bytes uploaded. */
            file_size: number;
            /**
             * Format: date-time
             * @description About when Meta drops the media (30 days after the upload, by the service's clock).
             */
            expires_at: string;
        };
        /** @description Why Meta refused or failed a call made for DSK (a media download or upload), in the vocabulary of failed sends (`DskEventMetaError`). */
        MetaFailureDetails: {
            /** @description Meta's `error.code`; null when Meta gave none (timeout, unreadable answer). */
            meta_code: number | null;
            meta_subcode: number | null;
            /** @description Readable English; never Meta's own message. */
            reason: string;
            /** @description Whether repeating the same request later can succeed. */
            retryable: boolean;
        };
        MediaSizeLimit: {
            /** @enum {string} */
            kind: "image" | "sticker" | "audio" | "video" | "document";
            max_bytes: number;
        };
        DeliveryList: {
            deliveries: components["schemas"]["Delivery"][];
            /** @description Pass as `after` for the next page; null on the last page. */
            next_cursor: string | null;
        };
        Delivery: {
            /** @description The event's id and `Idempotency-Key`. */
            key: string;
            /** @description The event `type`, e.g. `message.received`. */
            kind: string;
            channel_id: components["schemas"]["Uuid"] | null;
            /**
             * @description `failed`: given up (retry with `POST …/retry`). `delivering`: still being retried.
             * @enum {string}
             */
            outcome: "failed" | "delivering";
            /** @description Attempts in the current delivery run. */
            attempts: number;
            /** @description DSK's last HTTP status, if it answered. */
            last_dsk_status: number | null;
            /** @description Why the last attempt failed: `http` (see `last_dsk_status`), `timeout`, `network`, `no_events_url`. */
            last_error_code: string | null;
            /** Format: date-time */
            received_at: string;
            /** Format: date-time */
            updated_at: string;
        };
        DeliveryRetry: {
            key: string;
            /** @constant */
            status: "retrying";
        };
        TemplateCreate: {
            name: string;
            language: string;
            /** @enum {string} */
            category: "MARKETING" | "UTILITY" | "AUTHENTICATION";
            /** @enum {string} */
            parameter_format?: "positional" | "named";
            allow_category_change?: boolean;
            components: ({
                /** @constant */
                type: "header";
                /** @constant */
                format: "text";
                text: string;
                examples?: string[] | {
                    [key: string]: string;
                };
            } | {
                /** @constant */
                type: "body";
                text: string;
                examples?: string[] | {
                    [key: string]: string;
                };
            } | {
                /** @constant */
                type: "footer";
                text: string;
            } | {
                /** @constant */
                type: "buttons";
                buttons: ({
                    /** @constant */
                    type: "quick_reply";
                    text: string;
                } | {
                    /** @constant */
                    type: "url";
                    text: string;
                    /** Format: uri */
                    url: string;
                    example?: string;
                } | {
                    /** @constant */
                    type: "phone_number";
                    text: string;
                    phone_number: string;
                } | {
                    /** @constant */
                    type: "copy_code";
                    example: string;
                })[];
            })[];
        };
        /** @description A message template of the channel's WhatsApp Business account, as last read from Meta and kept current by template webhooks. */
        Template: {
            /** @description Meta's template id. */
            id: string;
            name: string;
            /** @description e.g. en_US. */
            language: string;
            /** @description MARKETING, UTILITY or AUTHENTICATION. */
            category: string;
            /** @description APPROVED, PENDING, REJECTED, PAUSED, DISABLED, …; only APPROVED templates can be sent. */
            status: string;
            /** @enum {string} */
            parameter_format: "positional" | "named";
            components: components["schemas"]["TemplateComponent"][];
        };
        /** @description One component of a template, in the vocabulary of a template send: `parameter_count` is how many parameters a send must give it (a quick-reply button's payload is optional, so 0). */
        TemplateComponent: {
            /** @constant */
            type: "header";
            /** @description text, image, video, document or location. */
            format: string;
            text?: string;
            parameter_count: number;
            /** @description Named templates: the variable names. */
            parameter_names?: string[];
        } | {
            /** @constant */
            type: "body";
            text: string;
            parameter_count: number;
            parameter_names?: string[];
        } | {
            /** @constant */
            type: "footer";
            text: string;
            /** @constant */
            parameter_count: 0;
        } | {
            /** @constant */
            type: "button";
            /** @description The button's position: a send's `components[].index`. */
            index: number;
            /** @description quick_reply, url, phone_number, copy_code, otp, flow, catalog, mpm, … (Meta's button type, lower case). */
            sub_type: string;
            text?: string;
            url?: string;
            phone_number?: string;
            parameter_count: number;
        };
        TemplateDeleted: {
            name: string;
            template_id: string | null;
            /** @description How many stored templates (languages) went. */
            deleted: number;
        };
        TemplateList: {
            templates: components["schemas"]["Template"][];
            /** @description Pass as `after` for the next page; null on the last page. */
            next_cursor: string | null;
        };
        /** @description A WhatsApp number's business profile as customers see it (read from Meta). */
        BusinessProfile: {
            about: string | null;
            address: string | null;
            description: string | null;
            email: string | null;
            /** @description Meta's URL of the photo (changed with PUT /profile/photo). */
            profile_picture_url: string | null;
            websites: string[];
            vertical: string | null;
        };
        BusinessProfileUpdate: {
            about?: string;
            address?: string;
            description?: string;
            email?: string | "";
            websites?: string[];
            /** @enum {string} */
            vertical?: "UNDEFINED" | "OTHER" | "AUTO" | "BEAUTY" | "APPAREL" | "EDU" | "ENTERTAIN" | "EVENT_PLAN" | "FINANCE" | "GROCERY" | "GOVT" | "HOTEL" | "HEALTH" | "NONPROFIT" | "PROF_SERVICES" | "RETAIL" | "TRAVEL" | "RESTAURANT" | "NOT_A_BIZ";
        };
        Jwks: {
            keys: components["schemas"]["Jwk"][];
        };
        /** @description A public key: EC (`crv`, `x`, `y`), RSA (`n`, `e`) or OKP (`crv`, `x`). Never private members. */
        Jwk: {
            /** @enum {string} */
            kty: "EC" | "RSA" | "OKP";
            kid: string;
            /** @enum {string} */
            alg: "ES256" | "RS256" | "EdDSA";
            /** @constant */
            use: "sig";
            crv?: string;
            x?: string;
            y?: string;
            n?: string;
            e?: string;
        };
        /**
         * DSK event envelope, version 1
         * @description Body of every POST from the Meta Integration Service to a DSK instance's events URL. The same id is sent as the Idempotency-Key header: DSK must process each id once. Consumers must ignore fields they do not know; removing or retyping a field requires version 2. Objects are open: the service may add fields within version 1, and consumers ignore fields they do not know.
         */
        DskEvent: {
            /** @description Idempotency key of the event, e.g. "wa:msg:<wamid>", "wa:status:<wamid>:<status>", "ig:msg:<mid>"; at most 200 printable ASCII characters. */
            id: string;
            /**
             * @description The event type; selects the shape of data.
             * @enum {unknown}
             */
            type: "message.received" | "message.echo" | "message.status" | "message.reaction" | "message.read" | "message.edited" | "message.deleted" | "message.postback" | "message.referral" | "conversation.handover" | "conversation.history" | "contact.updated" | "channel.error" | "channel.account_update" | "channel.quality" | "template.status" | "unsupported" | "channel.status" | "test.ping";
            /** @constant */
            version: 1;
            /** @description The DSK instance the channel belongs to. */
            instance_id: string;
            /** @description The channel the event concerns; null only for test.ping. */
            channel: components["schemas"]["DskEventChannel"] | null;
            /**
             * Format: date-time
             * @description When it happened according to Meta (the receive time when Meta gives none).
             */
            occurred_at: string;
            /**
             * Format: date-time
             * @description When the service received the webhook.
             */
            received_at: string;
            conversation?: components["schemas"]["DskEventConversation"];
            /** @description Normalized across WhatsApp and Instagram; shape per type (see oneOf). */
            data: unknown;
            /** @description Meta's original object for this event, as a webhook body holding only this event, so nothing Meta sent is dropped. Null for events the service creates itself. */
            raw: unknown;
        } & ({
            /** @constant */
            type?: "message.received";
            data?: components["schemas"]["DskEventMessageData"];
        } | {
            /** @constant */
            type?: "message.echo";
            data?: components["schemas"]["DskEventEchoData"];
        } | {
            /** @constant */
            type?: "message.status";
            data?: components["schemas"]["DskEventStatusData"];
        } | {
            /** @constant */
            type?: "message.reaction";
            data?: components["schemas"]["DskEventReactionData"];
        } | {
            /** @constant */
            type?: "message.read";
            data?: components["schemas"]["DskEventReadData"];
        } | {
            /** @constant */
            type?: "message.edited";
            data?: components["schemas"]["DskEventEditData"];
        } | {
            /** @constant */
            type?: "message.deleted";
            data?: components["schemas"]["DskEventDeleteData"];
        } | {
            /** @constant */
            type?: "message.postback";
            data?: components["schemas"]["DskEventPostbackData"];
        } | {
            /** @constant */
            type?: "message.referral";
            data?: components["schemas"]["DskEventReferralData"];
        } | {
            /** @constant */
            type?: "conversation.handover";
            data?: components["schemas"]["DskEventHandoverData"];
        } | {
            /** @constant */
            type?: "conversation.history";
            data?: components["schemas"]["DskEventHistoryData"];
        } | {
            /** @constant */
            type?: "contact.updated";
            data?: components["schemas"]["DskEventContactUpdateData"];
        } | {
            /** @constant */
            type?: "channel.error";
            data?: components["schemas"]["DskEventChannelErrorData"];
        } | {
            /** @constant */
            type?: "channel.account_update";
            data?: components["schemas"]["DskEventAccountUpdateData"];
        } | {
            /** @constant */
            type?: "channel.quality";
            data?: components["schemas"]["DskEventQualityData"];
        } | {
            /** @constant */
            type?: "template.status";
            data?: components["schemas"]["DskEventTemplateStatusData"];
        } | {
            /** @constant */
            type?: "unsupported";
            data?: components["schemas"]["DskEventUnsupportedData"];
        } | {
            /** @constant */
            type?: "channel.status";
            data?: components["schemas"]["DskEventChannelStatusData"];
        } | {
            /** @constant */
            type?: "test.ping";
            channel?: null;
            data?: components["schemas"]["DskEventTestPingData"];
        });
        DskEventChannel: {
            /** @description The service's channel id. */
            id: string;
            /** @enum {unknown} */
            type: "whatsapp" | "instagram";
            /** @description The Meta-side id: WhatsApp phone_number_id, Instagram professional account id. */
            external_id: string;
        };
        /** @description Present on inbound events that belong to a conversation with a customer (messages, echoes, statuses, reactions, reads, edits, deletions, postbacks, referrals, handovers, history, contact updates), absent on the rest. DSK orders a conversation's events by sequence, per channel.id and customer_id: numbers are contiguous within a run (1, 2, 3, ...) in the order the service accepted the events from Meta, and a duplicate from Meta never takes one. A gap means an earlier event is still being delivered (retried for the delivery horizon, or failed and visible at GET /v1/deliveries). A conversation silent for the webhook log's retention window (30 days by default, always longer than the delivery horizon) or a rotation of the service's newest token key starts a new run at 1 with a later started_at: order by (started_at, sequence). */
        DskEventConversation: {
            /** @description The customer's id on the channel as the event names it: data.sender.id, or data.recipient.id for echoes, business-side edits and deletions and statuses (WhatsApp wa_id, or the business-scoped user id without one, or a group id; Instagram IGSID); data.thread_id for history, data.wa_id for contact updates. */
            customer_id: string;
            /** @description The event's number in its conversation's run. */
            sequence: number;
            /**
             * Format: date-time
             * @description When this run of numbers began; identifies the run.
             */
            started_at: string;
        };
        /** @description A person or account taking part in a conversation. For message.echo the sender is the business. */
        DskEventParticipant: {
            /** @description Address to reply to: WhatsApp wa_id when Meta sent one, else the BSUID; Instagram IGSID (customer) or account id (business). */
            id: string;
            /** @description WhatsApp phone-based id; absent for users known only by BSUID. */
            wa_id?: string;
            /** @description WhatsApp business-scoped user id (BSUID), e.g. "US.1349…". */
            user_id?: string;
            parent_user_id?: string;
            /** @description Profile name (Instagram: looked up when the message arrived; absent when Meta would not say). */
            name?: string;
            /** @description WhatsApp username, when the user has one; Instagram username (looked up when the message arrived). */
            username?: string;
            /** @description Instagram: the profile picture's URL, looked up with the name and username when the message arrived (Meta's URL; it expires in days). */
            profile_pic_url?: string;
        };
        DskEventMetaError: {
            /** @description Meta error code, e.g. 131047. */
            code?: number;
            title?: string;
            message?: string;
            /** @description error_data.details */
            details?: string;
            href?: string;
        };
        DskEventMedia: {
            /** @description WhatsApp media id (valid 7 days). */
            id?: string;
            /** @description Download URL; WhatsApp needs the bearer token, Instagram URLs expire. */
            url?: string;
            mime_type?: string;
            /** @description WhatsApp: base64 SHA-256 of the file. */
            sha256?: string;
            caption?: string;
            filename?: string;
            /** @description WhatsApp audio recorded as a voice note. */
            voice?: boolean;
            /** @description WhatsApp animated sticker. */
            animated?: boolean;
            /** @description Where DSK fetches the bytes through the service (GET /v1/channels/{id}/media/{mediaId}, DSK's bearer token) for the whole delivery horizon. */
            service_url?: string;
        };
        DskEventAttachment: {
            /** @description image, audio, video, document (Instagram "file"), share, story_mention, reel, post, ephemeral, or Meta's own name for an unknown type. */
            type: string;
            url?: string;
            title?: string;
            /** @description Media attachments: where DSK fetches the bytes through the service after Meta's URL has expired (captured when the event arrived). */
            service_url?: string;
        };
        DskEventLocation: {
            latitude?: number;
            longitude?: number;
            name?: string;
            address?: string;
            url?: string;
        };
        /** @description A contact card shared in a WhatsApp contacts message. */
        DskEventSharedContact: {
            name?: {
                formatted_name?: string;
                first_name?: string;
                last_name?: string;
                middle_name?: string;
                prefix?: string;
                suffix?: string;
            };
            phones?: {
                phone?: string;
                wa_id?: string;
                type?: string;
            }[];
            emails?: {
                email?: string;
                type?: string;
            }[];
            org?: {
                company?: string;
                department?: string;
                title?: string;
            };
            addresses?: {
                street?: string;
                city?: string;
                state?: string;
                zip?: string;
                country?: string;
                country_code?: string;
                type?: string;
            }[];
            urls?: {
                url?: string;
                type?: string;
            }[];
            birthday?: string;
        };
        DskEventInteractive: {
            /** @description Meta's interactive.type: button_reply, list_reply, nfm_reply, or a newer type (kept, see raw). */
            type: string;
            id?: string;
            title?: string;
            description?: string;
            /** @description A completed WhatsApp Flow (nfm_reply). */
            flow?: {
                name?: string;
                body?: string;
                /** @description The Flow's answers as a JSON string, as Meta sends it. */
                response_json?: string;
            };
        };
        DskEventOrder: {
            catalog_id?: string;
            text?: string;
            product_items: {
                product_retailer_id?: string;
                quantity?: number;
                item_price?: number;
                currency?: string;
            }[];
        };
        /** @description What a message replies to or was forwarded from. */
        DskEventContext: {
            /** @description The message replied to. */
            message_id?: string;
            from?: string;
            forwarded?: boolean;
            frequently_forwarded?: boolean;
            referred_product?: {
                catalog_id?: string;
                product_retailer_id?: string;
            };
            /** @description Instagram story reply. */
            story?: {
                id?: string;
                url?: string;
            };
        };
        /** @description Where the conversation came from (ad, post, short link); WhatsApp and Instagram fill their own fields. */
        DskEventReferral: {
            source?: string;
            type?: string;
            ref?: string;
            ad_id?: string;
            source_url?: string;
            source_id?: string;
            source_type?: string;
            headline?: string;
            body?: string;
            media_type?: string;
            image_url?: string;
            video_url?: string;
            thumbnail_url?: string;
            ctwa_clid?: string;
            welcome_message?: string;
            ads_context_data?: {
                ad_title?: string;
                photo_url?: string;
                video_url?: string;
            };
        };
        DskEventMessage: {
            /** @description wamid (WhatsApp) or mid (Instagram). */
            id: string;
            /**
             * @description unsupported: Meta cannot show the content; unknown: an Instagram attachment type this service does not know yet.
             * @enum {unknown}
             */
            type: "text" | "image" | "audio" | "video" | "document" | "sticker" | "location" | "contacts" | "interactive" | "button" | "order" | "system" | "request_welcome" | "share" | "story_mention" | "reel" | "post" | "ephemeral" | "unsupported" | "unknown";
            text?: string;
            media?: components["schemas"]["DskEventMedia"];
            /** @description Instagram: every attachment. */
            attachments?: components["schemas"]["DskEventAttachment"][];
            location?: components["schemas"]["DskEventLocation"];
            contacts?: components["schemas"]["DskEventSharedContact"][];
            interactive?: components["schemas"]["DskEventInteractive"];
            /** @description A tap on a WhatsApp template quick-reply button. */
            button?: {
                text?: string;
                payload?: string;
            };
            /** @description Instagram quick reply; the tapped title is text. */
            quick_reply?: {
                payload?: string;
            };
            order?: components["schemas"]["DskEventOrder"];
            /** @description WhatsApp system notice: user_changed_number (the new number in wa_id; older payloads call it new_wa_id), user_changed_user_id (the new business-scoped user id in user_id, with parent_user_id; such messages have no sender number), customer_identity_changed (with identity). */
            system?: {
                type?: string;
                body?: string;
                /** @description The user's new WhatsApp id (number). */
                wa_id?: string;
                /** @description The user's new business-scoped user id. */
                user_id?: string;
                parent_user_id?: string;
                /** @description Meta's identity check of a customer_identity_changed notice. */
                identity?: {
                    acknowledged?: boolean;
                    created_timestamp?: string;
                    hash?: string;
                };
            };
            context?: components["schemas"]["DskEventContext"];
            referral?: components["schemas"]["DskEventReferral"];
            /** @description WhatsApp unsupported messages: why Meta could not deliver the content. */
            errors?: components["schemas"]["DskEventMetaError"][];
            /** @description WhatsApp unsupported.type, e.g. edit, poll_creation. */
            unsupported_type?: string;
            group_id?: string;
        };
        /** @description message.received */
        DskEventMessageData: {
            sender: components["schemas"]["DskEventParticipant"];
            recipient?: components["schemas"]["DskEventParticipant"];
            /** @description Instagram: the event came from standby[] (the thread is owned by another app, e.g. the Meta Business Suite inbox). */
            standby?: boolean;
            message: components["schemas"]["DskEventMessage"];
            /**
             * Format: date-time
             * @description The customer-service window this message opened: free-form replies are accepted until then (WhatsApp and Instagram: 24 hours after the customer's message). Counted from this message, so a message that arrives late carries an earlier time than one before it: keep the latest per conversation. After it, only templates (WhatsApp) or HUMAN_AGENT-tagged replies (Instagram) go; the service refuses other sends with 409 outside_customer_window. GET /v1/channels/{id}/windows/{customer} answers the current window.
             */
            window_expires_at?: string;
            /**
             * Format: date-time
             * @description Instagram only: until when a reply tagged HUMAN_AGENT is accepted (7 days after the customer's message).
             */
            human_agent_window_expires_at?: string;
        };
        /** @description Delivery status of an outbound message. Two sources share this type. Meta's status webhooks (WhatsApp): statuses arrive unordered and sometimes twice: `status` is what Meta sent in this event, `current_status` the channel's view of the message after merging it (sent < delivered < read < played; failed only replaces sent), which never goes backwards; a status of a message sent through this service also carries its `client_message_id`. The outcome of a send DSK asked for (`source: "send"`, WhatsApp and Instagram): `accepted` (Meta took it; `message_id` is Meta's id), `failed` (with `error`), or `unknown` (the send may have reached Meta but its answer was lost; it is never sent again, and a later `accepted` with `reconciled: true` follows if a webhook proves it went out). */
        DskEventStatusData: {
            /**
             * @description Present ("send") on the outcome of a send made through POST /v1/channels/{id}/messages; absent on Meta's status webhooks.
             * @enum {unknown}
             */
            source?: "send";
            /** @description DSK's id of the send: on send outcomes, and on webhook statuses of messages sent through this service (matched by biz_opaque_callback_data). */
            client_message_id?: string;
            /** @description Meta's message id (wamid / Instagram mid). Always present on webhook statuses; absent on a send outcome Meta gave no id for (failed, unknown, mark-as-read). */
            message_id?: string;
            /**
             * @description Webhook statuses: the status Meta reported in this event, as sent (it may be older than current_status). Send outcomes: accepted, failed or unknown.
             * @enum {unknown}
             */
            status: "sent" | "delivered" | "read" | "played" | "failed" | "accepted" | "unknown";
            /**
             * @description The furthest status the service has seen for this message on this channel, this event included. Present on every webhook status the service delivers (not on send outcomes); use it rather than `status` to update the message's state.
             * @enum {unknown}
             */
            current_status?: "sent" | "delivered" | "read" | "played" | "failed";
            recipient?: {
                id: string;
                wa_id?: string;
                user_id?: string;
                parent_user_id?: string;
                /** @description "group" for group sends. */
                type?: string;
                participant_id?: string;
            };
            errors?: components["schemas"]["DskEventMetaError"][];
            pricing?: {
                billable?: boolean;
                pricing_model?: string;
                type?: string;
                category?: string;
            };
            conversation?: {
                id?: string;
                /** Format: date-time */
                expires_at?: string;
                origin_type?: string;
            };
            /** @description Echo of the value set when sending. */
            biz_opaque_callback_data?: string;
            group_id?: string;
            /** @description Why a send failed or is unknown: our stable code, Meta's code and subcode when Meta gave them, and a readable reason. */
            error?: {
                /** @description Stable code, e.g. outside_customer_window, invalid_recipient, reauth_required, meta_throttled, ambiguous_send. */
                code: string;
                /** @description Meta's error.code. */
                meta_code?: number;
                /** @description Meta's error.error_subcode. */
                meta_subcode?: number;
                reason: string;
            };
            /** @description true on an `accepted` send outcome that was proved by a webhook after the send's answer was lost. */
            reconciled?: boolean;
        };
        DskEventReactionData: {
            sender: components["schemas"]["DskEventParticipant"];
            recipient?: components["schemas"]["DskEventParticipant"];
            /** @description Instagram: the event came from standby[] (the thread is owned by another app, e.g. the Meta Business Suite inbox). */
            standby?: boolean;
            reaction: {
                /** @description The message reacted to. */
                message_id: string;
                /** @enum {unknown} */
                action: "react" | "unreact";
                emoji?: string;
                /** @description Instagram's named reaction, e.g. love. */
                name?: string;
            };
            /** @description WhatsApp: the reaction's own wamid. */
            reaction_id?: string;
        };
        DskEventReadData: {
            sender: components["schemas"]["DskEventParticipant"];
            recipient?: components["schemas"]["DskEventParticipant"];
            /** @description Instagram: the event came from standby[] (the thread is owned by another app, e.g. the Meta Business Suite inbox). */
            standby?: boolean;
            /** @description Instagram: the message seen. */
            message_id?: string;
            /**
             * Format: date-time
             * @description Messenger: everything before this time was read.
             */
            watermark?: string;
        };
        /** @description A message was edited: Instagram's message_edit, WhatsApp's edit messages (coexistence numbers), and edits the business made in the WhatsApp Business app (echo: true). */
        DskEventEditData: {
            sender: components["schemas"]["DskEventParticipant"];
            recipient?: components["schemas"]["DskEventParticipant"];
            /** @description Instagram: the event came from standby[] (the thread is owned by another app, e.g. the Meta Business Suite inbox). */
            standby?: boolean;
            /** @description The message edited. Absent only when Meta withholds it: WhatsApp delivers some edits as an unsupported message of unsupported.type "edit" (then unsupported is true). */
            message_id?: string;
            /** @description The new text (WhatsApp: the text body or caption of the new content). */
            text?: string;
            num_edit?: number;
            /** @description WhatsApp: the edit's own wamid. */
            edit_id?: string;
            /** @description WhatsApp: the message as it reads now; its id is the edited message's. */
            message?: components["schemas"]["DskEventMessage"];
            /** @description WhatsApp: the edit arrived as an unsupported message, without the original id or the new content. */
            unsupported?: boolean;
            /** @description WhatsApp coexistence: the business made the change in the WhatsApp Business app (smb_message_echoes). */
            echo?: boolean;
        };
        /** @description A message was deleted (unsent): Instagram's is_deleted, WhatsApp's revoke messages (coexistence numbers). */
        DskEventDeleteData: {
            sender: components["schemas"]["DskEventParticipant"];
            recipient?: components["schemas"]["DskEventParticipant"];
            /** @description Instagram: the event came from standby[] (the thread is owned by another app, e.g. the Meta Business Suite inbox). */
            standby?: boolean;
            message_id: string;
            /** @description WhatsApp: the deletion's own wamid (type revoke). */
            revoke_id?: string;
            /** @description WhatsApp coexistence: the business deleted it in the WhatsApp Business app. */
            echo?: boolean;
        };
        DskEventPostbackData: {
            sender: components["schemas"]["DskEventParticipant"];
            recipient?: components["schemas"]["DskEventParticipant"];
            /** @description Instagram: the event came from standby[] (the thread is owned by another app, e.g. the Meta Business Suite inbox). */
            standby?: boolean;
            postback: {
                message_id?: string;
                title?: string;
                /** @description Absent for standby postbacks. */
                payload?: string;
            };
            referral?: components["schemas"]["DskEventReferral"];
        };
        DskEventReferralData: {
            sender: components["schemas"]["DskEventParticipant"];
            recipient?: components["schemas"]["DskEventParticipant"];
            /** @description Instagram: the event came from standby[] (the thread is owned by another app, e.g. the Meta Business Suite inbox). */
            standby?: boolean;
            referral: components["schemas"]["DskEventReferral"];
        };
        /** @description A WhatsApp problem not tied to one message (value-level errors). */
        DskEventChannelErrorData: {
            errors: components["schemas"]["DskEventMetaError"][];
            phone_number_id?: string;
            display_phone_number?: string;
        };
        DskEventAccountUpdateData: {
            /** @description e.g. PARTNER_APP_UNINSTALLED, PARTNER_REMOVED, ACCOUNT_VIOLATION. */
            event: string;
            /** @description True for PARTNER_APP_UNINSTALLED and PARTNER_REMOVED: the customer removed the app, the channel is disconnected. */
            disconnect: boolean;
            waba_id?: string;
            owner_business_id?: string;
            partner_app_id?: string;
            phone_number?: string;
            disconnection_info?: {
                reason?: string;
                initiated_by?: string;
            };
        };
        DskEventQualityData: {
            /** @description e.g. FLAGGED, UNFLAGGED, THROUGHPUT_UPGRADE. */
            event: string;
            display_phone_number?: string;
            current_limit?: string;
            old_limit?: string;
            max_daily_conversations_per_business?: string;
        };
        /** @description A WABA's message template changed: its review status (update status, e.g. APPROVED, REJECTED, PAUSED), its category (update category, event CATEGORY_UPDATE) or its quality (update quality, event QUALITY_UPDATE). Templates belong to the WABA: every number of the WABA is concerned. */
        DskEventTemplateStatusData: {
            /** @description e.g. APPROVED, REJECTED, PAUSED, DISABLED; CATEGORY_UPDATE when Meta re-categorised the template (template_category_update). */
            event: string;
            /** @enum {unknown} */
            update?: "status" | "category" | "quality";
            template_id?: string;
            template_name?: string;
            language?: string;
            reason?: string;
            category?: string;
            /** @description CATEGORY_UPDATE only: the category before. */
            previous_category?: string;
            new_category?: string;
            correct_category?: string;
            previous_quality_score?: string;
            new_quality_score?: string;
        };
        /** @description A signed Meta event this service does not interpret; raw holds everything Meta sent. */
        DskEventUnsupportedData: {
            /**
             * @description Why it is not interpreted. unsupported_channel: a Meta product this service has no channel for (Messenger's object "page"); such events are recorded and routed nowhere, never delivered as Instagram.
             * @enum {unknown}
             */
            reason: "unknown_object" | "unsupported_channel" | "unhandled_field" | "unknown_message_type" | "unknown_status" | "unknown_item" | "malformed";
            object?: string;
            field?: string;
            /** @description The unknown message type, status value or messaging key. */
            item_type?: string;
        };
        /** @description A connection lifecycle change reported by the service itself (raw is null). */
        DskEventChannelStatusData: {
            /** @description e.g. active, reauth_required, disconnected. */
            status: string;
            reason?: string;
        };
        /** @description message.echo: a message the business account sent (from Meta's apps, or through this service). */
        DskEventEchoData: {
            sender: components["schemas"]["DskEventParticipant"];
            recipient?: components["schemas"]["DskEventParticipant"];
            /** @description Instagram: the event came from standby[] (the thread is owned by another app, e.g. the Meta Business Suite inbox). */
            standby?: boolean;
            message: components["schemas"]["DskEventMessage"];
            /** @description Instagram: DSK's client_message_id when the echo is of a message sent through this service (matched by Meta's message id), so DSK can recognise its own sends. */
            client_message_id?: string;
        };
        /** @description Who owns an Instagram thread changed (handover protocol, kept by Conversation Routing): pass (passed to new_owner_app_id), take (taken from previous_owner_app_id), request (an app asks the owner to pass it). */
        DskEventHandoverData: {
            sender: components["schemas"]["DskEventParticipant"];
            recipient?: components["schemas"]["DskEventParticipant"];
            /** @description Instagram: the event came from standby[] (the thread is owned by another app, e.g. the Meta Business Suite inbox). */
            standby?: boolean;
            /** @enum {unknown} */
            action: "pass" | "take" | "request";
            new_owner_app_id?: string;
            previous_owner_app_id?: string;
            requested_owner_app_id?: string;
            /** @description Free text the app passed along. */
            metadata?: string;
        };
        DskEventHistoryMessage: {
            /**
             * @description inbound: the customer wrote it; outbound: the business (from the WhatsApp Business app).
             * @enum {unknown}
             */
            direction: "inbound" | "outbound";
            from?: string;
            to?: string;
            /** Format: date-time */
            sent_at?: string;
            /** @description history_context.status as Meta gives it, e.g. READ, DELIVERED. */
            status?: string;
            message: components["schemas"]["DskEventMessage"];
        };
        /** @description A chunk of the chat history a WhatsApp Business app number shares when connected (coexistence): one event per thread of a chunk. Past messages: no customer-service window opens and nothing should be answered. Deduplicate by message id. When the business declined to share, one event carries errors and no messages. */
        DskEventHistoryData: {
            phase?: number;
            chunk_order?: number;
            /** @description 100 when the import is complete. */
            progress?: number;
            /** @description The customer's WhatsApp id. */
            thread_id?: string;
            messages: components["schemas"]["DskEventHistoryMessage"][];
            errors?: components["schemas"]["DskEventMetaError"][];
        };
        /** @description WhatsApp user_id_update: a customer's business-scoped user id changed. */
        DskEventContactUpdateData: {
            wa_id?: string;
            user_id?: {
                previous?: string;
                current?: string;
            };
            parent_user_id?: {
                previous?: string;
                current?: string;
            };
            detail?: string;
        };
        /** @description test.ping: the event DSK triggers with POST /v1/instance/test-event to check its endpoint, delivered like any other (signed JWT, Idempotency-Key), whatever the instance's event_types. Nothing to process. */
        DskEventTestPingData: {
            /**
             * Format: date-time
             * @description When DSK asked for it.
             */
            requested_at: string;
        };
    };
    responses: {
        /** @description The bearer token is missing or not accepted. */
        Unauthorized: {
            headers: {
                "WWW-Authenticate"?: "Bearer error=\"invalid_token\"";
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["Error"];
            };
        };
        /** @description DSK's JWKS (the keys that verify the token) cannot be fetched right now; retry later. Only when keys come from a JWKS URL. */
        AuthUnavailable: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["Error"];
            };
        };
        /** @description An unexpected error; nothing about it is disclosed. Quote `X-Request-Id` when reporting it. */
        InternalError: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["Error"];
            };
        };
        /** @description The body is not JSON, or shorter/longer than its `Content-Length`. */
        BadRequestBody: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["Error"];
            };
        };
        /** @description The body is larger than 1 MiB. */
        PayloadTooLarge: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["Error"];
            };
        };
        /** @description The body is missing or not `application/json`. */
        UnsupportedMediaType: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["Error"];
            };
        };
        /** @description The instance is over one of its quotas (`INSTANCE_REQUESTS_PER_MINUTE` requests per minute; on sends, `INSTANCE_OPEN_SENDS` sends Meta has not answered; on connections, `INSTANCE_OPEN_CONNECTIONS` awaiting authorization). Retry after `Retry-After` seconds. */
        QuotaExceeded: {
            headers: {
                /** @description Seconds until the quota frees up. */
                "Retry-After"?: number;
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["Error"];
            };
        };
    };
    parameters: never;
    requestBodies: never;
    headers: never;
    pathItems: never;
}
export type $defs = Record<string, never>;
export interface operations {
    getInstance: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The instance's settings. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Instance"];
                };
            };
            401: components["responses"]["Unauthorized"];
            /** @description The instance has no settings yet. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            429: components["responses"]["QuotaExceeded"];
            500: components["responses"]["InternalError"];
            503: components["responses"]["AuthUnavailable"];
        };
    };
    putInstance: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["InstanceUpdate"];
            };
        };
        responses: {
            /** @description The instance's settings after the change. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Instance"];
                };
            };
            400: components["responses"]["BadRequestBody"];
            401: components["responses"]["Unauthorized"];
            413: components["responses"]["PayloadTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            /** @description The request does not match the schema. `details` lists every problem with its field path (`a.b`, `a[0]`; `(body)` for the object itself, e.g. an unknown key). */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            429: components["responses"]["QuotaExceeded"];
            500: components["responses"]["InternalError"];
            503: components["responses"]["AuthUnavailable"];
        };
    };
    sendTestEvent: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description DSK accepted the test event. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["TestEventResult"];
                };
            };
            401: components["responses"]["Unauthorized"];
            /** @description Test events are not available in this deployment. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The instance has no events URL yet. */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            429: components["responses"]["QuotaExceeded"];
            500: components["responses"]["InternalError"];
            /** @description The events URL did not accept the test event: `details` say DSK's status (null when none came) and the class of failure (`http`, `network`, `timeout`, `no_events_url`). */
            502: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            503: components["responses"]["AuthUnavailable"];
        };
    };
    listConnections: {
        parameters: {
            query?: {
                /**
                 * @description Page size (default 100).
                 * @example 50
                 */
                limit?: number;
                /**
                 * @description `next_cursor` of the previous page (opaque). Pages are keyset pages: rows added or removed meanwhile neither repeat nor shift later pages.
                 * @example WyIyMDI2LTA3LTAxIDA5OjEyOjQ0LjEyMDMxNSswMCIsIjNmMmI2YzFlLTlhNGQtNGU4Yi1iMWMyLTdkNWU5ZjBhMWIyYyJd
                 */
                after?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description A page of connections (possibly none). */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ConnectionList"];
                };
            };
            401: components["responses"]["Unauthorized"];
            /** @description A malformed limit or cursor. */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            429: components["responses"]["QuotaExceeded"];
            500: components["responses"]["InternalError"];
            503: components["responses"]["AuthUnavailable"];
        };
    };
    createConnection: {
        parameters: {
            query?: never;
            header?: {
                /**
                 * @description DSK's own id for this request. A repeat with the same key and the same body within 24 hours answers the same connection (201, header `Idempotent-Replayed: true`; the connection's workflow is started if the first request died before it) and creates nothing; the same key with a different body is refused with 409 `idempotency_key_reused`. Keys are per instance.
                 * @example crm-conn-7f3a
                 */
                "Idempotency-Key"?: string;
            };
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["ConnectionCreate"];
            };
        };
        responses: {
            /** @description The connection was created; its workflow waits for the end user. */
            201: {
                headers: {
                    /** @description `true` when this answers an earlier request with the same Idempotency-Key. */
                    "Idempotent-Replayed"?: "true";
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ConnectionCreated"];
                };
            };
            400: components["responses"]["BadRequestBody"];
            401: components["responses"]["Unauthorized"];
            /** @description `idempotency_key_reused`: the Idempotency-Key was used by this instance for a different body within the last 24 hours. */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            413: components["responses"]["PayloadTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            /** @description The request does not match the schema. `details` lists every problem with its field path (`a.b`, `a[0]`; `(body)` for the object itself, e.g. an unknown key). */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            429: components["responses"]["QuotaExceeded"];
            500: components["responses"]["InternalError"];
            503: components["responses"]["AuthUnavailable"];
        };
    };
    getConnection: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /**
                 * @description A connection id (`connection_id`).
                 * @example 8d0f5a7e-2c41-4b9e-9f3a-6b1d2e4c5a70
                 */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The connection. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Connection"];
                };
            };
            401: components["responses"]["Unauthorized"];
            /** @description Unknown id, or an id of another instance (instances never see each other's resources). */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The request does not match the schema. `details` lists every problem with its field path (`a.b`, `a[0]`; `(body)` for the object itself, e.g. an unknown key). */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            429: components["responses"]["QuotaExceeded"];
            500: components["responses"]["InternalError"];
            503: components["responses"]["AuthUnavailable"];
        };
    };
    reconnectChannel: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /**
                 * @description A channel id.
                 * @example 3f2b6c1e-9a4d-4e8b-b1c2-7d5e9f0a1b2c
                 */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description A new connect link. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ReconnectLink"];
                };
            };
            401: components["responses"]["Unauthorized"];
            /** @description Unknown id, or an id of another instance (instances never see each other's resources). */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The channel cannot start a new authorization round. */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The request does not match the schema. `details` lists every problem with its field path (`a.b`, `a[0]`; `(body)` for the object itself, e.g. an unknown key). */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            429: components["responses"]["QuotaExceeded"];
            500: components["responses"]["InternalError"];
            503: components["responses"]["AuthUnavailable"];
        };
    };
    getChannel: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /**
                 * @description A channel id.
                 * @example 3f2b6c1e-9a4d-4e8b-b1c2-7d5e9f0a1b2c
                 */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The channel. Its token is never shown (see `/data` for what is stored about it). */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Channel"];
                };
            };
            401: components["responses"]["Unauthorized"];
            /** @description Unknown id, or an id of another instance (instances never see each other's resources). */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The request does not match the schema. `details` lists every problem with its field path (`a.b`, `a[0]`; `(body)` for the object itself, e.g. an unknown key). */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            429: components["responses"]["QuotaExceeded"];
            500: components["responses"]["InternalError"];
            503: components["responses"]["AuthUnavailable"];
        };
    };
    disconnectChannel: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /**
                 * @description A channel id.
                 * @example 3f2b6c1e-9a4d-4e8b-b1c2-7d5e9f0a1b2c
                 */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The channel is disconnected (now, or it already was). */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ChannelDisconnect"];
                };
            };
            /** @description The connection workflow was asked to disconnect; the `channel.status` event tells when it is done. */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ChannelDisconnect"];
                };
            };
            401: components["responses"]["Unauthorized"];
            /** @description Unknown id, or an id of another instance (instances never see each other's resources). */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The request does not match the schema. `details` lists every problem with its field path (`a.b`, `a[0]`; `(body)` for the object itself, e.g. an unknown key). */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            429: components["responses"]["QuotaExceeded"];
            500: components["responses"]["InternalError"];
            503: components["responses"]["AuthUnavailable"];
        };
    };
    correctChannel: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /**
                 * @description A channel id.
                 * @example 3f2b6c1e-9a4d-4e8b-b1c2-7d5e9f0a1b2c
                 */
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["ChannelCorrection"];
            };
        };
        responses: {
            /** @description The channel after the correction. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Channel"];
                };
            };
            400: components["responses"]["BadRequestBody"];
            401: components["responses"]["Unauthorized"];
            /** @description Unknown id, or an id of another instance (instances never see each other's resources). */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            413: components["responses"]["PayloadTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            /** @description The request does not match the schema. `details` lists every problem with its field path (`a.b`, `a[0]`; `(body)` for the object itself, e.g. an unknown key). */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            429: components["responses"]["QuotaExceeded"];
            500: components["responses"]["InternalError"];
            503: components["responses"]["AuthUnavailable"];
        };
    };
    getChannelData: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /**
                 * @description A channel id.
                 * @example 3f2b6c1e-9a4d-4e8b-b1c2-7d5e9f0a1b2c
                 */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description What is stored. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ChannelData"];
                };
            };
            401: components["responses"]["Unauthorized"];
            /** @description Unknown id, or an id of another instance (instances never see each other's resources). */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The request does not match the schema. `details` lists every problem with its field path (`a.b`, `a[0]`; `(body)` for the object itself, e.g. an unknown key). */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            429: components["responses"]["QuotaExceeded"];
            500: components["responses"]["InternalError"];
            503: components["responses"]["AuthUnavailable"];
        };
    };
    listChannels: {
        parameters: {
            query?: {
                /** @description Only channels with this status. */
                status?: "active" | "reauth_required" | "disconnected";
                /** @description Only channels of this type. */
                channel_type?: "whatsapp" | "instagram";
                /**
                 * @description Page size (default 100).
                 * @example 50
                 */
                limit?: number;
                /**
                 * @description `next_cursor` of the previous page (opaque). Pages are keyset pages: rows added or removed meanwhile neither repeat nor shift later pages.
                 * @example WyIyMDI2LTA3LTAxIDA5OjEyOjQ0LjEyMDMxNSswMCIsIjNmMmI2YzFlLTlhNGQtNGU4Yi1iMWMyLTdkNWU5ZjBhMWIyYyJd
                 */
                after?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The channels (possibly none). */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ChannelList"];
                };
            };
            401: components["responses"]["Unauthorized"];
            /** @description The request does not match the schema. `details` lists every problem with its field path (`a.b`, `a[0]`; `(body)` for the object itself, e.g. an unknown key). */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            429: components["responses"]["QuotaExceeded"];
            500: components["responses"]["InternalError"];
            503: components["responses"]["AuthUnavailable"];
        };
    };
    getMessage: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /**
                 * @description A channel id.
                 * @example 3f2b6c1e-9a4d-4e8b-b1c2-7d5e9f0a1b2c
                 */
                id: string;
                /**
                 * @description DSK's `client_message_id` of the send.
                 * @example crm-msg-0042
                 */
                clientMessageId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The send's result. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["SendResult"];
                };
            };
            401: components["responses"]["Unauthorized"];
            /** @description Unknown channel (or another instance's), or no send with this id on this channel. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description A malformed channel id or client_message_id. */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            429: components["responses"]["QuotaExceeded"];
            500: components["responses"]["InternalError"];
            503: components["responses"]["AuthUnavailable"];
        };
    };
    sendMessage: {
        parameters: {
            query?: {
                /**
                 * @description How long to wait for Meta's answer before answering `202` (default 5000).
                 * @example 5000
                 */
                wait_ms?: number;
            };
            header?: never;
            path: {
                /**
                 * @description A channel id.
                 * @example 3f2b6c1e-9a4d-4e8b-b1c2-7d5e9f0a1b2c
                 */
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["OutboundMessage"];
            };
        };
        responses: {
            /** @description Meta accepted the message. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["SendResult"];
                };
            };
            /** @description Meta has not answered within `wait_ms` (`pending`), or its answer was lost (`unknown`, never resent). The outcome follows as a `message.status` event. */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["SendResult"];
                };
            };
            400: components["responses"]["BadRequestBody"];
            401: components["responses"]["Unauthorized"];
            /** @description Unknown channel, or another instance's. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The channel cannot send: disconnected, waiting for re-authorization (`reauth_required`, also when Meta refuses its token: code 190 or 0), the app lacks a permission, or the business account is blocked. `outside_customer_window`: the customer has not written within the service window (WhatsApp 24 hours; Instagram 24 hours, 7 days with `tag: HUMAN_AGENT`), so a free-form message is refused before Meta is called (ENFORCE_CUSTOMER_WINDOW); send a template instead. `details` say until when the window ran (null: the customer never wrote, or too long ago). A repeat of a send made while the window was open still answers that send. */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            413: components["responses"]["PayloadTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            /** @description The body does not match the channel type's schema; `details` names each field. */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Meta kept throttling the send for 10 minutes (retries included); it was not sent. Or the instance is over a quota (`quota_exceeded`, with `Retry-After`; see the `QuotaExceeded` response). */
            429: {
                headers: {
                    /** @description Seconds to wait (always sent for quota_exceeded). */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            500: components["responses"]["InternalError"];
            /** @description Meta refused or failed the send; the request itself was valid. The code says why, e.g. `outside_customer_window` (131047: send a template), `recipient_unavailable` (551: the person cannot be reached by this account, usually a block), `template_error`, `invalid_recipient`, `meta_unavailable` (still failing after retries). */
            502: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            503: components["responses"]["AuthUnavailable"];
        };
    };
    getCustomerWindow: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /**
                 * @description A channel id.
                 * @example 3f2b6c1e-9a4d-4e8b-b1c2-7d5e9f0a1b2c
                 */
                id: string;
                /**
                 * @description The customer as DSK addresses them in a send's `to`: a WhatsApp number in any spelling (`+16505551234`, `1 650 555 1234`), a WhatsApp BSUID, or an Instagram-scoped id. URL-encode it.
                 * @example +16505551234
                 */
                customer: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The window now. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["CustomerWindow"];
                };
            };
            401: components["responses"]["Unauthorized"];
            /** @description Unknown channel (or another instance's). */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description A malformed channel id or customer. */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            429: components["responses"]["QuotaExceeded"];
            500: components["responses"]["InternalError"];
            503: components["responses"]["AuthUnavailable"];
        };
    };
    uploadChannelMedia: {
        parameters: {
            query?: {
                /**
                 * @description Name of the multipart file Meta receives. Sanitized: last path segment, accents dropped, other characters outside `A-Z a-z 0-9 space . _ ( ) + -` replaced by `_`, at most 200 characters (extension kept); `media.<ext>` when nothing usable is left. WhatsApp shows a document's name from the message's `filename`, not from here.
                 * @example invoice-2026-07.pdf
                 */
                filename?: string;
            };
            header?: never;
            path: {
                /**
                 * @description A channel id.
                 * @example 3f2b6c1e-9a4d-4e8b-b1c2-7d5e9f0a1b2c
                 */
                id: string;
            };
            cookie?: never;
        };
        /** @description The raw file; `Content-Type` one of the types below. */
        requestBody: {
            content: {
                "image/jpeg": string;
                "image/png": string;
                "image/webp": string;
                "audio/aac": string;
                "audio/amr": string;
                "audio/mpeg": string;
                "audio/mp4": string;
                "audio/ogg": string;
                "audio/opus": string;
                "video/mp4": string;
                "video/3gpp": string;
                "text/plain": string;
                "application/pdf": string;
                "application/msword": string;
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document": string;
                "application/vnd.ms-excel": string;
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": string;
                "application/vnd.ms-powerpoint": string;
                "application/vnd.openxmlformats-officedocument.presentationml.presentation": string;
            };
        };
        responses: {
            /** @description Meta stored the file. `Location` is where it can be read back (`GET /v1/media/{channelId}/{mediaId}`). */
            201: {
                headers: {
                    /** @description The media's download path. */
                    Location?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["MediaUpload"];
                };
            };
            /** @description The channel is not a WhatsApp channel (`unsupported_channel_type`; Instagram takes attachments as URLs), or the client aborted the upload (`request_aborted`, seen in logs only). */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            401: components["responses"]["Unauthorized"];
            /** @description Unknown channel, or another instance's. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The channel cannot upload now: disconnected; `reauth_required` (the channel's status says so, or Meta refused its token: code 190/0); a missing Meta permission; or the WhatsApp Business account is blocked (`policy_blocked`). Codes from Meta carry `details`. */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The file is larger than WhatsApp accepts for its kind: known from `Content-Length` before anything is sent, or found while streaming (the upload to Meta is then aborted). The connection is closed after this answer. */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description `Content-Type` is not a type WhatsApp accepts (including `multipart/form-data`: send the raw file), or the body has a `Content-Encoding`. */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description A malformed channel id or `filename`, or an empty body (`details[].path` `(body)`). */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Meta is throttling calls for this channel. Or the instance is over a quota (`quota_exceeded`, with `Retry-After`; see the `QuotaExceeded` response). */
            429: {
                headers: {
                    /** @description Seconds to wait, when Meta said so. */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            500: components["responses"]["InternalError"];
            /** @description Meta failed or refused the upload. `meta_unavailable`: temporary (no answer, a 5xx, a transient code), retry later. `undeliverable`: Meta could not process the file (e.g. 131053). `bad_request`: Meta refused a parameter (e.g. 100). `meta_error`: anything else. `details.retryable` says whether repeating can help. */
            502: {
                headers: {
                    /** @description Seconds to wait, when Meta said so. */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            503: components["responses"]["AuthUnavailable"];
        };
    };
    listDeliveries: {
        parameters: {
            query?: {
                /** @description `failed`: given up, can be retried. `retrying`: still being delivered after at least one failed attempt. Omitted: both. */
                status?: "failed" | "retrying";
                /** @description At most this many deliveries. */
                limit?: number;
                /**
                 * @description `next_cursor` of the previous page (opaque). Pages are keyset pages: rows added or removed meanwhile neither repeat nor shift later pages.
                 * @example WyIyMDI2LTA3LTAxIDA5OjEyOjQ0LjEyMDMxNSswMCIsIjNmMmI2YzFlLTlhNGQtNGU4Yi1iMWMyLTdkNWU5ZjBhMWIyYyJd
                 */
                after?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The deliveries (possibly none). */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["DeliveryList"];
                };
            };
            401: components["responses"]["Unauthorized"];
            /** @description The request does not match the schema. `details` lists every problem with its field path (`a.b`, `a[0]`; `(body)` for the object itself, e.g. an unknown key). */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            429: components["responses"]["QuotaExceeded"];
            500: components["responses"]["InternalError"];
            503: components["responses"]["AuthUnavailable"];
        };
    };
    retryDelivery: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /**
                 * @description The delivery's `key` (the event's `Idempotency-Key`), URL-encoded: `wa:msg:wamid.X==` is `wa%3Amsg%3Awamid.X%3D%3D`.
                 * @example wa:msg:wamid.HBgLMTY1MDU1NTEyMzQVAgASGBQzRUIwQjM5NEQ2QzY3RjE2RjY0AA==
                 */
                key: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description A new delivery run started. */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["DeliveryRetry"];
                };
            };
            401: components["responses"]["Unauthorized"];
            /** @description Unknown id, or an id of another instance (instances never see each other's resources). */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The delivery is not in `failed` (it was delivered, is being delivered, or is an orphan). `details.outcome` says where it is. */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The event is past the retention window: its content is gone and it cannot be delivered again. */
            410: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The request does not match the schema. `details` lists every problem with its field path (`a.b`, `a[0]`; `(body)` for the object itself, e.g. an unknown key). */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            429: components["responses"]["QuotaExceeded"];
            500: components["responses"]["InternalError"];
            503: components["responses"]["AuthUnavailable"];
        };
    };
    getMedia: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /**
                 * @description The WhatsApp channel the media was sent to.
                 * @example 3f2b6c1e-9a4d-4e8b-b1c2-7d5e9f0a1b2c
                 */
                channelId: string;
                /**
                 * @description Meta's media id from the event (`data.message.media.id`).
                 * @example 1479523016612041
                 */
                mediaId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The media bytes. `Content-Type` is Meta's MIME type (`application/octet-stream` when Meta's is not a valid one). If Meta's stream breaks midway, the body ends short of `Content-Length`. */
            200: {
                headers: {
                    /** @description The media's MIME type, e.g. `image/jpeg`, `audio/ogg; codecs=opus`. */
                    "Content-Type"?: string;
                    /** @description Size in bytes, when Meta gives it. */
                    "Content-Length"?: number;
                    /** @description Always `private, no-store`. */
                    "Cache-Control"?: "private, no-store";
                    [name: string]: unknown;
                };
                content: {
                    "*/*": string;
                };
            };
            /** @description The channel is not a WhatsApp channel. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            401: components["responses"]["Unauthorized"];
            /** @description Unknown channel (or another instance's), or Meta has no such media for this channel (unknown, expired, or of another number). */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The channel cannot fetch media now: disconnected; `reauth_required` (the channel's status says so, or Meta refused its token: code 190/0); a missing Meta permission; or the WhatsApp Business account is blocked (`policy_blocked`). Codes from Meta carry `details`. */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The request does not match the schema. `details` lists every problem with its field path (`a.b`, `a[0]`; `(body)` for the object itself, e.g. an unknown key). */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Meta is throttling calls for this channel. Or the instance is over a quota (`quota_exceeded`, with `Retry-After`; see the `QuotaExceeded` response). */
            429: {
                headers: {
                    /** @description Seconds to wait, when Meta said so. */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            500: components["responses"]["InternalError"];
            /** @description Meta failed or refused the request. `meta_unavailable`: temporary (no answer, a 5xx, a transient code), retry later. `undeliverable`: Meta could not process the media. `bad_request`: Meta refused a parameter. `meta_error`: anything else. `details.retryable` says whether repeating can help; Meta's own text is never passed on. */
            502: {
                headers: {
                    /** @description Seconds to wait, when Meta said so. */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            503: components["responses"]["AuthUnavailable"];
        };
    };
    listTemplates: {
        parameters: {
            query?: {
                /**
                 * @description Page size (default 100).
                 * @example 50
                 */
                limit?: number;
                /**
                 * @description `next_cursor` of the previous page.
                 * @example WyJvcmRlcl91cGRhdGUiLCJlbl9VUyJd
                 */
                after?: string;
                /**
                 * @description Only templates in this status.
                 * @example APPROVED
                 */
                status?: "APPROVED" | "PENDING" | "REJECTED" | "PAUSED" | "DISABLED" | "IN_APPEAL" | "PENDING_DELETION" | "ARCHIVED" | "LIMIT_EXCEEDED";
                /**
                 * @description Only the languages of this template.
                 * @example order_update
                 */
                name?: string;
            };
            header?: never;
            path: {
                /**
                 * @description A channel id.
                 * @example 3f2b6c1e-9a4d-4e8b-b1c2-7d5e9f0a1b2c
                 */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description A page of templates, by name and language. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["TemplateList"];
                };
            };
            401: components["responses"]["Unauthorized"];
            /** @description Unknown id, or an id of another instance (instances never see each other's resources). */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The channel is not a WhatsApp channel (`unsupported_channel_type`), or the channel cannot read its templates now: disconnected; `reauth_required` (its status says so, or Meta refused its token); a missing Meta permission; or the account is blocked. Codes from Meta carry `details`. */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The request does not match the schema. `details` lists every problem with its field path (`a.b`, `a[0]`; `(body)` for the object itself, e.g. an unknown key). */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Meta is throttling calls for this channel. */
            429: {
                headers: {
                    /** @description Seconds to wait, when Meta said so. */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            500: components["responses"]["InternalError"];
            /** @description Meta failed or refused the request. `meta_unavailable`: temporary, retry later. `bad_request`: Meta refused a parameter (e.g. a template of that name and language already exists). `meta_error`: anything else. Meta's own text is never passed on. */
            502: {
                headers: {
                    /** @description Seconds to wait, when Meta said so. */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            503: components["responses"]["AuthUnavailable"];
        };
    };
    createTemplate: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /**
                 * @description A channel id.
                 * @example 3f2b6c1e-9a4d-4e8b-b1c2-7d5e9f0a1b2c
                 */
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["TemplateCreate"];
            };
        };
        responses: {
            /** @description Created at Meta, waiting for review. */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Template"];
                };
            };
            400: components["responses"]["BadRequestBody"];
            401: components["responses"]["Unauthorized"];
            /** @description Unknown id, or an id of another instance (instances never see each other's resources). */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The channel is not a WhatsApp channel (`unsupported_channel_type`), or the channel cannot create templates now: disconnected; `reauth_required` (its status says so, or Meta refused its token); a missing Meta permission; or the account is blocked. Codes from Meta carry `details`. */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            413: components["responses"]["PayloadTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            /** @description The request does not match the schema. `details` lists every problem with its field path (`a.b`, `a[0]`; `(body)` for the object itself, e.g. an unknown key). */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Meta is throttling calls for this channel. */
            429: {
                headers: {
                    /** @description Seconds to wait, when Meta said so. */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            500: components["responses"]["InternalError"];
            /** @description Meta failed or refused the request. `meta_unavailable`: temporary, retry later. `bad_request`: Meta refused a parameter (e.g. a template of that name and language already exists). `meta_error`: anything else. Meta's own text is never passed on. */
            502: {
                headers: {
                    /** @description Seconds to wait, when Meta said so. */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            503: components["responses"]["AuthUnavailable"];
        };
    };
    deleteTemplate: {
        parameters: {
            query?: {
                /**
                 * @description Delete only this template (one language).
                 * @example 1234567890
                 */
                template_id?: string;
            };
            header?: never;
            path: {
                /**
                 * @description A channel id.
                 * @example 3f2b6c1e-9a4d-4e8b-b1c2-7d5e9f0a1b2c
                 */
                id: string;
                /**
                 * @description A template name (every language of it is deleted unless `template_id` names one).
                 * @example order_update
                 */
                name: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Deleted at Meta and here. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["TemplateDeleted"];
                };
            };
            401: components["responses"]["Unauthorized"];
            /** @description Unknown id, or an id of another instance (instances never see each other's resources). */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The channel is not a WhatsApp channel (`unsupported_channel_type`), or the channel cannot delete templates now: disconnected; `reauth_required` (its status says so, or Meta refused its token); a missing Meta permission; or the account is blocked. Codes from Meta carry `details`. */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The request does not match the schema. `details` lists every problem with its field path (`a.b`, `a[0]`; `(body)` for the object itself, e.g. an unknown key). */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Meta is throttling calls for this channel. */
            429: {
                headers: {
                    /** @description Seconds to wait, when Meta said so. */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            500: components["responses"]["InternalError"];
            /** @description Meta failed or refused the request. `meta_unavailable`: temporary, retry later. `bad_request`: Meta refused a parameter (e.g. a template of that name and language already exists). `meta_error`: anything else. Meta's own text is never passed on. */
            502: {
                headers: {
                    /** @description Seconds to wait, when Meta said so. */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            503: components["responses"]["AuthUnavailable"];
        };
    };
    getBusinessProfile: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /**
                 * @description A channel id.
                 * @example 3f2b6c1e-9a4d-4e8b-b1c2-7d5e9f0a1b2c
                 */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The profile. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["BusinessProfile"];
                };
            };
            401: components["responses"]["Unauthorized"];
            /** @description Unknown id, or an id of another instance (instances never see each other's resources). */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The channel is not a WhatsApp channel (`unsupported_channel_type`), or the channel cannot read its profile now: disconnected; `reauth_required` (its status says so, or Meta refused its token); a missing Meta permission; or the account is blocked. Codes from Meta carry `details`. */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The request does not match the schema. `details` lists every problem with its field path (`a.b`, `a[0]`; `(body)` for the object itself, e.g. an unknown key). */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Meta is throttling calls for this channel. */
            429: {
                headers: {
                    /** @description Seconds to wait, when Meta said so. */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            500: components["responses"]["InternalError"];
            /** @description Meta failed or refused the request. `meta_unavailable`: temporary, retry later. `bad_request`: Meta refused a parameter (e.g. a template of that name and language already exists). `meta_error`: anything else. Meta's own text is never passed on. */
            502: {
                headers: {
                    /** @description Seconds to wait, when Meta said so. */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            503: components["responses"]["AuthUnavailable"];
        };
    };
    updateBusinessProfile: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /**
                 * @description A channel id.
                 * @example 3f2b6c1e-9a4d-4e8b-b1c2-7d5e9f0a1b2c
                 */
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["BusinessProfileUpdate"];
            };
        };
        responses: {
            /** @description The profile after the change. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["BusinessProfile"];
                };
            };
            400: components["responses"]["BadRequestBody"];
            401: components["responses"]["Unauthorized"];
            /** @description Unknown id, or an id of another instance (instances never see each other's resources). */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The channel is not a WhatsApp channel (`unsupported_channel_type`), or the channel cannot change its profile now: disconnected; `reauth_required` (its status says so, or Meta refused its token); a missing Meta permission; or the account is blocked. Codes from Meta carry `details`. */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            413: components["responses"]["PayloadTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            /** @description The request does not match the schema. `details` lists every problem with its field path (`a.b`, `a[0]`; `(body)` for the object itself, e.g. an unknown key). */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Meta is throttling calls for this channel. */
            429: {
                headers: {
                    /** @description Seconds to wait, when Meta said so. */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            500: components["responses"]["InternalError"];
            /** @description Meta failed or refused the request. `meta_unavailable`: temporary, retry later. `bad_request`: Meta refused a parameter (e.g. a template of that name and language already exists). `meta_error`: anything else. Meta's own text is never passed on. */
            502: {
                headers: {
                    /** @description Seconds to wait, when Meta said so. */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            503: components["responses"]["AuthUnavailable"];
        };
    };
    setBusinessProfilePhoto: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /**
                 * @description A channel id.
                 * @example 3f2b6c1e-9a4d-4e8b-b1c2-7d5e9f0a1b2c
                 */
                id: string;
            };
            cookie?: never;
        };
        /** @description The raw image; `Content-Type` one of the types below. */
        requestBody: {
            content: {
                "image/jpeg": string;
                "image/png": string;
            };
        };
        responses: {
            /** @description The profile with its new photo. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["BusinessProfile"];
                };
            };
            401: components["responses"]["Unauthorized"];
            /** @description Unknown id, or an id of another instance (instances never see each other's resources). */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The channel is not a WhatsApp channel (`unsupported_channel_type`), or the channel cannot change its profile now: disconnected; `reauth_required` (its status says so, or Meta refused its token); a missing Meta permission; or the account is blocked. Codes from Meta carry `details`. */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The image is larger than 5 MiB. The connection is closed after this answer. */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description `Content-Type` is not image/jpeg or image/png. */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The request does not match the schema. `details` lists every problem with its field path (`a.b`, `a[0]`; `(body)` for the object itself, e.g. an unknown key). */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Meta is throttling calls for this channel. */
            429: {
                headers: {
                    /** @description Seconds to wait, when Meta said so. */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            500: components["responses"]["InternalError"];
            /** @description Meta failed or refused the request. `meta_unavailable`: temporary, retry later. `bad_request`: Meta refused a parameter (e.g. a template of that name and language already exists). `meta_error`: anything else. Meta's own text is never passed on. */
            502: {
                headers: {
                    /** @description Seconds to wait, when Meta said so. */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            503: components["responses"]["AuthUnavailable"];
        };
    };
    getChannelMedia: {
        parameters: {
            query?: never;
            header?: {
                /**
                 * @description `bytes=a-b`, `bytes=a-` or `bytes=-n` (captured items).
                 * @example bytes=0-1023
                 */
                Range?: string;
            };
            path: {
                /**
                 * @description A channel id.
                 * @example 3f2b6c1e-9a4d-4e8b-b1c2-7d5e9f0a1b2c
                 */
                id: string;
                /**
                 * @description The last segment of a media item's `service_url` from an event: a captured item's id (`ig…`), or a WhatsApp media id.
                 * @example 1479523016612041
                 */
                mediaId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The whole item. Captured items answer `Accept-Ranges: bytes`; WhatsApp media fetched from Meta answers `Accept-Ranges: none`. */
            200: {
                headers: {
                    /** @description The media's MIME type. */
                    "Content-Type"?: string;
                    /** @description Size in bytes, when known. */
                    "Content-Length"?: number;
                    /** @description `bytes` for captured items, `none` for media streamed from Meta. */
                    "Accept-Ranges"?: "bytes" | "none";
                    /** @description Always `private, no-store`. */
                    "Cache-Control"?: "private, no-store";
                    [name: string]: unknown;
                };
                content: {
                    "*/*": string;
                };
            };
            /** @description The part of a captured item a `Range: bytes=a-b` asked for (one range; several are answered whole). */
            206: {
                headers: {
                    /** @description `bytes a-b/size`. */
                    "Content-Range"?: string;
                    "Content-Length"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "*/*": string;
                };
            };
            401: components["responses"]["Unauthorized"];
            /** @description Unknown channel (or another instance's), or no such media: the service holds none under this id (never captured, acknowledged, or past its horizon), or Meta has none for this channel. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The channel cannot fetch media now: disconnected; `reauth_required` (the channel's status says so, or Meta refused its token: code 190/0); a missing Meta permission; or the WhatsApp Business account is blocked (`policy_blocked`). Codes from Meta carry `details`. */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The range lies outside the item. */
            416: {
                headers: {
                    /** @description `bytes *\/size`. */
                    "Content-Range"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The request does not match the schema. `details` lists every problem with its field path (`a.b`, `a[0]`; `(body)` for the object itself, e.g. an unknown key). */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Meta is throttling calls for this channel. */
            429: {
                headers: {
                    /** @description Seconds to wait, when Meta said so. */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            500: components["responses"]["InternalError"];
            /** @description Meta failed or refused the request. `meta_unavailable`: temporary (no answer, a 5xx, a transient code), retry later. `undeliverable`: Meta could not process the media. `bad_request`: Meta refused a parameter. `meta_error`: anything else. `details.retryable` says whether repeating can help; Meta's own text is never passed on. */
            502: {
                headers: {
                    /** @description Seconds to wait, when Meta said so. */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            503: components["responses"]["AuthUnavailable"];
        };
    };
    acknowledgeChannelMedia: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /**
                 * @description A channel id.
                 * @example 3f2b6c1e-9a4d-4e8b-b1c2-7d5e9f0a1b2c
                 */
                id: string;
                /**
                 * @description The last segment of a media item's `service_url` from an event: a captured item's id (`ig…`), or a WhatsApp media id.
                 * @example 1479523016612041
                 */
                mediaId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Nothing is held under this id any more. */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            401: components["responses"]["Unauthorized"];
            /** @description Unknown id, or an id of another instance (instances never see each other's resources). */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The request does not match the schema. `details` lists every problem with its field path (`a.b`, `a[0]`; `(body)` for the object itself, e.g. an unknown key). */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            500: components["responses"]["InternalError"];
            503: components["responses"]["AuthUnavailable"];
        };
    };
    getOpenApiDocument: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The OpenAPI 3.1 document. */
            200: {
                headers: {
                    "Cache-Control"?: "public, max-age=300";
                    ETag?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": Record<string, never>;
                };
            };
            /** @description Not modified (the `If-None-Match` matched the `ETag`). */
            304: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    getServiceJwks: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description A JSON Web Key Set with public keys only. */
            200: {
                headers: {
                    "Cache-Control"?: "public, max-age=300";
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Jwks"];
                };
            };
        };
    };
    dskEvent: {
        parameters: {
            query?: never;
            header: {
                /**
                 * @description The event's id (the envelope's `id`): process each key once.
                 * @example wa:msg:wamid.HBgLMTY1MDU1NTEyMzQVAgASGBQzRUIwQjM5NEQ2QzY3RjE2RjY0AA==
                 */
                "Idempotency-Key": string;
                "User-Agent"?: "meta-integration-service";
            };
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["DskEvent"];
            };
        };
        responses: {
            /** @description Retried later. */
            408: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Retried later, not before `Retry-After`. */
            429: {
                headers: {
                    /** @description Seconds, or an HTTP date. */
                    "Retry-After"?: string;
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Accepted (also for a key processed before). The service does not read the body. */
            "2XX": {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description `301/302/303/307/308`: not followed, retried like a network error. Any other 3xx: as a refusing 4xx. */
            "3XX": {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Any other 4xx: DSK refused this event. Not retried; listed by `GET /v1/deliveries` as `failed`. */
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Retried later (honouring `Retry-After` when present). */
            "5XX": {
                headers: {
                    /** @description Seconds, or an HTTP date. */
                    "Retry-After"?: string;
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
}
