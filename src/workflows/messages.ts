import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { ConnectionStatus } from '../shared/connections.js';
import type { OutboundError, OutboundResult, SendObservation } from '../shared/outbound.js';

/*
 * Signals, queries and updates of the service's workflows, shared by the workflows that handle them
 * and those that send them: other workflows (through external handles) and the workflow client
 * (src/temporal/client.ts), the API's and the worker's only way in. Definitions only: safe to import
 * on both sides.
 */

/**
 * Ask a channel's connection workflow (`connection-<connectionId>`) to disconnect it: unsubscribe
 * where possible, destroy the token, mark it `disconnected`, tell DSK. `reason` is a stable code, e.g.
 * `meta_account_update` (the business removed the app in WhatsApp), `dsk_request`, `meta_deauthorize`.
 */
export const disconnectSignal = defineSignal<[{ reason: string }]>('disconnect');

/**
 * The OAuth callback accepted a code for this connection. The code itself never travels in the
 * update (updates are written to history): the API stores it encrypted in the session row and the
 * workflow's activity reads it from there. Answers once the connection is active, waits for a choice
 * between several assets, or failed.
 */
export const authorizeUpdate = defineUpdate<ConnectionStatus, []>('authorize');

/**
 * The person typed their WhatsApp number's two-step verification PIN on the connect page. Like the
 * OAuth code, the PIN never travels in the update: the API stores it encrypted in the session row and
 * the activation reads it from there. Answers once that registration has an outcome.
 */
export const submitPinUpdate = defineUpdate<ConnectionStatus, []>('submitPin');

/** The person chose one of several phone numbers or accounts offered by Meta. */
export const chooseAssetUpdate = defineUpdate<ConnectionStatus, [{ assetId: string }]>('chooseAsset');

/** A re-connect of a channel whose token needs re-authorization (or is to be replaced) begins. */
export const beginReauthorizationUpdate = defineUpdate<ConnectionStatus, [{ sessionExpiresAt: string }]>('beginReauthorization');

/** The person cancelled at Meta's dialog (Meta redirected back with an error). */
export const cancelSignal = defineSignal<[{ reason: string }]>('cancel');

export const connectionStatusQuery = defineQuery<ConnectionStatus>('status');

/**
 * The outbound workflow's result, waiting at most `waitMs` for it: null when the send has not
 * finished by then (the API answers 202 and DSK learns the outcome from `message.status` events).
 * Meant for update-with-start, so the API can answer synchronously without a second round trip.
 */
export const sendResultUpdate = defineUpdate<OutboundResult | null, [{ waitMs: number }]>('sendResult');

/**
 * Meta accepted the send and later reported it failed (a WhatsApp `failed` status carrying the send's
 * tag), with our stable code; sent by the inbound workflow to a send still running. The status event
 * itself tells DSK.
 */
export const sendFailedSignal = defineSignal<[OutboundError]>('sendFailed');

/** A webhook proved that a send reached Meta (see SendObservation); sent by the inbound workflow. */
export const sendObservedSignal = defineSignal<[SendObservation]>('sendObserved');

/**
 * Meta refused the channel's token while sending (code 190 or 0). The connection workflow checks the
 * token at once instead of at its next timer, and marks the channel `reauth_required` if Meta confirms.
 */
export const tokenRejectedSignal = defineSignal<[{ metaCode: number | null }]>('tokenRejected');

/** The send's result so far (null while Meta has not answered); read-only, for `GET …/messages/:client_message_id`. */
export const sendResultQuery = defineQuery<OutboundResult | null>('sendResult');
