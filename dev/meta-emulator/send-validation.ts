import type { GraphErrorSpec } from './graph.js';

/**
 * Body validation of the emulated Send APIs (reference meta-platform.md §6.1, §6.3), answering with
 * the error Meta gives for each kind of mistake. Written from the reference, not from the service's
 * zod schemas (src/api/outbound-schema/), on purpose: the emulator is the independent check
 * that what the service builds is something Meta takes.
 *
 * WhatsApp (WA-ERR): a missing required field is 131008 "Required parameter is missing", a field
 * with a wrong value is 131009 "Parameter value is not valid", an unknown message type or a key a
 * payload does not have is 100 "Invalid parameter". Each carries `error_data: {messaging_product,
 * details}`, and the details name the field the way Meta's do (`text['body']`). Meta's exact
 * wording of `details` is not in the reference; clients must not parse it.
 *
 * Instagram / Messenger: every body mistake is code 100 with the reason in `message`, no
 * `error_data`, as Graph answers parameter errors.
 *
 * Limits marked ⚠ are "from memory" in the reference (or absent from it); the emulator applies them
 * because the service does too, so a disagreement shows up in tests rather than in production.
 */

export type SendCheck<T> = { ok: true; value: T } | { ok: false; error: GraphErrorSpec };

/** Thrown inside the checkers and turned into `{ok: false}` at their entry points. */
class Rejected extends Error {
  constructor(readonly spec: GraphErrorSpec) {
    super(spec.message);
  }
}

type Json = Record<string, unknown>;
type Path = ReadonlyArray<string | number>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** `['interactive', 'action', 'buttons', 3]` → `interactive['action']['buttons'][3]`, as Meta's details write it. */
export function metaParamPath(path: Path): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `['${p}']`)).join('');
}

/** Unicode code points: Meta counts "characters" without defining them (⚠); an emoji is one here. */
function chars(s: string): number {
  let n = 0;
  for (const _ of s) n += 1;
  return n;
}

function isHttpUrl(s: string): boolean {
  try {
    const url = new URL(s);
    return (url.protocol === 'https:' || url.protocol === 'http:') && url.hostname !== '';
  } catch {
    return false;
  }
}

// -------------------------------------------------------------------------------------------------
// WhatsApp

const WA_ERROR_DATA = { messaging_product: 'whatsapp' } as const;

/** `or`: the alternative that would do as well (media: `id` or `link`). */
function waMissing(path: Path, or?: Path): Rejected {
  const name = or ? `${metaParamPath(path)} or ${metaParamPath(or)}` : metaParamPath(path);
  return new Rejected({ code: 131008, message: '(#131008) Required parameter is missing', errorData: { ...WA_ERROR_DATA, details: `The parameter ${name} is required.` } });
}

function waInvalid(path: Path, why: string): Rejected {
  return new Rejected({ code: 131009, message: '(#131009) Parameter value is not valid', errorData: { ...WA_ERROR_DATA, details: `Param ${metaParamPath(path)} ${why}.` } });
}

function waUnknown(details: string): Rejected {
  return new Rejected({ code: 100, message: '(#100) Invalid parameter', errorData: { ...WA_ERROR_DATA, details } });
}

/** The message types the emulator validates: those the Cloud API takes and the service sends. */
export const WHATSAPP_SEND_TYPES = ['text', 'image', 'audio', 'video', 'document', 'sticker', 'location', 'contacts', 'interactive', 'reaction', 'template'] as const;
export type WhatsAppSendType = (typeof WHATSAPP_SEND_TYPES)[number];

/** ⚠ Limits not in the reference, or "from memory" there. */
export const WHATSAPP_SEND_LIMITS = {
  /** Reference §6.1 (WA-TP). */
  textBody: 4096,
  /** ⚠ */
  caption: 1024,
  /** Reference §6.1 ⚠. */
  replyButtons: 3,
  /** Reference §6.1 ⚠. */
  replyButtonTitle: 20,
  /** ⚠ */
  replyButtonId: 256,
  /** Reference §6.1 ⚠: rows across all sections. */
  listRows: 10,
  /** ⚠ */
  listSections: 10,
  /** ⚠ */
  listRowTitle: 24,
  /** ⚠ */
  listRowDescription: 72,
  /** ⚠ */
  listRowId: 200,
  /** ⚠ */
  listButton: 20,
  /** ⚠ */
  sectionTitle: 24,
  /** ⚠ */
  interactiveBody: 1024,
  /** ⚠ */
  headerText: 60,
  /** ⚠ */
  footerText: 60,
  /** ⚠ */
  ctaDisplayText: 20,
  /** ⚠ (the service's BIZ_OPAQUE_CALLBACK_DATA_MAX says the same). */
  bizOpaqueCallbackData: 512,
} as const;

/** Phone number recipients: digits with an optional leading `+` (E.164 has at most 15 digits). */
const PHONE = /^\+?\d{6,15}$/;
/** Business-scoped user id (reference §2.2): `CC.` + up to 128 alphanumerics. */
const BSUID = /^[A-Z]{2}\.[A-Za-z0-9]{1,128}$/;
const MEDIA_ID = /^\d{1,64}$/;

export interface WhatsAppMessageSend {
  kind: 'message';
  type: WhatsAppSendType;
  /** The recipient as sent (`to`, else `recipient`). */
  to: string;
  /** A phone number (status webhooks then carry `recipient_id`) or a BSUID (`recipient_user_id`). */
  recipientKind: 'phone' | 'bsuid';
  /** Text body, caption or interactive body, for the sandbox page. */
  text: string | undefined;
  bizOpaqueCallbackData: string | undefined;
}

export interface WhatsAppReadSend {
  kind: 'read';
  messageId: string;
  typingIndicator: boolean;
}

export type WhatsAppSend = WhatsAppMessageSend | WhatsAppReadSend;

/**
 * `messaging_product` is checked before the number's registration (133010), the rest of the body
 * after it; this is the first half. Graph's own parameter check answers 100, not 131008.
 */
export function checkWhatsAppProduct(body: Json): GraphErrorSpec | undefined {
  const product = body.messaging_product;
  if (product === undefined) return { code: 100, message: '(#100) The parameter messaging_product is required' };
  if (product !== 'whatsapp') return { code: 100, message: '(#100) Param messaging_product must be "whatsapp"' };
  return undefined;
}

/** The body of `POST /{phone-number-id}/messages`: a message, or mark-as-read (+ typing indicator). */
export function validateWhatsAppSend(body: Json): SendCheck<WhatsAppSend> {
  try {
    const productError = checkWhatsAppProduct(body);
    if (productError) throw new Rejected(productError);
    return { ok: true, value: body.status !== undefined ? readBody(body) : messageBody(body) };
  } catch (err) {
    if (err instanceof Rejected) return { ok: false, error: err.spec };
    throw err;
  }
}

function readBody(body: Json): WhatsAppReadSend {
  if (body.status !== 'read') throw waInvalid(['status'], 'must be "read"');
  const messageId = requiredString(body, 'message_id', ['message_id']);
  const typing = body.typing_indicator;
  if (typing !== undefined) {
    const t = objectAt(typing, ['typing_indicator']);
    onlyKeys(t, ['type'], ['typing_indicator']);
    if (t.type === undefined) throw waMissing(['typing_indicator', 'type']);
    if (t.type !== 'text') throw waInvalid(['typing_indicator', 'type'], 'must be "text"');
  }
  return { kind: 'read', messageId, typingIndicator: typing !== undefined };
}

function messageBody(body: Json): WhatsAppMessageSend {
  if (body.recipient_type !== undefined && body.recipient_type !== 'individual') throw waInvalid(['recipient_type'], 'must be "individual"');
  const recipient = recipientOf(body);

  // Meta's default type is text.
  const type = body.type ?? 'text';
  if (typeof type !== 'string' || !(WHATSAPP_SEND_TYPES as readonly string[]).includes(type)) {
    throw waUnknown(`Param type must be one of {${WHATSAPP_SEND_TYPES.join(', ')}} - got ${JSON.stringify(type)}.`);
  }
  const sendType = type as WhatsAppSendType;
  if (body[sendType] === undefined || body[sendType] === null) throw waMissing([sendType]);
  const text = PAYLOAD_CHECKS[sendType](body[sendType], [sendType]);

  if (body.context !== undefined) {
    const context = objectAt(body.context, ['context']);
    onlyKeys(context, ['message_id'], ['context']);
    requiredString(context, 'message_id', ['context', 'message_id']);
  }
  let bizOpaqueCallbackData: string | undefined;
  if (body.biz_opaque_callback_data !== undefined) {
    bizOpaqueCallbackData = stringAt(body.biz_opaque_callback_data, ['biz_opaque_callback_data'], WHATSAPP_SEND_LIMITS.bizOpaqueCallbackData);
  }
  return { kind: 'message', type: sendType, ...recipient, text, bizOpaqueCallbackData };
}

/**
 * `to` (a phone number) or `recipient` (a BSUID). ⚠ The reference only says sends "accept a BSUID as
 * recipient"; vendor docs put it in `recipient` and let `to` win when both are given. A BSUID in
 * `to` is taken as well, since the reference does not rule it out.
 */
function recipientOf(body: Json): { to: string; recipientKind: 'phone' | 'bsuid' } {
  if (body.to !== undefined) {
    if (typeof body.to !== 'string') throw waInvalid(['to'], 'must be a string');
    if (PHONE.test(body.to)) return { to: body.to, recipientKind: 'phone' };
    if (BSUID.test(body.to)) return { to: body.to, recipientKind: 'bsuid' };
    throw waInvalid(['to'], 'must be a phone number in international format or a business-scoped user id');
  }
  if (body.recipient !== undefined) {
    if (typeof body.recipient !== 'string' || !BSUID.test(body.recipient)) throw waInvalid(['recipient'], 'must be a business-scoped user id');
    return { to: body.recipient, recipientKind: 'bsuid' };
  }
  throw waMissing(['to']);
}

type PayloadCheck = (value: unknown, path: Path) => string | undefined;

const PAYLOAD_CHECKS: Record<WhatsAppSendType, PayloadCheck> = {
  text: (value, path) => {
    const text = objectAt(value, path);
    onlyKeys(text, ['body', 'preview_url'], path);
    const body = requiredString(text, 'body', [...path, 'body'], WHATSAPP_SEND_LIMITS.textBody);
    if (text.preview_url !== undefined && typeof text.preview_url !== 'boolean') throw waInvalid([...path, 'preview_url'], 'must be a boolean');
    return body;
  },
  image: (value, path) => media(value, path, { caption: true, filename: false }),
  video: (value, path) => media(value, path, { caption: true, filename: false }),
  document: (value, path) => media(value, path, { caption: true, filename: true }),
  audio: (value, path) => media(value, path, { caption: false, filename: false }),
  sticker: (value, path) => media(value, path, { caption: false, filename: false }),
  location: (value, path) => {
    const location = objectAt(value, path);
    onlyKeys(location, ['latitude', 'longitude', 'name', 'address'], path);
    coordinate(location, 'latitude', 90, path);
    coordinate(location, 'longitude', 180, path);
    for (const key of ['name', 'address'] as const) if (location[key] !== undefined) stringAt(location[key], [...path, key]);
    return typeof location.name === 'string' ? location.name : undefined;
  },
  contacts: (value, path) => {
    if (!Array.isArray(value)) throw waInvalid(path, 'must be an array');
    if (value.length === 0) throw waInvalid(path, 'must have at least one contact');
    value.forEach((item, i) => {
      const contact = objectAt(item, [...path, i]);
      onlyKeys(contact, ['name', 'phones', 'emails', 'urls', 'addresses', 'org', 'birthday'], [...path, i]);
      if (contact.name === undefined) throw waMissing([...path, i, 'name']);
      const name = objectAt(contact.name, [...path, i, 'name']);
      requiredString(name, 'formatted_name', [...path, i, 'name', 'formatted_name']);
      for (const list of ['phones', 'emails', 'urls', 'addresses'] as const) {
        if (contact[list] === undefined) continue;
        const items = contact[list];
        if (!Array.isArray(items)) throw waInvalid([...path, i, list], 'must be an array');
        items.forEach((entry, j) => objectAt(entry, [...path, i, list, j]));
      }
      if (contact.org !== undefined) objectAt(contact.org, [...path, i, 'org']);
      if (contact.birthday !== undefined && (typeof contact.birthday !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(contact.birthday))) {
        throw waInvalid([...path, i, 'birthday'], 'must be a date in YYYY-MM-DD format');
      }
    });
    return undefined;
  },
  reaction: (value, path) => {
    const reaction = objectAt(value, path);
    onlyKeys(reaction, ['message_id', 'emoji'], path);
    requiredString(reaction, 'message_id', [...path, 'message_id']);
    if (reaction.emoji === undefined) throw waMissing([...path, 'emoji']);
    if (typeof reaction.emoji !== 'string') throw waInvalid([...path, 'emoji'], 'must be a string');
    // "" removes the reaction (reference §6.1). Otherwise one emoji: pictographs, flags or keycaps
    // (digits are allowed for those), no letters or spaces; 16 code points covers ZWJ sequences.
    const e = reaction.emoji;
    if (e !== '' && (!/\p{Extended_Pictographic}|\p{Regional_Indicator}|\u20e3/u.test(e) || /[\s\p{L}]/u.test(e) || chars(e) > 16)) {
      throw waInvalid([...path, 'emoji'], 'must be an emoji, or "" to remove the reaction');
    }
    return undefined;
  },
  template: (value, path) => {
    const template = objectAt(value, path);
    onlyKeys(template, ['name', 'language', 'components'], path);
    requiredString(template, 'name', [...path, 'name'], 512);
    if (template.language === undefined) throw waMissing([...path, 'language']);
    const language = objectAt(template.language, [...path, 'language']);
    onlyKeys(language, ['code', 'policy'], [...path, 'language']);
    requiredString(language, 'code', [...path, 'language', 'code']);
    if (language.policy !== undefined && language.policy !== 'deterministic') throw waInvalid([...path, 'language', 'policy'], 'must be "deterministic"');
    if (template.components !== undefined) {
      if (!Array.isArray(template.components)) throw waInvalid([...path, 'components'], 'must be an array');
      template.components.forEach((c, i) => templateComponent(c, [...path, 'components', i]));
    }
    return undefined;
  },
  interactive: (value, path) => interactive(value, path),
};

function media(value: unknown, path: Path, allowed: { caption: boolean; filename: boolean }): string | undefined {
  const m = objectAt(value, path);
  onlyKeys(m, ['id', 'link', ...(allowed.caption ? ['caption'] : []), ...(allowed.filename ? ['filename'] : [])], path);
  mediaSource(m, path);
  let caption: string | undefined;
  if (m.caption !== undefined) caption = stringAt(m.caption, [...path, 'caption'], WHATSAPP_SEND_LIMITS.caption);
  if (m.filename !== undefined) stringAt(m.filename, [...path, 'filename']);
  return caption;
}

/** Uploaded media id or a public link, exactly one (reference §6.1). */
function mediaSource(m: Json, path: Path): void {
  if (m.id === undefined && m.link === undefined) throw waMissing([...path, 'id'], [...path, 'link']);
  if (m.id !== undefined && m.link !== undefined) throw waInvalid(path, 'must have either id or link, not both');
  if (m.id !== undefined && (typeof m.id !== 'string' || !MEDIA_ID.test(m.id))) throw waInvalid([...path, 'id'], 'must be a media id');
  if (m.link !== undefined && (typeof m.link !== 'string' || !isHttpUrl(m.link))) throw waInvalid([...path, 'link'], 'must be an http or https URL');
}

function coordinate(location: Json, key: 'latitude' | 'longitude', bound: number, path: Path): void {
  const v = location[key];
  if (v === undefined) throw waMissing([...path, key]);
  if (typeof v !== 'number' || !Number.isFinite(v) || v < -bound || v > bound) throw waInvalid([...path, key], `must be a number between -${bound} and ${bound}`);
}

const TEMPLATE_COMPONENT_TYPES = ['header', 'body', 'button', 'carousel', 'limited_time_offer'];
const TEMPLATE_BUTTON_SUB_TYPES = ['quick_reply', 'url', 'copy_code', 'flow', 'catalog', 'mpm', 'voice_call'];
const TEMPLATE_PARAMETER_FIELDS: Record<string, string> = {
  text: 'text',
  currency: 'currency',
  date_time: 'date_time',
  image: 'image',
  video: 'video',
  document: 'document',
  location: 'location',
  payload: 'payload',
  coupon_code: 'coupon_code',
  action: 'action',
};

function templateComponent(value: unknown, path: Path): void {
  const c = objectAt(value, path);
  if (c.type === undefined) throw waMissing([...path, 'type']);
  if (typeof c.type !== 'string' || !TEMPLATE_COMPONENT_TYPES.includes(c.type)) throw waInvalid([...path, 'type'], `must be one of {${TEMPLATE_COMPONENT_TYPES.join(', ')}}`);
  if (c.type === 'button') {
    if (c.sub_type === undefined) throw waMissing([...path, 'sub_type']);
    if (typeof c.sub_type !== 'string' || !TEMPLATE_BUTTON_SUB_TYPES.includes(c.sub_type)) throw waInvalid([...path, 'sub_type'], `must be one of {${TEMPLATE_BUTTON_SUB_TYPES.join(', ')}}`);
    if (c.index === undefined) throw waMissing([...path, 'index']);
    // Meta's examples send the position as a string ("0"); a number is taken as well.
    const index = typeof c.index === 'string' && /^\d$/.test(c.index) ? Number(c.index) : c.index;
    if (typeof index !== 'number' || !Number.isInteger(index) || index < 0 || index > 9) throw waInvalid([...path, 'index'], 'must be a button position 0-9');
  }
  if (c.parameters === undefined) return;
  if (!Array.isArray(c.parameters)) throw waInvalid([...path, 'parameters'], 'must be an array');
  c.parameters.forEach((p, i) => {
    const param = objectAt(p, [...path, 'parameters', i]);
    if (param.type === undefined) throw waMissing([...path, 'parameters', i, 'type']);
    const field = typeof param.type === 'string' ? TEMPLATE_PARAMETER_FIELDS[param.type] : undefined;
    if (!field) throw waInvalid([...path, 'parameters', i, 'type'], `must be one of {${Object.keys(TEMPLATE_PARAMETER_FIELDS).join(', ')}}`);
    const at = [...path, 'parameters', i, field];
    if (param[field] === undefined) throw waMissing(at);
    if (field === 'text' || field === 'payload' || field === 'coupon_code') stringAt(param[field], at);
    else if (field === 'image' || field === 'video' || field === 'document') mediaSource(objectAt(param[field], at), at);
    else if (field === 'currency') {
      const currency = objectAt(param[field], at);
      requiredString(currency, 'fallback_value', [...at, 'fallback_value']);
      requiredString(currency, 'code', [...at, 'code']);
      if (currency.amount_1000 === undefined) throw waMissing([...at, 'amount_1000']);
      if (!Number.isInteger(currency.amount_1000)) throw waInvalid([...at, 'amount_1000'], 'must be an integer');
    } else if (field === 'date_time') requiredString(objectAt(param[field], at), 'fallback_value', [...at, 'fallback_value']);
    else objectAt(param[field], at);
  });
}

const INTERACTIVE_TYPES = ['button', 'list', 'cta_url'];

function interactive(value: unknown, path: Path): string {
  const i = objectAt(value, path);
  onlyKeys(i, ['type', 'header', 'body', 'footer', 'action'], path);
  if (i.type === undefined) throw waMissing([...path, 'type']);
  if (typeof i.type !== 'string' || !INTERACTIVE_TYPES.includes(i.type)) {
    throw waUnknown(`Param ${metaParamPath([...path, 'type'])} must be one of {${INTERACTIVE_TYPES.join(', ')}} - got ${JSON.stringify(i.type)}.`);
  }
  if (i.header !== undefined) interactiveHeader(i.header, [...path, 'header'], i.type === 'list');
  if (i.body === undefined) throw waMissing([...path, 'body']);
  const body = objectAt(i.body, [...path, 'body']);
  onlyKeys(body, ['text'], [...path, 'body']);
  const text = requiredString(body, 'text', [...path, 'body', 'text'], WHATSAPP_SEND_LIMITS.interactiveBody);
  if (i.footer !== undefined) {
    const footer = objectAt(i.footer, [...path, 'footer']);
    onlyKeys(footer, ['text'], [...path, 'footer']);
    requiredString(footer, 'text', [...path, 'footer', 'text'], WHATSAPP_SEND_LIMITS.footerText);
  }
  if (i.action === undefined) throw waMissing([...path, 'action']);
  const action = objectAt(i.action, [...path, 'action']);
  const at = [...path, 'action'];
  if (i.type === 'button') replyButtons(action, at);
  else if (i.type === 'list') listAction(action, at);
  else ctaUrlAction(action, at);
  return text;
}

/**
 * Media headers take an uploaded media id or a link, one of them (WA-HDR; Meta's own WhatsApp-Nodejs-SDK
 * `HeaderObject`); lists take text only (⚠).
 */
function interactiveHeader(value: unknown, path: Path, textOnly: boolean): void {
  const header = objectAt(value, path);
  if (header.type === undefined) throw waMissing([...path, 'type']);
  if (textOnly && header.type !== 'text') throw waInvalid([...path, 'type'], 'must be "text" for a list message');
  if (header.type === 'text') {
    onlyKeys(header, ['type', 'text'], path);
    requiredString(header, 'text', [...path, 'text'], WHATSAPP_SEND_LIMITS.headerText);
    return;
  }
  if (header.type !== 'image' && header.type !== 'video' && header.type !== 'document') throw waInvalid([...path, 'type'], 'must be one of {text, image, video, document}');
  const kind = header.type;
  onlyKeys(header, ['type', kind], path);
  if (header[kind] === undefined) throw waMissing([...path, kind]);
  const m = objectAt(header[kind], [...path, kind]);
  onlyKeys(m, kind === 'document' ? ['id', 'link', 'filename'] : ['id', 'link'], [...path, kind]);
  if (m.id === undefined && m.link === undefined) throw waMissing([...path, kind, 'link']);
  if (m.id !== undefined && m.link !== undefined) throw waInvalid([...path, kind], 'must have either id or link, not both');
  if (m.id !== undefined && (typeof m.id !== 'string' || !/^\d+$/.test(m.id))) throw waInvalid([...path, kind, 'id'], 'must be a media id');
  if (m.link !== undefined && (typeof m.link !== 'string' || !isHttpUrl(m.link))) throw waInvalid([...path, kind, 'link'], 'must be an http or https URL');
  if (m.filename !== undefined) stringAt(m.filename, [...path, kind, 'filename']);
}

function replyButtons(action: Json, path: Path): void {
  onlyKeys(action, ['buttons'], path);
  if (action.buttons === undefined) throw waMissing([...path, 'buttons']);
  const buttons = action.buttons;
  if (!Array.isArray(buttons)) throw waInvalid([...path, 'buttons'], 'must be an array');
  if (buttons.length < 1 || buttons.length > WHATSAPP_SEND_LIMITS.replyButtons) {
    throw waInvalid([...path, 'buttons'], `must have between 1 and ${WHATSAPP_SEND_LIMITS.replyButtons} buttons`);
  }
  const ids = new Set<string>();
  const titles = new Set<string>();
  buttons.forEach((b, i) => {
    const at = [...path, 'buttons', i];
    const button = objectAt(b, at);
    onlyKeys(button, ['type', 'reply'], at);
    if (button.type === undefined) throw waMissing([...at, 'type']);
    if (button.type !== 'reply') throw waInvalid([...at, 'type'], 'must be "reply"');
    if (button.reply === undefined) throw waMissing([...at, 'reply']);
    const reply = objectAt(button.reply, [...at, 'reply']);
    onlyKeys(reply, ['id', 'title'], [...at, 'reply']);
    const id = requiredString(reply, 'id', [...at, 'reply', 'id'], WHATSAPP_SEND_LIMITS.replyButtonId);
    const title = requiredString(reply, 'title', [...at, 'reply', 'title'], WHATSAPP_SEND_LIMITS.replyButtonTitle);
    if (ids.has(id)) throw waInvalid([...at, 'reply', 'id'], 'must be unique among the buttons');
    if (titles.has(title)) throw waInvalid([...at, 'reply', 'title'], 'must be unique among the buttons');
    ids.add(id);
    titles.add(title);
  });
}

function listAction(action: Json, path: Path): void {
  onlyKeys(action, ['button', 'sections'], path);
  requiredString(action, 'button', [...path, 'button'], WHATSAPP_SEND_LIMITS.listButton);
  if (action.sections === undefined) throw waMissing([...path, 'sections']);
  const sections = action.sections;
  if (!Array.isArray(sections)) throw waInvalid([...path, 'sections'], 'must be an array');
  if (sections.length < 1 || sections.length > WHATSAPP_SEND_LIMITS.listSections) {
    throw waInvalid([...path, 'sections'], `must have between 1 and ${WHATSAPP_SEND_LIMITS.listSections} sections`);
  }
  let rowCount = 0;
  const rowIds = new Set<string>();
  sections.forEach((s, i) => {
    const at = [...path, 'sections', i];
    const section = objectAt(s, at);
    onlyKeys(section, ['title', 'rows'], at);
    // ⚠ A title is required once there is more than one section.
    if (section.title !== undefined || sections.length > 1) requiredString(section, 'title', [...at, 'title'], WHATSAPP_SEND_LIMITS.sectionTitle);
    if (section.rows === undefined) throw waMissing([...at, 'rows']);
    const rows = section.rows;
    if (!Array.isArray(rows)) throw waInvalid([...at, 'rows'], 'must be an array');
    if (rows.length === 0) throw waInvalid([...at, 'rows'], 'must have at least one row');
    rows.forEach((r, j) => {
      const rowAt = [...at, 'rows', j];
      const row = objectAt(r, rowAt);
      onlyKeys(row, ['id', 'title', 'description'], rowAt);
      const id = requiredString(row, 'id', [...rowAt, 'id'], WHATSAPP_SEND_LIMITS.listRowId);
      requiredString(row, 'title', [...rowAt, 'title'], WHATSAPP_SEND_LIMITS.listRowTitle);
      if (row.description !== undefined) stringAt(row.description, [...rowAt, 'description'], WHATSAPP_SEND_LIMITS.listRowDescription);
      if (rowIds.has(id)) throw waInvalid([...rowAt, 'id'], 'must be unique across the list');
      rowIds.add(id);
    });
    rowCount += rows.length;
  });
  if (rowCount > WHATSAPP_SEND_LIMITS.listRows) throw waInvalid([...path, 'sections'], `must have at most ${WHATSAPP_SEND_LIMITS.listRows} rows in total`);
}

function ctaUrlAction(action: Json, path: Path): void {
  onlyKeys(action, ['name', 'parameters'], path);
  if (action.name === undefined) throw waMissing([...path, 'name']);
  if (action.name !== 'cta_url') throw waInvalid([...path, 'name'], 'must be "cta_url"');
  if (action.parameters === undefined) throw waMissing([...path, 'parameters']);
  const params = objectAt(action.parameters, [...path, 'parameters']);
  onlyKeys(params, ['display_text', 'url'], [...path, 'parameters']);
  requiredString(params, 'display_text', [...path, 'parameters', 'display_text'], WHATSAPP_SEND_LIMITS.ctaDisplayText);
  const url = requiredString(params, 'url', [...path, 'parameters', 'url']);
  if (!isHttpUrl(url)) throw waInvalid([...path, 'parameters', 'url'], 'must be an http or https URL');
}

function objectAt(value: unknown, path: Path): Json {
  if (!isObject(value)) throw waInvalid(path, 'must be an object');
  return value;
}

/** A key a payload does not have is an unknown parameter (100), like Meta's "Unexpected key" answers. */
function onlyKeys(o: Json, allowed: readonly string[], path: Path): void {
  const extra = Object.keys(o).find((k) => !allowed.includes(k));
  if (extra !== undefined) throw waUnknown(`Unexpected key "${extra}" on param "${metaParamPath(path)}".`);
}

function stringAt(value: unknown, path: Path, max?: number): string {
  if (typeof value !== 'string') throw waInvalid(path, 'must be a string');
  if (value === '') throw waInvalid(path, 'must not be empty');
  if (max !== undefined && chars(value) > max) throw waInvalid(path, `must be at most ${max} characters long`);
  return value;
}

function requiredString(o: Json, key: string, path: Path, max?: number): string {
  if (o[key] === undefined || o[key] === null) throw waMissing(path);
  return stringAt(o[key], path, max);
}

// -------------------------------------------------------------------------------------------------
// Instagram (both flavours) — reference §6.3

/** Reference §6.3: 1000 bytes of UTF-8, not String.length. */
export const INSTAGRAM_TEXT_MAX_BYTES = 1000;
export const INSTAGRAM_ATTACHMENT_TYPES = ['image', 'audio', 'video', 'file'] as const;
export type InstagramAttachmentType = (typeof INSTAGRAM_ATTACHMENT_TYPES)[number];
export const INSTAGRAM_SENDER_ACTIONS = ['mark_seen', 'typing_on', 'typing_off', 'react', 'unreact'] as const;
export type InstagramSenderAction = (typeof INSTAGRAM_SENDER_ACTIONS)[number];
/** Retired for Instagram on 2026-04-27 (reference §6.3): they answer 100. */
export const RETIRED_MESSAGE_TAGS = ['CONFIRMED_EVENT_UPDATE', 'ACCOUNT_UPDATE', 'POST_PURCHASE_UPDATE'] as const;

export type InstagramSend =
  | {
      kind: 'message';
      recipientId: string;
      type: 'text' | InstagramAttachmentType;
      text: string | undefined;
      attachmentUrl: string | undefined;
      tag: 'HUMAN_AGENT' | undefined;
    }
  | { kind: 'sender_action'; recipientId: string; action: InstagramSenderAction; messageId: string | undefined; reaction: string | undefined };

function igInvalid(message: string, subcode?: number): Rejected {
  return new Rejected({ code: 100, message: `(#100) ${message}`, ...(subcode === undefined ? {} : { subcode }) });
}

/** The body of `POST /me/messages` / `/{ig-id}/messages`: a message, or a sender action. */
export function validateInstagramSend(body: Json): SendCheck<InstagramSend> {
  try {
    return { ok: true, value: instagramBody(body) };
  } catch (err) {
    if (err instanceof Rejected) return { ok: false, error: err.spec };
    throw err;
  }
}

function instagramBody(body: Json): InstagramSend {
  if (body.recipient === undefined) throw igInvalid('The parameter recipient is required');
  if (!isObject(body.recipient) || body.recipient.id === undefined) throw igInvalid('param recipient must be an object with an id');
  const id = body.recipient.id;
  if (typeof id !== 'string' || id === '') throw igInvalid('param recipient[id] must be a non-empty string');
  // Instagram-scoped ids are digits; anything else matches no user (reference §7.2: 100/2534014).
  if (!/^\d+$/.test(id)) throw igInvalid('No matching user found', 2534014);

  if (body.sender_action !== undefined) {
    if (body.message !== undefined) throw igInvalid('param sender_action cannot be sent with message');
    return senderAction(body, id);
  }
  if (body.message === undefined) throw igInvalid('The parameter message is required');
  const tag = messageTag(body);
  if (!isObject(body.message)) throw igInvalid('param message must be an object');
  const message = body.message;
  const extra = Object.keys(message).find((k) => !['text', 'attachment', 'quick_replies'].includes(k));
  if (extra !== undefined) throw igInvalid(`param message[${extra}] is not a valid parameter`);
  if (message.quick_replies !== undefined) quickReplies(message.quick_replies);
  if (message.text !== undefined && message.attachment !== undefined) throw igInvalid('param message must have either text or attachment, not both');
  if (message.text !== undefined) {
    if (typeof message.text !== 'string' || message.text === '') throw igInvalid('param message[text] must be a non-empty string');
    if (Buffer.byteLength(message.text, 'utf8') > INSTAGRAM_TEXT_MAX_BYTES) {
      throw igInvalid(`Length of param message[text] must be less than or equal to ${INSTAGRAM_TEXT_MAX_BYTES} bytes`);
    }
    return { kind: 'message', recipientId: id, type: 'text', text: message.text, attachmentUrl: undefined, tag };
  }
  if (message.attachment === undefined) throw igInvalid('param message must have text or attachment');
  if (!isObject(message.attachment)) throw igInvalid('param message[attachment] must be an object');
  const attachment = message.attachment;
  if (typeof attachment.type !== 'string' || !(INSTAGRAM_ATTACHMENT_TYPES as readonly string[]).includes(attachment.type)) {
    throw igInvalid(`param message[attachment][type] must be one of {${INSTAGRAM_ATTACHMENT_TYPES.join(', ')}}`);
  }
  if (!isObject(attachment.payload)) throw igInvalid('The parameter message[attachment][payload] is required');
  const url = attachment.payload.url;
  if (typeof url !== 'string' || !isHttpUrl(url)) throw igInvalid('param message[attachment][payload][url] must be an http or https URL');
  const payloadExtra = Object.keys(attachment.payload).find((k) => k !== 'url' && k !== 'is_reusable');
  if (payloadExtra !== undefined) throw igInvalid(`param message[attachment][payload][${payloadExtra}] is not a valid parameter`);
  return { kind: 'message', recipientId: id, type: attachment.type as InstagramAttachmentType, text: undefined, attachmentUrl: url, tag };
}

/**
 * `messaging_type` is optional on Instagram (its examples leave it out). Outside the 24 h window only
 * `MESSAGE_TAG` + `HUMAN_AGENT` remains (reference §6.3); the other tags answer 100.
 */
function messageTag(body: Json): 'HUMAN_AGENT' | undefined {
  const type = body.messaging_type;
  if (type !== undefined && type !== 'RESPONSE' && type !== 'UPDATE' && type !== 'MESSAGE_TAG') {
    throw igInvalid('param messaging_type must be one of {RESPONSE, UPDATE, MESSAGE_TAG}');
  }
  if (type !== 'MESSAGE_TAG') {
    if (body.tag !== undefined) throw igInvalid('param tag is only allowed with messaging_type MESSAGE_TAG');
    return undefined;
  }
  if (body.tag === undefined) throw igInvalid('The parameter tag is required');
  if (body.tag === 'HUMAN_AGENT') return 'HUMAN_AGENT';
  if ((RETIRED_MESSAGE_TAGS as readonly unknown[]).includes(body.tag)) throw igInvalid(`Tag ${String(body.tag)} is no longer supported`);
  throw igInvalid('param tag must be HUMAN_AGENT');
}

/** Quick replies: ≤13, title ≤20 characters (reference §6.3). */
function quickReplies(value: unknown): void {
  if (!Array.isArray(value) || value.length === 0 || value.length > 13) throw igInvalid('param message[quick_replies] must be an array of 1 to 13 quick replies');
  value.forEach((q, i) => {
    if (!isObject(q) || q.content_type !== 'text') throw igInvalid(`param message[quick_replies][${i}][content_type] must be text`);
    if (typeof q.title !== 'string' || q.title === '' || chars(q.title) > 20) throw igInvalid(`param message[quick_replies][${i}][title] must be 1 to 20 characters`);
    if (typeof q.payload !== 'string' || q.payload === '') throw igInvalid(`The parameter message[quick_replies][${i}][payload] is required`);
  });
}

function senderAction(body: Json, recipientId: string): InstagramSend {
  const action = body.sender_action;
  if (typeof action !== 'string' || !(INSTAGRAM_SENDER_ACTIONS as readonly string[]).includes(action)) {
    throw igInvalid(`param sender_action must be one of {${INSTAGRAM_SENDER_ACTIONS.join(', ')}}`);
  }
  if (action !== 'react' && action !== 'unreact') {
    if (body.payload !== undefined) throw igInvalid(`param payload is not allowed with sender_action ${action}`);
    return { kind: 'sender_action', recipientId, action: action as InstagramSenderAction, messageId: undefined, reaction: undefined };
  }
  if (!isObject(body.payload)) throw igInvalid('The parameter payload is required');
  const payload = body.payload;
  if (typeof payload.message_id !== 'string' || payload.message_id === '') throw igInvalid('The parameter payload[message_id] is required');
  if (action === 'unreact') {
    if (payload.reaction !== undefined) throw igInvalid('param payload[reaction] is not allowed with sender_action unreact');
    return { kind: 'sender_action', recipientId, action, messageId: payload.message_id, reaction: undefined };
  }
  if (typeof payload.reaction !== 'string' || payload.reaction === '') throw igInvalid('The parameter payload[reaction] is required');
  return { kind: 'sender_action', recipientId, action, messageId: payload.message_id, reaction: payload.reaction };
}
