export { inboundEventWorkflow } from './inbound.js';
export { connectionWorkflow } from './connection.js';
export { retentionWorkflow } from './retention.js';
export { outboundMessageWorkflow } from './outbound.js';
export { mediaRetentionWorkflow } from './media-retention.js';
