import type { OutboundSendRow, OutboundSends } from '../db/outbound-sends.js';
import type { Logger } from '../logger.js';
import { sendTag } from '../outbound/send-tag.js';
import { legacyOutboundWorkflowId, outboundWorkflowId } from '../shared/ids.js';
import type { OutboundError, OutboundResult, OutboundWorkflowInput } from '../shared/outbound.js';
import type { SendRead, Workflows } from '../temporal/client.js';
import { ApiError } from './errors.js';

export interface SendIdempotencyDeps {
  sends: Pick<OutboundSends, 'claim' | 'forClient' | 'openForInstance' | 'release'>;
  /** Most sends one instance may have unanswered by Meta at once (its open send workflows); over it 429. */
  openSendLimit?: number;
  workflows: Pick<Workflows, 'send' | 'readSend'>;
  clock: () => Date;
  log?: Pick<Logger, 'info'>;
}

/** A send as DSK sees it: the channel it was made on, and its result (null: Meta has not answered yet). */
export interface SendAnswer {
  channelId: string;
  result: OutboundResult | null;
}

const LOST_ERROR: OutboundError = {
  code: 'ambiguous_send',
  meta_code: null,
  meta_subcode: null,
  reason: 'The send went to Meta but its outcome was not recorded, so the message may or may not have been sent; it is not sent again.',
};
const LOST_RUN: OutboundResult = { status: 'unknown', error: LOST_ERROR };

/** A send gives up after 10 minutes: an unsettled row older than this holds no workflow slot. */
const OPEN_SEND_WINDOW_MS = 15 * 60 * 1000;
const OPEN_SEND_RETRY_AFTER_SECONDS = 5;

/**
 * One client_message_id, one message, for as long as the send ledger keeps the id (30 days after the
 * send's last change), whatever Temporal's namespace retention: the ledger row is claimed before any
 * workflow starts, so a repeat is always recognised, and it is answered from the claimed workflow
 * while Temporal keeps it, from the ledger once it does not. A workflow is started only for a claim
 * that is new, or whose run never reached Meta; the send activity calls Meta only for the run the
 * claim names (db/outbound-sends.ts `begin`).
 */
export function createSendIdempotency(deps: SendIdempotencyDeps) {
  /** A claimed send that already exists: its workflow if Temporal has it, else the ledger. */
  async function repeat(row: OutboundSendRow, waitMs: number, restart?: OutboundWorkflowInput): Promise<SendAnswer> {
    // Meta accepted it and reported it failed later (a `failed` status): the workflow may have completed as sent.
    if (row.failedLate && row.error) return { channelId: row.channelId, result: { status: 'failed', error: row.error } };
    const read = await deps.workflows.readSend(row.workflowId, row.instanceId, waitMs);
    if (read.found) return { channelId: row.channelId, result: read.result };
    if (row.state === 'sending' && row.attemptedAt === null && restart?.channelId === row.channelId) {
      // Claimed, but its run never started (or ended before Meta was called): sending now sends once.
      deps.log?.info({ channelId: row.channelId }, 'claimed send had no run; starting it');
      return { channelId: row.channelId, result: await deps.workflows.send(restart, waitMs, row.workflowId) };
    }
    return { channelId: row.channelId, result: fromLedger(row) };
  }

  return {
    /** POST of a send on an active channel: claim, then start; a repeat is answered, never sent again. */
    async send(input: OutboundWorkflowInput, waitMs: number): Promise<SendAnswer> {
      const claim = await deps.sends.claim(
        {
          tag: sendTag(input.instanceId, input.clientMessageId),
          instanceId: input.instanceId,
          channelId: input.channelId,
          clientMessageId: input.clientMessageId,
          workflowId: outboundWorkflowId(input.instanceId, input.clientMessageId),
        },
        deps.clock(),
      );
      if (claim.created) {
        await enforceOpenSendLimit(input.instanceId, claim.row.tag);
        return { channelId: input.channelId, result: await deps.workflows.send(input, waitMs, claim.row.workflowId) };
      }
      return repeat(claim.row, waitMs, input);
    },

    /** An earlier send with this id, if there is one (a repeat on a channel that can no longer send). */
    async earlier(instanceId: string, clientMessageId: string, waitMs: number): Promise<SendAnswer | undefined> {
      const row = await deps.sends.forClient(instanceId, clientMessageId);
      if (row) return repeat(row, waitMs);
      return legacy(instanceId, clientMessageId);
    },

    /** GET of a send: undefined when the instance has none with this id on this channel. */
    async read(instanceId: string, clientMessageId: string, channelId: string): Promise<OutboundResult | null | undefined> {
      const row = await deps.sends.forClient(instanceId, clientMessageId);
      const answer = row ? await repeat(row, 0) : await legacy(instanceId, clientMessageId);
      return answer && answer.channelId === channelId ? answer.result : undefined;
    },
  };

  /** Counted with the new claim, which is given up again when it is one too many. */
  async function enforceOpenSendLimit(instanceId: string, tag: string): Promise<void> {
    if (deps.openSendLimit === undefined) return;
    const since = new Date(deps.clock().getTime() - OPEN_SEND_WINDOW_MS);
    if ((await deps.sends.openForInstance(instanceId, since)) <= deps.openSendLimit) return;
    await deps.sends.release(tag);
    throw new ApiError(429, 'quota_exceeded', `This instance has ${deps.openSendLimit} sends Meta has not answered yet; retry later`, undefined, { retryAfterSeconds: OPEN_SEND_RETRY_AFTER_SECONDS });
  }

  /**
   * A send without a ledger row: only runs started before claims existed that never reached the send
   * activity. Their workflow has the new id or, started before it, the old one; either is read only
   * if its search attributes name this instance.
   */
  async function legacy(instanceId: string, clientMessageId: string): Promise<SendAnswer | undefined> {
    for (const workflowId of [outboundWorkflowId(instanceId, clientMessageId), legacyOutboundWorkflowId(instanceId, clientMessageId)]) {
      const read: SendRead = await deps.workflows.readSend(workflowId, instanceId);
      if (read.found && read.channelId !== undefined) return { channelId: read.channelId, result: read.result };
    }
    return undefined;
  }
}

export type SendIdempotency = ReturnType<typeof createSendIdempotency>;

/** What the ledger alone says of a send whose workflow Temporal no longer has. */
function fromLedger(row: OutboundSendRow): OutboundResult | null {
  switch (row.state) {
    case 'accepted':
      return { status: 'sent', metaMessageId: row.metaMessageId };
    case 'failed':
      return { status: 'failed', error: row.error ?? { code: 'meta_error', meta_code: null, meta_subcode: null, reason: 'The send failed.' } };
    case 'unknown':
      return { status: 'unknown', error: row.error ?? LOST_ERROR };
    case 'sending':
      // Meta was called and no run is left to record its answer: it may have been sent.
      return row.attemptedAt === null ? null : LOST_RUN;
  }
}
