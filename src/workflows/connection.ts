import {
  ActivityFailure,
  ApplicationFailure,
  allHandlersFinished,
  condition,
  continueAsNew,
  log,
  patched,
  proxyActivities,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { ConnectionActivities } from '../activities/connection.js';
import type { TemplateActivities } from '../activities/templates.js';
import type { ConnectionFailure, ConnectionStatus, ConnectionWorkflowInput } from '../shared/connections.js';
import { CHANNEL_ID, STATUS } from '../shared/search-attributes.js';
import * as lifecycle from './connection-state.js';
import type { ConnectionState, RoundEnd } from './connection-state.js';
import { authorizeUpdate, beginReauthorizationUpdate, cancelSignal, chooseAssetUpdate, connectionStatusQuery, disconnectSignal, submitPinUpdate, tokenRejectedSignal } from './messages.js';

const acts = proxyActivities<ConnectionActivities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 5 },
});

/**
 * The code exchange runs at once and is retried only briefly: an Embedded Signup code lives about
 * 30 seconds, so a long retry would only fail later with the same outcome.
 */
const authorizing = proxyActivities<ConnectionActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '500 milliseconds', backoffCoefficient: 2, maximumAttempts: 3 },
});

/** Cleanup must eventually succeed (tokens are destroyed here): retried for a day. */
const cleanup = proxyActivities<ConnectionActivities>({
  startToCloseTimeout: '1 minute',
  scheduleToCloseTimeout: '1 day',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '10 minutes' },
});

/**
 * The WABA's message templates are read from Meta once the channel is live and again at every token
 * check (daily), besides the template webhooks. Runs recorded before this step replay without it.
 */
export const TEMPLATE_SYNC_PATCH = 'connection-template-sync';

/** A failed sync waits for the next check: the templates API being down must not disturb the connection. */
const templateSync = proxyActivities<TemplateActivities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '5 seconds', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 3 },
});

/**
 * One channel connection, `connection-<id>`, for as long as the channel lives: it waits for the
 * OAuth code (expiring with the session), exchanges it, lets the person choose when Meta grants
 * several assets, activates the channel, then checks its token on a durable timer, refreshing it
 * before expiry where the token kind allows and asking for re-authorization when it dies, until a
 * disconnect (from DSK, Meta's deauthorize or data-deletion callbacks, or WhatsApp's account_update).
 * The lifecycle's state and rules are in ./connection-state.ts; this is its driver: handlers record
 * requests, the loop waits, runs activities and applies their outcomes.
 *
 * Only ids and statuses pass through here: codes and tokens are read and written by activities,
 * encrypted, so they never enter the workflow history.
 */
export async function connectionWorkflow(input: ConnectionWorkflowInput): Promise<ConnectionStatus> {
  const timing = lifecycle.resolvedTiming(input.timing);
  let state: ConnectionState = lifecycle.initialConnectionState(input);
  const status = () => lifecycle.publicStatus(state.status);
  const connectionId = state.status.connectionId;

  /** Every phase change is visible to operators as `IntegrationStatus`, at the moment it happens. */
  function apply(next: ConnectionState): void {
    const changed = next.status.phase !== state.status.phase;
    state = next;
    if (changed) upsertSearchAttributes([{ key: STATUS, value: next.status.phase }]);
  }

  setHandler(connectionStatusQuery, status);
  setHandler(disconnectSignal, ({ reason }) => apply(lifecycle.disconnectRequested(state, reason)));
  setHandler(tokenRejectedSignal, () => apply(lifecycle.tokenRejected(state)));
  setHandler(cancelSignal, ({ reason }) => apply(lifecycle.cancelRequested(state, reason)));
  setHandler(
    authorizeUpdate,
    async () => {
      apply(lifecycle.authorizationRequested(state));
      await condition(() => state.status.phase !== 'awaiting_authorization' && state.status.phase !== 'authorizing');
      return status();
    },
    // Rejected updates never reach history: a replayed or late callback is refused here.
    { validator: () => refuseIf(lifecycle.authorizationRefusal(state)) },
  );
  setHandler(
    chooseAssetUpdate,
    async ({ assetId }) => {
      apply(lifecycle.assetChosen(state, assetId));
      await condition(() => state.status.phase !== 'choosing_asset');
      return status();
    },
    { validator: ({ assetId }) => refuseIf(lifecycle.choiceRefusal(state, assetId)) },
  );
  setHandler(
    submitPinUpdate,
    async () => {
      apply(lifecycle.pinSubmitted(state));
      await condition(() => lifecycle.pinAnswered(state));
      return status();
    },
    { validator: () => refuseIf(lifecycle.pinRefusal(state)) },
  );
  setHandler(
    beginReauthorizationUpdate,
    ({ sessionExpiresAt }) => {
      apply(lifecycle.reauthorizationBegun(state, sessionExpiresAt));
      return status();
    },
    { validator: (_request: { sessionExpiresAt: string }) => refuseIf(lifecycle.reauthorizationRefusal(state)) },
  );

  /** Ends an abandoned or failed round; true when that ends the connection. */
  async function endRound(round: RoundEnd): Promise<boolean> {
    const ended = lifecycle.roundEnded(state, round);
    if (ended.cleanup === 'discardSession') await cleanup.discardSession({ connectionId });
    else await cleanup.finishConnection({ connectionId, status: round.end, failureCode: round.failureCode ?? null });
    apply(ended.state);
    return ended.final;
  }

  async function fail(failure: ConnectionFailure): Promise<boolean> {
    state = lifecycle.failedWith(state, failure);
    return endRound({ end: 'failed', failureCode: failure.code });
  }

  /**
   * Activates the chosen asset; a WhatsApp number Meta will not register without its PIN makes the
   * person give it (awaiting_pin), and a wait Meta asks for is a timer (registration_waiting), each
   * followed by another attempt. True when the connection ended.
   */
  async function activate(assetId: string): Promise<boolean> {
    for (;;) {
      try {
        const channel = await acts.activateChannel({ connectionId, assetId });
        upsertSearchAttributes([{ key: CHANNEL_ID, value: channel.channelId }]);
        const live = lifecycle.activated(state, channel);
        apply(live.state);
        await acts.notifyChannelStatus({ channelId: channel.channelId, status: 'active', reason: live.reason });
        if (input.channelType === 'whatsapp') await syncTemplates(channel.channelId);
        return false;
      } catch (err) {
        const failure = failureOf(err, 'activation_failed');
        const plan = lifecycle.afterActivationFailure(state, failure, waitOf(err));
        if (plan.next === 'fail') return fail(plan.failure);
        let after;
        if (plan.next === 'ask_pin') {
          apply(lifecycle.pinRequested(state, failure));
          const given = await condition(() => lifecycle.pinSettled(state), timing.pinTimeoutMs);
          after = lifecycle.afterPinWait(state, given);
        } else {
          const waitMs = Math.min(plan.waitMs, timing.registrationWaitCapMs ?? plan.waitMs);
          const retryAtMs = Date.now() + waitMs;
          // The pending grant must outlive the wait (retention purges expired sessions).
          await acts.holdSession({ connectionId, untilMs: retryAtMs + timing.pinTimeoutMs });
          apply(lifecycle.registrationWaiting(state, new Date(retryAtMs).toISOString()));
          await condition(() => lifecycle.registrationWaitInterrupted(state), waitMs);
          after = lifecycle.afterRegistrationWait(state);
        }
        apply(after.state);
        if (after.next === 'reconsider') return false;
        if (after.next !== 'activate') return endRound(after.next);
      }
    }
  }

  for (;;) {
    const step = lifecycle.nextStep(state);
    if (step === 'disconnect') break;
    if (step === 'cancel') {
      await endRound({ end: 'cancelled', failureCode: lifecycle.disconnectReason(state) });
      return status();
    }

    if (step === 'authorize') {
      const arrived = await condition(() => lifecycle.authorizationSettled(state), lifecycle.sessionRemainingMs(state, Date.now()));
      const waited = lifecycle.afterAuthorizationWait(state, arrived);
      if (waited === 'reconsider') continue;
      if (waited !== 'exchange') {
        if (await endRound(waited)) return status();
        continue;
      }
      apply(lifecycle.authorizing(state));
      let options;
      try {
        ({ options } = await authorizing.exchangeAuthorization({ connectionId }));
      } catch (err) {
        if (await fail(failureOf(err, 'authorization_failed'))) return status();
        continue;
      }
      const granted = lifecycle.assetsGranted(state, options);
      if ('failure' in granted) {
        if (await fail(granted.failure)) return status();
        continue;
      }
      let assetId: string;
      if ('assetId' in granted) {
        assetId = granted.assetId;
      } else {
        apply(granted.state);
        const chosen = await condition(() => lifecycle.choiceSettled(state), timing.chooseTimeoutMs);
        const choice = lifecycle.afterChoiceWait(state, chosen);
        state = choice.state;
        if (choice.next === 'reconsider') continue;
        if (!('assetId' in choice.next)) {
          if (await endRound(choice.next)) return status();
          continue;
        }
        assetId = choice.next.assetId;
      }
      if (await activate(assetId)) return status();
      continue;
    }

    // step === 'watch': the channel lives; its token is checked on a durable timer.
    const interrupted = await condition(() => lifecycle.watchInterrupted(state), lifecycle.watchDelayMs(state, Date.now(), timing));
    const watched = lifecycle.afterWatchWait(state, interrupted);
    state = watched.state;
    if (watched.next === 'reconsider') continue;
    if (watched.next === 'check') {
      const channelId = state.status.channelId!;
      const check = await acts.checkChannelToken({ channelId, refreshBeforeMs: timing.refreshBeforeMs });
      const checked = lifecycle.afterCheck(state, check, Date.now());
      apply(checked.state);
      if (checked.notify === 'reauth_required') {
        await acts.markChannelStatus({ channelId, status: 'reauth_required' });
        await acts.notifyChannelStatus({ channelId, status: 'reauth_required', reason: 'token_invalid' });
      } else if (checked.notify === 'token_expiring') {
        await acts.notifyChannelStatus({ channelId, status: 'active', reason: 'token_expiring' });
      }
      if (check.resubscribed) log.warn('webhook subscription was missing and has been restored', { channelId });
      if (check.state !== 'invalid' && input.channelType === 'whatsapp') await syncTemplates(channelId);
    }
    if (workflowInfo().continueAsNewSuggested) {
      await condition(allHandlersFinished);
      return await continueAsNew<typeof connectionWorkflow>({ ...input, carried: lifecycle.carriedState(state) });
    }
  }

  // Disconnect: unsubscribe where possible, destroy the token, mark disconnected, tell DSK.
  const channelId = state.status.channelId!;
  const reason = lifecycle.disconnectReason(state);
  await cleanup.disconnectChannel({ connectionId, channelId, reason });
  apply(lifecycle.disconnected(state));
  await cleanup.notifyChannelStatus({ channelId, status: 'disconnected', reason });
  await condition(allHandlersFinished);
  return status();
}

/** Issue #13: the WABA's templates, re-read from Meta (WhatsApp channels only); a failure only waits for the next check. */
async function syncTemplates(channelId: string): Promise<void> {
  if (!patched(TEMPLATE_SYNC_PATCH)) return;
  try {
    await templateSync.syncChannelTemplates({ channelId });
  } catch (err) {
    if (!(err instanceof ActivityFailure)) throw err;
    log.warn('template sync failed; the next token check tries again', { channelId });
  }
}

function refuseIf(refusal: string | undefined): void {
  if (refusal !== undefined) throw new Error(refusal);
}

function failureOf(err: unknown, fallback: string): { code: string; message: string } {
  const cause = err instanceof ActivityFailure ? err.cause : err;
  if (cause instanceof ApplicationFailure && cause.type) return { code: cause.type, message: cause.message };
  return { code: fallback, message: 'The connection could not be completed' };
}

/** How long Meta asked to wait before trying again (a connector's `waitMs`, details[0]). */
function waitOf(err: unknown): number | undefined {
  const cause = err instanceof ActivityFailure ? err.cause : err;
  const details = cause instanceof ApplicationFailure ? (cause.details?.[0] as { waitMs?: unknown } | undefined) : undefined;
  return typeof details?.waitMs === 'number' ? details.waitMs : undefined;
}
