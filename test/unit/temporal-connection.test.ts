import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadConfig } from '../../src/config.js';
import { temporalConnectionOptions } from '../../src/temporal/connection-options.js';
import { configProblems } from '../support/config.js';

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

describe('Temporal anywhere: TLS, mTLS and API key', () => {
  it('connects in plaintext by default, with the 8-day retention for temporal:setup', () => {
    const { temporal } = loadConfig(valid);
    assert.equal(temporal.tls, undefined);
    assert.equal(temporal.apiKey, undefined);
    assert.equal(temporal.retentionHours, 192);
    assert.deepEqual(temporalConnectionOptions(temporal), { address: '127.0.0.1:7233', tls: undefined, apiKey: undefined });
  });

  it('turns TLS on with any TLS setting or an API key, and reads the PEM files at connect', () => {
    assert.deepEqual(loadConfig({ ...valid, TEMPORAL_TLS: 'true' }).temporal.tls, { caFile: undefined, clientCertFile: undefined, clientKeyFile: undefined, serverName: undefined });
    const cloud = loadConfig({ ...valid, TEMPORAL_ADDRESS: 'eu-west-1.aws.api.temporal.io:7233', TEMPORAL_API_KEY: 'key-1' }).temporal;
    assert.deepEqual(temporalConnectionOptions(cloud), { address: 'eu-west-1.aws.api.temporal.io:7233', tls: {}, apiKey: 'key-1' });

    const mtls = loadConfig({ ...valid, TEMPORAL_TLS_CA_FILE: '/c/ca.pem', TEMPORAL_TLS_CERT_FILE: '/c/client.pem', TEMPORAL_TLS_KEY_FILE: '/c/client.key', TEMPORAL_TLS_SERVER_NAME: 'temporal' }).temporal;
    const files: Record<string, string> = { '/c/ca.pem': 'CA', '/c/client.pem': 'CERT', '/c/client.key': 'KEY' };
    const options = temporalConnectionOptions(mtls, (file) => Buffer.from(files[file]!));
    assert.deepEqual(options.tls, { serverNameOverride: 'temporal', serverRootCACertificate: Buffer.from('CA'), clientCertPair: { crt: Buffer.from('CERT'), key: Buffer.from('KEY') } });
  });

  it('names the variable whose file cannot be read', () => {
    const { temporal } = loadConfig({ ...valid, TEMPORAL_TLS_CA_FILE: '/nowhere/ca.pem' });
    assert.throws(() => temporalConnectionOptions(temporal), /^Error: TEMPORAL_TLS_CA_FILE: cannot read \/nowhere\/ca\.pem \(ENOENT\)$/);
  });

  it('refuses half an mTLS pair, TLS settings with TEMPORAL_TLS=false, and a retention under 8 days', () => {
    assert.deepEqual(configProblems({ ...valid, TEMPORAL_TLS_CERT_FILE: '/c/client.pem' }), ['TEMPORAL_TLS_CERT_FILE / TEMPORAL_TLS_KEY_FILE: mTLS needs the client certificate and its key (or neither)']);
    assert.deepEqual(configProblems({ ...valid, TEMPORAL_TLS: 'false', TEMPORAL_API_KEY: 'k' }), ['TEMPORAL_TLS: is false, but a TEMPORAL_TLS_* file, server name or TEMPORAL_API_KEY needs TLS']);
    assert.deepEqual(configProblems({ ...valid, TEMPORAL_RETENTION: '72h' }), ['TEMPORAL_RETENTION: must be hours or days like 192h or 8d, at least 8 days (192h)']);
    assert.equal(loadConfig({ ...valid, TEMPORAL_RETENTION: '30d' }).temporal.retentionHours, 720);
  });

  it('takes a metric prefix of letters, digits and underscores', () => {
    assert.equal(loadConfig(valid).metrics.prefix, '');
    assert.equal(loadConfig({ ...valid, METRICS_PREFIX: 'mis_' }).metrics.prefix, 'mis_');
    assert.deepEqual(configProblems({ ...valid, METRICS_PREFIX: 'mis-' }), ['METRICS_PREFIX: must be letters, digits and underscores, e.g. mis_']);
  });
});
