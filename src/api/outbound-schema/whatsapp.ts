import { z } from 'zod';
import { chars, clientMessageId, httpsUrl, isSingleEmoji, uniqueBy, wamid, whatsappRecipient, WHATSAPP_LIMITS } from './common.js';

/* WhatsApp Cloud API message bodies (reference §6.1), one strict object per `type`. */


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

// Interactive (reference §6.1). Media headers take an uploaded media id or a link (WA-HDR; Meta's own
// WhatsApp-Nodejs-SDK types them as `{id}` or `{link}`), not link only as the reference has it.
const headerMedia = z.strictObject(mediaSource).superRefine(exactlyOneSource);
const interactiveHeader = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('text'), text: chars(WHATSAPP_LIMITS.headerText) }),
  z.strictObject({ type: z.literal('image'), image: headerMedia }),
  z.strictObject({ type: z.literal('video'), video: headerMedia }),
  z.strictObject({ type: z.literal('document'), document: z.strictObject({ ...mediaSource, filename }).superRefine(exactlyOneSource) }),
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
