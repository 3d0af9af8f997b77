import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createLogger } from '../../src/logger.js';
import { generateFernetKey } from '../../src/vault/fernet.js';
import { rotateStoredTokens } from '../../src/vault/rotate-tokens.js';
import { createTokenVault } from '../../src/vault/token-vault.js';
import { seedChannel, startTestService, uniqueMetaId, type TestService } from '../support/service.js';

describe('rotate-tokens against real PostgreSQL', () => {
  let service: TestService;
  before(async () => {
    service = await startTestService({ withWorker: false });
  });
  after(async () => {
    await service?.stop();
  });

  it('re-encrypts every stored token under the newest key, leaving each token readable and unchanged', async () => {
    const oldKey = { id: `old${uniqueMetaId().slice(-6)}`, key: generateFernetKey() };
    const newKey = { id: `new${uniqueMetaId().slice(-6)}`, key: generateFernetKey() };
    const before = createTokenVault({ keys: [oldKey] });
    const instanceId = `inst-rotate-${uniqueMetaId()}`;
    const tokens = ['EAAGtoken-one', 'EAAGtoken-two', 'EAAGtoken-three'];
    const ids: string[] = [];
    for (const token of tokens) {
      const id = await seedChannel(service, { instanceId, channelType: 'whatsapp', externalId: uniqueMetaId(), eventsUrl: null });
      const stored = before.encrypt(token);
      await service.foundation.pool.query(`UPDATE channels SET token_ciphertext = $2, token_key_id = $3 WHERE id = $1`, [id, stored, oldKey.id]);
      ids.push(id);
    }
    const after = createTokenVault({ keys: [newKey, oldKey] });
    const result = await rotateStoredTokens({ pool: service.foundation.pool, vault: after, log: createLogger({ level: 'silent' }), batchSize: 2 });
    assert.ok(result.rotated >= 3, `rotated ${result.rotated}`);
    const { rows } = await service.foundation.pool.query<{ id: string; token_ciphertext: string; token_key_id: string }>(
      `SELECT id, token_ciphertext, token_key_id FROM channels WHERE id = ANY($1::uuid[])`,
      [ids],
    );
    const onlyNew = createTokenVault({ keys: [newKey] });
    for (const row of rows) {
      assert.equal(row.token_key_id, newKey.id);
      assert.equal(onlyNew.keyIdOf(row.token_ciphertext), newKey.id);
    }
    assert.deepEqual(rows.map((r) => onlyNew.decrypt(r.token_ciphertext)).sort(), [...tokens].sort());
    // A second run rewrites none of them: they are already under the newest key. (Other test files'
    // channels share this database under keys this vault does not know; they count as failed here.)
    const snapshot = rows.map((r) => r.token_ciphertext).sort();
    await rotateStoredTokens({ pool: service.foundation.pool, vault: after, log: createLogger({ level: 'silent' }) });
    const { rows: afterAgain } = await service.foundation.pool.query<{ token_ciphertext: string }>(`SELECT token_ciphertext FROM channels WHERE id = ANY($1::uuid[])`, [ids]);
    assert.deepEqual(afterAgain.map((r) => r.token_ciphertext).sort(), snapshot);
  });
});
