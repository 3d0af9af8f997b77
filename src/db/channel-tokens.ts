import type { Pool } from './pool.js';

/** What a Graph call on behalf of a channel needs; the token is still encrypted. */
export interface ChannelCredentials {
  id: string;
  channelType: 'whatsapp' | 'instagram';
  /** WhatsApp phone number id / Instagram account id. */
  externalId: string;
  status: 'active' | 'reauth_required' | 'disconnected';
  /** `fernet:<keyId>:<token>`; null once the channel was disconnected or never held a token. */
  tokenCiphertext: string | null;
}

/**
 * Reads a channel's stored token for a request made by DSK. Always scoped by instance: a channel of
 * another instance reads as absent, so callers answer 404 without revealing that it exists.
 */
export function createChannelTokens(pool: Pool) {
  return {
    async forInstance(instanceId: string, channelId: string): Promise<ChannelCredentials | undefined> {
      const { rows } = await pool.query<{
        id: string;
        channel_type: ChannelCredentials['channelType'];
        external_id: string;
        status: ChannelCredentials['status'];
        token_ciphertext: string | null;
      }>(`SELECT id, channel_type, external_id, status, token_ciphertext FROM channels WHERE id = $1 AND instance_id = $2`, [channelId, instanceId]);
      const row = rows[0];
      return row
        ? { id: row.id, channelType: row.channel_type, externalId: row.external_id, status: row.status, tokenCiphertext: row.token_ciphertext }
        : undefined;
    },
  };
}

export type ChannelTokens = ReturnType<typeof createChannelTokens>;
