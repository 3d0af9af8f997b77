import { Client, Connection } from '@temporalio/client';
import type { DataConverter } from '@temporalio/common';
import type { Config } from '../config.js';
import { temporalConnectionOptions } from './connection-options.js';

export type TemporalClientConfig = Pick<Config['temporal'], 'address' | 'namespace'> & Partial<Pick<Config['temporal'], 'tls' | 'apiKey'>>;

/** A client connection with the configured TLS, mTLS or API key (see connection-options.ts). */
export async function connectTemporal(config: TemporalClientConfig): Promise<Connection> {
  const { address, tls, apiKey } = temporalConnectionOptions({ tls: undefined, apiKey: undefined, ...config } as Config['temporal']);
  return Connection.connect({ address, connectTimeout: '5s', ...(tls ? { tls } : {}), ...(apiKey ? { apiKey } : {}) });
}

/**
 * One connection + client per process; never connect per request. Workflows are started, signalled
 * and queried through createWorkflowClient (./client.ts) on top of it.
 */
export async function createTemporalClient(config: TemporalClientConfig, dataConverter: DataConverter): Promise<Client> {
  const connection = await connectTemporal(config);
  return new Client({ connection, namespace: config.namespace, dataConverter });
}

/** Readiness probe: the frontend answers within the deadline. */
export async function temporalReachable(client: Client, timeoutMs = 2_000): Promise<boolean> {
  try {
    await client.connection.withDeadline(Date.now() + timeoutMs, () => client.workflowService.getSystemInfo({}));
    return true;
  } catch {
    return false;
  }
}
