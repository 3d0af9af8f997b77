import { readFileSync } from 'node:fs';
import type { TLSConfig } from '@temporalio/client';
import type { Config } from '../config.js';

/** What Connection.connect (client) and NativeConnection.connect (worker) both take to reach the frontend. */
export interface TemporalConnectionOptions {
  address: string;
  tls: TLSConfig | undefined;
  apiKey: string | undefined;
}

/**
 * TLS, mTLS and API-key options from configuration, for every process that talks to Temporal (api,
 * worker, temporal:setup, doctor), so the same variables reach a self-hosted frontend with a private CA
 * and client certificates as well as Temporal Cloud. Files are read here, at start-up: a missing or
 * unreadable one stops the process with its variable named.
 */
export function temporalConnectionOptions(temporal: Config['temporal'], read: (file: string) => Buffer = readFileSync): TemporalConnectionOptions {
  const tls = temporal.tls;
  if (!tls) return { address: temporal.address, tls: undefined, apiKey: temporal.apiKey };
  const load = (variable: string, file: string) => {
    try {
      return read(file);
    } catch (err) {
      throw new Error(`${variable}: cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? 'error'})`, { cause: err });
    }
  };
  const config: TLSConfig = {};
  if (tls.serverName) config.serverNameOverride = tls.serverName;
  if (tls.caFile) config.serverRootCACertificate = load('TEMPORAL_TLS_CA_FILE', tls.caFile);
  if (tls.clientCertFile && tls.clientKeyFile) {
    config.clientCertPair = { crt: load('TEMPORAL_TLS_CERT_FILE', tls.clientCertFile), key: load('TEMPORAL_TLS_KEY_FILE', tls.clientKeyFile) };
  }
  return { address: temporal.address, tls: config, apiKey: temporal.apiKey };
}
