import { createHmac, randomBytes } from 'node:crypto';

/**
 * How Meta puts a webhook on the wire (reference meta-platform.md §1.3, "Fake sender recipe"): the
 * JSON is escaped to pure ASCII (`/` as `\/`, every UTF-16 code unit outside 0x00–0x7E as `\uXXXX`
 * with lowercase hex, so emoji become surrogate pairs) and `X-Hub-Signature-256` is the HMAC-SHA256
 * of exactly those bytes with the app secret. The sandbox page sends with it; the tests' webhook
 * sender (test/support/meta-webhook-sender.ts) re-exports it.
 */

/** Meta's wire form of a JSON text. */
export function metaEscape(json: string): string {
  let out = '';
  for (let i = 0; i < json.length; i += 1) {
    const unit = json.charCodeAt(i);
    if (json[i] === '/') out += '\\/';
    else if (unit > 0x7e) out += `\\u${unit.toString(16).padStart(4, '0')}`;
    else out += json[i];
  }
  return out;
}

/** The body bytes Meta would send for `payload`; `escape: false` gives plain UTF-8 JSON instead. */
export function metaBody(payload: unknown, opts: { escape?: boolean } = {}): Buffer {
  const json = JSON.stringify(payload);
  return Buffer.from(opts.escape === false ? json : metaEscape(json), 'utf8');
}

/** `X-Hub-Signature-256` for exactly these bytes. */
export function signMeta(body: Buffer, secret: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

export interface MetaDelivery {
  body: Buffer;
  headers: Record<string, string>;
}

/** A POST as Meta sends it: escaped body, JSON content type, signature over the bytes sent. */
export function signedDelivery(payload: unknown, secret: string, opts: { escape?: boolean } = {}): MetaDelivery {
  const body = metaBody(payload, opts);
  return {
    body,
    headers: {
      'content-type': 'application/json',
      'content-length': String(body.length),
      'x-hub-signature-256': signMeta(body, secret),
    },
  };
}

export interface DeliveryOutcome {
  /** HTTP status of the callback's answer; undefined when no answer came (network error, timeout). */
  status: number | undefined;
  /** The start of the answer's body, or the network error. */
  detail: string;
  ms: number;
}

/** POSTs a signed delivery to a webhook callback URL once (Meta retries; the sandbox shows the outcome instead). */
export async function deliverWebhook(callbackUrl: string, payload: unknown, secret: string, opts: { timeoutMs?: number } = {}): Promise<DeliveryOutcome> {
  const { body, headers } = signedDelivery(payload, secret);
  const started = Date.now();
  try {
    const res = await fetch(callbackUrl, {
      method: 'POST',
      // fetch computes content-length itself and refuses a caller-set one on some versions.
      headers: { 'content-type': headers['content-type']!, 'x-hub-signature-256': headers['x-hub-signature-256']!, 'user-agent': 'facebookexternalua' },
      body,
      redirect: 'manual',
      signal: AbortSignal.timeout(opts.timeoutMs ?? 20_000),
    });
    const text = await res.text();
    return { status: res.status, detail: text.slice(0, 200), ms: Date.now() - started };
  } catch (err) {
    const cause = err instanceof Error && err.cause instanceof Error ? `: ${err.cause.message}` : '';
    return { status: undefined, detail: `${err instanceof Error ? err.message : String(err)}${cause}`, ms: Date.now() - started };
  }
}

// ---------------------------------------------------------------------------------------------
// What a customer's text message looks like in each channel's webhook (reference §2.1, §3.2)

/** A fresh wamid: `wamid.` + base64, which carries `/`, `+` and `=` like real ones do. */
export function newEmulatorWamid(): string {
  return `wamid.HBgL${randomBytes(24).toString('base64')}`;
}

/** A fresh Instagram message id (`aWdf…`, base64url). */
export function newEmulatorMid(): string {
  return `aWdfZG1f${randomBytes(30).toString('base64url')}`;
}

export interface WhatsAppTextInput {
  wabaId: string;
  phoneNumberId: string;
  /** As the number is shown, e.g. `+1 555-010-2030`; the webhook carries its digits only. */
  displayPhoneNumber: string;
  /** The customer's WhatsApp id (digits). */
  from: string;
  customerName: string;
  text: string;
  wamid: string;
  at: Date;
}

/** `object: whatsapp_business_account`, one `messages` change with contacts, metadata and the message. */
export function whatsappTextWebhook(m: WhatsAppTextInput): Record<string, unknown> {
  return {
    object: 'whatsapp_business_account',
    entry: [
      {
        id: m.wabaId,
        changes: [
          {
            field: 'messages',
            value: {
              messaging_product: 'whatsapp',
              metadata: { display_phone_number: m.displayPhoneNumber.replace(/\D/g, ''), phone_number_id: m.phoneNumberId },
              contacts: [{ profile: { name: m.customerName }, wa_id: m.from }],
              messages: [{ from: m.from, id: m.wamid, timestamp: String(Math.floor(m.at.getTime() / 1000)), type: 'text', text: { body: m.text } }],
            },
          },
        ],
      },
    ],
  };
}

export interface InstagramTextInput {
  /** The business's Instagram professional account id (`entry[].id`, `recipient.id`). */
  accountId: string;
  /** The customer's Instagram-scoped id. */
  senderId: string;
  text: string;
  mid: string;
  at: Date;
  /**
   * The thread is owned by another app (e.g. the Business Suite inbox under Conversation Routing): the
   * item comes in `standby[]` instead of `messaging[]` (I2, MS-STANDBY).
   */
  standby?: boolean;
  /** Attachments as the CDN's signed URLs (`image`, `video`, `audio`, `file`). */
  attachments?: Array<{ type: string; url: string }>;
}

/** `object: instagram`, one `messaging` (or `standby`) item; times in Unix milliseconds. */
export function instagramTextWebhook(m: InstagramTextInput): Record<string, unknown> {
  const ms = m.at.getTime();
  const content = {
    ...(m.text !== '' || !m.attachments?.length ? { text: m.text } : {}),
    ...(m.attachments?.length ? { attachments: m.attachments.map((a) => ({ type: a.type, payload: { url: a.url } })) } : {}),
  };
  const item = { sender: { id: m.senderId }, recipient: { id: m.accountId }, timestamp: ms, message: { mid: m.mid, ...content } };
  return {
    object: 'instagram',
    entry: [{ id: m.accountId, time: ms, [m.standby ? 'standby' : 'messaging']: [item] }],
  };
}

// ---------------------------------------------------------------------------------------------
// What follows a business's own send (reference §2.5, §3.2)

export interface WhatsAppStatusInput {
  wabaId: string;
  phoneNumberId: string;
  displayPhoneNumber: string;
  wamid: string;
  status: 'sent' | 'delivered' | 'read' | 'failed';
  at: Date;
  /** The recipient as the send named it: a phone number (→ `recipient_id`, digits) or a BSUID (→ `recipient_user_id`). */
  recipient: { phone: string } | { bsuid: string };
  /** Echoed only when the send carried it. */
  bizOpaqueCallbackData?: string | undefined;
  /** A `failed` status's `errors[]` (S4). */
  errors?: readonly unknown[] | undefined;
  /** `pricing` / `conversation`, as the version and the status call for (S6). */
  billing?: Record<string, unknown> | undefined;
}

/**
 * One `statuses` item in a `messages` change. From v24.0 `conversation` is omitted and `pricing` comes
 * with only one of delivered/read (reference §2.5), so a `sent` status carries neither; `billing` adds
 * what a status carries.
 */
export function whatsappStatusWebhook(s: WhatsAppStatusInput): Record<string, unknown> {
  const recipient = 'phone' in s.recipient ? { recipient_id: s.recipient.phone.replace(/\D/g, '') } : { recipient_user_id: s.recipient.bsuid };
  return {
    object: 'whatsapp_business_account',
    entry: [
      {
        id: s.wabaId,
        changes: [
          {
            field: 'messages',
            value: {
              messaging_product: 'whatsapp',
              metadata: { display_phone_number: s.displayPhoneNumber.replace(/\D/g, ''), phone_number_id: s.phoneNumberId },
              statuses: [
                {
                  id: s.wamid,
                  status: s.status,
                  timestamp: String(Math.floor(s.at.getTime() / 1000)),
                  ...recipient,
                  ...(s.bizOpaqueCallbackData === undefined ? {} : { biz_opaque_callback_data: s.bizOpaqueCallbackData }),
                  ...(s.billing ?? {}),
                  ...(s.errors === undefined ? {} : { errors: s.errors }),
                },
              ],
            },
          },
        ],
      },
    ],
  };
}

export interface InstagramEchoInput {
  /** The business's Instagram professional account id: the echo's sender and `entry[].id`. */
  accountId: string;
  /** The customer (IGSID) the business wrote to: the echo's recipient. */
  recipientId: string;
  /** The `message_id` the Send API answered. */
  mid: string;
  at: Date;
  text?: string | undefined;
  attachment?: { type: string; url: string } | undefined;
}

/** The business's own message coming back with `is_echo: true`, sender and recipient swapped (reference §3.2). */
export function instagramEchoWebhook(m: InstagramEchoInput): Record<string, unknown> {
  const ms = m.at.getTime();
  const content = m.attachment ? { attachments: [{ type: m.attachment.type, payload: { url: m.attachment.url } }] } : { text: m.text ?? '' };
  return {
    object: 'instagram',
    entry: [
      {
        id: m.accountId,
        time: ms,
        messaging: [{ sender: { id: m.accountId }, recipient: { id: m.recipientId }, timestamp: ms, message: { mid: m.mid, is_echo: true, ...content } }],
      },
    ],
  };
}

// ---------------------------------------------------------------------------------------------
// Coexistence numbers: what the business sends from the WhatsApp Business app, and the history it
// shares when connected (C1, C3)

export interface WhatsAppEchoInput {
  wabaId: string;
  phoneNumberId: string;
  displayPhoneNumber: string;
  /** The customer (digits) the business wrote to from the app. */
  to: string;
  text: string;
  wamid: string;
  at: Date;
}

/** Field `smb_message_echoes`: `message_echoes[]`, `from` = the business's number, `to` = the customer (WA-ECHO). */
export function whatsappEchoWebhook(e: WhatsAppEchoInput): Record<string, unknown> {
  const business = e.displayPhoneNumber.replace(/\D/g, '');
  return {
    object: 'whatsapp_business_account',
    entry: [
      {
        id: e.wabaId,
        changes: [
          {
            field: 'smb_message_echoes',
            value: {
              messaging_product: 'whatsapp',
              metadata: { display_phone_number: business, phone_number_id: e.phoneNumberId },
              message_echoes: [{ from: business, to: e.to, id: e.wamid, timestamp: String(Math.floor(e.at.getTime() / 1000)), type: 'text', text: { body: e.text } }],
            },
          },
        ],
      },
    ],
  };
}

export interface WhatsAppHistoryInput {
  wabaId: string;
  phoneNumberId: string;
  displayPhoneNumber: string;
  phase: 0 | 1 | 2;
  chunkOrder: number;
  progress: number;
  /** One thread per customer: its messages, oldest first; `fromBusiness` marks what the business sent. */
  threads: Array<{ customer: string; messages: Array<{ wamid: string; at: Date; text: string; fromBusiness: boolean; status?: string }> }>;
}

/** Field `history` (WA-HIST): a chunk of threads with `history_context.status` on each message. */
export function whatsappHistoryWebhook(h: WhatsAppHistoryInput): Record<string, unknown> {
  const business = h.displayPhoneNumber.replace(/\D/g, '');
  return {
    object: 'whatsapp_business_account',
    entry: [
      {
        id: h.wabaId,
        changes: [
          {
            field: 'history',
            value: {
              messaging_product: 'whatsapp',
              metadata: { display_phone_number: business, phone_number_id: h.phoneNumberId },
              history: [
                {
                  metadata: { phase: h.phase, chunk_order: h.chunkOrder, progress: h.progress },
                  threads: h.threads.map((t) => ({
                    id: t.customer,
                    messages: t.messages.map((m) => ({
                      from: m.fromBusiness ? business : t.customer,
                      to: m.fromBusiness ? t.customer : business,
                      id: m.wamid,
                      timestamp: String(Math.floor(m.at.getTime() / 1000)),
                      type: 'text',
                      text: { body: m.text },
                      history_context: { status: m.status ?? (m.fromBusiness ? 'DELIVERED' : 'READ') },
                    })),
                  })),
                },
              ],
            },
          },
        ],
      },
    ],
  };
}
