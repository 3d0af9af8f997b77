import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, it } from 'node:test';
import { Worker } from '@temporalio/worker';
import { projectRoot } from '../../dev/infra/tools.js';
import { WORKFLOWS_ENTRY } from '../../src/temporal/worker.js';

const HISTORIES = path.join(projectRoot(), 'test', 'histories');

/**
 * Replays recorded histories (scripts/record-histories.ts) through today's workflow code. A change
 * that would break running connections or inbound events (a different sequence of commands) fails
 * here with a determinism error, before it is deployed.
 */
describe('recorded workflow histories replay against the current workflow code', async () => {
  const files = (await readdir(HISTORIES)).filter((f) => f.endsWith('.json')).sort();

  it('has recorded histories of both long-running and short workflows', () => {
    assert.ok(files.some((f) => f.startsWith('connection-')), 'a connection workflow history');
    assert.ok(files.some((f) => f.startsWith('inbound-')), 'an inbound workflow history');
    assert.ok(files.some((f) => f.startsWith('outbound-')), 'an outbound workflow history');
  });

  for (const file of files) {
    it(`replays ${file}`, async () => {
      const history = JSON.parse(await readFile(path.join(HISTORIES, file), 'utf8'));
      await Worker.runReplayHistory({ workflowsPath: WORKFLOWS_ENTRY }, history, file);
    });
  }
});
