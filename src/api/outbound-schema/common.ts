import { z } from 'zod';
import { CLIENT_MESSAGE_ID, WHATSAPP_BSUID, WHATSAPP_PHONE } from '../../shared/outbound-request.js';

/*
 * The body DSK posts to `POST /v1/channels/:id/messages`, one schema per channel type, each a
 * discriminated union on `type`. Per-type objects mirror Meta's own field names (reference
 * meta-platform.md §6) so that a 422 path such as `interactive.action.buttons[3]` reads the same as
 * Meta's documentation, and graph-bodies.ts only adds the envelope. The plain
 * types they produce live in src/shared/outbound-request.ts (checked in ./index.ts).
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
export function chars(max: number, min = 1) {
  return z
    .string()
    .refine((s) => codePoints(s) >= min, { message: min === 1 ? 'must not be empty' : `must be at least ${min} characters` })
    .refine((s) => codePoints(s) <= max, { message: `must be at most ${max} characters` });
}

export function httpsUrl() {
  // A missing value falls through to the parse-level "is required".
  return z.url({ protocol: /^https$/, error: (issue) => (issue.input === undefined ? undefined : 'must be an absolute https URL') }).max(2048, { message: 'must be at most 2048 characters' });
}

export function uniqueBy<T>(items: readonly T[], key: (item: T) => string, ctx: z.RefinementCtx, path: (i: number) => PropertyKey[], what: string): void {
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
export function isSingleEmoji(s: string): boolean {
  // Ours: 16 code points covers every RGI sequence (family ZWJ sequences are ≤ 11).
  return codePoints(s) <= 16 && EMOJI_PART.test(s) && !NOT_EMOJI.test(s);
}

export const clientMessageId = z.string().regex(CLIENT_MESSAGE_ID, { message: 'must be 1–128 characters of A–Z, a–z, 0–9, ".", "_", ":" or "-"' });

export const whatsappRecipient = z.string().refine((s) => WHATSAPP_PHONE.test(s) || WHATSAPP_BSUID.test(s), {
  message: 'must be a phone number in international format (digits with an optional leading +) or a business-scoped user id such as US.13491208655302741918',
});

export const wamid = z.string().regex(WAMID, { message: 'must be a WhatsApp message id (wamid.…)' });
export const igMid = z.string().regex(IG_MID, { message: 'must be an Instagram message id' });
