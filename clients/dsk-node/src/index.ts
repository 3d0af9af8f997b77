export { createServiceClient, type ServiceClient, type ServiceClientOptions } from './client.js';
export {
  serviceEventVerifier,
  ServiceEventError,
  verifyServiceEvent,
  type ReceivedRequest,
  type ServiceEvent,
  type ServiceEventRejection,
  type ServiceEventVerifierOptions,
  type VerifiedServiceEvent,
} from './verify.js';
export type { components, paths, webhooks } from './api.js';
