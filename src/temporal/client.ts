import {
  WithStartWorkflowOperation,
  WorkflowExecutionAlreadyStartedError,
  WorkflowFailedError,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  isGrpcServiceError,
  type Client,
} from '@temporalio/client';
// The helper the client itself decodes workflow payloads with (codecs, then the payload converter).
import { decodeArrayFromPayloads } from '@temporalio/common/lib/internal-non-workflow/index.js';
import type { Channels } from '../db/channels.js';
import type { ChannelRef, ConnectionStatus, ConnectionWorkflowInput } from '../shared/connections.js';
import { connectionWorkflowId, inboundWorkflowId, outboundWorkflowId } from '../shared/ids.js';
import { OUTBOUND_START_POLICY, type OutboundResult, type OutboundWorkflowInput } from '../shared/outbound.js';
import { CHANNEL_ID, CHANNEL_TYPE, EVENT_KIND, INSTANCE_ID, STATUS } from '../shared/search-attributes.js';
import type { connectionWorkflow } from '../workflows/connection.js';
import type { InboundWorkflowInput, inboundEventWorkflow } from '../workflows/inbound.js';
import {
  authorizeUpdate,
  beginReauthorizationUpdate,
  cancelSignal,
  chooseAssetUpdate,
  submitPinUpdate,
  connectionStatusQuery,
  disconnectSignal,
  sendResultQuery,
  sendResultUpdate,
} from '../workflows/messages.js';
import type { outboundMessageWorkflow } from '../workflows/outbound.js';
import { ensureMediaRetentionSchedule, ensureRetentionSchedule } from './schedules.js';

export interface WorkflowClientDeps {
  client: Client;
  taskQueue: string;
  /** For the one disconnect path: a channel whose connection workflow is gone is disconnected here. */
  channels: Pick<Channels, 'disconnect'>;
  clock: () => Date;
}

/** A send workflow as its instance may see it; `channelId` is the channel it was started for. */
export type SendRead = { found: false } | { found: true; channelId: string | undefined; result: OutboundResult | null };

/** An update the workflow's validator refused (a replayed callback, a stale choice): nothing reached history. */
export type UpdateOutcome = { accepted: true; status: ConnectionStatus } | { accepted: false };

const GRPC_NOT_FOUND = 5;
/** Slack for an update's round trip on top of the workflow-side wait. */
const ROUND_TRIP_MS = 2_000;

/**
 * The one way into the service's workflows, for the API process and the worker alike: every start,
 * signal, update and query goes through here, with the workflow ids, start policies and search
 * attributes each kind needs. Callers see domain answers, not Temporal's error classes. (Workflows
 * that tell other workflows signal them themselves: src/workflows/external-signals.ts.)
 */
export function createWorkflowClient(deps: WorkflowClientDeps) {
  const workflows = deps.client.workflow;
  const connection = (connectionId: string) => workflows.getHandle<typeof connectionWorkflow>(connectionWorkflowId(connectionId));

  async function refusable(update: Promise<ConnectionStatus>): Promise<UpdateOutcome> {
    try {
      return { accepted: true, status: await update };
    } catch (err) {
      if (err instanceof WorkflowUpdateFailedError) return { accepted: false };
      throw err;
    }
  }

  /**
   * A finished send's result. A run an operator terminated (or that otherwise did not return) may have
   * sent or not: it is `unknown`, like a lost answer, and never sent again.
   */
  async function closedResult(workflowId: string): Promise<OutboundResult> {
    try {
      return await workflows.getHandle<typeof outboundMessageWorkflow>(workflowId).result();
    } catch (err) {
      if (!(err instanceof WorkflowFailedError)) throw err;
      return {
        status: 'unknown',
        error: { code: 'ambiguous_send', meta_code: null, meta_subcode: null, reason: 'The send was ended before it finished (e.g. by an operator), so it may or may not have reached Meta; it is not sent again.' },
      };
    }
  }

  return {
    /** `connection-<id>`, filterable by instance, channel type and phase from its first moment. */
    async startConnection(input: ConnectionWorkflowInput): Promise<void> {
      await workflows.start<typeof connectionWorkflow>('connectionWorkflow', {
        taskQueue: deps.taskQueue,
        workflowId: connectionWorkflowId(input.connectionId),
        args: [input],
        typedSearchAttributes: [
          { key: INSTANCE_ID, value: input.instanceId },
          { key: CHANNEL_TYPE, value: input.channelType },
          { key: STATUS, value: 'awaiting_authorization' },
        ],
      });
    },

    /** The live status; rejects when the workflow does not exist. */
    connectionStatus: (connectionId: string): Promise<ConnectionStatus> => connection(connectionId).query(connectionStatusQuery),

    /** The OAuth callback stored a code: answers once the connection is active, waits for a choice, or failed. */
    authorize: (connectionId: string): Promise<UpdateOutcome> => refusable(connection(connectionId).executeUpdate(authorizeUpdate)),

    chooseAsset: (connectionId: string, assetId: string): Promise<UpdateOutcome> =>
      refusable(connection(connectionId).executeUpdate(chooseAssetUpdate, { args: [{ assetId }] })),

    /** The person gave the number's PIN (already stored encrypted in the session): the activation tries again with it. */
    submitPin: (connectionId: string): Promise<UpdateOutcome> => refusable(connection(connectionId).executeUpdate(submitPinUpdate)),

    beginReauthorization: (connectionId: string, sessionExpiresAt: Date): Promise<UpdateOutcome> =>
      refusable(connection(connectionId).executeUpdate(beginReauthorizationUpdate, { args: [{ sessionExpiresAt: sessionExpiresAt.toISOString() }] })),

    /** The person cancelled at Meta's dialog. */
    async cancelConnection(connectionId: string, reason: string): Promise<void> {
      await connection(connectionId).signal(cancelSignal, { reason });
    },

    /**
     * The one disconnect path of the API (DSK's deletion, Meta's deauthorize and data-deletion
     * callbacks): the channel's connection workflow unsubscribes where possible, destroys the token and
     * tells DSK (`disconnecting`); a channel whose workflow is gone, or that has none, is disconnected
     * here at once, token destroyed (`disconnected`), though neither Meta nor DSK hears of it.
     */
    async disconnectChannel(channel: ChannelRef, reason: string): Promise<'disconnecting' | 'disconnected'> {
      if (channel.connectionId) {
        try {
          await connection(channel.connectionId).signal(disconnectSignal, { reason });
          return 'disconnecting';
        } catch (err) {
          if (!(err instanceof WorkflowNotFoundError)) throw err;
        }
      }
      await deps.channels.disconnect(channel.id, deps.clock());
      return 'disconnected';
    },

    /**
     * `inbound-<key>`, once: a closed run with this id also means "seen" (the webhook log covers what
     * retention forgets), so a repeat is a `duplicate`, not a second delivery.
     */
    async startInbound(input: InboundWorkflowInput): Promise<'started' | 'duplicate'> {
      try {
        await workflows.start<typeof inboundEventWorkflow>('inboundEventWorkflow', {
          taskQueue: deps.taskQueue,
          workflowId: inboundWorkflowId(input.event.key),
          workflowIdReusePolicy: 'REJECT_DUPLICATE',
          workflowIdConflictPolicy: 'FAIL',
          args: [input],
          typedSearchAttributes: [
            { key: EVENT_KIND, value: input.event.kind },
            { key: STATUS, value: 'accepted' },
          ],
        });
        return 'started';
      } catch (err) {
        if (err instanceof WorkflowExecutionAlreadyStartedError) return 'duplicate';
        throw err;
      }
    },

    /** The input of the last run of `inbound-<key>`, read back from its history; undefined once the history is gone. */
    async inboundInput(key: string): Promise<InboundWorkflowInput | undefined> {
      const workflowId = inboundWorkflowId(key);
      let history;
      try {
        history = await workflows.getHandle(workflowId).fetchHistory();
      } catch (err) {
        if (err instanceof WorkflowNotFoundError || (isGrpcServiceError(err) && err.code === GRPC_NOT_FOUND)) return undefined;
        throw err;
      }
      const started = history.events?.[0]?.workflowExecutionStartedEventAttributes;
      if (!started) return undefined;
      const { loadedDataConverter, namespace } = workflows.options;
      // No external payload storage is configured; with one, references would need resolving first.
      const args = await decodeArrayFromPayloads(loadedDataConverter, started.input?.payloads, { type: 'workflow', namespace, workflowId });
      const input = args[0] as InboundWorkflowInput | undefined;
      if (args.length !== 1 || input?.event?.key !== key) throw new Error('the history of an inbound workflow does not hold its event');
      return input;
    },

    /** Waits (bounded) until the last run of `inbound-<key>` is no longer running. */
    async waitForInboundClosed(key: string, timeoutMs: number): Promise<void> {
      const handle = workflows.getHandle(inboundWorkflowId(key));
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline) {
        const { status } = await handle.describe();
        if (status.name !== 'RUNNING') return;
        await new Promise((r) => setTimeout(r, 100));
      }
    },

    /**
     * A new run of a failed `inbound-<key>` with the same input (so DSK sees the same Idempotency-Key);
     * `not_failed` when the last run did not fail after all (it is open or completed).
     */
    async retryInbound(input: InboundWorkflowInput): Promise<'started' | 'not_failed'> {
      try {
        await workflows.start<typeof inboundEventWorkflow>('inboundEventWorkflow', {
          taskQueue: deps.taskQueue,
          workflowId: inboundWorkflowId(input.event.key),
          workflowIdReusePolicy: 'ALLOW_DUPLICATE_FAILED_ONLY',
          workflowIdConflictPolicy: 'FAIL',
          args: [input],
          typedSearchAttributes: [
            { key: EVENT_KIND, value: input.event.kind },
            { key: STATUS, value: 'accepted' },
          ],
        });
        return 'started';
      } catch (err) {
        if (err instanceof WorkflowExecutionAlreadyStartedError) return 'not_failed';
        throw err;
      }
    },

    /**
     * One update-with-start on the send's workflow (`workflowId`, by default `outboundWorkflowId`): a
     * new id starts the send, a repeat joins the running one, a finished one is read back and never
     * started again. The api calls it only for a send it has just claimed in the send ledger
     * (api/send-idempotency.ts), which is what keeps a second run from ever starting. Answers the
     * result if the send finishes within `waitMs`, else null (the send goes on durably). When no
     * worker answers in time the start is confirmed, or this rejects, so a send is never silently lost.
     */
    async send(input: OutboundWorkflowInput, waitMs: number, workflowId: string = outboundWorkflowId(input.instanceId, input.clientMessageId)): Promise<OutboundResult | null> {
      const start = new WithStartWorkflowOperation<typeof outboundMessageWorkflow>('outboundMessageWorkflow', {
        workflowId,
        taskQueue: deps.taskQueue,
        args: [input],
        ...OUTBOUND_START_POLICY,
        // Set at start (the workflow sets them too): a send is filterable, and GET finds its channel, before its first task runs.
        typedSearchAttributes: [
          { key: INSTANCE_ID, value: input.instanceId },
          { key: CHANNEL_ID, value: input.channelId },
          { key: CHANNEL_TYPE, value: input.channelType },
          { key: EVENT_KIND, value: 'message.send' },
          { key: STATUS, value: 'sending' },
        ],
      });
      let result: OutboundResult | null | typeof TIMED_OUT;
      try {
        result = await withDeadline(workflows.executeUpdateWithStart(sendResultUpdate, { args: [{ waitMs }], startWorkflowOperation: start }), waitMs + ROUND_TRIP_MS);
      } catch (err) {
        if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
        // The send finished earlier: its result, not a second message.
        return closedResult(workflowId);
      }
      if (result !== TIMED_OUT) return result;
      await workflows.getHandle(workflowId).describe();
      return null;
    },

    /**
     * Reads the send workflow `workflowId` of `instanceId`, waiting up to `waitMs` for a running one to
     * finish. `found: false` when Temporal has no such workflow (never started, or past the namespace
     * retention), and when the workflow belongs to another instance: its search attributes name the
     * instance that started it, and nothing of another instance's send is ever answered.
     */
    async readSend(workflowId: string, instanceId: string, waitMs = 0): Promise<SendRead> {
      const handle = workflows.getHandle<typeof outboundMessageWorkflow>(workflowId);
      let description;
      try {
        description = await handle.describe();
      } catch (err) {
        if (err instanceof WorkflowNotFoundError) return { found: false };
        throw err;
      }
      if (description.typedSearchAttributes.get(INSTANCE_ID) !== instanceId) return { found: false };
      const channelId = description.typedSearchAttributes.get(CHANNEL_ID);
      if (description.status.name !== 'RUNNING') return { found: true, channelId, result: await closedResult(workflowId) };
      if (waitMs <= 0) return { found: true, channelId, result: await handle.query(sendResultQuery) };
      try {
        const result = await withDeadline(handle.executeUpdate(sendResultUpdate, { args: [{ waitMs }] }), waitMs + ROUND_TRIP_MS);
        return { found: true, channelId, result: result === TIMED_OUT ? null : result };
      } catch (err) {
        // It closed between the describe and the update: its result.
        if (!(err instanceof WorkflowUpdateFailedError) && !(err instanceof WorkflowNotFoundError) && !isGrpcServiceError(err)) throw err;
        return { found: true, channelId, result: await closedResult(workflowId) };
      }
    },

    /** Creates or updates the daily retention schedule for this client's namespace and task queue. */
    ensureRetentionSchedule: () => ensureRetentionSchedule(deps.client, { taskQueue: deps.taskQueue, namespace: deps.client.options.namespace }),

    /** Creates or updates the hourly purge of captured media (issue #13). */
    ensureMediaRetentionSchedule: () => ensureMediaRetentionSchedule(deps.client, { taskQueue: deps.taskQueue, namespace: deps.client.options.namespace }),
  };
}

export type Workflows = ReturnType<typeof createWorkflowClient>;

const TIMED_OUT = Symbol('timed out');

async function withDeadline<T>(promise: Promise<T>, ms: number): Promise<T | typeof TIMED_OUT> {
  let timer: NodeJS.Timeout | undefined;
  // The losing update call is left to settle on its own; its outcome is read from the workflow later.
  promise.catch(() => undefined);
  try {
    return await Promise.race([promise, new Promise<typeof TIMED_OUT>((resolve) => (timer = setTimeout(() => resolve(TIMED_OUT), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}
