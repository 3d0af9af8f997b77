import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { WithStartWorkflowOperation } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { Activities } from '../src/activities/index.js';
import { findTemporalCli, projectRoot } from '../dev/infra/tools.js';
import { ALL_SEARCH_ATTRIBUTES } from '../src/shared/search-attributes.js';
import type { ConnectionWorkflowInput } from '../src/shared/connections.js';
import { connectionWorkflowId } from '../src/shared/ids.js';
import { splitWebhook } from '../src/meta/webhook/split.js';
import { igEcho, igPayload, waAccountUpdate } from '../test/support/meta-webhook-sender.js';
import { WORKFLOWS_ENTRY } from '../src/temporal/worker.js';
import { authorizeUpdate, chooseAssetUpdate, disconnectSignal, sendObservedSignal, sendResultUpdate } from '../src/workflows/messages.js';
import { OUTBOUND_START_POLICY, SEND_AMBIGUOUS_FAILURE, type OutboundWorkflowInput } from '../src/shared/outbound.js';

/**
 * Records workflow histories for the replay test (test/integration/replay.test.ts): each scenario runs
 * the current workflow code on a local dev server with canned activity results, and its history is
 * exported with the Temporal CLI (`temporal workflow show -o json`). Run it when a workflow changes in a
 * way that is meant to be compatible, and keep the old files: they are what running workflows look like.
 *
 *   npm run build && node dist/scripts/record-histories.js
 */
const run = promisify(execFile);
const outDir = path.join(projectRoot(), 'test', 'histories');
const cli = findTemporalCli(process.env);
const stamp = new Date().toISOString().slice(0, 10);
/** The connection workflow an account_update tells to disconnect. */
const REMOVED_CONNECTION = randomUUID();

const activities: Partial<Activities> = {
  exchangeAuthorization: async () => ({ options: [{ id: 'pn-1', name: 'Acme Sales' }, { id: 'pn-2', name: 'Acme Support' }] }),
  activateChannel: async ({ assetId }) => ({ channelId: `ch-${assetId}`, tokenExpiresAt: null }),
  checkChannelToken: async () => ({ state: 'valid', expiresAt: null, expiringSoon: false, resubscribed: false }),
  markChannelStatus: async () => undefined,
  notifyChannelStatus: async () => ({ delivered: true }),
  discardSession: async () => undefined,
  finishConnection: async () => undefined,
  disconnectChannel: async () => undefined,
  resolveInboundRoute: async ({ channelType }) =>
    channelType === 'instagram'
      ? { channelId: 'ch-ig', instanceId: 'inst-1', channelType: 'instagram', externalId: '17841400000000000' }
      : { channelId: 'ch-1', instanceId: 'inst-1', channelType: 'whatsapp', externalId: '106540352242922' },
  mergeMessageStatus: async ({ status }) => ({ currentStatus: status }),
  deliverToDsk: async () => ({ status: 200, attempt: 1 }),
  recordInboundOutcome: async () => undefined,
  // Still waiting for proof: the inbound workflow signals the send's workflow (gone here, so not found).
  matchSendStatus: async () => ({ instanceId: 'inst-1', clientMessageId: 'cm-recorded-sent', unresolved: true }),
  // The first send goes out; the one named "ambiguous" loses Meta's answer; the one named "refused" meets a dead token.
  sendOutboundMessage: async ({ request }) => {
    const id = request.request.client_message_id;
    if (id.includes('ambiguous')) {
      throw ApplicationFailure.create({ type: SEND_AMBIGUOUS_FAILURE, nonRetryable: true, message: 'send failed: ambiguous_send', details: [{ code: 'ambiguous_send', meta_code: null, meta_subcode: null, reason: 'No answer came back from Meta.' }] });
    }
    if (id.includes('refused')) {
      throw ApplicationFailure.create({ type: 'send.reauth_required', nonRetryable: true, message: 'send failed: reauth_required (Meta 190/463)', details: [{ code: 'reauth_required', meta_code: 190, meta_subcode: 463, reason: 'expired' }] });
    }
    return { metaMessageId: 'wamid.RECORDED-SENT' };
  },
  notifySendOutcome: async () => ({ delivered: true }),
  // A channel whose connection workflow is not running: the outbound workflow marks it itself.
  tokenRejectionTarget: async ({ channelId }) => ({ id: channelId, connectionId: 'not-running' }),
  markReauthRequiredDirectly: async () => undefined,
  // The business removed the app: one channel with a running connection workflow, one without any.
  channelsOnSameWaba: async () => [
    { id: 'ch-1', connectionId: REMOVED_CONNECTION },
    { id: 'ch-2', connectionId: null },
  ],
  disconnectChannelDirectly: async () => undefined,
  // An echo no known send has: it is offered to an unresolved send (gone here, so not found).
  findSendsForEcho: async () => ({ known: null, candidates: [{ instanceId: 'inst-1', clientMessageId: 'cm-recorded-gone' }] }),
  // Issue #13: the inbound extras step (a captured image and the sender's profile) and the connection's template sync.
  addEventExtras: async (request) => ({
    ...(request.senderId ? { sender: { name: 'Recorded Customer', username: 'recorded' } } : {}),
    ...(request.media ? { media: request.media.map((m) => ({ index: m.index, service_url: `https://svc.example/v1/channels/${request.channelId}/media/ig${'0'.repeat(32)}` })) } : {}),
  }),
  syncChannelTemplates: async () => ({ templates: 3 }),
};

const env = await TestWorkflowEnvironment.createLocal({
  server: { executable: { type: 'existing-path', path: cli }, searchAttributes: [...ALL_SEARCH_ATTRIBUTES] },
});
try {
  const taskQueue = `record-${randomUUID()}`;
  const worker = await Worker.create({ connection: env.nativeConnection, taskQueue, workflowsPath: WORKFLOWS_ENTRY, activities });
  const address = env.connection.options.address;
  const recorded: string[] = [];
  await worker.runUntil(async () => {
    const connectionInput = (overrides: Partial<ConnectionWorkflowInput> = {}): ConnectionWorkflowInput => ({
      connectionId: randomUUID(),
      instanceId: 'inst-1',
      channelType: 'whatsapp',
      flow: 'whatsapp_embedded_signup',
      sessionExpiresAt: new Date(Date.now() + 30 * 60_000).toISOString(),
      timing: { checkEveryMs: 60_000 },
      ...overrides,
    });

    // Connect with a choice between two numbers, one token check, disconnect.
    const connect = await env.client.workflow.start('connectionWorkflow', { taskQueue, workflowId: `connection-record-${randomUUID()}`, args: [connectionInput()] });
    await connect.executeUpdate(authorizeUpdate);
    await connect.executeUpdate(chooseAssetUpdate, { args: [{ assetId: 'pn-2' }] });
    await new Promise((r) => setTimeout(r, 61_000));
    await connect.signal(disconnectSignal, { reason: 'dsk_request' });
    await connect.result();
    recorded.push(connect.workflowId);

    // Nobody authorizes: the session expires.
    const expire = await env.client.workflow.start('connectionWorkflow', {
      taskQueue,
      workflowId: `connection-record-${randomUUID()}`,
      args: [connectionInput({ sessionExpiresAt: new Date(Date.now() + 1_000).toISOString() })],
    });
    await expire.result();
    recorded.push(expire.workflowId);

    // An inbound message delivered to DSK.
    const inbound = await env.client.workflow.start('inboundEventWorkflow', {
      taskQueue,
      workflowId: `inbound-record-${randomUUID()}`,
      args: [
        {
          event: {
            key: 'wa:msg:wamid.RECORDED',
            kind: 'message.received',
            channelType: 'whatsapp',
            businessId: '106540352242922',
            occurredAt: '2025-06-08T20:59:43.000Z',
            receivedAt: '2025-06-08T20:59:44.000Z',
            data: { message: { id: 'wamid.RECORDED', type: 'text', text: 'recorded fixture' } },
            raw: {},
          },
          receivedAt: '2025-06-08T20:59:44.000Z',
          deliveryHorizon: '1 hour',
        },
      ],
    });
    await inbound.result();
    recorded.push(inbound.workflowId);

    // Issue #13: an Instagram image (captured, with the sender's profile) and a template status webhook.
    for (const event of [
      {
        key: 'ig:msg:RECORDED-IMAGE',
        kind: 'message.received',
        channelType: 'instagram',
        businessId: '17841400000000000',
        occurredAt: '2025-06-08T20:59:43.000Z',
        receivedAt: '2025-06-08T20:59:44.000Z',
        data: { sender: { id: '6841100000000001' }, message: { id: 'RECORDED-IMAGE', type: 'image', attachments: [{ type: 'image', url: 'https://lookaside.fbsbx.com/ig_messaging_cdn/?asset_id=1' }] } },
        raw: {},
      },
      {
        key: 'wa:message_template_status_update:RECORDED',
        kind: 'template.status',
        channelType: 'whatsapp',
        businessId: '102290129340398',
        wabaId: '102290129340398',
        occurredAt: '2025-06-08T20:59:43.000Z',
        receivedAt: '2025-06-08T20:59:44.000Z',
        data: { event: 'APPROVED', template_id: '1234567890', template_name: 'order_update', language: 'en_US', category: 'UTILITY' },
        raw: {},
      },
    ]) {
      const run = await env.client.workflow.start('inboundEventWorkflow', {
        taskQueue,
        workflowId: `inbound-record-${randomUUID()}`,
        args: [{ event, receivedAt: '2025-06-08T20:59:44.000Z', deliveryHorizon: '1 hour' }],
      });
      await run.result();
      recorded.push(run.workflowId);
    }

    // A status webhook of one of our sends (its tag matched in the send ledger).
    const status = await env.client.workflow.start('inboundEventWorkflow', {
      taskQueue,
      workflowId: `inbound-record-${randomUUID()}`,
      args: [
        {
          event: {
            key: 'wa:status:wamid.RECORDED-SENT:sent',
            kind: 'message.status',
            channelType: 'whatsapp',
            businessId: '106540352242922',
            occurredAt: '2025-06-08T21:00:00.000Z',
            receivedAt: '2025-06-08T21:00:01.000Z',
            data: { message_id: 'wamid.RECORDED-SENT', status: 'sent', biz_opaque_callback_data: `dsk:${'0'.repeat(32)}` },
            raw: {},
          },
          receivedAt: '2025-06-08T21:00:01.000Z',
          deliveryHorizon: '1 hour',
        },
      ],
    });
    await status.result();
    recorded.push(status.workflowId);

    // Outbound sends: answered through update-with-start; an ambiguous one reconciled by a status webhook; a dead token.
    for (const kind of ['sent', 'ambiguous', 'refused'] as const) {
      const clientMessageId = `cm-recorded-${kind}-${randomUUID().slice(0, 8)}`;
      const input: OutboundWorkflowInput = {
        instanceId: 'inst-1',
        channelId: 'ch-1',
        channelType: 'whatsapp',
        clientMessageId,
        request: { client_message_id: clientMessageId, to: '+16505551234', type: 'text', text: { body: 'recorded fixture' } },
        deliveryHorizon: '1 hour',
      };
      const workflowId = `outbound-record-${randomUUID()}`;
      await env.client.workflow.executeUpdateWithStart(sendResultUpdate, {
        args: [{ waitMs: 5_000 }],
        startWorkflowOperation: new WithStartWorkflowOperation('outboundMessageWorkflow', { taskQueue, workflowId, args: [input], ...OUTBOUND_START_POLICY }),
      });
      const handle = env.client.workflow.getHandle(workflowId);
      if (kind === 'ambiguous') await handle.signal(sendObservedSignal, { metaMessageId: 'wamid.RECORDED-LATE' });
      await handle.result();
      recorded.push(workflowId);
    }

    // WhatsApp reports the business removed the app: the inbound workflow signals the connection workflow
    // of one channel (waiting for authorization here, so it ends cancelled) and disconnects the other itself.
    const removed = await env.client.workflow.start('connectionWorkflow', {
      taskQueue,
      workflowId: connectionWorkflowId(REMOVED_CONNECTION),
      args: [connectionInput({ connectionId: REMOVED_CONNECTION })],
    });
    const receivedAt = new Date('2025-06-08T21:05:00.000Z');
    const [accountUpdate] = splitWebhook(waAccountUpdate({ event: 'PARTNER_APP_UNINSTALLED', time: receivedAt.getTime() }), { receivedAt });
    const [echo] = splitWebhook(igPayload(igEcho({ text: 'recorded fixture' })), { receivedAt });
    for (const event of [accountUpdate!, echo!]) {
      const inboundRun = await env.client.workflow.start('inboundEventWorkflow', {
        taskQueue,
        workflowId: `inbound-record-${randomUUID()}`,
        args: [{ event, receivedAt: receivedAt.toISOString(), deliveryHorizon: '1 hour' }],
      });
      await inboundRun.result();
      recorded.push(inboundRun.workflowId);
    }
    await removed.result();
    recorded.push(removed.workflowId);
  });

  await mkdir(outDir, { recursive: true });
  for (const workflowId of recorded) {
    const { stdout } = await run(cli, ['workflow', 'show', '--address', address, '--namespace', 'default', '-w', workflowId, '-o', 'json']);
    const name = `${workflowId.split('-')[0]}-${stamp}-${workflowId.slice(-8)}.json`;
    await writeFile(path.join(outDir, name), stdout);
    process.stdout.write(`recorded ${name}\n`);
  }
} finally {
  await env.teardown();
}
