import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import type { Activities } from '../src/activities/index.js';
import { findTemporalCli, projectRoot } from '../src/infra/tools.js';
import { ALL_SEARCH_ATTRIBUTES } from '../src/shared/search-attributes.js';
import type { ConnectionWorkflowInput } from '../src/shared/connections.js';
import { WORKFLOWS_ENTRY } from '../src/temporal/worker.js';
import { authorizeUpdate, chooseAssetUpdate, disconnectSignal } from '../src/workflows/messages.js';

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

const activities: Partial<Activities> = {
  exchangeAuthorization: async () => ({ options: [{ id: 'pn-1', name: 'Acme Sales' }, { id: 'pn-2', name: 'Acme Support' }] }),
  activateChannel: async ({ assetId }) => ({ channelId: `ch-${assetId}`, tokenExpiresAt: null }),
  checkChannelToken: async () => ({ state: 'valid', expiresAt: null, expiringSoon: false, resubscribed: false }),
  markChannelStatus: async () => undefined,
  notifyChannelStatus: async () => ({ delivered: true }),
  discardSession: async () => undefined,
  finishConnection: async () => undefined,
  disconnectChannel: async () => undefined,
  resolveInboundRoute: async () => ({ channelId: 'ch-1', instanceId: 'inst-1', channelType: 'whatsapp', externalId: '106540352242922' }),
  mergeMessageStatus: async ({ status }) => ({ currentStatus: status }),
  deliverToDsk: async () => ({ status: 200, attempt: 1 }),
  recordInboundOutcome: async () => undefined,
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
  });

  await mkdir(outDir, { recursive: true });
  for (const workflowId of recorded) {
    const { stdout } = await run(cli, ['workflow', 'show', '--address', address, '--namespace', 'default', '-w', workflowId, '-o', 'json']);
    const name = `${workflowId.startsWith('inbound') ? 'inbound' : 'connection'}-${stamp}-${workflowId.slice(-8)}.json`;
    await writeFile(path.join(outDir, name), stdout);
    process.stdout.write(`recorded ${name}\n`);
  }
} finally {
  await env.teardown();
}
