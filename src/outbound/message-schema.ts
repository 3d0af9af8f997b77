import { z } from 'zod';
import { ApiError } from '../api/errors.js';
import { validationDetails } from '../api/validate.js';

/*
 * The body DSK posts to `POST /v1/channels/:id/messages`, one schema per channel type, each a
 * discriminated union on `type`. Per-type objects mirror Meta's own field names (reference
 * meta-platform.md §6) so that a 422 path such as `interactive.action.buttons[3]` reads the same as
 * Meta's documentation, and the send-bodies.ts builders (meta/whatsapp, meta/instagram) only add
 * the envelope.
 *
 * Objects are strict: a misspelt optional field (`preview_ulr`) or a field another type owns
 * (`audio.caption`) is rejected instead of being dropped silently. parseOutboundRequest reports each
 * such field at its own path.
 *
 * Limits: the reference gives WA text ≤ 4096 characters and Instagram text ≤ 1000 UTF-8 bytes; it
 * lists ≤3 reply buttons, titles ≤20 and ≤10 list rows as "from memory ⚠". Everything else marked
 * ⚠ below is from memory of Meta's docs and absent from the reference; "ours" marks bounds we chose
 * to keep bodies sane. Character limits count Unicode code points, not UTF-16 units: Meta says
 * "characters" without defining them, and counting an emoji as two would reject valid text.
 */

export const WHATSAPP_LIMITS = {
  /** Reference §6.1 (WA-TP). */
  textBody: 4096,
  /** ⚠ from memory. Image, video and document only. */
  caption: 1024,
  /** Ours: Meta documents no limit; long names only hurt the recipient's UI. */
  filename: 255,
  /** Reference §6.1, itself ⚠ from memory. */
  replyButtons: 3,
  /** Reference §6.1, itself ⚠ from memory. */
  replyButtonTitle: 20,
  /** ⚠ from memory. */
  replyButtonId: 256,
  /** Rows across all sections. Reference §6.1, itself ⚠ from memory. */
  listRows: 10,
  /** ⚠ from memory. */
  listSections: 10,
  /** ⚠ from memory. */
  listRowTitle: 24,
  /** ⚠ from memory. */
  listRowDescription: 72,
  /** ⚠ from memory. */
  listRowId: 200,
  /** ⚠ from memory. */
  listSectionTitle: 24,
  /** The list's open button label. ⚠ from memory. */
  listButton: 20,
  /** ⚠ from memory. */
  interactiveBody: 1024,
  /** ⚠ from memory. */
  headerText: 60,
  /** ⚠ from memory. */
  footerText: 60,
  /** ⚠ from memory. */
  ctaDisplayText: 20,
  /** ⚠ from memory. */
  templateName: 512,
  /** Quick-reply and URL buttons of a template (index 0–9). ⚠ from memory. */
  templateButtons: 10,
  /** Ours. */
  contacts: 10,
} as const;

export const INSTAGRAM_LIMITS = {
  /** Reference §6.3: bytes of UTF-8, not String.length. */
  textBytes: 1000,
} as const;

/** Ours: long enough for ULIDs, UUIDs and prefixed ids; the charset keeps it safe in logs and URLs. */
export const CLIENT_MESSAGE_ID = /^[A-Za-z0-9._:-]{1,128}$/;
/** E.164 is at most 15 digits; a leading + is optional, separators are not accepted. */
export const WHATSAPP_PHONE = /^\+?[1-9]\d{6,14}$/;
/**
 * BSUID, reference §2.2: `CC.<up to 128 alnum>`, e.g. `US.13491208655302741918`. Parent BSUIDs
 * ("contain ENT", exact shape ⚠ unverified) are not accepted as recipients.
 */
export const WHATSAPP_BSUID = /^[A-Z]{2}\.[A-Za-z0-9]{1,128}$/;
/** Instagram-scoped user id: digits. */
export const INSTAGRAM_IGSID = /^\d{1,32}$/;
/** Reference §0.6: WhatsApp message ids are `wamid.…` (base64 after the prefix). */
const WAMID = /^wamid\.[A-Za-z0-9+/=_-]{1,1024}$/;
/** Instagram/Messenger `mid` (e.g. `aWdfZG1f…`, `m_…`). */
const IG_MID = /^[A-Za-z0-9+/=_.:-]{1,1024}$/;

const utf8 = new TextEncoder();

export function utf8Length(text: string): number {
  return utf8.encode(text).length;
}

function codePoints(text: string): number {
  let n = 0;
  for (const _ of text) n += 1;
  return n;
}

/** Non-empty text of at most `max` characters (code points). */
function chars(max: number, min = 1) {
  return z
    .string()
    .refine((s) => codePoints(s) >= min, { message: min === 1 ? 'must not be empty' : `must be at least ${min} characters` })
    .refine((s) => codePoints(s) <= max, { message: `must be at most ${max} characters` });
}

function httpsUrl() {
  // A missing value falls through to the parse-level "is required".
  return z.url({ protocol: /^https$/, error: (issue) => (issue.input === undefined ? undefined : 'must be an absolute https URL') }).max(2048, { message: 'must be at most 2048 characters' });
}

function uniqueBy<T>(items: readonly T[], key: (item: T) => string, ctx: z.RefinementCtx, path: (i: number) => PropertyKey[], what: string): void {
  const seen = new Set<string>();
  items.forEach((item, i) => {
    const k = key(item);
    if (seen.has(k)) ctx.addIssue({ code: 'custom', path: path(i), message: `duplicate ${what} "${k}"` });
    seen.add(k);
  });
}

/** One emoji (possibly a ZWJ sequence, flag or keycap); empty string handled by callers. */
const EMOJI_PART = /\p{Extended_Pictographic}|\p{Regional_Indicator}|\u20e3/u;
const NOT_EMOJI = /[\s\p{L}]/u;
function isSingleEmoji(s: string): boolean {
  // Ours: 16 code points covers every RGI sequence (family ZWJ sequences are ≤ 11).
  return codePoints(s) <= 16 && EMOJI_PART.test(s) && !NOT_EMOJI.test(s);
}

const clientMessageId = z.string().regex(CLIENT_MESSAGE_ID, { message: 'must be 1–128 characters of A–Z, a–z, 0–9, ".", "_", ":" or "-"' });

const whatsappRecipient = z.string().refine((s) => WHATSAPP_PHONE.test(s) || WHATSAPP_BSUID.test(s), {
  message: 'must be a phone number in international format (digits with an optional leading +) or a business-scoped user id such as US.13491208655302741918',
});

const wamid = z.string().regex(WAMID, { message: 'must be a WhatsApp message id (wamid.…)' });
const igMid = z.string().regex(IG_MID, { message: 'must be an Instagram message id' });

// ---------------------------------------------------------------------------------------------------
// WhatsApp

const replyTo = z.strictObject({ message_id: wamid });

/** Fields every WhatsApp message (not mark-as-read) carries. */
const waMessage = {
  client_message_id: clientMessageId,
  to: whatsappRecipient,
};

const text = z.strictObject({
  body: chars(WHATSAPP_LIMITS.textBody),
  preview_url: z.boolean().optional(),
});

const caption = chars(WHATSAPP_LIMITS.caption).optional();
const filename = chars(WHATSAPP_LIMITS.filename)
  // A name, not a path: the recipient's client shows it and picks the icon from its extension.
  .refine((s) => !/[/\\\p{Cc}]/u.test(s), { message: 'must be a file name without path separators or control characters' })
  .optional();

/** Meta takes an uploaded media id or a public https link, never both (reference §6.1). */
function exactlyOneSource(value: { id?: string | undefined; link?: string | undefined }, ctx: z.RefinementCtx): void {
  const given = Number(value.id !== undefined) + Number(value.link !== undefined);
  if (given !== 1) ctx.addIssue({ code: 'custom', path: [], message: given === 0 ? 'needs either id or link' : 'must have either id or link, not both' });
}

const mediaId = z.string().regex(/^\d{1,32}$/, { message: 'must be a WhatsApp media id (digits)' });
const mediaSource = { id: mediaId.optional(), link: httpsUrl().optional() };

const imageMedia = z.strictObject({ ...mediaSource, caption }).superRefine(exactlyOneSource);
const videoMedia = z.strictObject({ ...mediaSource, caption }).superRefine(exactlyOneSource);
const documentMedia = z.strictObject({ ...mediaSource, caption, filename }).superRefine(exactlyOneSource);
// Audio and stickers carry neither caption nor filename.
const audioMedia = z.strictObject(mediaSource).superRefine(exactlyOneSource);
const stickerMedia = z.strictObject(mediaSource).superRefine(exactlyOneSource);

const location = z.strictObject({
  latitude: z.number().min(-90, { message: 'must be between -90 and 90' }).max(90, { message: 'must be between -90 and 90' }),
  longitude: z.number().min(-180, { message: 'must be between -180 and 180' }).max(180, { message: 'must be between -180 and 180' }),
  name: chars(1000).optional(),
  address: chars(1000).optional(),
});

const shortText = chars(1000).optional();
const contact = z.strictObject({
  // ⚠ from memory: formatted_name is the one required field.
  name: z.strictObject({
    formatted_name: chars(1000),
    first_name: shortText,
    last_name: shortText,
    middle_name: shortText,
    suffix: shortText,
    prefix: shortText,
  }),
  phones: z.array(z.strictObject({ phone: shortText, type: shortText, wa_id: z.string().regex(/^\d{1,20}$/, { message: 'must be digits' }).optional() })).max(20).optional(),
  emails: z.array(z.strictObject({ email: z.email({ message: 'must be an email address' }).optional(), type: shortText })).max(20).optional(),
  urls: z.array(z.strictObject({ url: z.url({ message: 'must be a URL' }).optional(), type: shortText })).max(20).optional(),
  addresses: z
    .array(
      z.strictObject({
        street: shortText,
        city: shortText,
        state: shortText,
        zip: shortText,
        country: shortText,
        country_code: z.string().regex(/^[A-Za-z]{2}$/, { message: 'must be a two-letter country code' }).optional(),
        type: shortText,
      }),
    )
    .max(20)
    .optional(),
  org: z.strictObject({ company: shortText, department: shortText, title: shortText }).optional(),
  birthday: z.iso.date({ message: 'must be a date YYYY-MM-DD' }).optional(),
});

const reaction = z.strictObject({
  message_id: wamid,
  // Reference §6.1: an empty emoji removes the reaction.
  emoji: z.string().refine((s) => s === '' || isSingleEmoji(s), { message: 'must be a single emoji, or "" to remove the reaction' }),
});

// Template (reference §6.1 example; parameter shapes ⚠ from memory of Meta's docs).
const parameterName = z.string().regex(/^[a-z0-9_]{1,64}$/, { message: 'must be lowercase letters, digits and underscores' }).optional();
const textParam = z.strictObject({ type: z.literal('text'), text: chars(32768), parameter_name: parameterName });
const currencyParam = z.strictObject({
  type: z.literal('currency'),
  parameter_name: parameterName,
  currency: z.strictObject({
    fallback_value: chars(1000),
    code: z.string().regex(/^[A-Z]{3}$/, { message: 'must be an ISO 4217 currency code such as USD' }),
    amount_1000: z.number().int({ message: 'must be an integer (amount × 1000)' }),
  }),
});
const dateTimeParam = z.strictObject({
  type: z.literal('date_time'),
  parameter_name: parameterName,
  date_time: z.strictObject({ fallback_value: chars(1000) }),
});
const headerMediaSource = z.strictObject(mediaSource).superRefine(exactlyOneSource);
const imageParam = z.strictObject({ type: z.literal('image'), image: headerMediaSource });
const videoParam = z.strictObject({ type: z.literal('video'), video: headerMediaSource });
const documentParam = z.strictObject({
  type: z.literal('document'),
  document: z.strictObject({ ...mediaSource, filename }).superRefine(exactlyOneSource),
});
const payloadParam = z.strictObject({ type: z.literal('payload'), payload: chars(1000) });

const BUTTON_INDEX = 'must be a button position 0–9';
const buttonIndex = z.union([z.number().int({ message: BUTTON_INDEX }).min(0, { message: BUTTON_INDEX }).max(9, { message: BUTTON_INDEX }), z.string().regex(/^\d$/, { message: BUTTON_INDEX })], {
  error: BUTTON_INDEX,
});

const templateComponent = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('header'),
    parameters: z
      .array(z.discriminatedUnion('type', [textParam, imageParam, videoParam, documentParam]))
      .length(1, { message: 'a header takes exactly one parameter' }),
  }),
  z.strictObject({
    type: z.literal('body'),
    parameters: z.array(z.discriminatedUnion('type', [textParam, currencyParam, dateTimeParam])).min(1, { message: 'must not be empty' }),
  }),
  z.discriminatedUnion('sub_type', [
    z.strictObject({
      type: z.literal('button'),
      sub_type: z.literal('quick_reply'),
      index: buttonIndex,
      parameters: z.array(payloadParam).length(1, { message: 'a quick-reply button takes exactly one payload parameter' }),
    }),
    z.strictObject({
      type: z.literal('button'),
      sub_type: z.literal('url'),
      index: buttonIndex,
      parameters: z.array(textParam).length(1, { message: 'a URL button takes exactly one text parameter (the URL suffix)' }),
    }),
  ]),
]);

const template = z.strictObject({
  name: z
    .string()
    .regex(/^[a-z0-9_]+$/, { message: 'must be lowercase letters, digits and underscores' })
    .max(WHATSAPP_LIMITS.templateName, { message: `must be at most ${WHATSAPP_LIMITS.templateName} characters` }),
  language: z.strictObject({
    code: z.string().regex(/^[a-z]{2,3}(_[A-Za-z]{2,4})?$/, { message: 'must be a template language code such as en, en_US or pt_BR' }),
    policy: z.literal('deterministic').optional(),
  }),
  components: z
    .array(templateComponent)
    .optional()
    .superRefine((components, ctx) => {
      if (!components) return;
      const count = (type: string) => components.filter((c) => c.type === type).length;
      components.forEach((c, i) => {
        if ((c.type === 'header' || c.type === 'body') && components.findIndex((o) => o.type === c.type) !== i) {
          ctx.addIssue({ code: 'custom', path: [i], message: `only one ${c.type} component is allowed` });
        }
      });
      if (count('button') > WHATSAPP_LIMITS.templateButtons) {
        ctx.addIssue({ code: 'custom', path: [], message: `at most ${WHATSAPP_LIMITS.templateButtons} button components` });
      }
      const buttons = components.flatMap((c, i) => (c.type === 'button' ? [{ i, index: String(c.index) }] : []));
      uniqueBy(buttons, (b) => b.index, ctx, (n) => [buttons[n]!.i, 'index'], 'button index');
    }),
});

// Interactive (reference §6.1; header rule "link only, no media id" from vendor docs there).
const headerLink = z.strictObject({ link: httpsUrl() });
const interactiveHeader = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('text'), text: chars(WHATSAPP_LIMITS.headerText) }),
  z.strictObject({ type: z.literal('image'), image: headerLink }),
  z.strictObject({ type: z.literal('video'), video: headerLink }),
  z.strictObject({ type: z.literal('document'), document: z.strictObject({ link: httpsUrl(), filename }) }),
]);
const textHeader = z.strictObject({ type: z.literal('text', { error: 'a list message takes a text header only' }), text: chars(WHATSAPP_LIMITS.headerText) });
const interactiveBody = z.strictObject({ text: chars(WHATSAPP_LIMITS.interactiveBody) });
const interactiveFooter = z.strictObject({ text: chars(WHATSAPP_LIMITS.footerText) }).optional();

const replyButton = z.strictObject({
  type: z.literal('reply'),
  reply: z.strictObject({ id: chars(WHATSAPP_LIMITS.replyButtonId), title: chars(WHATSAPP_LIMITS.replyButtonTitle) }),
});

const listRow = z.strictObject({
  id: chars(WHATSAPP_LIMITS.listRowId),
  title: chars(WHATSAPP_LIMITS.listRowTitle),
  description: chars(WHATSAPP_LIMITS.listRowDescription).optional(),
});
const listSection = z.strictObject({
  title: chars(WHATSAPP_LIMITS.listSectionTitle).optional(),
  rows: z.array(listRow).min(1, { message: 'must have at least one row' }),
});

const interactive = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('button'),
    header: interactiveHeader.optional(),
    body: interactiveBody,
    footer: interactiveFooter,
    action: z.strictObject({
      buttons: z
        .array(replyButton)
        .min(1, { message: 'must have at least one button' })
        .max(WHATSAPP_LIMITS.replyButtons, { message: `at most ${WHATSAPP_LIMITS.replyButtons} reply buttons` })
        .superRefine((buttons, ctx) => {
          uniqueBy(buttons, (b) => b.reply.id, ctx, (i) => [i, 'reply', 'id'], 'button id');
          uniqueBy(buttons, (b) => b.reply.title, ctx, (i) => [i, 'reply', 'title'], 'button title');
        }),
    }),
  }),
  z.strictObject({
    type: z.literal('list'),
    // ⚠ from memory: list messages take a text header only.
    header: textHeader.optional(),
    body: interactiveBody,
    footer: interactiveFooter,
    action: z.strictObject({
      button: chars(WHATSAPP_LIMITS.listButton),
      sections: z
        .array(listSection)
        .min(1, { message: 'must have at least one section' })
        .max(WHATSAPP_LIMITS.listSections, { message: `at most ${WHATSAPP_LIMITS.listSections} sections` })
        .superRefine((sections, ctx) => {
          const rows = sections.flatMap((s, si) => s.rows.map((r, ri) => ({ id: r.id, path: [si, 'rows', ri, 'id'] })));
          if (rows.length > WHATSAPP_LIMITS.listRows) {
            ctx.addIssue({ code: 'custom', path: [], message: `at most ${WHATSAPP_LIMITS.listRows} rows in total across sections (got ${rows.length})` });
          }
          uniqueBy(rows, (r) => r.id, ctx, (i) => rows[i]!.path, 'row id');
          // ⚠ from memory: a title is required once there is more than one section.
          if (sections.length > 1) {
            sections.forEach((s, i) => {
              if (s.title === undefined) ctx.addIssue({ code: 'custom', path: [i, 'title'], message: 'is required when the list has more than one section' });
            });
          }
        }),
    }),
  }),
  z.strictObject({
    type: z.literal('cta_url'),
    header: interactiveHeader.optional(),
    body: interactiveBody,
    footer: interactiveFooter,
    action: z.strictObject({
      name: z.literal('cta_url').default('cta_url'),
      parameters: z.strictObject({ display_text: chars(WHATSAPP_LIMITS.ctaDisplayText), url: httpsUrl() }),
    }),
  }),
]);

function waType<T extends string, S extends z.ZodRawShape>(type: T, shape: S) {
  return z.strictObject({ ...waMessage, type: z.literal(type), reply_to: replyTo.optional(), ...shape });
}

export const whatsappOutboundSchema = z.discriminatedUnion('type', [
  waType('text', { text }),
  waType('image', { image: imageMedia }),
  waType('audio', { audio: audioMedia }),
  waType('video', { video: videoMedia }),
  waType('document', { document: documentMedia }),
  waType('sticker', { sticker: stickerMedia }),
  waType('location', { location }),
  waType('contacts', {
    contacts: z.array(contact).min(1, { message: 'must have at least one contact' }).max(WHATSAPP_LIMITS.contacts, { message: `at most ${WHATSAPP_LIMITS.contacts} contacts` }),
  }),
  waType('template', { template }),
  waType('interactive', { interactive }),
  // A reaction answers a message by itself: it takes no reply_to.
  z.strictObject({ ...waMessage, type: z.literal('reaction'), reaction }),
  // Mark-as-read (+ typing indicator) addresses a received message, not a recipient.
  z.strictObject({
    client_message_id: clientMessageId,
    to: whatsappRecipient.optional(),
    type: z.literal('read'),
    message_id: wamid,
    typing_indicator: z.strictObject({ type: z.literal('text') }).optional(),
  }),
]);

// ---------------------------------------------------------------------------------------------------
// Instagram (reference §6.3)

const igMessage = {
  client_message_id: clientMessageId,
  to: z.string().regex(INSTAGRAM_IGSID, { message: 'must be an Instagram-scoped user id (digits)' }),
  // Not in the reference's Send API: rejected explicitly so DSK does not assume it worked.
  reply_to: z.never({ error: 'is not supported for Instagram channels' }).optional(),
};

/** Outside the 24 h window, within 7 days; needs the Human Agent feature (App Review). */
const humanAgentTag = z.literal('HUMAN_AGENT', { error: 'must be "HUMAN_AGENT", the only tag Instagram accepts' }).optional();

export const INSTAGRAM_ATTACHMENT_TYPES = ['image', 'audio', 'video', 'file'] as const;

export const instagramOutboundSchema = z.discriminatedUnion('type', [
  z.strictObject({
    ...igMessage,
    type: z.literal('text'),
    text: z.strictObject({
      body: z
        .string()
        .min(1, { message: 'must not be empty' })
        .refine((s) => utf8Length(s) <= INSTAGRAM_LIMITS.textBytes, { message: `must be at most ${INSTAGRAM_LIMITS.textBytes} bytes of UTF-8` }),
    }),
    tag: humanAgentTag,
  }),
  z.strictObject({
    ...igMessage,
    type: z.literal('attachment'),
    attachment: z.strictObject({
      type: z.enum(INSTAGRAM_ATTACHMENT_TYPES, { error: 'must be one of image, audio, video, file' }),
      url: httpsUrl(),
    }),
    tag: humanAgentTag,
  }),
  /*
   * ⚠ Business-side reactions are not in the reference's Send API section; it only notes they
   * trigger no webhook (§3.2). Meta's Messenger sender-actions page documents `react` / `unreact`
   * with `payload: {message_id, reaction}` and its Instagram pages list reactions among sendable
   * content; Instagram examples have used the name "love" where Messenger takes any emoji.
   */
  z.strictObject({
    ...igMessage,
    type: z.literal('reaction'),
    reaction: z.strictObject({
      message_id: igMid,
      // "love" because Instagram's own examples send that name; an emoji because Messenger documents one.
      emoji: z.string().refine((s) => s === '' || s === 'love' || isSingleEmoji(s), { message: 'must be a single emoji, "love", or "" to remove the reaction' }),
    }),
  }),
  /*
   * `sender_action: mark_seen` (reference §6.3, Instagram support added 2025-09 ⚠). It marks the
   * conversation seen, so a message_id is accepted for parity with WhatsApp but not sent.
   */
  z.strictObject({
    ...igMessage,
    type: z.literal('read'),
    message_id: igMid.optional(),
  }),
]);

export type WhatsAppOutboundRequest = z.output<typeof whatsappOutboundSchema>;
export type InstagramOutboundRequest = z.output<typeof instagramOutboundSchema>;
export type OutboundChannelType = 'whatsapp' | 'instagram';
export type OutboundRequest =
  | { channelType: 'whatsapp'; request: WhatsAppOutboundRequest }
  | { channelType: 'instagram'; request: InstagramOutboundRequest };

export const WHATSAPP_OUTBOUND_TYPES = whatsappOutboundSchema.options.map((o) => o.shape.type.value);
export const INSTAGRAM_OUTBOUND_TYPES = instagramOutboundSchema.options.map((o) => o.shape.type.value);

export function outboundSchemaFor(channelType: 'whatsapp'): typeof whatsappOutboundSchema;
export function outboundSchemaFor(channelType: 'instagram'): typeof instagramOutboundSchema;
export function outboundSchemaFor(channelType: OutboundChannelType): typeof whatsappOutboundSchema | typeof instagramOutboundSchema;
export function outboundSchemaFor(channelType: OutboundChannelType) {
  return channelType === 'whatsapp' ? whatsappOutboundSchema : instagramOutboundSchema;
}

export type OutboundValidation =
  | { success: true; value: OutboundRequest }
  | { success: false; details: Array<{ path: string; message: string }> };

/**
 * Like `validationDetails`, except that every unknown field gets its own entry at its own path
 * (`image.captoin`) instead of one entry for the object listing the keys.
 */
export function outboundValidationDetails(error: z.ZodError): Array<{ path: string; message: string }> {
  const issues = error.issues.flatMap((issue): z.core.$ZodIssue[] =>
    issue.code === 'unrecognized_keys'
      ? issue.keys.map((key) => ({ code: 'custom', path: [...issue.path, key], message: 'is not an accepted field here', input: undefined }))
      : [issue],
  );
  return validationDetails(new z.ZodError(issues));
}

/** Lowest-precedence messages: schema-specific ones win; this only names a missing field plainly. */
const PARSE_OPTIONS = {
  error: (issue: z.core.$ZodRawIssue) => (issue.code === 'invalid_type' && issue.input === undefined ? 'is required' : undefined),
};

export function validateOutboundRequest(channelType: OutboundChannelType, body: unknown): OutboundValidation {
  if (channelType === 'whatsapp') {
    const result = whatsappOutboundSchema.safeParse(body, PARSE_OPTIONS);
    return result.success ? { success: true, value: { channelType, request: result.data } } : { success: false, details: outboundValidationDetails(result.error) };
  }
  const result = instagramOutboundSchema.safeParse(body, PARSE_OPTIONS);
  return result.success ? { success: true, value: { channelType, request: result.data } } : { success: false, details: outboundValidationDetails(result.error) };
}

/** Validates DSK's body for the channel's type; throws the API's usual 422 (`validation_failed`, `[{path, message}]`). */
export function parseOutboundRequest(channelType: OutboundChannelType, body: unknown): OutboundRequest {
  const result = validateOutboundRequest(channelType, body);
  if (!result.success) throw new ApiError(422, 'validation_failed', 'Request does not match the schema', result.details);
  return result.value;
}
