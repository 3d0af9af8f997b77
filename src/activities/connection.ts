import { ApplicationFailure, activityInfo } from '@temporalio/activity';
import type { Channels } from '../db/channels.js';
import type { ConnectionSessions } from '../db/connection-sessions.js';
import type { Connections } from '../db/connections.js';
import type { Instances } from '../db/instances.js';
import { DskDeliveryError, type DskClient } from '../dsk/client.js';
import type { ChannelConnector, DiscoveredAsset, ExchangedToken } from '../meta/connectors.js';
import { toMetaFailure } from '../meta/graph/failure.js';
import type { AssetOption, ConnectFlow, TokenCheck } from '../shared/connections.js';
import { serviceEventEnvelope } from '../shared/delivery.js';
import type { TokenVault } from '../vault/token-vault.js';
import type { Metrics } from '../metrics.js';
import { toActivityFailure } from './failures.js';

export interface ConnectionActivityDeps {
  connections: Connections;
  sessions: ConnectionSessions;
  channels: Channels;
  instances: Instances;
  vault: TokenVault;
  connectors: Readonly<Record<ConnectFlow, ChannelConnector>>;
  dsk: DskClient;
  /** The OAuth redirect URI registered with Meta (`<public base>/oauth/callback`). */
  redirectUri: string;
  clock: () => Date;
  metrics?: Pick<Metrics, 'tokenRefreshes'>;
}

/** What waits, encrypted, in the session between the code exchange and activation. */
interface PendingGrant {
  assets: Array<Omit<DiscoveredAsset, 'token'> & { token: { accessToken: string; kind: ExchangedToken['kind']; expiresAt: string | null } }>;
}

/**
 * Activities of the connection workflow. Codes and tokens are only ever handled here: read from the
 * database, decrypted for one call, written back encrypted. What returns to the workflow is ids,
 * names and statuses.
 */
export function createConnectionActivities(deps: ConnectionActivityDeps) {
  async function connectorFor(connectionId: string) {
    const connection = await deps.connections.get(connectionId);
    if (!connection) throw ApplicationFailure.nonRetryable('connection not found', 'connection_not_found');
    return { connection, connector: deps.connectors[connection.flow] };
  }

  async function tokenOf(channelId: string): Promise<string | null> {
    const stored = await deps.channels.tokenCiphertext(channelId);
    return stored ? deps.vault.decrypt(stored) : null;
  }

  /** The token check itself; `checkChannelToken` wraps it to count outcomes. */
  async function checkToken(input: { channelId: string; refreshBeforeMs: number }): Promise<TokenCheck> {
    const channel = await deps.channels.get(input.channelId);
    if (!channel || channel.status === 'disconnected' || !channel.connectionId) {
      return { state: 'invalid', expiresAt: null, expiringSoon: false, resubscribed: false };
    }
    const { connector } = await connectorFor(channel.connectionId);
    const token = await tokenOf(channel.id);
    if (!token) return { state: 'invalid', expiresAt: null, expiringSoon: false, resubscribed: false };
    const now = deps.clock();
    try {
      const inspection = await connector.inspectToken(token);
      if (!inspection.valid) {
        await deps.channels.recordCheck(channel.id, inspection.expiresAt, now);
        return { state: 'invalid', expiresAt: inspection.expiresAt?.toISOString() ?? null, expiringSoon: false, resubscribed: false };
      }
      let state: TokenCheck['state'] = 'valid';
      // Some token kinds (Instagram Login) may not report an expiry when inspected: keep the one we know,
      // or the refresh window would never be reached.
      let expiresAt = inspection.expiresAt ?? channel.tokenExpiresAt;
      const insideWindow = expiresAt !== null && expiresAt.getTime() - now.getTime() <= input.refreshBeforeMs;
      if (insideWindow && connector.refreshToken) {
        const refreshed = await connector.refreshToken(token);
        const ciphertext = deps.vault.encrypt(refreshed.accessToken);
        await deps.channels.replaceToken(channel.id, { ciphertext, keyId: deps.vault.keyIdOf(ciphertext), kind: refreshed.kind, expiresAt: refreshed.expiresAt }, now);
        state = 'refreshed';
        expiresAt = refreshed.expiresAt;
      } else {
        await deps.channels.recordCheck(channel.id, expiresAt, now);
      }
      const resubscribed = await connector.ensureSubscribed({ externalId: channel.externalId, wabaId: channel.wabaId, pageId: channel.pageId }, state === 'refreshed' ? (await tokenOf(channel.id))! : token);
      return { state, expiresAt: expiresAt?.toISOString() ?? null, expiringSoon: insideWindow && state !== 'refreshed', resubscribed };
    } catch (err) {
      if (toMetaFailure(err)?.code === 'reauth_required') {
        return { state: 'invalid', expiresAt: null, expiringSoon: false, resubscribed: false };
      }
      throw toActivityFailure(err);
    }
  }

  return {
    /** Code → long-lived token → assets; the token and assets wait encrypted in the session. */
    async exchangeAuthorization(input: { connectionId: string }): Promise<{ options: AssetOption[] }> {
      const { connector } = await connectorFor(input.connectionId);
      const codeCiphertext = await deps.sessions.takeCode(input.connectionId);
      if (!codeCiphertext) throw ApplicationFailure.nonRetryable('no authorization code is waiting', 'code_missing');
      const code = deps.vault.decrypt(codeCiphertext);
      let assets: DiscoveredAsset[];
      try {
        const token = await connector.exchangeCode({ code, redirectUri: deps.redirectUri });
        assets = await connector.discoverAssets(token);
      } catch (err) {
        // A code is single-use: whatever went wrong, retrying with it cannot succeed.
        throw toActivityFailure(err, { nonRetryable: true });
      }
      const pending: PendingGrant = {
        assets: assets.map((a) => ({ ...a, token: { accessToken: a.token.accessToken, kind: a.token.kind, expiresAt: a.token.expiresAt?.toISOString() ?? null } })),
      };
      await deps.sessions.storePending(input.connectionId, deps.vault.encrypt(JSON.stringify(pending)));
      return { options: assets.map((a) => ({ id: a.externalId, name: a.displayName, ...(a.phoneNumber ?? a.username ? { detail: a.phoneNumber ?? `@${a.username}` } : {}) })) };
    },

    /** Subscribes and registers the chosen asset, stores its token encrypted, and deletes the session. */
    async activateChannel(input: { connectionId: string; assetId: string }): Promise<{ channelId: string; tokenExpiresAt: string | null }> {
      const { connection, connector } = await connectorFor(input.connectionId);
      const session = await deps.sessions.get(input.connectionId);
      if (!session?.pendingCiphertext) {
        // Activation already ran and the session is gone: answer from the channel (activities are at-least-once).
        if (connection.channelId) {
          const channel = await deps.channels.get(connection.channelId);
          if (channel) return { channelId: channel.id, tokenExpiresAt: channel.tokenExpiresAt?.toISOString() ?? null };
        }
        throw ApplicationFailure.nonRetryable('no pending grant for this connection', 'grant_missing');
      }
      const pending = JSON.parse(deps.vault.decrypt(session.pendingCiphertext)) as PendingGrant;
      const chosen = pending.assets.find((a) => a.externalId === input.assetId);
      if (!chosen) throw ApplicationFailure.nonRetryable('the chosen asset was not granted', 'asset_not_granted');
      const asset: DiscoveredAsset = { ...chosen, token: { ...chosen.token, expiresAt: chosen.token.expiresAt ? new Date(chosen.token.expiresAt) : null } };
      // A PIN the person typed is for one registration: kept while it may be retried, cleared once Meta answered.
      const pin = session.pinCiphertext ? deps.vault.decrypt(session.pinCiphertext) : undefined;
      try {
        await connector.activate(asset, pin === undefined ? {} : { pin });
      } catch (err) {
        const failure = toActivityFailure(err);
        if (pin !== undefined && failure.nonRetryable) await deps.sessions.clearPin(connection.id);
        throw failure;
      }
      const ciphertext = deps.vault.encrypt(asset.token.accessToken);
      const now = deps.clock();
      const result = await deps.channels.activate(
        {
          instanceId: connection.instanceId,
          connectionId: connection.id,
          channelType: connection.channelType,
          externalId: asset.externalId,
          wabaId: asset.wabaId ?? null,
          pageId: asset.pageId ?? null,
          businessId: asset.businessId ?? null,
          displayName: asset.displayName,
          phoneNumber: asset.phoneNumber ?? null,
          username: asset.username ?? null,
          metaUserId: asset.metaUserId ?? null,
          verification: asset.verification,
          tokenCiphertext: ciphertext,
          tokenKeyId: deps.vault.keyIdOf(ciphertext),
          tokenKind: asset.token.kind,
          tokenExpiresAt: asset.token.expiresAt,
        },
        now,
      );
      if ('conflict' in result) {
        await deps.sessions.delete(connection.id);
        throw ApplicationFailure.nonRetryable('this Meta asset is already connected to another instance', 'asset_in_use');
      }
      await deps.connections.setChannel(connection.id, result.channelId, now);
      await deps.sessions.delete(connection.id);
      return { channelId: result.channelId, tokenExpiresAt: asset.token.expiresAt?.toISOString() ?? null };
    },

    /**
     * The periodic check: is the token alive (debug_token), refresh it inside the refresh window where
     * its kind allows, warn when it cannot be refreshed, and restore a webhook subscription Meta dropped.
     */
    async checkChannelToken(input: { channelId: string; refreshBeforeMs: number }): Promise<TokenCheck> {
      try {
        const check = await checkToken(input);
        deps.metrics?.tokenRefreshes.inc({ result: check.state });
        return check;
      } catch (err) {
        deps.metrics?.tokenRefreshes.inc({ result: 'error' });
        throw err;
      }
    },

    async markChannelStatus(input: { channelId: string; status: 'active' | 'reauth_required' }): Promise<void> {
      await deps.channels.setStatus(input.channelId, input.status, deps.clock());
    },

    /**
     * Tells DSK about the channel (`channel.status`). The idempotency key is stable across retries of
     * this activity, so DSK sees one event per status change.
     */
    async notifyChannelStatus(input: { channelId: string; status: string; reason: string }): Promise<{ delivered: boolean }> {
      const channel = await deps.channels.get(input.channelId);
      if (!channel) return { delivered: false };
      const instance = await deps.instances.get(channel.instanceId);
      if (!instance?.eventsUrl) return { delivered: false };
      const info = activityInfo();
      const key = `ch:status:${channel.id}:${info.workflowExecution?.runId ?? info.activityRunId ?? "standalone"}:${info.activityId}`;
      try {
        await deps.dsk.deliver({
          url: instance.eventsUrl,
          instanceId: channel.instanceId,
          idempotencyKey: key,
          envelope: serviceEventEnvelope({ key, type: 'channel.status', instanceId: channel.instanceId, channel, at: deps.clock(), data: { status: input.status, reason: input.reason } }),
        });
        return { delivered: true };
      } catch (err) {
        if (err instanceof DskDeliveryError && !err.retryable) return { delivered: false };
        throw toActivityFailure(err);
      }
    },

    /**
     * Keeps the session (the pending grant, encrypted) until `untilMs` while the workflow waits for Meta
     * to allow registration again, so retention does not take it away meanwhile.
     */
    async holdSession(input: { connectionId: string; untilMs: number }): Promise<void> {
      await deps.sessions.extend(input.connectionId, new Date(input.untilMs));
    },

    async discardSession(input: { connectionId: string }): Promise<void> {
      await deps.sessions.delete(input.connectionId);
    },

    async finishConnection(input: { connectionId: string; status: 'expired' | 'cancelled' | 'failed'; failureCode: string | null }): Promise<void> {
      await deps.sessions.delete(input.connectionId);
      await deps.connections.setStatus(input.connectionId, input.status, input.failureCode, deps.clock());
    },

    /** Unsubscribes (best effort: the token may already be dead), destroys the token, marks disconnected. */
    async disconnectChannel(input: { connectionId: string; channelId: string; reason: string }): Promise<void> {
      const channel = await deps.channels.get(input.channelId);
      if (channel && channel.status !== 'disconnected' && channel.connectionId) {
        const token = await tokenOf(channel.id).catch(() => null);
        if (token) {
          const { connector } = await connectorFor(channel.connectionId);
          // A WABA's (or page's) subscription serves every live channel on it: unsubscribing for one
          // number would silence the others.
          if (!(await deps.channels.sharesSubscription(channel))) {
            await connector.unsubscribe({ externalId: channel.externalId, wabaId: channel.wabaId, pageId: channel.pageId }, token).catch(() => undefined);
          }
        }
      }
      const now = deps.clock();
      await deps.channels.disconnect(input.channelId, now);
      await deps.sessions.delete(input.connectionId);
      await deps.connections.setStatus(input.connectionId, 'disconnected', null, now);
    },
  };
}

export type ConnectionActivities = ReturnType<typeof createConnectionActivities>;
