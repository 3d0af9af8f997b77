import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadConfig } from '../../src/config.js';
import { generatePayloadKey } from '../../src/temporal/encryption-codec.js';
import { configProblems } from '../support/config.js';

/** Payload encryption, codec endpoint and metrics variables (the rest of loadConfig: config.test.ts). */
const valid = {
  DATABASE_URL: 'postgres://u:p@127.0.0.1:5432/db',
  TOKEN_ENCRYPTION_KEYS: 'k1:cw_0x689RpI-jtRR7oE8h_eQsKImvJapLeSbXpwF4e4=',
  DSK_JWT_ISSUER: 'dsk',
  DSK_JWT_AUDIENCE: 'mis',
  DSK_JWT_JWKS_URL: 'https://dsk.example.test/.well-known/jwks.json',
  SERVICE_JWT_PRIVATE_KEY: '{"kty":"EC"}',
  META_APP_SECRETS: 'secret-one',
  META_VERIFY_TOKEN: 'verify-token',
};

const problemsOf = configProblems;

describe('loadConfig: payload encryption keys', () => {
  it('parses keys newest first', () => {
    const [a, b] = [generatePayloadKey(), generatePayloadKey()];
    assert.deepEqual(loadConfig({ ...valid, PAYLOAD_ENCRYPTION_KEYS: `p2:${a}, p1:${b}` }).payloadKeys, [
      { id: 'p2', key: a },
      { id: 'p1', key: b },
    ]);
  });

  it('may be unset outside production (no encryption) but is required in production', () => {
    assert.deepEqual(loadConfig(valid).payloadKeys, []);
    assert.deepEqual(loadConfig({ ...valid, NODE_ENV: 'test', PAYLOAD_ENCRYPTION_KEYS: ' ' }).payloadKeys, []);
    assert.deepEqual(problemsOf({ ...valid, NODE_ENV: 'production' }), [
      'PAYLOAD_ENCRYPTION_KEYS: is required in production (Temporal payloads are encrypted with it)',
    ]);
    assert.equal(loadConfig({ ...valid, NODE_ENV: 'production', PUBLIC_BASE_URL: 'https://integrations.example.test', PAYLOAD_ENCRYPTION_KEYS: `p1:${generatePayloadKey()}` }).payloadKeys.length, 1);
  });

  it('refuses keys that are not 32 bytes, odd key ids and repeated ids, without echoing the key', () => {
    const short = Buffer.alloc(16, 7).toString('base64');
    const problems = problemsOf({ ...valid, PAYLOAD_ENCRYPTION_KEYS: `p1:${short}` });
    assert.match(problems[0]!, /^PAYLOAD_ENCRYPTION_KEYS: each entry must be/);
    assert.doesNotMatch(problems.join('\n'), new RegExp(short.replace(/[+/=]/g, '.')));
    assert.match(problemsOf({ ...valid, PAYLOAD_ENCRYPTION_KEYS: `bad id:${generatePayloadKey()}` })[0]!, /^PAYLOAD_ENCRYPTION_KEYS: each entry/);
    assert.match(problemsOf({ ...valid, PAYLOAD_ENCRYPTION_KEYS: 'no-colon' })[0]!, /^PAYLOAD_ENCRYPTION_KEYS: expected comma-separated/);
    assert.deepEqual(problemsOf({ ...valid, PAYLOAD_ENCRYPTION_KEYS: `p1:${generatePayloadKey()},p1:${generatePayloadKey()}` }), [
      'PAYLOAD_ENCRYPTION_KEYS: key ids must be unique',
    ]);
  });
});

describe('loadConfig: codec endpoint and metrics', () => {
  it('defaults to the dev server Web UI origins, no tokens, a 4 MiB codec limit and no worker metrics port', () => {
    const config = loadConfig(valid);
    assert.deepEqual(config.codec, { corsOrigins: ['http://localhost:8233', 'http://127.0.0.1:8233'], authToken: undefined, maxBytes: 4 * 1024 * 1024 });
    assert.deepEqual(config.metrics, { token: undefined, workerPort: undefined, workerHost: '127.0.0.1', prefix: '' });
  });

  it('parses origins, tokens and the worker metrics port', () => {
    const token = 'x'.repeat(32);
    const config = loadConfig({
      ...valid,
      CODEC_CORS_ORIGINS: 'https://temporal.example.com, http://localhost:8080',
      CODEC_AUTH_TOKEN: token,
      CODEC_MAX_BYTES: '1048576',
      METRICS_TOKEN: token,
      WORKER_METRICS_PORT: '9464',
      WORKER_METRICS_HOST: '0.0.0.0',
    });
    assert.deepEqual(config.codec, { corsOrigins: ['https://temporal.example.com', 'http://localhost:8080'], authToken: token, maxBytes: 1048576 });
    assert.deepEqual(config.metrics, { token, workerPort: 9464, workerHost: '0.0.0.0', prefix: '' });
  });

  it('refuses wildcard or path origins, short tokens and a bad port', () => {
    assert.match(problemsOf({ ...valid, CODEC_CORS_ORIGINS: '*' })[0]!, /^CODEC_CORS_ORIGINS: expected comma-separated origins/);
    assert.match(problemsOf({ ...valid, CODEC_CORS_ORIGINS: 'https://ui.example.com/path' })[0]!, /^CODEC_CORS_ORIGINS: /);
    assert.match(problemsOf({ ...valid, CODEC_AUTH_TOKEN: 'short' })[0]!, /^CODEC_AUTH_TOKEN: must be at least 32 characters/);
    assert.match(problemsOf({ ...valid, METRICS_TOKEN: 'short' })[0]!, /^METRICS_TOKEN: must be at least 32 characters/);
    assert.match(problemsOf({ ...valid, WORKER_METRICS_PORT: 'ninety' })[0]!, /^WORKER_METRICS_PORT: /);
    assert.match(problemsOf({ ...valid, WORKER_METRICS_PORT: '70000' })[0]!, /^WORKER_METRICS_PORT: /);
  });
});
