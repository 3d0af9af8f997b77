import { keyedHash } from './vault/keyed-hash.js';
import { Context } from '@temporalio/activity';
import { createActivities } from './activities/index.js';
import { createSendRateLimiter } from './db/send-rate-slots.js';
import { createMediaCapture } from './media/capture.js';
import { createSenderProfiles } from './profiles/sender-profiles.js';
import type { Foundation } from './runtime.js';

/**
 * Every activity the worker registers, from the foundation. None holds a Temporal client: workflows
 * signal each other themselves.
 */
export function buildActivities(f: Foundation) {
  // Send pacing is the worker's alone: the api process never loads the limiter.
  const sendRateSlots = createSendRateLimiter(f.pool);
  const capture = createMediaCapture({
    store: f.mediaStore,
    adapters: f.adapters,
    channels: f.repos.channels,
    vault: f.vault,
    publicBaseUrl: f.config.http.publicBaseUrl,
    horizonMs: f.config.delivery.horizonMs,
    log: f.log,
  });
  // One cache per worker process: profiles live in memory only (never in PostgreSQL).
  const profiles = createSenderProfiles({ adapters: f.adapters, channels: f.repos.channels, vault: f.vault, log: f.log });
  return createActivities({
    eventExtras: { capture, profiles, templates: f.templates, channels: f.repos.channels },
    templates: { templates: f.templates, channels: f.repos.channels },
    retentionExtras: { media: f.mediaStore, templates: f.repos.messageTemplates },
    inbound: {
      routing: f.repos.routing,
      webhookLog: f.repos.webhookLog,
      messageStatus: f.repos.messageStatus,
      outboundSends: f.repos.outboundSends,
      channels: f.repos.channels,
      dsk: f.dsk,
      customerWindows: f.repos.customerWindows,
      clock: f.clock,
    },
    retention: {
      webhookLog: f.repos.webhookLog,
      conversationSequences: f.repos.conversationSequences,
      messageStatus: f.repos.messageStatus,
      outboundSends: f.repos.outboundSends,
      sessions: f.repos.sessions,
      channels: f.repos.channels,
      sendRateSlots,
      connections: f.repos.connections,
      deletionRequests: f.repos.deletionRequests,
      instances: f.repos.instances,
      instanceQuotas: f.repos.instanceQuotas,
      customerWindows: f.repos.customerWindows,
      channelRecords: f.repos.channels,
      clock: f.clock,
    },
    connection: {
      connections: f.repos.connections,
      sessions: f.repos.sessions,
      channels: f.repos.channels,
      instances: f.repos.instances,
      vault: f.vault,
      connectors: f.connectors,
      dsk: f.dsk,
      redirectUri: `${f.config.http.publicBaseUrl}/oauth/callback`,
      clock: f.clock,
      metrics: f.metrics,
    },
    outbound: {
      channels: f.repos.channels,
      instances: f.repos.instances,
      sends: f.repos.outboundSends,
      currentWorkflowId,
      rateLimiter: sendRateSlots,
      rateLimits: f.config.outbound.rateLimits,
      recipientKey: recipientKeyer(f.config.tokenKeys[0]!.key),
      dsk: f.dsk,
      metrics: f.metrics,
      vault: f.vault,
      adapters: f.adapters,
      clock: f.clock,
      log: f.log,
    },
  });
}

/** The workflow of the activity running now; undefined outside an activity (tests calling it directly). */
function currentWorkflowId(): string | undefined {
  try {
    return Context.current().info.workflowExecution?.workflowId;
  } catch {
    return undefined;
  }
}

/**
 * The pair-rate key of a recipient: HMAC-SHA256 under a key derived (HKDF) from the newest token key,
 * so the rate table in PostgreSQL never holds a phone number and cannot be reversed by enumerating
 * numbers. A key rotation only resets pair pacing for a few seconds.
 */
function recipientKeyer(tokenKey: string): (recipient: string) => string {
  const hash = keyedHash(tokenKey, 'send-rate-recipient-key');
  return (recipient) => hash(recipient.replace(/^\+/, '')).slice(0, 22);
}
