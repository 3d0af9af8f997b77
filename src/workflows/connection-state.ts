import type { AssetOption, CarriedConnectionState, ConnectionFailure, ConnectionPhase, ConnectionStatus, ConnectionTiming, ConnectionWorkflowInput, TokenCheck } from '../shared/connections.js';

/*
 * The connection lifecycle as one state object and pure transitions (no Temporal here: unit-tested
 * in test/unit/connection-state.test.ts). connectionWorkflow (./connection.ts) drives it: handlers
 * record requests, the loop waits for them or for a timer, runs activities and applies the outcomes.
 *
 *   awaiting_authorization ─ code ─▶ authorizing ─ one asset ─────────────▶ active ⇄ reauth_required
 *          │                              └─ several ─▶ choosing_asset ─▶ ┘    │  (token check,
 *          └─ expiry / cancel / failure ─▶ expired / cancelled / failed         │   re-authorization)
 *                                                              disconnect ─▶ disconnected
 *
 * A round that does not complete for a channel that already exists (a re-connect) leaves it
 * `reauth_required` instead of ending the connection.
 *
 * Activating a WhatsApp number may need its registration PIN (awaiting_pin: the person types it, and is
 * asked again after a wrong one, up to MAX_PIN_ATTEMPTS) or a wait Meta asks for (registration_waiting,
 * on a timer), each followed by another activation attempt.
 */

export const DAY_MS = 24 * 60 * 60 * 1000;
export const DEFAULTS = { checkEveryMs: DAY_MS, refreshBeforeMs: 7 * DAY_MS, chooseTimeoutMs: 30 * 60 * 1000, pinTimeoutMs: 30 * 60 * 1000 } as const;
/** Wrong PINs before the connection fails: Meta itself locks the PIN after repeated guesses (133008, 133009). */
export const MAX_PIN_ATTEMPTS = 5;
/** Waits Meta may ask for before a connection gives up (133015 is minutes, 133016 three days). */
export const MAX_REGISTRATION_WAITS = 3;
export type Timing = ReturnType<typeof resolvedTiming>;

export interface ConnectionState {
  /** What the status query and the updates report. */
  status: ConnectionStatus;
  /** When the current authorization round's session ends (epoch ms). */
  sessionDeadlineMs: number;
  /** What handlers accepted and the lifecycle has not acted on yet. */
  requests: {
    authorization: boolean;
    assetId?: string;
    cancel?: string;
    disconnect?: string;
    /** A send's token error: check the token now rather than at the next timer. */
    tokenCheck: boolean;
    /** The person submitted the number's PIN (it waits encrypted in the session). */
    pin?: boolean;
  };
  /** Registration waits so far in this round. */
  registrationWaits?: number;
  /** The expiry the person was last warned about: one warning per expiry. */
  warnedForExpiry: string | null;
}

/** How a round that did not activate a channel ends. */
export interface RoundEnd {
  end: 'expired' | 'cancelled' | 'failed';
  failureCode?: string;
}

export function resolvedTiming(timing: ConnectionTiming | undefined) {
  return {
    checkEveryMs: timing?.checkEveryMs ?? DEFAULTS.checkEveryMs,
    refreshBeforeMs: timing?.refreshBeforeMs ?? DEFAULTS.refreshBeforeMs,
    chooseTimeoutMs: timing?.chooseTimeoutMs ?? DEFAULTS.chooseTimeoutMs,
    pinTimeoutMs: timing?.pinTimeoutMs ?? DEFAULTS.pinTimeoutMs,
    registrationWaitCapMs: timing?.registrationWaitCapMs,
  };
}

/** A new connection, or the next run of one (continue-as-new hands over `carried`). */
export function initialConnectionState(input: ConnectionWorkflowInput): ConnectionState {
  const carried = input.carried;
  return {
    status: {
      connectionId: input.connectionId,
      instanceId: input.instanceId,
      channelType: input.channelType,
      phase: carried?.phase ?? 'awaiting_authorization',
      round: carried?.round ?? 1,
      ...(carried?.channelId ? { channelId: carried.channelId } : {}),
      ...(carried?.tokenExpiresAt !== undefined ? { tokenExpiresAt: carried.tokenExpiresAt } : {}),
      ...(carried?.lastCheckedAt ? { lastCheckedAt: carried.lastCheckedAt } : {}),
    },
    sessionDeadlineMs: Date.parse(input.sessionExpiresAt),
    requests: { authorization: false, tokenCheck: false },
    warnedForExpiry: carried?.warnedForExpiry ?? null,
  };
}

export function carriedState(state: ConnectionState): CarriedConnectionState {
  const s = state.status;
  return { phase: s.phase, channelId: s.channelId, tokenExpiresAt: s.tokenExpiresAt ?? null, lastCheckedAt: s.lastCheckedAt, round: s.round, warnedForExpiry: state.warnedForExpiry };
}

const withPhase = (state: ConnectionState, phase: ConnectionPhase): ConnectionState => ({ ...state, status: { ...state.status, phase } });
const withRequests = (state: ConnectionState, requests: Partial<ConnectionState['requests']>): ConnectionState => ({ ...state, requests: { ...state.requests, ...requests } });

// Requests (signal and update handlers) ---------------------------------------------------------

/** The first reason wins: a later disconnect does not rename the one under way. */
export function disconnectRequested(state: ConnectionState, reason: string): ConnectionState {
  return state.requests.disconnect === undefined ? withRequests(state, { disconnect: reason }) : state;
}

/** Only a live channel is checked early; one already waiting for re-authorization has nothing to learn. */
export function tokenRejected(state: ConnectionState): ConnectionState {
  return state.status.phase === 'active' ? withRequests(state, { tokenCheck: true }) : state;
}

/** The person cancelled at Meta's dialog: only while a round waits for them. */
export function cancelRequested(state: ConnectionState, reason: string): ConnectionState {
  const { phase } = state.status;
  const waiting = phase === 'awaiting_authorization' || phase === 'choosing_asset' || phase === 'awaiting_pin' || phase === 'registration_waiting';
  return waiting && state.requests.cancel === undefined ? withRequests(state, { cancel: reason }) : state;
}

/** Whether an authorization code may be accepted now (the update validator's rule). */
export function acceptsAuthorization(phase: ConnectionPhase): boolean {
  return phase === 'awaiting_authorization';
}

/** Why an authorize update is refused (a replayed or late callback), or undefined when it is accepted. */
export function authorizationRefusal(state: ConnectionState): string | undefined {
  return !acceptsAuthorization(state.status.phase) || state.requests.authorization ? `not awaiting authorization (phase ${state.status.phase})` : undefined;
}

export function authorizationRequested(state: ConnectionState): ConnectionState {
  return withRequests(state, { authorization: true });
}

export function choiceRefusal(state: ConnectionState, assetId: string): string | undefined {
  if (state.status.phase !== 'choosing_asset' || state.requests.assetId !== undefined) return `not choosing an asset (phase ${state.status.phase})`;
  return state.status.assetOptions?.some((o) => o.id === assetId) ? undefined : 'unknown asset';
}

export function assetChosen(state: ConnectionState, assetId: string): ConnectionState {
  return withRequests(state, { assetId });
}

export function pinRefusal(state: ConnectionState): string | undefined {
  return state.status.phase !== 'awaiting_pin' || state.requests.pin ? `not waiting for a PIN (phase ${state.status.phase})` : undefined;
}

export function pinSubmitted(state: ConnectionState): ConnectionState {
  return withRequests(state, { pin: true });
}

/** What a submitPin update waits for: the activation the PIN was for has an outcome (a new ask counts). */
export function pinAnswered(state: ConnectionState): boolean {
  const { phase } = state.status;
  return phase !== 'authorizing' && !(phase === 'awaiting_pin' && state.requests.pin === true);
}

export function reauthorizationRefusal(state: ConnectionState): string | undefined {
  const { phase } = state.status;
  return phase === 'active' || phase === 'reauth_required' ? undefined : `cannot re-authorize (phase ${phase})`;
}

/** A new authorization round for a channel: its session, its number, nothing of the previous round's requests. */
export function reauthorizationBegun(state: ConnectionState, sessionExpiresAt: string): ConnectionState {
  const { assetId: _assetId, cancel: _cancel, pin: _pin, ...kept } = state.requests;
  return {
    ...state,
    sessionDeadlineMs: Date.parse(sessionExpiresAt),
    requests: { ...kept, authorization: false },
    registrationWaits: 0,
    status: { ...state.status, round: state.status.round + 1, phase: 'awaiting_authorization' },
  };
}

// The lifecycle (the workflow's loop) -------------------------------------------------------------

export type Step = 'disconnect' | 'cancel' | 'authorize' | 'watch';

/** What the loop does next: a disconnect takes precedence over everything else. */
export function nextStep(state: ConnectionState): Step {
  const { phase, channelId } = state.status;
  if (state.requests.disconnect !== undefined) return channelId ? 'disconnect' : 'cancel';
  if (phase === 'awaiting_authorization') return 'authorize';
  if (phase === 'active' || phase === 'reauth_required') return 'watch';
  return 'disconnect';
}

/** What ends the wait for the OAuth code (besides the session's expiry). */
export function authorizationSettled(state: ConnectionState): boolean {
  return state.requests.authorization || state.requests.cancel !== undefined || state.requests.disconnect !== undefined;
}

export function sessionRemainingMs(state: ConnectionState, nowMs: number): number {
  return Math.max(state.sessionDeadlineMs - nowMs, 0);
}

/** After the wait for the code: look again (a disconnect), end the round, or exchange the code. */
export function afterAuthorizationWait(state: ConnectionState, arrived: boolean): 'reconsider' | 'exchange' | RoundEnd {
  if (state.requests.disconnect !== undefined) return 'reconsider';
  return state.requests.cancel !== undefined || !arrived ? abandoned(state) : 'exchange';
}

function abandoned(state: ConnectionState): RoundEnd {
  const reason = state.requests.cancel;
  return reason !== undefined ? { end: 'cancelled', failureCode: reason } : { end: 'expired' };
}

export function failedWith(state: ConnectionState, failure: ConnectionFailure): ConnectionState {
  return { ...state, status: { ...state.status, failure } };
}

/**
 * Where an abandoned or failed round leaves the connection: a channel that exists keeps its state
 * (inbound keeps flowing) as `reauth_required` and only the session goes; otherwise the connection
 * ends with the round's outcome.
 */
export function roundEnded(state: ConnectionState, round: RoundEnd): { state: ConnectionState; cleanup: 'discardSession' | 'finishConnection'; final: boolean } {
  if (state.status.channelId) return { state: withPhase(state, 'reauth_required'), cleanup: 'discardSession', final: false };
  return { state: withPhase(state, round.end), cleanup: 'finishConnection', final: true };
}

export function authorizing(state: ConnectionState): ConnectionState {
  return withPhase(state, 'authorizing');
}

export const NO_ASSETS: ConnectionFailure = { code: 'no_assets', message: 'Meta granted no phone number or account that can be connected' };

/** Meta's grant: nothing usable (a failure), one asset (activate it), or several for the person to choose from. */
export function assetsGranted(state: ConnectionState, options: AssetOption[]): { failure: ConnectionFailure } | { assetId: string } | { state: ConnectionState } {
  if (options.length === 0) return { failure: NO_ASSETS };
  if (options.length === 1) return { assetId: options[0]!.id };
  return { state: { ...state, status: { ...state.status, assetOptions: options, phase: 'choosing_asset' } } };
}

/** What ends the wait for the person's choice (besides its timeout). */
export function choiceSettled(state: ConnectionState): boolean {
  return state.requests.assetId !== undefined || state.requests.cancel !== undefined || state.requests.disconnect !== undefined;
}

/** After the wait for a choice the options are no longer offered: look again, end the round, or activate the choice. */
export function afterChoiceWait(state: ConnectionState, chosen: boolean): { state: ConnectionState; next: 'reconsider' | RoundEnd | { assetId: string } } {
  const { assetOptions: _offered, ...status } = state.status;
  const next = { ...state, status };
  if (state.requests.disconnect !== undefined) return { state: next, next: 'reconsider' };
  if (!chosen || state.requests.cancel !== undefined) return { state: next, next: abandoned(state) };
  return { state: next, next: { assetId: state.requests.assetId! } };
}

// Activation: registration PIN and waits ---------------------------------------------------------

export type ActivationPlan = { next: 'ask_pin' } | { next: 'wait'; waitMs: number } | { next: 'fail'; failure: ConnectionFailure };

/**
 * After a failed activation: ask the person for the number's PIN (Meta refused without it), wait as
 * long as Meta asked (on a timer, never a retry storm: each register call counts towards 10 per
 * 72 h), or fail the round.
 */
export function afterActivationFailure(state: ConnectionState, failure: ConnectionFailure, waitMs: number | undefined): ActivationPlan {
  if (failure.code === 'whatsapp_pin_required') {
    if ((state.status.pinAttempts ?? 0) >= MAX_PIN_ATTEMPTS) {
      return { next: 'fail', failure: { code: 'whatsapp_pin_mismatch', message: "None of the PINs given matched this number's two-step verification PIN; reset it in WhatsApp Manager and connect again." } };
    }
    return { next: 'ask_pin' };
  }
  if (waitMs !== undefined && waitMs > 0 && (state.registrationWaits ?? 0) < MAX_REGISTRATION_WAITS) return { next: 'wait', waitMs };
  return { next: 'fail', failure };
}

/** The connect page shows `failure.message` (why the PIN is asked, or that the last one was wrong). */
export function pinRequested(state: ConnectionState, why: ConnectionFailure): ConnectionState {
  return { ...state, requests: { ...state.requests, pin: false }, status: { ...state.status, phase: 'awaiting_pin', failure: why } };
}

export function pinSettled(state: ConnectionState): boolean {
  return state.requests.pin === true || state.requests.cancel !== undefined || state.requests.disconnect !== undefined;
}

/** After the wait for a PIN: look again (a disconnect), end the round (no PIN in time, cancelled), or activate with it. */
export function afterPinWait(state: ConnectionState, given: boolean): { state: ConnectionState; next: 'reconsider' | 'activate' | RoundEnd } {
  if (state.requests.disconnect !== undefined) return { state, next: 'reconsider' };
  if (!given || state.requests.cancel !== undefined) return { state, next: abandoned(state) };
  const { failure: _shown, ...status } = state.status;
  return {
    state: { ...state, requests: { ...state.requests, pin: false }, status: { ...status, phase: 'authorizing', pinAttempts: (status.pinAttempts ?? 0) + 1 } },
    next: 'activate',
  };
}

export function registrationWaiting(state: ConnectionState, retryAt: string): ConnectionState {
  return { ...state, registrationWaits: (state.registrationWaits ?? 0) + 1, status: { ...state.status, phase: 'registration_waiting', retryAt } };
}

export function registrationWaitInterrupted(state: ConnectionState): boolean {
  return state.requests.cancel !== undefined || state.requests.disconnect !== undefined;
}

export function afterRegistrationWait(state: ConnectionState): { state: ConnectionState; next: 'reconsider' | 'activate' | RoundEnd } {
  if (state.requests.disconnect !== undefined) return { state, next: 'reconsider' };
  if (state.requests.cancel !== undefined) return { state, next: abandoned(state) };
  const { retryAt: _retryAt, ...status } = state.status;
  return { state: { ...state, status: { ...status, phase: 'authorizing' } }, next: 'activate' };
}

/** The channel is live; DSK hears `connected` for the first round, `reconnected` after. */
export function activated(state: ConnectionState, channel: { channelId: string; tokenExpiresAt: string | null }): { state: ConnectionState; reason: 'connected' | 'reconnected' } {
  const { failure: _failure, pinAttempts: _pins, retryAt: _retryAt, ...status } = state.status;
  return {
    state: { ...state, warnedForExpiry: null, status: { ...status, channelId: channel.channelId, tokenExpiresAt: channel.tokenExpiresAt, phase: 'active' } },
    reason: state.status.round > 1 ? 'reconnected' : 'connected',
  };
}

/**
 * When to look at the token next: the regular check interval, or earlier so that a token is
 * refreshed (or a person warned) `refreshBeforeMs` ahead of its expiry. Never sooner than a minute (or
 * the check interval, when that is shorter), so a token already inside the window does not spin the loop.
 */
export function nextCheckDelayMs(nowMs: number, tokenExpiresAt: string | null | undefined, timing: Timing): number {
  let delay = timing.checkEveryMs;
  if (tokenExpiresAt) {
    const untilWindow = Date.parse(tokenExpiresAt) - timing.refreshBeforeMs - nowMs;
    if (untilWindow < delay) delay = untilWindow;
  }
  return Math.max(delay, Math.min(60_000, timing.checkEveryMs));
}

/** How long a live (or re-authorization-pending) channel waits before its next token check. */
export function watchDelayMs(state: ConnectionState, nowMs: number, timing: Timing): number {
  return state.status.phase === 'active' ? nextCheckDelayMs(nowMs, state.status.tokenExpiresAt, timing) : timing.checkEveryMs;
}

/** What cuts that wait short: a disconnect, a re-authorization, or a send's token error. */
export function watchInterrupted(state: ConnectionState): boolean {
  return state.requests.disconnect !== undefined || state.status.phase === 'awaiting_authorization' || state.requests.tokenCheck;
}

/**
 * After that wait: check the token (its time came, or a send's token error brings it forward), stay
 * idle (a channel waiting for re-authorization is not checked), or look again (interrupted).
 */
export function afterWatchWait(state: ConnectionState, interrupted: boolean): { state: ConnectionState; next: 'check' | 'idle' | 'reconsider' } {
  const { phase, channelId } = state.status;
  const checkNow = state.requests.tokenCheck && state.requests.disconnect === undefined && phase === 'active';
  const next = withRequests(state, { tokenCheck: false });
  if (interrupted && !checkNow) return { state: next, next: 'reconsider' };
  return { state: next, next: phase === 'active' && channelId ? 'check' : 'idle' };
}

/** The phase a token check leads to, from an active or re-authorization-pending channel. */
export function phaseAfterCheck(current: ConnectionPhase, check: TokenCheck): ConnectionPhase {
  if (check.state === 'invalid') return 'reauth_required';
  return current === 'reauth_required' ? 'reauth_required' : 'active';
}

/** What a token check changes, and what DSK must hear: the token died, or it expires soon and cannot be refreshed. */
export function afterCheck(state: ConnectionState, check: TokenCheck, nowMs: number): { state: ConnectionState; notify?: 'reauth_required' | 'token_expiring' } {
  const checked = { ...state, status: { ...state.status, lastCheckedAt: new Date(nowMs).toISOString(), tokenExpiresAt: check.expiresAt } };
  if (phaseAfterCheck(state.status.phase, check) === 'reauth_required') return { state: withPhase(checked, 'reauth_required'), notify: 'reauth_required' };
  if (check.expiringSoon && state.warnedForExpiry !== check.expiresAt) return { state: { ...checked, warnedForExpiry: check.expiresAt }, notify: 'token_expiring' };
  return { state: checked };
}

export function disconnectReason(state: ConnectionState): string {
  return state.requests.disconnect ?? 'unknown';
}

/** The end: unsubscribed where possible, token destroyed, channel marked (by the disconnect activity). */
export function disconnected(state: ConnectionState): ConnectionState {
  return withPhase(state, 'disconnected');
}

export function isFinal(phase: ConnectionPhase): boolean {
  return phase === 'disconnected' || phase === 'expired' || phase === 'cancelled' || phase === 'failed';
}

/** Statuses reported outward: copies, so a caller can never mutate workflow state. */
export function publicStatus(s: ConnectionStatus): ConnectionStatus {
  return { ...s, ...(s.assetOptions ? { assetOptions: s.assetOptions.map((o) => ({ ...o })) } : {}) };
}
