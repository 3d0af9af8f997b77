/**
 * Workflow ids are the idempotency mechanism: every caller builds them here, so a duplicate start
 * is recognised by Temporal's id rules rather than by a read-then-write race.
 */
export const inboundWorkflowId = (idempotencyKey: string): string => `inbound-${idempotencyKey}`;
export const connectionWorkflowId = (connectionId: string): string => `connection-${connectionId}`;

/**
 * `outbound:<length of instance>:<instance>:<client_message_id>`. Both ids may contain `-` and `:`,
 * so only the length prefix makes the id injective: instance `acme` with `corp-42` and instance
 * `acme-corp` with `42` get different ids (the form before it, `outbound-<instance>-<id>`, gave them
 * the same one, and one instance could join, read or pre-empt another's send). The `outbound:`
 * prefix keeps every new id apart from every old-form id too.
 */
export const outboundWorkflowId = (instanceId: string, clientMessageId: string): string =>
  `outbound:${instanceId.length}:${instanceId}:${clientMessageId}`;

/**
 * The ambiguous form sends had before `outboundWorkflowId`. Only for runs started under it: their
 * ledger rows name it, and inbound histories recorded before the change signalled it.
 */
export const legacyOutboundWorkflowId = (instanceId: string, clientMessageId: string): string =>
  `outbound-${instanceId}-${clientMessageId}`;
export const RETENTION_SCHEDULE_ID = 'retention-daily';
