import {
  ActivityFailure,
  ApplicationFailure,
  allHandlersFinished,
  condition,
  continueAsNew,
  log,
  proxyActivities,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { ConnectionActivities } from '../activities/connection.js';
import type { ConnectionPhase, ConnectionStatus, ConnectionWorkflowInput } from '../shared/connections.js';
import { CHANNEL_ID, STATUS } from '../shared/search-attributes.js';
import { acceptsAuthorization, nextCheckDelayMs, phaseAfterCheck, publicStatus, resolvedTiming } from './connection-state.js';
import { authorizeUpdate, beginReauthorizationUpdate, cancelSignal, chooseAssetUpdate, connectionStatusQuery, disconnectSignal, tokenRejectedSignal } from './messages.js';

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
 * One channel connection, `connection-<id>`, for as long as the channel lives: it waits for the
 * OAuth code (expiring with the session), exchanges it, lets the person choose when Meta grants
 * several assets, activates the channel, then checks its token on a durable timer, refreshing it
 * before expiry where the token kind allows and asking for re-authorization when it dies, until a
 * disconnect (from DSK, Meta's deauthorize or data-deletion callbacks, or WhatsApp's account_update).
 *
 * Only ids and statuses pass through here: codes and tokens are read and written by activities,
 * encrypted, so they never enter the workflow history.
 */
export async function connectionWorkflow(input: ConnectionWorkflowInput): Promise<ConnectionStatus> {
  const timing = resolvedTiming(input.timing);
  const carried = input.carried;
  const s: ConnectionStatus = {
    connectionId: input.connectionId,
    instanceId: input.instanceId,
    channelType: input.channelType,
    phase: carried?.phase ?? 'awaiting_authorization',
    round: carried?.round ?? 1,
    ...(carried?.channelId ? { channelId: carried.channelId } : {}),
    ...(carried?.tokenExpiresAt !== undefined ? { tokenExpiresAt: carried.tokenExpiresAt } : {}),
    ...(carried?.lastCheckedAt ? { lastCheckedAt: carried.lastCheckedAt } : {}),
  };
  let sessionDeadline = Date.parse(input.sessionExpiresAt);
  let authorizationRequested = false;
  let chosenAssetId: string | undefined;
  let cancelReason: string | undefined;
  let disconnectReason: string | undefined;
  let warnedForExpiry = carried?.warnedForExpiry ?? null;
  let tokenRejected = false;

  setHandler(connectionStatusQuery, () => publicStatus(s));
  setHandler(disconnectSignal, ({ reason }) => {
    disconnectReason ??= reason;
  });
  setHandler(tokenRejectedSignal, () => {
    // Only a live channel is checked early; one already waiting for re-authorization has nothing to learn.
    if (s.phase === 'active') tokenRejected = true;
  });
  setHandler(cancelSignal, ({ reason }) => {
    if (s.phase === 'awaiting_authorization' || s.phase === 'choosing_asset') cancelReason ??= reason;
  });
  setHandler(
    authorizeUpdate,
    async () => {
      authorizationRequested = true;
      await condition(() => s.phase !== 'awaiting_authorization' && s.phase !== 'authorizing');
      return publicStatus(s);
    },
    {
      // Rejected updates never reach history: a replayed or late callback is refused here.
      validator: () => {
        if (!acceptsAuthorization(s.phase) || authorizationRequested) throw new Error(`not awaiting authorization (phase ${s.phase})`);
      },
    },
  );
  setHandler(
    chooseAssetUpdate,
    async ({ assetId }) => {
      chosenAssetId = assetId;
      await condition(() => s.phase !== 'choosing_asset');
      return publicStatus(s);
    },
    {
      validator: ({ assetId }) => {
        if (s.phase !== 'choosing_asset' || chosenAssetId !== undefined) throw new Error(`not choosing an asset (phase ${s.phase})`);
        if (!s.assetOptions?.some((o) => o.id === assetId)) throw new Error('unknown asset');
      },
    },
  );
  setHandler(
    beginReauthorizationUpdate,
    ({ sessionExpiresAt }) => {
      sessionDeadline = Date.parse(sessionExpiresAt);
      authorizationRequested = false;
      chosenAssetId = undefined;
      cancelReason = undefined;
      s.round += 1;
      setPhase('awaiting_authorization');
      return publicStatus(s);
    },
    {
      validator: (_request: { sessionExpiresAt: string }) => {
        if (s.phase !== 'active' && s.phase !== 'reauth_required') throw new Error(`cannot re-authorize (phase ${s.phase})`);
      },
    },
  );

  function setPhase(phase: ConnectionPhase) {
    s.phase = phase;
    upsertSearchAttributes([{ key: STATUS, value: phase }]);
  }

  /** Where a failed or abandoned authorization round leaves the connection. */
  async function endRound(outcome: 'expired' | 'cancelled' | 'failed', failureCode?: string): Promise<boolean> {
    if (s.channelId) {
      // A re-connect that did not complete: the channel keeps its state and inbound keeps flowing.
      await cleanup.discardSession({ connectionId: s.connectionId });
      setPhase('reauth_required');
      return false;
    }
    await cleanup.finishConnection({ connectionId: s.connectionId, status: outcome, failureCode: failureCode ?? null });
    setPhase(outcome);
    return true;
  }

  for (;;) {
    if (disconnectReason && s.channelId) break;
    if (disconnectReason) {
      await endRound('cancelled', disconnectReason);
      return publicStatus(s);
    }

    if (s.phase === 'awaiting_authorization') {
      const arrived = await condition(() => authorizationRequested || cancelReason !== undefined || disconnectReason !== undefined, Math.max(sessionDeadline - Date.now(), 0));
      if (disconnectReason) continue;
      if (cancelReason !== undefined || !arrived) {
        if (await endRound(cancelReason !== undefined ? 'cancelled' : 'expired', cancelReason)) return publicStatus(s);
        continue;
      }
      setPhase('authorizing');
      let options;
      try {
        ({ options } = await authorizing.exchangeAuthorization({ connectionId: s.connectionId }));
      } catch (err) {
        s.failure = failureOf(err, 'authorization_failed');
        if (await endRound('failed', s.failure.code)) return publicStatus(s);
        continue;
      }
      if (options.length === 0) {
        s.failure = { code: 'no_assets', message: 'Meta granted no phone number or account that can be connected' };
        if (await endRound('failed', s.failure.code)) return publicStatus(s);
        continue;
      }
      let assetId = options.length === 1 ? options[0]!.id : undefined;
      if (!assetId) {
        s.assetOptions = options;
        setPhase('choosing_asset');
        const chosen = await condition(() => chosenAssetId !== undefined || cancelReason !== undefined || disconnectReason !== undefined, timing.chooseTimeoutMs);
        delete s.assetOptions;
        if (disconnectReason) continue;
        if (!chosen || cancelReason !== undefined) {
          if (await endRound(cancelReason !== undefined ? 'cancelled' : 'expired', cancelReason)) return publicStatus(s);
          continue;
        }
        assetId = chosenAssetId!;
      }
      try {
        const activated = await acts.activateChannel({ connectionId: s.connectionId, assetId });
        s.channelId = activated.channelId;
        s.tokenExpiresAt = activated.tokenExpiresAt;
        delete s.failure;
        upsertSearchAttributes([{ key: CHANNEL_ID, value: activated.channelId }]);
        setPhase('active');
        warnedForExpiry = null;
        await acts.notifyChannelStatus({ channelId: activated.channelId, status: 'active', reason: s.round > 1 ? 'reconnected' : 'connected' });
      } catch (err) {
        s.failure = failureOf(err, 'activation_failed');
        if (await endRound('failed', s.failure.code)) return publicStatus(s);
      }
      continue;
    }

    if (s.phase === 'active' || s.phase === 'reauth_required') {
      const delay = s.phase === 'active' ? nextCheckDelayMs(Date.now(), s.tokenExpiresAt, timing) : timing.checkEveryMs;
      const interrupted = await condition(() => disconnectReason !== undefined || s.phase === 'awaiting_authorization' || tokenRejected, delay);
      // A send's token error brings the check forward (Meta's debug_token confirms it before the channel flips).
      const checkNow = tokenRejected && disconnectReason === undefined && s.phase === 'active';
      tokenRejected = false;
      if (interrupted && !checkNow) continue;
      if (s.phase === 'active' && s.channelId) {
        const check = await acts.checkChannelToken({ channelId: s.channelId, refreshBeforeMs: timing.refreshBeforeMs });
        s.lastCheckedAt = new Date(Date.now()).toISOString();
        s.tokenExpiresAt = check.expiresAt;
        const next = phaseAfterCheck(s.phase, check);
        if (next === 'reauth_required') {
          setPhase('reauth_required');
          await acts.markChannelStatus({ channelId: s.channelId, status: 'reauth_required' });
          await acts.notifyChannelStatus({ channelId: s.channelId, status: 'reauth_required', reason: 'token_invalid' });
        } else if (check.expiringSoon && warnedForExpiry !== check.expiresAt) {
          warnedForExpiry = check.expiresAt;
          await acts.notifyChannelStatus({ channelId: s.channelId, status: 'active', reason: 'token_expiring' });
        }
        if (check.resubscribed) log.warn('webhook subscription was missing and has been restored', { channelId: s.channelId });
      }
      if (workflowInfo().continueAsNewSuggested) {
        await condition(allHandlersFinished);
        return await continueAsNew<typeof connectionWorkflow>({
          ...input,
          carried: { phase: s.phase, channelId: s.channelId, tokenExpiresAt: s.tokenExpiresAt ?? null, lastCheckedAt: s.lastCheckedAt, round: s.round, warnedForExpiry },
        });
      }
      continue;
    }
    break;
  }

  // Disconnect: unsubscribe where possible, destroy the token, mark disconnected, tell DSK.
  await cleanup.disconnectChannel({ connectionId: s.connectionId, channelId: s.channelId!, reason: disconnectReason ?? 'unknown' });
  setPhase('disconnected');
  await cleanup.notifyChannelStatus({ channelId: s.channelId!, status: 'disconnected', reason: disconnectReason ?? 'unknown' });
  await condition(allHandlersFinished);
  return publicStatus(s);
}

function failureOf(err: unknown, fallback: string): { code: string; message: string } {
  const cause = err instanceof ActivityFailure ? err.cause : err;
  if (cause instanceof ApplicationFailure && cause.type) return { code: cause.type, message: cause.message };
  return { code: fallback, message: 'The connection could not be completed' };
}
