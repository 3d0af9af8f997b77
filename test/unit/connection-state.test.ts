import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ConnectionWorkflowInput, TokenCheck } from '../../src/shared/connections.js';
import * as lifecycle from '../../src/workflows/connection-state.js';
import type { ConnectionState } from '../../src/workflows/connection-state.js';

const NOW = Date.parse('2026-07-29T08:00:00.000Z');
const MINUTE = 60_000;
const timing = lifecycle.resolvedTiming(undefined);

const input: ConnectionWorkflowInput = {
  connectionId: 'conn-1',
  instanceId: 'inst-1',
  channelType: 'whatsapp',
  flow: 'whatsapp_embedded_signup',
  sessionExpiresAt: new Date(NOW + 30 * MINUTE).toISOString(),
};

const fresh = () => lifecycle.initialConnectionState(input);
/** A connection whose channel is live (as after activation). */
const live = (overrides: { round?: number; tokenExpiresAt?: string | null } = {}): ConnectionState => {
  const base = fresh();
  return lifecycle.activated({ ...base, status: { ...base.status, round: overrides.round ?? 1 } }, { channelId: 'ch-1', tokenExpiresAt: overrides.tokenExpiresAt ?? null }).state;
};
const check = (over: Partial<TokenCheck>): TokenCheck => ({ state: 'valid', expiresAt: null, expiringSoon: false, resubscribed: false, ...over });

describe('connection state: a new connection', () => {
  it('awaits authorization in round 1, with the session deadline of its input and no requests', () => {
    assert.deepEqual(fresh(), {
      status: { connectionId: 'conn-1', instanceId: 'inst-1', channelType: 'whatsapp', phase: 'awaiting_authorization', round: 1 },
      sessionDeadlineMs: NOW + 30 * MINUTE,
      requests: { authorization: false, tokenCheck: false },
      warnedForExpiry: null,
    });
    assert.equal(lifecycle.nextStep(fresh()), 'authorize');
  });

  it('continues a run from its carried state unchanged (continue-as-new)', () => {
    const checked = lifecycle.afterCheck(live({ round: 2, tokenExpiresAt: '2026-09-01T00:00:00.000Z' }), check({ expiresAt: '2026-09-01T00:00:00.000Z', expiringSoon: true }), NOW).state;
    const next = lifecycle.initialConnectionState({ ...input, carried: lifecycle.carriedState(checked) });
    assert.deepEqual(next.status, checked.status);
    assert.equal(next.warnedForExpiry, '2026-09-01T00:00:00.000Z');
    assert.equal(lifecycle.nextStep(next), 'watch');
  });
});

describe('connection state: requests from handlers', () => {
  it('keeps the first disconnect reason', () => {
    const once = lifecycle.disconnectRequested(fresh(), 'dsk_request');
    assert.equal(lifecycle.disconnectRequested(once, 'meta_deauthorize').requests.disconnect, 'dsk_request');
  });

  it('takes a cancel only while a round waits for the person, and keeps the first reason', () => {
    assert.equal(lifecycle.cancelRequested(lifecycle.cancelRequested(fresh(), 'user_cancelled'), 'meta_error').requests.cancel, 'user_cancelled');
    assert.equal(lifecycle.cancelRequested(lifecycle.authorizing(fresh()), 'user_cancelled').requests.cancel, undefined);
    assert.equal(lifecycle.cancelRequested(live(), 'user_cancelled').requests.cancel, undefined);
  });

  it("brings the token check forward only for a live channel", () => {
    assert.equal(lifecycle.tokenRejected(live()).requests.tokenCheck, true);
    const waiting = lifecycle.afterCheck(live(), check({ state: 'invalid' }), NOW).state;
    assert.equal(lifecycle.tokenRejected(waiting).requests.tokenCheck, false);
  });

  it('accepts one authorization while awaiting it, and refuses a second (a replayed callback) or one in another phase', () => {
    assert.equal(lifecycle.authorizationRefusal(fresh()), undefined);
    assert.equal(lifecycle.authorizationRefusal(lifecycle.authorizationRequested(fresh())), 'not awaiting authorization (phase awaiting_authorization)');
    assert.equal(lifecycle.authorizationRefusal(live()), 'not awaiting authorization (phase active)');
  });

  it('accepts one choice among the offered assets while choosing', () => {
    const granted = lifecycle.assetsGranted(lifecycle.authorizing(fresh()), [
      { id: 'pn-1', name: 'Sales' },
      { id: 'pn-2', name: 'Support' },
    ]);
    assert.ok('state' in granted);
    assert.equal(lifecycle.choiceRefusal(granted.state, 'pn-2'), undefined);
    assert.equal(lifecycle.choiceRefusal(granted.state, 'pn-9'), 'unknown asset');
    assert.equal(lifecycle.choiceRefusal(lifecycle.assetChosen(granted.state, 'pn-1'), 'pn-2'), 'not choosing an asset (phase choosing_asset)');
    assert.equal(lifecycle.choiceRefusal(fresh(), 'pn-1'), 'not choosing an asset (phase awaiting_authorization)');
  });

  it("begins a re-authorization round of a live or waiting channel: next round, new session, none of the last round's requests", () => {
    assert.equal(lifecycle.reauthorizationRefusal(fresh()), 'cannot re-authorize (phase awaiting_authorization)');
    assert.equal(lifecycle.reauthorizationRefusal(live()), undefined);
    const before = lifecycle.disconnectRequested(lifecycle.assetChosen(lifecycle.authorizationRequested(live()), 'pn-1'), 'dsk_request');
    const begun = lifecycle.reauthorizationBegun(before, new Date(NOW + 5 * MINUTE).toISOString());
    assert.deepEqual([begun.status.phase, begun.status.round, begun.sessionDeadlineMs], ['awaiting_authorization', 2, NOW + 5 * MINUTE]);
    assert.deepEqual(begun.requests, { authorization: false, tokenCheck: false, disconnect: 'dsk_request' });
    assert.equal(begun.status.channelId, 'ch-1');
  });

  it('never changes the state it is given', () => {
    const state = fresh();
    const copy = structuredClone(state);
    lifecycle.disconnectRequested(state, 'dsk_request');
    lifecycle.authorizationRequested(state);
    lifecycle.cancelRequested(state, 'user_cancelled');
    lifecycle.authorizing(state);
    assert.deepEqual(state, copy);
  });
});

describe('connection state: an authorization round', () => {
  it('puts a disconnect before everything else: the channel is disconnected, or a connection without one is cancelled', () => {
    assert.equal(lifecycle.nextStep(lifecycle.disconnectRequested(live(), 'dsk_request')), 'disconnect');
    assert.equal(lifecycle.nextStep(lifecycle.disconnectRequested(fresh(), 'dsk_request')), 'cancel');
  });

  it('after the wait for the code: exchanges it, ends the round as cancelled or expired, or looks again after a disconnect', () => {
    const requested = lifecycle.authorizationRequested(fresh());
    assert.equal(lifecycle.authorizationSettled(fresh()), false);
    assert.equal(lifecycle.authorizationSettled(requested), true);
    assert.equal(lifecycle.afterAuthorizationWait(requested, true), 'exchange');
    assert.deepEqual(lifecycle.afterAuthorizationWait(fresh(), false), { end: 'expired' });
    assert.deepEqual(lifecycle.afterAuthorizationWait(lifecycle.cancelRequested(fresh(), 'user_cancelled'), true), { end: 'cancelled', failureCode: 'user_cancelled' });
    assert.equal(lifecycle.afterAuthorizationWait(lifecycle.disconnectRequested(requested, 'dsk_request'), true), 'reconsider');
  });

  it('waits for the code only until the session ends, never a negative time', () => {
    assert.equal(lifecycle.sessionRemainingMs(fresh(), NOW), 30 * MINUTE);
    assert.equal(lifecycle.sessionRemainingMs(fresh(), NOW + 31 * MINUTE), 0);
  });

  it('fails a grant without assets, activates a single one, and offers several to choose from', () => {
    const state = lifecycle.authorizing(fresh());
    assert.deepEqual(lifecycle.assetsGranted(state, []), { failure: { code: 'no_assets', message: 'Meta granted no phone number or account that can be connected' } });
    assert.deepEqual(lifecycle.assetsGranted(state, [{ id: 'pn-1', name: 'Sales' }]), { assetId: 'pn-1' });
    const options = [
      { id: 'pn-1', name: 'Sales' },
      { id: 'pn-2', name: 'Support' },
    ];
    const several = lifecycle.assetsGranted(state, options);
    assert.ok('state' in several);
    assert.deepEqual([several.state.status.phase, several.state.status.assetOptions], ['choosing_asset', options]);
  });

  it('after the wait for a choice: withdraws the options, then activates the choice or ends the round', () => {
    const several = lifecycle.assetsGranted(lifecycle.authorizing(fresh()), [
      { id: 'pn-1', name: 'Sales' },
      { id: 'pn-2', name: 'Support' },
    ]);
    assert.ok('state' in several);
    const chosen = lifecycle.afterChoiceWait(lifecycle.assetChosen(several.state, 'pn-2'), true);
    assert.deepEqual(chosen.next, { assetId: 'pn-2' });
    assert.equal('assetOptions' in chosen.state.status, false);
    assert.deepEqual(lifecycle.afterChoiceWait(several.state, false).next, { end: 'expired' });
    assert.deepEqual(lifecycle.afterChoiceWait(lifecycle.cancelRequested(several.state, 'user_cancelled'), true).next, { end: 'cancelled', failureCode: 'user_cancelled' });
    assert.equal(lifecycle.afterChoiceWait(lifecycle.disconnectRequested(several.state, 'dsk_request'), true).next, 'reconsider');
  });

  it('ends a round without a channel with its outcome, and keeps an existing channel waiting for re-authorization', () => {
    assert.deepEqual(lifecycle.roundEnded(fresh(), { end: 'expired' }), { state: { ...fresh(), status: { ...fresh().status, phase: 'expired' } }, cleanup: 'finishConnection', final: true });
    const reconnecting = lifecycle.reauthorizationBegun(live(), new Date(NOW + 30 * MINUTE).toISOString());
    const ended = lifecycle.roundEnded(reconnecting, { end: 'cancelled', failureCode: 'user_cancelled' });
    assert.deepEqual([ended.state.status.phase, ended.state.status.channelId, ended.cleanup, ended.final], ['reauth_required', 'ch-1', 'discardSession', false]);
  });

  it('activates the channel: live, the last failure gone, DSK told connected (round 1) or reconnected (later rounds)', () => {
    const failed = lifecycle.failedWith(fresh(), { code: 'meta.transient', message: 'x' });
    const first = lifecycle.activated(failed, { channelId: 'ch-1', tokenExpiresAt: '2026-09-01T00:00:00.000Z' });
    assert.deepEqual(first.state.status, { connectionId: 'conn-1', instanceId: 'inst-1', channelType: 'whatsapp', phase: 'active', round: 1, channelId: 'ch-1', tokenExpiresAt: '2026-09-01T00:00:00.000Z' });
    assert.equal(first.reason, 'connected');
    assert.equal(lifecycle.activated(lifecycle.reauthorizationBegun(live(), input.sessionExpiresAt), { channelId: 'ch-1', tokenExpiresAt: null }).reason, 'reconnected');
  });
});

describe('connection state: a live channel', () => {
  it('checks the token daily, earlier to refresh it 7 days before expiry, but never sooner than a minute', () => {
    assert.equal(lifecycle.nextCheckDelayMs(NOW, null, timing), lifecycle.DAY_MS);
    assert.equal(lifecycle.nextCheckDelayMs(NOW, new Date(NOW + 7 * lifecycle.DAY_MS + 2 * 3_600_000).toISOString(), timing), 2 * 3_600_000);
    assert.equal(lifecycle.nextCheckDelayMs(NOW, new Date(NOW + lifecycle.DAY_MS).toISOString(), timing), MINUTE);
    assert.equal(lifecycle.nextCheckDelayMs(NOW, null, lifecycle.resolvedTiming({ checkEveryMs: 2_000 })), 2_000);
  });

  it('waits the plain interval while waiting for re-authorization', () => {
    const waiting = lifecycle.afterCheck(live({ tokenExpiresAt: new Date(NOW + lifecycle.DAY_MS).toISOString() }), check({ state: 'invalid' }), NOW).state;
    assert.equal(lifecycle.watchDelayMs(waiting, NOW, timing), lifecycle.DAY_MS);
  });

  it('after the wait: checks a live channel when its time came, idles one waiting for re-authorization', () => {
    assert.equal(lifecycle.afterWatchWait(live(), false).next, 'check');
    const waiting = lifecycle.afterCheck(live(), check({ state: 'invalid' }), NOW).state;
    assert.equal(lifecycle.afterWatchWait(waiting, false).next, 'idle');
  });

  it("checks at once after a send's token error, and looks again after a disconnect or a re-authorization", () => {
    const rejected = lifecycle.tokenRejected(live());
    assert.equal(lifecycle.watchInterrupted(rejected), true);
    const watched = lifecycle.afterWatchWait(rejected, true);
    assert.deepEqual([watched.next, watched.state.requests.tokenCheck], ['check', false]);
    const leaving = lifecycle.disconnectRequested(rejected, 'dsk_request');
    assert.deepEqual([lifecycle.afterWatchWait(leaving, true).next, lifecycle.afterWatchWait(leaving, true).state.requests.tokenCheck], ['reconsider', false]);
    const reconnecting = lifecycle.reauthorizationBegun(live(), input.sessionExpiresAt);
    assert.equal(lifecycle.watchInterrupted(reconnecting), true);
    assert.equal(lifecycle.afterWatchWait(reconnecting, true).next, 'reconsider');
  });

  it('records each check; a dead token makes the channel wait for re-authorization and DSK is told', () => {
    const checked = lifecycle.afterCheck(live(), check({ state: 'invalid', expiresAt: null }), NOW);
    assert.deepEqual([checked.state.status.phase, checked.notify, checked.state.status.lastCheckedAt], ['reauth_required', 'reauth_required', new Date(NOW).toISOString()]);
    const fine = lifecycle.afterCheck(live(), check({ state: 'refreshed', expiresAt: '2026-10-01T00:00:00.000Z' }), NOW);
    assert.deepEqual([fine.state.status.phase, fine.state.status.tokenExpiresAt, fine.notify], ['active', '2026-10-01T00:00:00.000Z', undefined]);
  });

  it('warns DSK once per expiry of a token that cannot be refreshed', () => {
    const expiring = check({ expiresAt: '2026-08-01T00:00:00.000Z', expiringSoon: true });
    const first = lifecycle.afterCheck(live(), expiring, NOW);
    assert.equal(first.notify, 'token_expiring');
    assert.equal(lifecycle.afterCheck(first.state, expiring, NOW + lifecycle.DAY_MS).notify, undefined);
    assert.equal(lifecycle.afterCheck(first.state, { ...expiring, expiresAt: '2026-08-02T00:00:00.000Z' }, NOW).notify, 'token_expiring');
  });

  it('disconnects with the reason asked for', () => {
    const leaving = lifecycle.disconnectRequested(live(), 'meta_account_update');
    assert.equal(lifecycle.disconnectReason(leaving), 'meta_account_update');
    assert.equal(lifecycle.disconnected(leaving).status.phase, 'disconnected');
    assert.equal(lifecycle.isFinal(lifecycle.disconnected(leaving).status.phase), true);
  });
});
