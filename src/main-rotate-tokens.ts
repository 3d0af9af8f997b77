import { createPool } from './db/pool.js';
import { startProcess } from './entry.js';
import { rotateStoredTokens } from './vault/rotate-tokens.js';
import { createTokenVault } from './vault/token-vault.js';

/** Re-encrypts every stored Meta token under the newest TOKEN_ENCRYPTION_KEYS entry (docs/token-vault.md). */
startProcess('rotate-tokens', async (config, log) => {
  const pool = createPool({ url: config.database.url, poolMax: 2, applicationName: 'meta-integration-rotate-tokens' });
  try {
    const result = await rotateStoredTokens({ pool, vault: createTokenVault({ keys: config.tokenKeys }), log });
    log.info(result, 'token rotation finished');
    if (result.failed > 0) process.exitCode = 2;
  } finally {
    await pool.end();
  }
});
