/**
 * The emulator's own copy of what WhatsApp accepts on `POST /{phone-number-id}/media`. Deliberately not
 * imported from the service (src/meta/whatsapp/media-rules.ts): a wrong limit there must show up as a
 * refusal here, not be agreed with.
 *
 * Sources:
 * - WA-MEDIA (reference meta-platform.md §6.2): "Max file size 100 MB overall, with per-type limits".
 * - Meta's "Supported media types" table as republished by AWS End User Messaging Social
 *   (https://docs.aws.amazon.com/social-messaging/latest/userguide/supported-media-types.html) and VTEX
 *   (https://help.vtex.com/en/docs/tutorials/supported-media-sending-whatsapp-cloud): audio 16 MB,
 *   documents 100 MB, images 5 MB, animated stickers 500 KB (static 100 KB), video 16 MB.
 * - The type list of Meta's own upload refusal, `(#100) Param file must be a file with one of the
 *   following types: …`, as quoted in public bug reports (⚠ it names audio/opus too).
 * MB is taken as MiB (⚠ Meta does not say which).
 */

export type EmulatedMediaKind = 'image' | 'sticker' | 'audio' | 'video' | 'document';

const MIB = 1024 * 1024;
const KIB = 1024;

/** The largest file Meta takes per kind; stickers at the animated limit (Meta cannot be asked which). */
export const EMULATED_MAX_BYTES: Readonly<Record<EmulatedMediaKind, number>> = {
  image: 5 * MIB,
  sticker: 500 * KIB,
  audio: 16 * MIB,
  video: 16 * MIB,
  document: 100 * MIB,
};

const KIND_BY_TYPE: ReadonlyArray<readonly [mimeType: string, kind: EmulatedMediaKind]> = [
  ['image/jpeg', 'image'],
  ['image/png', 'image'],
  ['image/webp', 'sticker'],
  ['audio/aac', 'audio'],
  ['audio/amr', 'audio'],
  ['audio/mpeg', 'audio'],
  ['audio/mp4', 'audio'],
  ['audio/ogg', 'audio'],
  ['audio/opus', 'audio'],
  ['video/mp4', 'video'],
  ['video/3gpp', 'video'],
  ['text/plain', 'document'],
  ['application/pdf', 'document'],
  ['application/msword', 'document'],
  ['application/vnd.openxmlformats-officedocument.wordprocessingml.document', 'document'],
  ['application/vnd.ms-excel', 'document'],
  ['application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', 'document'],
  ['application/vnd.ms-powerpoint', 'document'],
  ['application/vnd.openxmlformats-officedocument.presentationml.presentation', 'document'],
];

/** MIME type (lower case, no parameters) → the most bytes Meta accepts for it. */
export const EMULATED_UPLOAD_LIMITS: ReadonlyMap<string, { kind: EmulatedMediaKind; maxBytes: number }> = new Map(
  KIND_BY_TYPE.map(([mimeType, kind]) => [mimeType, { kind, maxBytes: EMULATED_MAX_BYTES[kind] }]),
);
