import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, it } from 'node:test';
import { ENV_VARIABLES } from '../../src/config.js';
import { projectRoot } from '../../dev/infra/tools.js';

describe('.env.example', () => {
  it('documents exactly the variables the configuration schema reads', async () => {
    const text = await readFile(path.join(projectRoot(), '.env.example'), 'utf8');
    const documented = [...text.matchAll(/^([A-Z][A-Z0-9_]*)=/gm)].map((m) => m[1]!);
    assert.deepEqual([...new Set(documented)].sort(), [...ENV_VARIABLES].sort());
  });
});
