/**
 * Workflow ids are the idempotency mechanism: every caller builds them here, so a duplicate start
 * is recognised by Temporal's id rules rather than by a read-then-write race.
 */
export const inboundWorkflowId = (idempotencyKey: string): string => `inbound-${idempotencyKey}`;
export const connectionWorkflowId = (connectionId: string): string => `connection-${connectionId}`;
export const outboundWorkflowId = (instanceId: string, clientMessageId: string): string =>
  `outbound-${instanceId}-${clientMessageId}`;
export const RETENTION_SCHEDULE_ID = 'retention-daily';
