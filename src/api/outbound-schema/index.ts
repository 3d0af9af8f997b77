import { z } from 'zod';
import type { InstagramOutboundRequest, OutboundChannelType, OutboundRequest, WhatsAppOutboundRequest } from '../../shared/outbound-request.js';
import { ApiError } from '../errors.js';
import { validationDetails } from '../validate.js';
import { instagramOutboundSchema } from './instagram.js';
import { whatsappOutboundSchema } from './whatsapp.js';

export { INSTAGRAM_LIMITS, WHATSAPP_LIMITS, utf8Length } from './common.js';
export { instagramOutboundSchema, whatsappOutboundSchema };

/**
 * The schemas and the plain types the rest of the service uses (src/shared/outbound-request.ts) must
 * describe the same bodies: a field added to one side only fails the build here. Each side must be
 * assignable to the other, also with every optional field made required (which catches an optional
 * field only one side has).
 */
type DeepRequired<T> = T extends readonly (infer E)[] ? DeepRequired<E>[] : T extends object ? { [K in keyof T]-?: DeepRequired<Exclude<T[K], undefined>> } : T;
type Mutual<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Same<A, B> = Mutual<A, B> extends true ? Mutual<DeepRequired<A>, DeepRequired<B>> : false;
const schemasMatchTypes: [Same<z.output<typeof whatsappOutboundSchema>, WhatsAppOutboundRequest>, Same<z.output<typeof instagramOutboundSchema>, InstagramOutboundRequest>] = [true, true];
void schemasMatchTypes;

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
