import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, loadConfig } from '../../src/config.js';

const valid = {
  DATABASE_URL: 'postgres://u:p@127.0.0.1:5432/db',
  TOKEN_ENCRYPTION_KEYS: 'k2:cw_0x689RpI-jtRR7oE8h_eQsKImvJapLeSbXpwF4e4=,k1:cw_0x689RpI-jtRR7oE8h_eQsKImvJapLeSbXpwF4e4=',
  DSK_JWT_ISSUER: 'dsk',
  DSK_JWT_AUDIENCE: 'mis',
  DSK_JWT_JWKS_URL: 'https://dsk.example.test/.well-known/jwks.json',
  SERVICE_JWT_PRIVATE_KEY: '{"kty":"EC"}',
  META_APP_SECRETS: 'secret-one, secret-two',
  META_VERIFY_TOKEN: 'verify-token',
};

function problemsOf(env: Record<string, string | undefined>): string[] {
  try {
    loadConfig(env);
  } catch (err) {
    assert.ok(err instanceof ConfigError);
    return err.problems;
  }
  assert.fail('expected a ConfigError');
}

describe('loadConfig', () => {
  it('parses a complete environment into a frozen config with defaults', () => {
    const config = loadConfig(valid);
    assert.equal(config.http.port, 3000);
    assert.deepEqual(config.meta.appSecrets, ['secret-one', 'secret-two']);
    assert.deepEqual(config.tokenKeys.map((k) => k.id), ['k2', 'k1']);
    assert.deepEqual(config.dskAuth.key, { kind: 'jwks', url: 'https://dsk.example.test/.well-known/jwks.json' });
    assert.ok(Object.isFrozen(config.meta));
  });

  it('names a missing variable', () => {
    assert.deepEqual(problemsOf({ ...valid, DATABASE_URL: undefined }), ['DATABASE_URL: is required but missing']);
  });

  it('names a malformed variable without echoing its value', () => {
    const problems = problemsOf({ ...valid, HTTP_PORT: 'eighty', TOKEN_ENCRYPTION_KEYS: 'no-colon-here' });
    assert.equal(problems.length, 2);
    assert.match(problems.join('\n'), /^HTTP_PORT: /m);
    assert.match(problems.join('\n'), /^TOKEN_ENCRYPTION_KEYS: expected comma-separated/m);
    assert.doesNotMatch(problems.join('\n'), /no-colon-here/);
  });

  it('refuses a webhook body limit below what Meta sends', () => {
    assert.match(problemsOf({ ...valid, META_WEBHOOK_MAX_BYTES: String(1024 * 1024) })[0]!, /^META_WEBHOOK_MAX_BYTES: Meta sends up to 3 MB/);
  });

  it('requires exactly one source of DSK verification keys', () => {
    assert.match(problemsOf({ ...valid, DSK_JWT_SECRET: 'x'.repeat(40) })[0]!, /set exactly one/);
    assert.match(problemsOf({ ...valid, DSK_JWT_JWKS_URL: undefined })[0]!, /set exactly one/);
  });

  it('refuses symmetric algorithms together with public keys', () => {
    assert.match(problemsOf({ ...valid, DSK_JWT_ALGORITHMS: 'ES256,HS256' })[0]!, /^DSK_JWT_ALGORITHMS: /);
  });
});
