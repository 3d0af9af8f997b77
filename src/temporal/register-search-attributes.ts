import type { Connection } from '@temporalio/client';
import proto from '@temporalio/proto';

const { temporal } = proto;
import { ALL_SEARCH_ATTRIBUTES } from '../shared/search-attributes.js';

/**
 * Registers the project's search attributes in a namespace, tolerating ones that exist. The dev server
 * gets them from `--search-attribute` flags and docker-compose from its init job; this is for servers
 * started without them (the time-skipping test server, an existing cluster).
 */
export async function registerSearchAttributes(connection: Connection, namespace: string): Promise<void> {
  const searchAttributes: Record<string, proto.temporal.api.enums.v1.IndexedValueType> = {};
  for (const key of ALL_SEARCH_ATTRIBUTES) searchAttributes[key.name] = temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD;
  try {
    await connection.operatorService.addSearchAttributes({ namespace, searchAttributes });
  } catch (err) {
    if ((err as { code?: number }).code !== 6 /* ALREADY_EXISTS */) throw err;
  }
}
