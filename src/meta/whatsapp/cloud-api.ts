import { z } from 'zod';
import { MetaRequestError } from '../graph/errors.js';
import { createSubscribedApps, type SubscribedApp } from '../graph/subscribed-apps.js';
import { checkId, expectSuccess, IdString, Paging, requestMetaSend, type GraphTransport } from '../graph/transport.js';
import type { PhoneNumberStatus } from './registration.js';
import type { WhatsAppReadBody, WhatsAppSendBody } from './send-bodies.js';

/*
 * The WhatsApp Cloud API on graph.facebook.com, media aside (media-api.ts): a WABA's phone numbers,
 * registration, the WABA's webhook subscription, and the Send API (reference §5.1, §6.1).
 */

const PhoneNumbersBody = z.object({
  data: z.array(
    z
      .object({
        id: IdString,
        display_phone_number: z.string().optional(),
        verified_name: z.string().optional(),
        code_verification_status: z.string().optional(),
        quality_rating: z.string().optional(),
        name_status: z.string().optional(),
        platform_type: z.string().optional(),
        throughput: z.object({ level: z.string().optional() }).loose().optional(),
        account_mode: z.string().optional(),
      })
      .loose(),
  ),
  paging: Paging,
});

/** One row of `GET /{waba-id}/phone_numbers` (reference §5.1). */
export interface WhatsAppPhoneNumber {
  id: string;
  displayPhoneNumber: string | undefined;
  verifiedName: string | undefined;
  codeVerificationStatus: string | undefined;
  qualityRating: string | undefined;
  nameStatus: string | undefined;
  platformType: string | undefined;
  throughputLevel: string | undefined;
  accountMode: string | undefined;
}

const WhatsAppSendResponse = z
  .object({
    contacts: z.array(z.object({ wa_id: z.string().optional(), user_id: z.string().optional() }).loose()).optional(),
    messages: z.array(z.object({ id: z.string().min(1).max(1024), message_status: z.string().optional() }).loose()).min(1),
  })
  .loose();

/** What `POST /{phone-number-id}/messages` answers (reference §6.1): accepted, not delivered. */
export interface WhatsAppSendResult {
  /** `wamid.…`: what status webhooks name. */
  messageId: string;
  /** Meta's normalised number: can differ from the `to` that was sent (e.g. Brazil's extra 9, Mexico's 1). */
  waId?: string;
  /** A send to a business-scoped user id is answered with the BSUID instead (WA-BSUID). */
  userId?: string;
  /** `accepted`, `held_for_quality_assessment`, `paused`; often absent. */
  messageStatus?: string;
}

const PhoneNumberBody = z
  .object({
    id: IdString,
    status: z.string().optional(),
    platform_type: z.string().optional(),
    code_verification_status: z.string().optional(),
    is_on_biz_app: z.boolean().optional(),
    is_pin_enabled: z.boolean().optional(),
  })
  .loose();

/** What registration decides on (registration.ts), from `GET /{phone-number-id}`; an answer without the id is `invalid_response`. */
export function parsePhoneNumberStatus(json: unknown): PhoneNumberStatus {
  const parsed = PhoneNumberBody.safeParse(json);
  if (!parsed.success) throw new MetaRequestError('getPhoneNumber', 'invalid_response');
  const n = parsed.data;
  return {
    id: n.id,
    status: n.status,
    platformType: n.platform_type,
    codeVerificationStatus: n.code_verification_status,
    onBizApp: n.is_on_biz_app ?? false,
    pinEnabled: n.is_pin_enabled ?? false,
  };
}

/** A send's answer; anything without a message id is `invalid_response` (the send may still have gone out). */
export function parseWhatsAppSendBody(json: unknown): WhatsAppSendResult {
  const parsed = WhatsAppSendResponse.safeParse(json);
  if (!parsed.success) throw new MetaRequestError('sendMessage', 'invalid_response');
  const message = parsed.data.messages[0]!;
  const contact = parsed.data.contacts?.[0];
  return {
    messageId: message.id,
    ...(contact?.wa_id === undefined ? {} : { waId: contact.wa_id }),
    ...(contact?.user_id === undefined ? {} : { userId: contact.user_id }),
    ...(message.message_status === undefined ? {} : { messageStatus: message.message_status }),
  };
}

/** The WhatsApp calls the Embedded Signup connector and the WhatsApp adapter make. */
export function createWhatsAppCloudApi(graph: GraphTransport) {
  const subscriptions = createSubscribedApps(graph);

  return {
    /** Every phone number of a WABA (reference §5.1), following cursors. */
    async listPhoneNumbers(token: string, wabaId: string): Promise<WhatsAppPhoneNumber[]> {
      checkId(wabaId, 'WABA id');
      const fields = 'id,display_phone_number,verified_name,code_verification_status,quality_rating,name_status,platform_type,throughput,account_mode';
      const rows = await graph.listAll('listPhoneNumbers', `${wabaId}/phone_numbers`, token, { fields }, (json) => PhoneNumbersBody.safeParse(json).data);
      return rows.map((n) => ({
        id: n.id,
        displayPhoneNumber: n.display_phone_number,
        verifiedName: n.verified_name,
        codeVerificationStatus: n.code_verification_status,
        qualityRating: n.quality_rating,
        nameStatus: n.name_status,
        platformType: n.platform_type,
        throughputLevel: n.throughput?.level,
        accountMode: n.account_mode,
      }));
    },

    /** `GET /{phone-number-id}` with what registration decides on (docs/meta-behaviours.md P2, P4, C5). */
    async getPhoneNumber(token: string, phoneNumberId: string): Promise<PhoneNumberStatus> {
      checkId(phoneNumberId, 'phone number id');
      const fields = 'id,status,platform_type,code_verification_status,is_on_biz_app,is_pin_enabled';
      return parsePhoneNumberStatus(await graph.json('getPhoneNumber', 'GET', phoneNumberId, token, { query: { fields } }));
    },

    /**
     * `POST /{phone-number-id}/register` (reference §5.1). The PIN goes in the JSON body, never in the
     * URL, and is not part of any error this throws.
     */
    async registerPhoneNumber(token: string, phoneNumberId: string, pin: string): Promise<void> {
      checkId(phoneNumberId, 'phone number id');
      if (!/^\d{6}$/.test(pin)) throw new TypeError('the registration PIN must be 6 digits');
      const json = await graph.json('registerPhoneNumber', 'POST', `${phoneNumberId}/register`, token, { json: { messaging_product: 'whatsapp', pin } });
      expectSuccess('registerPhoneNumber', json);
    },

    /** `GET /{waba-id}/subscribed_apps`. */
    listSubscribedApps(token: string, wabaId: string): Promise<SubscribedApp[]> {
      return subscriptions.list(token, wabaId);
    },

    /** `POST /{waba-id}/subscribed_apps`: a WABA takes no field list. */
    subscribeApp(token: string, wabaId: string): Promise<void> {
      return subscriptions.subscribe(token, wabaId);
    },

    unsubscribeApp(token: string, wabaId: string): Promise<void> {
      return subscriptions.unsubscribe(token, wabaId);
    },

    /**
     * `POST /{phone-number-id}/messages` (reference §6.1) with a body from send-bodies.ts. Throws
     * MetaApiError for Meta's errors and MetaRequestError otherwise (see requestMetaSend).
     */
    async sendMessage(token: string, phoneNumberId: string, body: WhatsAppSendBody): Promise<WhatsAppSendResult> {
      checkId(phoneNumberId, 'phone number id');
      const json = await requestMetaSend(graph.http, { method: 'POST', url: graph.url(`${phoneNumberId}/messages`, token), token, json: body });
      return parseWhatsAppSendBody(json);
    },

    /** Mark-as-read (+ typing indicator) on the same endpoint; Meta answers `{success: true}`. */
    async markRead(token: string, phoneNumberId: string, body: WhatsAppReadBody): Promise<void> {
      checkId(phoneNumberId, 'phone number id');
      const json = await requestMetaSend(graph.http, { method: 'POST', url: graph.url(`${phoneNumberId}/messages`, token), token, json: body });
      expectSuccess('sendMessage', json);
    },
  };
}

export type WhatsAppCloudApi = ReturnType<typeof createWhatsAppCloudApi>;
