import type pg from 'pg';
import type { Logger } from '../logger.js';
import { VaultError, type TokenVault } from './token-vault.js';

export interface RotateTokensDeps {
  pool: pg.Pool;
  vault: TokenVault;
  log: Logger;
  batchSize?: number;
}

export interface RotateTokensResult {
  /** Rows with a stored token that were examined. */
  scanned: number;
  /** Rows rewritten under the newest key. */
  rotated: number;
  /** Rows whose token could not be decrypted (unknown key, malformed, failed verification). */
  failed: number;
}

interface ChannelTokenRow {
  id: string;
  token_ciphertext: string;
}

/**
 * Re-encrypts every stored channel token that is not under the vault's newest key. Safe to run while the
 * service is up: each row is written with a compare-and-set on the ciphertext that was read, so a token
 * refreshed meanwhile is left as the refresh wrote it. Idempotent; rerun after fixing failed rows.
 */
export async function rotateStoredTokens(deps: RotateTokensDeps): Promise<RotateTokensResult> {
  const { pool, vault, log } = deps;
  const batchSize = deps.batchSize ?? 100;
  if (!Number.isSafeInteger(batchSize) || batchSize < 1) throw new RangeError('batchSize must be a positive integer');

  const result: RotateTokensResult = { scanned: 0, rotated: 0, failed: 0 };
  let conflicts = 0;
  let afterId: string | null = null;
  log.info({ keyId: vault.currentKeyId, batchSize }, 'token rotation started');

  for (;;) {
    // Keyset pagination on the primary key: rows rewritten by this run keep their id, so none is read twice.
    const page: pg.QueryResult<ChannelTokenRow> = await pool.query<ChannelTokenRow>(
      `SELECT id, token_ciphertext FROM channels
        WHERE token_ciphertext IS NOT NULL AND ($1::uuid IS NULL OR id > $1::uuid)
        ORDER BY id
        LIMIT $2`,
      [afterId, batchSize],
    );
    for (const row of page.rows) {
      result.scanned += 1;
      let rotated: string;
      try {
        if (!vault.needsRotation(row.token_ciphertext)) continue;
        rotated = vault.reencrypt(row.token_ciphertext);
      } catch (err) {
        if (!(err instanceof VaultError)) throw err;
        result.failed += 1;
        // `code` is a redacted log field (OAuth codes), hence errorCode.
        log.warn({ channelId: row.id, errorCode: err.code, reason: err.reason }, 'stored token could not be rotated');
        continue;
      }
      const update = await pool.query(
        `UPDATE channels SET token_ciphertext = $3, token_key_id = $4
          WHERE id = $1 AND token_ciphertext = $2`,
        [row.id, row.token_ciphertext, rotated, vault.keyIdOf(rotated)],
      );
      if (update.rowCount === 1) result.rotated += 1;
      else conflicts += 1;
    }
    const last = page.rows.at(-1);
    if (last === undefined || page.rows.length < batchSize) break;
    afterId = last.id;
    log.debug({ scanned: result.scanned, rotated: result.rotated, failed: result.failed }, 'token rotation batch done');
  }

  log.info({ ...result, conflicts, keyId: vault.currentKeyId }, 'token rotation finished');
  return result;
}
