import { z } from 'zod';
import { ApiError } from './errors.js';

/**
 * Cursor pagination for every list of the API (channels, connections, deliveries, templates): `limit`
 * (with a maximum) and `after`, the opaque `next_cursor` of the previous page; `next_cursor` is null
 * on the last page. A cursor is the last row's sort key (base64url JSON), so a page is a keyset query:
 * rows added or removed meanwhile neither repeat nor shift the pages after. A route applies it in
 * three steps: spread `pageQuery(...)` into its query schema, pass `decodeCursor(query.after, n)` and
 * `query.limit + 1` to its repository (ordered by that key), and answer `pageOf(rows, limit, keyOf)`.
 */
export const CURSOR = /^[A-Za-z0-9_-]{1,1400}$/;
const CURSOR_MESSAGE = 'must be a next_cursor from a previous page';

export function pageQuery(limits: { defaultLimit: number; maxLimit: number }) {
  return {
    limit: z.coerce.number().int().min(1).max(limits.maxLimit).default(limits.defaultLimit),
    /** `next_cursor` of the previous page. */
    after: z.string().regex(CURSOR, CURSOR_MESSAGE).optional(),
  };
}

export function encodeCursor(key: readonly string[]): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

/** The sort key a cursor carries (`arity` strings); a cursor that is not one of ours is a 422 on `after`. */
export function decodeCursor(cursor: string | undefined, arity: number): string[] | undefined {
  if (cursor === undefined) return undefined;
  try {
    const key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(key) && key.length === arity && key.every((k) => typeof k === 'string')) return key as string[];
  } catch {
    // answered below
  }
  throw new ApiError(422, 'validation_failed', 'Request does not match the schema', [{ path: 'after', message: CURSOR_MESSAGE }]);
}

/** One page from `limit + 1` rows fetched after the cursor: the extra row only says that more follow. */
export function pageOf<T>(rows: readonly T[], limit: number, keyOf: (row: T) => readonly string[]): { items: T[]; next_cursor: string | null } {
  const items = rows.slice(0, limit);
  return { items, next_cursor: rows.length > limit ? encodeCursor(keyOf(items[items.length - 1]!)) : null };
}
