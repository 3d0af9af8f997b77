import { Client, Connection } from '@temporalio/client';
import type { DataConverter } from '@temporalio/common';

export interface TemporalClientConfig {
  address: string;
  namespace: string;
}

/**
 * One connection + client per process; never connect per request. Workflows are started, signalled
 * and queried through createWorkflowClient (./client.ts) on top of it.
 */
export async function createTemporalClient(config: TemporalClientConfig, dataConverter: DataConverter): Promise<Client> {
  const connection = await Connection.connect({ address: config.address, connectTimeout: '5s' });
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
