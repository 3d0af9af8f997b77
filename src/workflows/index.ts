export { inboundEventWorkflow } from './inbound.js';
