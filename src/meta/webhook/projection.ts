import { z } from 'zod';
import type { ChannelType, EventDataByKind, EventKind, InboundEvent, InboundEventOf, MetaErrorInfo, Referral, UnsupportedReason } from '../../shared/inbound-events.js';
import { hashOf, safeKey, sha256Hex } from './keys.js';

/*
 * What the WhatsApp and Instagram projections (whatsapp/webhook*.ts, instagram/webhook.ts) share:
 * lenient field schemas, the event builder and small normalizers. Parsing is deliberately lenient:
 * a field of an unexpected type yields `undefined` for that field, never a failed parse.
 */

export const optString = z.string().optional().catch(undefined);
/** Meta ids are strings, but some payloads emit numbers. */
export const optId = z
  .union([z.string(), z.number()])
  .transform((value) => String(value))
  .optional()
  .catch(undefined);
export const optNumber = z
  .union([z.number(), z.string().regex(/^-?\d+(\.\d+)?$/).transform(Number)])
  .optional()
  .catch(undefined);
export const optBool = z.boolean().optional().catch(undefined);
export const optArray = z.array(z.unknown()).optional().catch(undefined);
export const requiredId = z.union([z.string().min(1), z.number()]).transform((value) => String(value));

export function optObject<T extends z.core.$ZodLooseShape>(shape: T) {
  return z.object(shape).optional().catch(undefined);
}

const metaErrorSchema = z.object({
  code: optNumber,
  title: optString,
  message: optString,
  href: optString,
  error_data: optObject({ details: optString }),
});

const referralSchema = z.object({
  source: optString,
  type: optString,
  ref: optString,
  ad_id: optId,
  source_url: optString,
  source_id: optId,
  source_type: optString,
  headline: optString,
  body: optString,
  media_type: optString,
  image_url: optString,
  video_url: optString,
  thumbnail_url: optString,
  ctwa_clid: optString,
  welcome_message: optObject({ text: optString }),
  ads_context_data: optObject({ ad_title: optString, photo_url: optString, video_url: optString }),
});

/** What every event of one POST shares. */
export interface Ctx {
  receivedAt: string;
}

/** Runs `parse`; a bug that throws on some odd shape turns into an `unsupported` event, not a lost batch. */
export function guarded(parse: () => InboundEvent[], fallback: () => InboundEvent): InboundEvent[] {
  try {
    return parse();
  } catch {
    return [fallback()];
  }
}

export function normalizeReferral(value: unknown): Referral | undefined {
  const parsed = referralSchema.safeParse(value);
  if (!parsed.success) return undefined;
  const { welcome_message: welcome, ...rest } = parsed.data;
  return { ...rest, welcome_message: welcome?.text };
}

export function normalizeErrors(errors: unknown[]): MetaErrorInfo[] {
  return errors.flatMap((raw) => {
    const parsed = metaErrorSchema.safeParse(raw);
    if (!parsed.success) return [];
    const { error_data: errorData, ...rest } = parsed.data;
    return [{ ...rest, details: errorData?.details }];
  });
}

export function unsupportedEntry(
  channelType: ChannelType,
  entry: unknown,
  bodyRest: Record<string, unknown>,
  reason: UnsupportedReason,
  ctx: Ctx,
): InboundEvent {
  const raw = { ...bodyRest, entry: [entry] };
  const entryId = isRecord(entry) ? optId.parse(entry.id) : undefined;
  return event('unsupported', {
    key: `${channelType === 'whatsapp' ? 'wa' : 'ig'}:unsupported:${hashOrFallback(raw, ctx)}`,
    channelType,
    businessId: entryId ?? '',
    wabaId: channelType === 'whatsapp' ? entryId : undefined,
    occurredAt: isRecord(entry) ? isoTime(entry.time) : undefined,
    data: { reason, object: stringOr(bodyRest.object) },
    raw,
  }, ctx);
}

/** Parsed JSON always hashes; anything else (a cycle from a caller bug) still gets a usable key. */
export function hashOrFallback(value: unknown, ctx: Ctx): string {
  try {
    return hashOf(value);
  } catch {
    return sha256Hex(`unhashable:${ctx.receivedAt}`);
  }
}

interface EventFields<K extends EventKind> {
  key: string;
  channelType: ChannelType | 'unknown';
  businessId: string;
  wabaId?: string | undefined;
  phoneNumber?: string | undefined;
  occurredAt?: string | undefined;
  data: EventDataByKind[K];
  raw: unknown;
}

export function event<K extends EventKind>(kind: K, fields: EventFields<K>, ctx: Ctx): InboundEvent {
  const built: InboundEventOf<K> = {
    key: safeKey(fields.key),
    kind,
    channelType: fields.channelType,
    businessId: fields.businessId,
    ...(fields.wabaId === undefined ? {} : { wabaId: fields.wabaId }),
    ...(fields.phoneNumber === undefined ? {} : { phoneNumber: fields.phoneNumber }),
    occurredAt: fields.occurredAt ?? ctx.receivedAt,
    receivedAt: ctx.receivedAt,
    data: withoutUndefined(fields.data),
    raw: fields.raw,
  };
  return built as unknown as InboundEvent;
}

/**
 * Meta timestamps → ISO. WhatsApp sends string Unix seconds, Instagram Unix milliseconds, and some
 * Instagram samples (`changes` entries) seconds again; a value below 1e11 cannot be milliseconds of
 * this era (it would be 1973), so it is read as seconds.
 */
export function isoTime(value: unknown): string | undefined {
  const number =
    typeof value === 'number' ? value : typeof value === 'string' && /^\d+(\.\d+)?$/.test(value.trim()) ? Number(value) : NaN;
  if (!Number.isFinite(number) || number <= 0) return undefined;
  const date = new Date(number < 1e11 ? number * 1000 : number);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function stringOr(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

export function omit(record: Record<string, unknown>, ...keys: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(record)) if (!keys.includes(key)) out[key] = value;
  return out;
}

/** Normalized data carries no `undefined` fields, so it compares, serializes and hashes predictably. */
function withoutUndefined<T>(value: T): T {
  if (Array.isArray(value)) return value.map((item) => withoutUndefined(item)) as T;
  if (isRecord(value)) {
    const out: Record<string, unknown> = {};
    for (const [key, field] of Object.entries(value)) if (field !== undefined) out[key] = withoutUndefined(field);
    return out as T;
  }
  return value;
}
