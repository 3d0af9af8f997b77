import type { Connection } from '@temporalio/client';
import { msNumberToTs, tsToMs } from '@temporalio/common/lib/time.js';
import proto from '@temporalio/proto';
import { ALL_SEARCH_ATTRIBUTES } from '../shared/search-attributes.js';

const { IndexedValueType } = proto.temporal.api.enums.v1;
const NOT_FOUND = 5;
const ALREADY_EXISTS = 6;

export interface SetupResult {
  namespace: 'created' | 'retention_updated' | 'unchanged';
  retentionHours: number;
  /** Search attributes added now; the rest were there already. */
  addedSearchAttributes: string[];
}

const grpcCode = (err: unknown) => (err as { code?: number }).code;

/**
 * Makes an existing Temporal cluster ready for the service, idempotently: the namespace exists with
 * the configured retention, and every custom search attribute the workflows set is registered as
 * Keyword. Run it before the first deploy and after each upgrade (`npm run temporal:setup`); a second
 * run changes nothing. A search attribute registered with another type is an error to fix by hand
 * (Temporal cannot change a type in place).
 */
export async function setupTemporal(connection: Connection, opts: { namespace: string; retentionHours: number; waitMs?: number }): Promise<SetupResult> {
  const { namespace, retentionHours } = opts;
  const retentionMs = retentionHours * 3_600_000;
  const retention = msNumberToTs(retentionMs);
  let outcome: SetupResult['namespace'];
  const current = await connection.workflowService.describeNamespace({ namespace }).catch((err: unknown) => {
    if (grpcCode(err) === NOT_FOUND) return undefined;
    throw err;
  });
  if (!current) {
    try {
      await connection.workflowService.registerNamespace({ namespace, workflowExecutionRetentionPeriod: retention, description: 'meta-integration-service' });
      outcome = 'created';
    } catch (err) {
      // Another setup run got there first: then it is an update like any other.
      if (grpcCode(err) !== ALREADY_EXISTS) throw err;
      outcome = 'unchanged';
    }
    await waitForNamespace(connection, namespace, opts.waitMs ?? 60_000);
  } else {
    outcome = tsToMs(current.config?.workflowExecutionRetentionTtl) === retentionMs ? 'unchanged' : 'retention_updated';
  }
  if (outcome !== 'created') {
    const described = await connection.workflowService.describeNamespace({ namespace });
    if (tsToMs(described.config?.workflowExecutionRetentionTtl) !== retentionMs) {
      await connection.workflowService.updateNamespace({ namespace, config: { workflowExecutionRetentionTtl: retention } });
      outcome = 'retention_updated';
    }
  }

  const { customAttributes } = await connection.operatorService.listSearchAttributes({ namespace });
  const wrongType = ALL_SEARCH_ATTRIBUTES.filter((k) => customAttributes?.[k.name] !== undefined && customAttributes[k.name] !== IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD);
  if (wrongType.length) {
    throw new Error(`search attributes ${wrongType.map((k) => k.name).join(', ')} exist in ${namespace} with another type than Keyword; remove them (temporal operator search-attribute remove) and run setup again`);
  }
  const missing = ALL_SEARCH_ATTRIBUTES.filter((k) => customAttributes?.[k.name] === undefined).map((k) => k.name);
  if (missing.length) {
    const searchAttributes = Object.fromEntries(missing.map((name) => [name, IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD]));
    try {
      await connection.operatorService.addSearchAttributes({ namespace, searchAttributes });
    } catch (err) {
      if (grpcCode(err) !== ALREADY_EXISTS) throw err;
    }
  }
  return { namespace: outcome, retentionHours, addedSearchAttributes: missing };
}

/** A new namespace reaches every frontend's cache after a few seconds; until then it answers NotFound. */
async function waitForNamespace(connection: Connection, namespace: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await connection.workflowService.listWorkflowExecutions({ namespace, pageSize: 1 });
      return;
    } catch (err) {
      if (grpcCode(err) !== NOT_FOUND || Date.now() > deadline) throw err;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
}
