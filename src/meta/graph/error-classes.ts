/**
 * How to react to a Meta Graph error, decided by `error.code` (+ `error_subcode`) only, never by HTTP
 * status: Meta documents statuses for WhatsApp alone, and the same code comes back with different
 * statuses across products. Table straight from docs reference meta-platform.md §7.2.
 */
export type MetaErrorClass =
  /** Retry with exponential backoff. */
  | 'transient'
  /** Wait (honour estimated_time_to_regain_access); calling during the block extends it. */
  | 'throttled'
  /** Spam / marketing / experiment limits: do not auto-retry soon, surface it. */
  | 'quality'
  /** The token is dead: mark the channel reauth_required, retry at most once. */
  | 'reauth'
  /** Missing permission: permanent until the customer grants it again. */
  | 'permission'
  | 'bad_request'
  /** Outside the 24 h customer-service window: use a template (WA) or HUMAN_AGENT (IG). */
  | 'window'
  /**
   * The person cannot be reached by this account (Messenger/Instagram 551/1545041, usually because they
   * blocked it): permanent for this recipient; neither a template nor HUMAN_AGENT helps.
   */
  | 'unavailable'
  /** Permanent for this message (recipient, media, unsupported type). */
  | 'undeliverable'
  | 'template'
  /** Account locked, billing, certificate, not registered: operator action. */
  | 'policy'
  /** The call may have succeeded although it reported an error: never retry, reconcile. */
  | 'ambiguous'
  /** A code the table does not know; callers fall back on Meta's `is_transient`. */
  | 'unknown';

type CodeSpec = number | readonly [from: number, to: number];

interface Row {
  readonly class: MetaErrorClass;
  readonly codes: readonly CodeSpec[];
  /** When set, the row matches only this subcode; such rows are checked before code-only rows. */
  readonly subcode?: number;
}

/** Ordered: subcode-specific rows first, because they override what the bare code means. */
export const META_ERROR_TABLE: readonly Row[] = [
  // Messenger "invalid JSON reply": the message was actually sent.
  { class: 'ambiguous', codes: [1], subcode: 1357046 },
  // IG/Messenger send outside 24 h (code 10 alone is a permission error).
  { class: 'window', codes: [10], subcode: 2534022 },

  { class: 'transient', codes: [1, 2, 131000, 131016, 133004, 131057, 341] },
  { class: 'throttled', codes: [4, 17, 32, 613, 80001, 80002, 80006, 80007, 130429, 131056] },
  { class: 'quality', codes: [131048, 131049, 130472] },
  // 190 with any subcode (458, 459, 460, 463, 464, 467, 492 or none); 0 = AuthException.
  { class: 'reauth', codes: [190, 0] },
  // 200–299 includes IG 200/2534041 (account disabled DM access).
  { class: 'permission', codes: [3, 10, [200, 299], 131005] },
  // Includes IG 100/2534014 (no matching IG user).
  { class: 'bad_request', codes: [100, 131008, 131009, 131021, 33, 135000] },
  { class: 'window', codes: [131047] },
  // MS-SEND-ERR "This person isn't available right now" (with or without subcode 1545041). Meta does
  // not say why, for privacy; maintainers of courier (nyaruka/courier#421) and Bot Framework
  // (microsoft/botframework-sdk#4556) found it is what a block looks like. Not a window error.
  { class: 'unavailable', codes: [551] },
  { class: 'undeliverable', codes: [131026, 131051, 131052, 131053] },
  // The named template codes (132000, 132001, 132005, 132007, 132012, 132015, 132016, 132068, 132069)
  // and the rest of the 132xxx family, which Meta documents as template errors.
  { class: 'template', codes: [[132000, 132999]] },
  { class: 'policy', codes: [368, 131031, 131042, 131045, 133010] },
];

function matches(spec: CodeSpec, code: number): boolean {
  return typeof spec === 'number' ? spec === code : code >= spec[0] && code <= spec[1];
}

/** Pure lookup in META_ERROR_TABLE. */
export function classifyMetaError(code: number | undefined, subcode?: number): MetaErrorClass {
  if (code === undefined || !Number.isInteger(code)) return 'unknown';
  for (const row of META_ERROR_TABLE) {
    if (row.subcode !== undefined && row.subcode !== subcode) continue;
    if (row.codes.some((spec) => matches(spec, code))) return row.class;
  }
  return 'unknown';
}

/** Classes worth retrying automatically (after a delay). */
export function isRetryableClass(errorClass: MetaErrorClass): boolean {
  return errorClass === 'transient' || errorClass === 'throttled';
}
