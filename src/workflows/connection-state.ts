import type { ConnectionPhase, ConnectionStatus, ConnectionTiming, TokenCheck } from '../shared/connections.js';

export const DAY_MS = 24 * 60 * 60 * 1000;
export const DEFAULTS = { checkEveryMs: DAY_MS, refreshBeforeMs: 7 * DAY_MS, chooseTimeoutMs: 30 * 60 * 1000 } as const;

export function resolvedTiming(timing: ConnectionTiming | undefined) {
  return {
    checkEveryMs: timing?.checkEveryMs ?? DEFAULTS.checkEveryMs,
    refreshBeforeMs: timing?.refreshBeforeMs ?? DEFAULTS.refreshBeforeMs,
    chooseTimeoutMs: timing?.chooseTimeoutMs ?? DEFAULTS.chooseTimeoutMs,
  };
}

/**
 * When to look at the token next: the regular check interval, or earlier so that a token is
 * refreshed (or a person warned) `refreshBeforeMs` ahead of its expiry. Never sooner than a minute (or
 * the check interval, when that is shorter), so a token already inside the window does not spin the loop.
 */
export function nextCheckDelayMs(nowMs: number, tokenExpiresAt: string | null | undefined, timing: ReturnType<typeof resolvedTiming>): number {
  let delay = timing.checkEveryMs;
  if (tokenExpiresAt) {
    const untilWindow = Date.parse(tokenExpiresAt) - timing.refreshBeforeMs - nowMs;
    if (untilWindow < delay) delay = untilWindow;
  }
  return Math.max(delay, Math.min(60_000, timing.checkEveryMs));
}

/** The phase a token check leads to, from an active or re-authorization-pending channel. */
export function phaseAfterCheck(current: ConnectionPhase, check: TokenCheck): ConnectionPhase {
  if (check.state === 'invalid') return 'reauth_required';
  return current === 'reauth_required' ? 'reauth_required' : 'active';
}

/** Whether an authorization code may be accepted now (the update validator's rule). */
export function acceptsAuthorization(phase: ConnectionPhase): boolean {
  return phase === 'awaiting_authorization';
}

export function isFinal(phase: ConnectionPhase): boolean {
  return phase === 'disconnected' || phase === 'expired' || phase === 'cancelled' || phase === 'failed';
}

/** Statuses reported outward: copies, so a caller can never mutate workflow state. */
export function publicStatus(s: ConnectionStatus): ConnectionStatus {
  return { ...s, ...(s.assetOptions ? { assetOptions: s.assetOptions.map((o) => ({ ...o })) } : {}) };
}
