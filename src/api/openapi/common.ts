import { z } from 'zod';
import type { ErrorResponseDoc, HeaderDoc, ParameterDoc } from './operation.js';

/** Builds `{error: {code, message}}` examples named by their codes. */
function errorExamples(messages: Record<string, string>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(messages).map(([code, message]) => [code, { error: { code, message } }]));
}

/*
 * Schemas and answers every route shares. A schema with `.meta({id})` becomes a component of the
 * document (`#/components/schemas/<id>`) wherever it is used.
 */

export const Uuid = z.uuid({ message: 'must be a UUID' }).meta({ id: 'Uuid', description: 'A UUID (RFC 9562 versions 1–8, or the nil/max UUID), any case.' });

export const HttpUrl = z
  .url({ protocol: /^https?$/, message: 'must be an http(s) URL' })
  .max(2048)
  .meta({
    id: 'HttpUrl',
    description:
      'An absolute `http://` or `https://` URL (scheme case-insensitive) that parses as a WHATWG URL; at most 2048 characters. Surrounding whitespace is trimmed and tabs/newlines removed before use.',
  });

export const ValidationIssue = z
  .strictObject({
    path: z.string().meta({
      description:
        'The field: `events_url`, `labels.team`, `items[0].id`; a path or query parameter by its name; `(body)` for the object itself (unknown key, missing all of several fields).',
    }),
    message: z.string(),
  })
  .meta({ id: 'ValidationIssue' });

export const ErrorBody = z
  .strictObject({
    error: z.strictObject({
      code: z.string().regex(/^[a-z][a-z0-9_]*$/).meta({ description: 'Stable, machine-readable.' }),
      message: z.string().meta({ description: 'Readable explanation in English; not stable, do not parse it.' }),
      details: z.unknown().optional().meta({ description: 'Structured detail for some codes: `ValidationIssue[]` for `validation_failed`, `{outcome}` for `not_retryable`.' }),
    }),
  })
  .meta({ id: 'Error', description: 'Every error body. The responses list the `code` values each operation can return.' });

/** `error.details` of `validation_failed`: every problem, with its field path. */
export const ValidationDetails = z.array(ValidationIssue).min(1);

export const Timestamp = z.iso.datetime({ offset: false }).meta({ description: 'ISO 8601 UTC with milliseconds.' });

/** `limit` and `after` of the lists paged by src/api/pagination.ts (channels, connections, deliveries). */
export const PAGE_PARAMETER_DOCS = {
  limit: { description: 'Page size (default 100).', example: 50 },
  after: {
    description: '`next_cursor` of the previous page (opaque). Pages are keyset pages: rows added or removed meanwhile neither repeat nor shift later pages.',
    example: 'WyIyMDI2LTA3LTAxIDA5OjEyOjQ0LjEyMDMxNSswMCIsIjNmMmI2YzFlLTlhNGQtNGU4Yi1iMWMyLTdkNWU5ZjBhMWIyYyJd',
  },
} satisfies Record<string, ParameterDoc>;

const RETRY_AFTER_QUOTA: HeaderDoc = { description: 'Seconds until the quota frees up.', schema: { type: 'integer', minimum: 1 } };

/** The answers shared by operations, as components (`#/components/responses/<name>`). */
export const STANDARD_RESPONSES = {
  Unauthorized: {
    kind: 'error',
    description: 'The bearer token is missing or not accepted.',
    codes: ['missing_token', 'invalid_token', 'invalid_signature', 'unsupported_algorithm', 'invalid_issuer', 'invalid_audience', 'token_expired', 'missing_instance_claim'],
    examples: errorExamples({
      missing_token: 'Authorization: Bearer <token> is required',
      invalid_token: 'Token is not a compact JWS',
      invalid_signature: 'Token signature does not verify',
      unsupported_algorithm: 'Token algorithm is not accepted',
      invalid_issuer: 'Token issuer is not accepted',
      invalid_audience: 'Token audience is not accepted',
      token_expired: 'Token has expired',
      missing_instance_claim: 'Token has no valid "instance_id" claim',
    }),
    headers: { 'WWW-Authenticate': { schema: { type: 'string', const: 'Bearer error="invalid_token"' } } },
  },
  AuthUnavailable: {
    kind: 'error',
    description: "DSK's JWKS (the keys that verify the token) cannot be fetched right now; retry later. Only when keys come from a JWKS URL.",
    codes: ['auth_unavailable'],
    examples: errorExamples({ auth_unavailable: 'Token keys cannot be fetched right now; retry later' }),
  },
  InternalError: {
    kind: 'error',
    description: 'An unexpected error; nothing about it is disclosed. Quote `X-Request-Id` when reporting it.',
    codes: ['internal'],
    examples: errorExamples({ internal: 'Internal error' }),
  },
  BadRequestBody: {
    kind: 'error',
    description: 'The body is not JSON, or shorter/longer than its `Content-Length`.',
    codes: ['invalid_json', 'invalid_request_size'],
    examples: errorExamples({ invalid_json: 'Request body is not valid JSON', invalid_request_size: 'Request body length does not match Content-Length' }),
  },
  PayloadTooLarge: {
    kind: 'error',
    description: 'The body is larger than 1 MiB.',
    codes: ['payload_too_large'],
    examples: errorExamples({ payload_too_large: 'Request body is larger than allowed' }),
  },
  UnsupportedMediaType: {
    kind: 'error',
    description: 'The body is missing or not `application/json`.',
    codes: ['unsupported_media_type'],
    examples: errorExamples({ unsupported_media_type: 'Content-Type must be application/json' }),
  },
  QuotaExceeded: {
    kind: 'error',
    description:
      'The instance is over one of its quotas (`INSTANCE_REQUESTS_PER_MINUTE` requests per minute; on sends, `INSTANCE_OPEN_SENDS` sends Meta has not answered; on connections, `INSTANCE_OPEN_CONNECTIONS` awaiting authorization). Retry after `Retry-After` seconds.',
    codes: ['quota_exceeded'],
    examples: errorExamples({ quota_exceeded: 'This instance made more than 6000 requests this minute' }),
    headers: { 'Retry-After': RETRY_AFTER_QUOTA },
  },
} satisfies Record<string, ErrorResponseDoc>;

