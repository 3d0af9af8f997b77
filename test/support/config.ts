import assert from 'node:assert/strict';
import { ConfigError, loadConfig } from '../../src/config.js';

/** The problems loadConfig reports for `env`; fails the test when it accepts the environment. */
export function configProblems(env: Record<string, string | undefined>): string[] {
  try {
    loadConfig(env);
  } catch (err) {
    assert.ok(err instanceof ConfigError);
    return err.problems;
  }
  assert.fail('expected a ConfigError');
}
