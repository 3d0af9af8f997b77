import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import diagnostics from 'node:diagnostics_channel';
import { mkdir } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { chromium, type Browser, type Page } from 'playwright-core';
import { freePort, startLocalTemporal, type LocalTemporal } from '../../dev/infra/local-temporal.js';
import { findTemporalCli, projectRoot } from '../../dev/infra/tools.js';
import { createLogger } from '../../src/logger.js';
import { inboundWorkflowId } from '../../src/shared/ids.js';
import { ALL_SEARCH_ATTRIBUTES, searchAttributeFlags } from '../../src/shared/search-attributes.js';
import { ENCRYPTED_ENCODING } from '../../src/temporal/encryption-codec.js';
import { startDskFake, type DskFake } from '../support/dsk-fake.js';
import { newWamid, signedDelivery, waMessagePayload, waStatus, waStatusPayload, waTextMessage } from '../support/meta-webhook-sender.js';
import { seedChannel, startTestService, uniqueMetaId, type TestService } from '../support/service.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
/** Git-ignored: the screenshots are this test's artifacts (a failing step leaves a `*-failure.png`). */
const ARTIFACTS = path.join(projectRoot(), 'test-results');
const SHOT_FILTERED = path.join(ARTIFACTS, 'web-ui-workflows-filtered.png');
const SHOT_DECODED = path.join(ARTIFACTS, 'web-ui-decoded-payload.png');

/** A request to /codec/*, as the service's own HTTP server saw it (Node's diagnostics channel), and its answer. */
interface CodecCall {
  method: string;
  url: string;
  status?: number;
}

/**
 * The operator's view end to end: a Temporal dev server of this file's own WITH the Web UI, its
 * codec endpoint pointing at the service's `/codec`, payloads encrypted as in production. A signed
 * webhook goes through the service to the DSK fake; then headless Chromium opens the Web UI as an
 * operator would: the workflow list filtered by search attributes, and the workflow's page, whose
 * input the UI can only show by calling the codec endpoint from the browser.
 */
describe('operator view: the Temporal Web UI filters by search attribute and decodes payloads through /codec (headless Chromium)', () => {
  let temporal: LocalTemporal;
  let uiUrl: string;
  let service: TestService;
  let dsk: DskFake;
  let browser: Browser;
  const instanceA = `inst-webui-a-${uniqueMetaId()}`;
  const instanceB = `inst-webui-b-${uniqueMetaId()}`;
  const phoneA = uniqueMetaId();
  const phoneB = uniqueMetaId();
  const marker = `webui-marker-${randomBytes(6).toString('hex')}`;
  /** Instance A's message.received: carries the marker. */
  let target: string;
  /** Instance A, another kind (message.status). */
  let otherKind: string;
  /** Instance B, the same kind. */
  let otherInstance: string;

  const codecCalls: CodecCall[] = [];
  const onRequest = (message: unknown) => {
    const { request, response } = message as { request: IncomingMessage; response: ServerResponse };
    if (!request.url?.startsWith('/codec/')) return;
    const call: CodecCall = { method: request.method ?? '', url: request.url };
    codecCalls.push(call);
    response.once('finish', () => {
      call.status = response.statusCode;
    });
  };

  before(async () => {
    // Worker lifecycle lines at INFO would bury the test report; warnings still show.
    Runtime.install({ logger: new DefaultLogger('WARN') });
    const log = createLogger({ level: process.env.TEST_LOG_LEVEL ?? 'silent', name: 'web-ui-test' });
    // The UI is told the codec URL at start, so the API's port is chosen before either starts.
    const apiPort = await freePort();
    const uiPort = await freePort();
    temporal = await startLocalTemporal({
      binary: findTemporalCli(process.env),
      port: await freePort(),
      uiPort,
      headless: false,
      codecEndpoint: `http://127.0.0.1:${apiPort}/codec`,
      searchAttributes: searchAttributeFlags(),
      log,
    });
    uiUrl = temporal.uiUrl!;
    service = await startTestService({
      temporalAddress: temporal.address,
      port: apiPort,
      env: { CODEC_CORS_ORIGINS: `http://127.0.0.1:${uiPort},http://localhost:${uiPort}` },
    });
    diagnostics.subscribe('http.server.request.start', onRequest);
    dsk = await startDskFake({ jwks: () => service.foundation.signingKey.publicJwks(), issuer: service.config.serviceJwt.issuer, audience: service.config.serviceJwt.audience });
    await seedChannel(service, { instanceId: instanceA, channelType: 'whatsapp', externalId: phoneA, wabaId: uniqueMetaId(), eventsUrl: dsk.url });
    await seedChannel(service, { instanceId: instanceB, channelType: 'whatsapp', externalId: phoneB, wabaId: uniqueMetaId(), eventsUrl: dsk.url });

    const post = async (payload: unknown) => {
      const delivery = signedDelivery(payload, service.metaAppSecret);
      const res = await fetch(`${service.baseUrl}/webhooks/meta`, { method: 'POST', headers: delivery.headers, body: delivery.body });
      assert.equal(res.status, 200);
    };
    const [wamidA, wamidB, sentWamid] = [newWamid(), newWamid(), newWamid()];
    await post(waMessagePayload(waTextMessage({ wamid: wamidA, text: marker }), { phoneNumberId: phoneA }));
    await post(waStatusPayload(waStatus({ wamid: sentWamid, status: 'delivered' }), { phoneNumberId: phoneA }));
    await post(waMessagePayload(waTextMessage({ wamid: wamidB }), { phoneNumberId: phoneB }));
    const keys = [`wa:msg:${wamidA}`, `wa:status:${sentWamid}:delivered`, `wa:msg:${wamidB}`];
    [target, otherKind, otherInstance] = keys.map(inboundWorkflowId) as [string, string, string];
    await dsk.waitFor(() => keys.every((k) => dsk.acceptCount(k) === 1));
    for (const id of [target, otherKind, otherInstance]) await service.client.workflow.getHandle(id).result();
    // Visibility is eventually consistent: the UI is opened only once every workflow is listed as delivered
    // (completed; a run the intake started with its route keeps IntegrationStatus = delivering).
    await eventually(async () => {
      const ids: string[] = [];
      for await (const wf of service.client.workflow.list({ query: `DskInstanceId IN ("${instanceA}", "${instanceB}") AND IntegrationStatus = "delivering" AND ExecutionStatus = "Completed"` })) ids.push(wf.workflowId);
      return ids.length === 3 ? ids : undefined;
    });

    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    await mkdir(ARTIFACTS, { recursive: true });
  });
  after(async () => {
    diagnostics.unsubscribe('http.server.request.start', onRequest);
    await browser?.close();
    await service?.stop();
    await dsk?.close();
    await temporal?.stop();
  });

  /** A fresh page; when `fn` fails, what the browser showed is kept next to the artifacts. */
  async function withPage(name: string, fn: (page: Page) => Promise<void>): Promise<void> {
    const page = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
    try {
      await fn(page);
    } catch (err) {
      await page.screenshot({ path: path.join(ARTIFACTS, `web-ui-${name}-failure.png`) }).catch(() => undefined);
      throw err;
    } finally {
      await page.close();
    }
  }
  const filteredListUrl = () =>
    `${uiUrl}/namespaces/default/workflows?query=${encodeURIComponent(`EventKind="message.received" AND DskInstanceId="${instanceA}"`)}`;

  it('sets EventKind, IntegrationStatus, DskInstanceId, ChannelId and ChannelType on the inbound workflow at its start', async () => {
    const { typedSearchAttributes } = await service.client.workflow.getHandle(target).describe();
    const byName = Object.fromEntries(ALL_SEARCH_ATTRIBUTES.map((key) => [key.name, typedSearchAttributes.get(key)]));
    const [{ id: channelA }] = (await service.foundation.pool.query<{ id: string }>(`SELECT id FROM channels WHERE external_id = $1`, [phoneA])).rows as [{ id: string }];
    assert.deepEqual(byName, { DskInstanceId: instanceA, ChannelId: channelA, ChannelType: 'whatsapp', IntegrationStatus: 'delivering', EventKind: 'message.received' });
  });

  it('lists the inbound workflow filtered by EventKind and DskInstanceId, without another kind or another instance', async (t) => {
    await withPage('workflows-filtered', async (page) => {
      await page.goto(filteredListUrl());
      await page.getByRole('link', { name: target, exact: true }).waitFor();
      // The filter as the UI understood it, shown as chips an operator can edit.
      await page.getByText(`DskInstanceId = "${instanceA}"`).waitFor();
      assert.equal(await page.getByRole('link', { name: /^inbound-/ }).count(), 1);
      assert.equal(await page.getByText(otherKind).count(), 0);
      assert.equal(await page.getByText(otherInstance).count(), 0);
      await page.screenshot({ path: SHOT_FILTERED });
      t.diagnostic(`screenshot: ${SHOT_FILTERED}`);
    });
  });

  it('shows the workflow input decoded: the browser calls /codec/decode, the history holds only ciphertext', async (t) => {
    const history = await service.client.workflow.getHandle(target).fetchHistory();
    const stored = history.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0];
    assert.equal(Buffer.from(stored?.metadata?.encoding ?? new Uint8Array()).toString(), ENCRYPTED_ENCODING, 'the UI cannot read the input without the codec');

    await withPage('decoded-payload', async (page) => {
      // What the codec endpoint answered the browser, decoded as the UI decodes it.
      const answers: Array<Promise<string[]>> = [];
      page.on('response', (response) => {
        if (response.request().method() !== 'POST' || !response.url().startsWith(`${service.baseUrl}/codec/decode`) || response.status() !== 200) return;
        answers.push(
          response
            .json()
            .then(({ payloads }: { payloads: Array<{ data?: string }> }) => payloads.map((p) => Buffer.from(p.data ?? '', 'base64').toString('utf8')))
            // A body still arriving when the page closes is not evidence either way.
            .catch(() => []),
        );
      });
      const callsBefore = codecCalls.length;

      await page.goto(filteredListUrl());
      await page.getByRole('link', { name: target, exact: true }).click();
      const shown = page.getByText(marker).first();
      await shown.waitFor();
      await shown.scrollIntoViewIfNeeded();
      await page.screenshot({ path: SHOT_DECODED });
      t.diagnostic(`screenshot: ${SHOT_DECODED}`);

      // Counted at the service's HTTP server: the page cannot have shown the marker without these.
      const decodes = codecCalls.slice(callsBefore).filter((c) => c.method === 'POST' && c.url.startsWith('/codec/decode'));
      const answered = decodes.filter((c) => c.status !== undefined);
      assert.ok(answered.length >= 1, 'the service answered /codec/decode');
      assert.deepEqual(answered.filter((c) => c.status !== 200), [], 'no decode call was refused');
      const decodedTexts = (await Promise.all(answers)).flat();
      assert.ok(decodedTexts.some((text) => text.includes(marker)), 'the codec endpoint gave the browser the decoded input');
      t.diagnostic(`codec decode calls served: ${answered.length} (${decodedTexts.length} payloads)`);
    });
  });
});

/** Polls until `probe` yields a value (20 s at most). */
async function eventually<T>(probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) assert.fail('condition not reached within 20 s');
    await sleep(100);
  }
}
