import type { Channels } from '../db/channels.js';
import type { Logger } from '../logger.js';
import type { ChannelAdapters } from '../meta/channel-adapter.js';
import { MetaApiError, MetaRequestError } from '../meta/graph/errors.js';
import type { SenderProfile } from '../shared/event-extras.js';
import type { TokenVault } from '../vault/token-vault.js';

/*
 * The name, username and picture of an Instagram customer, for `message.received` events. Looked up
 * with the channel's token and cached briefly in this worker's memory (a conversation's messages
 * then cost one lookup), never written to PostgreSQL: the profile reaches DSK inside the event and
 * nowhere else. A failed lookup is remembered for a short while and never fails the delivery.
 */

export interface SenderProfilesDeps {
  adapters: ChannelAdapters;
  channels: Pick<Channels, 'get' | 'tokenCiphertext'>;
  vault: TokenVault;
  log: Pick<Logger, 'info'>;
  now?: () => number;
  /** Default 10 minutes. */
  ttlMs?: number;
  /** A lookup that failed is not repeated for this long; default 1 minute. */
  failureTtlMs?: number;
  /** Default 10 000 entries, least recently used first out. */
  maxEntries?: number;
}

interface Entry {
  profile: SenderProfile | undefined;
  until: number;
}

export function createSenderProfiles(deps: SenderProfilesDeps) {
  const now = deps.now ?? Date.now;
  const ttlMs = deps.ttlMs ?? 10 * 60_000;
  const failureTtlMs = deps.failureTtlMs ?? 60_000;
  const maxEntries = deps.maxEntries ?? 10_000;
  // A Map iterates in insertion order: re-inserting on use makes its first key the least recently used.
  const cache = new Map<string, Entry>();

  function remember(key: string, profile: SenderProfile | undefined, forMs: number): void {
    cache.delete(key);
    cache.set(key, { profile, until: now() + forMs });
    while (cache.size > maxEntries) cache.delete(cache.keys().next().value!);
  }

  return {
    /** The profile, or undefined when Meta would not say (or the channel cannot ask). */
    async lookup(channelId: string, senderId: string): Promise<SenderProfile | undefined> {
      const key = `${channelId}:${senderId}`;
      const hit = cache.get(key);
      if (hit && hit.until > now()) {
        cache.delete(key);
        cache.set(key, hit);
        return hit.profile;
      }
      try {
        const channel = await deps.channels.get(channelId);
        const ciphertext = channel ? await deps.channels.tokenCiphertext(channelId) : null;
        const profiles = channel ? deps.adapters[channel.channelType].senderProfiles : undefined;
        if (!channel || !profiles || ciphertext === null) {
          remember(key, undefined, failureTtlMs);
          return undefined;
        }
        const found = await profiles.get(deps.vault.decrypt(ciphertext), channel, senderId);
        const profile: SenderProfile = {
          ...(found.name ? { name: found.name } : {}),
          ...(found.username ? { username: found.username } : {}),
          ...(found.profilePicUrl ? { profile_pic_url: found.profilePicUrl } : {}),
        };
        remember(key, profile, ttlMs);
        return profile;
      } catch (err) {
        const reason = err instanceof MetaRequestError ? err.reason : err instanceof MetaApiError ? `meta_${err.code ?? err.httpStatus}` : err instanceof Error ? err.name : typeof err;
        deps.log.info({ channelId, reason }, 'sender profile lookup failed; the event goes without it');
        remember(key, undefined, failureTtlMs);
        return undefined;
      }
    },

    /** Entries held (for tests). */
    size(): number {
      return cache.size;
    },
  };
}

export type SenderProfiles = ReturnType<typeof createSenderProfiles>;
