/*
 * Whether a WhatsApp number needs `POST /{phone-number-id}/register`, and what Meta's registration
 * errors mean for a person (docs/meta-behaviours.md P1–P9, C5). Pure: tested against the numbers real
 * integrations recorded (test/fixtures/meta-real/graph/wa-phone-number-*.json).
 *
 * Registering is needed once, for a number that is not yet on Cloud API. Registering again is not
 * harmless: with two-step verification on, only the number's own PIN works (133005), and every call
 * spends one of the number's 10 register calls per 72 hours (133016). So the number is read first.
 */

/** What `GET /{phone-number-id}` says about registration. */
export interface PhoneNumberStatus {
  id: string;
  /** `CONNECTED` once registered (also PENDING, DISCONNECTED, …). */
  status: string | undefined;
  /** `CLOUD_API` on Cloud API; `NOT_APPLICABLE` before registration, `ON_PREMISE` for the old API. */
  platformType: string | undefined;
  codeVerificationStatus: string | undefined;
  /** On the WhatsApp Business app as well (coexistence): registered by the app. */
  onBizApp: boolean;
  /** Two-step verification is on: only the number's own PIN registers it. */
  pinEnabled: boolean;
}

export type RegistrationDecision =
  /** Already on Cloud API (P2), or a coexistence number the app registered (C5): never call /register. */
  | { action: 'skip'; reason: 'already_registered' | 'coexistence' }
  /** Two-step verification is on and nobody gave its PIN: ask the person (P3). */
  | { action: 'ask_pin' }
  | { action: 'register' };

/**
 * The decision. `code_verification_status` does not decide: a registered number can show `EXPIRED`
 * (restfb's recorded answer), and Embedded Signup verifies the numbers it hands over.
 */
export function registrationDecision(number: PhoneNumberStatus, opts: { pinGiven: boolean }): RegistrationDecision {
  if (number.onBizApp) return { action: 'skip', reason: 'coexistence' };
  if (number.status === 'CONNECTED' && number.platformType === 'CLOUD_API') return { action: 'skip', reason: 'already_registered' };
  if (number.pinEnabled && !opts.pinGiven) return { action: 'ask_pin' };
  return { action: 'register' };
}

/** Meta asks to wait before the next register call (ms): 133016 blocks the number for 72 h (P6), 133015 a few minutes (P7). */
export const REGISTRATION_WAIT_MS: Readonly<Record<number, number>> = {
  133016: 72 * 60 * 60 * 1000,
  133015: 5 * 60 * 1000,
};
