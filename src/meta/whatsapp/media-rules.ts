/**
 * What WhatsApp accepts as uploaded media (`POST /{phone-number-id}/media`, reference §6.2), checked
 * before anything is sent so that DSK gets a precise 415/413 instead of Meta's generic upload error.
 *
 * ⚠ The reference only says "100 MB overall, with per-type limits (vendor docs)". The types are the
 * list Meta's own `(#100) Param file must be a file with one of the following types: …` error names
 * (as quoted in public bug reports); the limits are the per-type table of Meta's "supported media types"
 * page as repeated by vendors (AWS, VTEX), from memory, not from Meta directly. "MB" is read as MiB:
 * if Meta meant 10^6, a file in between is refused by Meta (mapped to a 502) rather than by us.
 */

export type WhatsAppMediaKind = 'image' | 'sticker' | 'audio' | 'video' | 'document';

export interface WhatsAppUploadRule {
  /** The bare MIME type sent to Meta (lower case, without parameters). */
  mimeType: string;
  kind: WhatsAppMediaKind;
  maxBytes: number;
  /** Used to name the multipart file when DSK gives no filename. */
  extension: string;
}

const MIB = 1024 * 1024;
const KIB = 1024;

/** Per kind; a sticker's limit is the animated one (static stickers are 100 KB, but only Meta can tell them apart). */
export const WHATSAPP_MAX_BYTES: Readonly<Record<WhatsAppMediaKind, number>> = {
  image: 5 * MIB,
  sticker: 500 * KIB,
  audio: 16 * MIB,
  video: 16 * MIB,
  document: 100 * MIB,
};

const TYPES: ReadonlyArray<readonly [mimeType: string, kind: WhatsAppMediaKind, extension: string]> = [
  ['image/jpeg', 'image', 'jpg'],
  ['image/png', 'image', 'png'],
  // WhatsApp sends image/webp only as a sticker (⚠ 512×512 px expected; not checked here).
  ['image/webp', 'sticker', 'webp'],
  ['audio/aac', 'audio', 'aac'],
  ['audio/amr', 'audio', 'amr'],
  ['audio/mpeg', 'audio', 'mp3'],
  ['audio/mp4', 'audio', 'm4a'],
  // ⚠ Meta's docs say OPUS-coded ogg only; the codec is not inspected here.
  ['audio/ogg', 'audio', 'ogg'],
  // In Meta's upload error list, though not in its supported-types table.
  ['audio/opus', 'audio', 'opus'],
  ['video/mp4', 'video', 'mp4'],
  ['video/3gpp', 'video', '3gp'],
  ['text/plain', 'document', 'txt'],
  ['application/pdf', 'document', 'pdf'],
  ['application/msword', 'document', 'doc'],
  ['application/vnd.openxmlformats-officedocument.wordprocessingml.document', 'document', 'docx'],
  ['application/vnd.ms-excel', 'document', 'xls'],
  ['application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', 'document', 'xlsx'],
  ['application/vnd.ms-powerpoint', 'document', 'ppt'],
  ['application/vnd.openxmlformats-officedocument.presentationml.presentation', 'document', 'pptx'],
];

export const WHATSAPP_UPLOAD_RULES: ReadonlyMap<string, WhatsAppUploadRule> = new Map(
  TYPES.map(([mimeType, kind, extension]) => [mimeType, { mimeType, kind, maxBytes: WHATSAPP_MAX_BYTES[kind], extension }]),
);

/** `image/JPEG; charset=x` → the rule for image/jpeg; undefined for anything WhatsApp does not take. */
export function whatsappUploadRule(contentType: string | undefined): WhatsAppUploadRule | undefined {
  if (!contentType) return undefined;
  return WHATSAPP_UPLOAD_RULES.get(contentType.split(';')[0]!.trim().toLowerCase());
}

const MAX_FILENAME = 200;

/**
 * The filename the multipart part carries: the last path segment of what DSK asked for, reduced to
 * printable ASCII (accents dropped, anything else `_`) because how Meta decodes non-ASCII multipart
 * filenames is undocumented; `media.<ext>` when nothing usable is left.
 */
export function uploadFilename(requested: string | undefined, rule: WhatsAppUploadRule): string {
  const base = (requested ?? '').split(/[/\\]/).pop() ?? '';
  const ascii = base
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^A-Za-z0-9 ._()+-]/g, '_')
    // No hidden files and no trailing dots or spaces (which some systems strip, changing the name).
    .replace(/^[ .]+|[ .]+$/g, '');
  if (!/[A-Za-z0-9]/.test(ascii)) return `media.${rule.extension}`;
  if (ascii.length <= MAX_FILENAME) return ascii;
  // Keep the extension when cutting: it is what a recipient's device goes by.
  const dot = ascii.lastIndexOf('.');
  const extension = dot > 0 && ascii.length - dot <= 16 ? ascii.slice(dot) : '';
  return ascii.slice(0, MAX_FILENAME - extension.length) + extension;
}
