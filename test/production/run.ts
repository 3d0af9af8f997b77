import assert from 'node:assert/strict';
import { X509Certificate, createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { chromium, type Browser } from 'playwright-core';
import { DEV_INSTAGRAM_APP_ID, DEV_META_APP_ID } from '../../dev/meta-emulator/app-ids.js';
import { createLogger } from '../../src/logger.js';
import { ALL_SEARCH_ATTRIBUTES } from '../../src/shared/search-attributes.js';
import { run } from './processes.js';
import { startProductionTopology, type ProductionTopology } from './start-topology.js';
import { NAMESPACE } from './topology.js';
import { runTraffic, type TrafficReport } from './traffic.js';
import { checkObservedMetrics } from './observability.js';
import { WHATSAPP_APP_FIELDS } from '../../src/meta/doctor.js';
import { PAGE_SUBSCRIBED_FIELDS } from '../../src/meta/instagram/facebook-login.js';
import { INSTAGRAM_SUBSCRIBED_FIELDS } from '../../src/meta/instagram/login-api.js';

const dir = process.env.PROD_TEST_DIR!;
const certDir = process.env.PROD_TEST_CERTS!;
const log = createLogger({ level: process.env.PROD_TEST_LOG_LEVEL ?? 'warn', name: 'test-production', destination: process.stderr });
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const INSTANCE = 'prod-instance-1';
const pem = (name: string) => readFileSync(path.join(certDir, name));
const spki = (name: string) => createHash('sha256').update(new X509Certificate(pem(name)).publicKey.export({ type: 'spki', format: 'der' })).digest('base64');
const note = (line: string) => process.stdout.write(`# ${line}\n`);

describe('production topology: PostgreSQL, Temporal 1.32 on it with mTLS, 2 api + 2 workers in production mode', () => {
  let topology: ProductionTopology;
  let browser: Browser;

  const api = async (method: string, urlPath: string, body?: unknown) => {
    const token = await topology.dskIssuer.dskToken({ instanceId: INSTANCE });
    const res = await fetch(`${topology.publicBaseUrl}${urlPath}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      ...(body ? { body: JSON.stringify(body) } : {}),
      signal: AbortSignal.timeout(20_000),
    });
    return { status: res.status, body: (await res.json().catch(() => ({}))) as Record<string, unknown> };
  };

  before(async () => {
    topology = await startProductionTopology({ dir, certDir, log });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      // Trust exactly the api's and the emulator's test certificates, as a browser trusts real ones.
      args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', `--ignore-certificate-errors-spki-list=${spki('api.pem')},${spki('meta.pem')}`],
    });
    note(`stack up: ${topology.timings.join(', ')}`);
  });

  after(async () => {
    await browser?.close();
    await topology?.stop();
  });

  it('sets up the namespace, its retention and the search attributes with the service’s own command, idempotently', async () => {
    const lines = readFileSync(topology.setupLog, 'utf8')
      .split('\n')
      .filter((l) => l.includes('temporal namespace ready'))
      .map((l) => JSON.parse(l) as { namespace: string; addedSearchAttributes: string[]; retentionHours: number });
    assert.equal(lines.length, 2);
    assert.deepEqual(
      lines.map((l) => [l.namespace, l.addedSearchAttributes.length]),
      [
        ['created', ALL_SEARCH_ATTRIBUTES.length],
        ['unchanged', 0],
      ],
    );
    const connection = await topology.temporal.connect();
    try {
      const ns = await connection.workflowService.describeNamespace({ namespace: NAMESPACE });
      assert.equal(Number(ns.config?.workflowExecutionRetentionTtl?.seconds), 192 * 3600);
      const { customAttributes } = await connection.operatorService.listSearchAttributes({ namespace: NAMESPACE });
      for (const key of ALL_SEARCH_ATTRIBUTES) assert.ok(customAttributes?.[key.name] !== undefined, `${key.name} registered`);
    } finally {
      await connection.close();
    }
  });

  it('lets DSK register its https events URL through the balancer', async () => {
    const res = await api('PUT', '/v1/instance', { events_url: topology.dsk.url });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.body.events_url, topology.dsk.url);
  });

  it('passes `npm run doctor` once the app’s webhooks point at the deployment (Meta verifies the callback against the running api)', async () => {
    const subscribe = async (appId: string, secret: string, object: string, fields: readonly string[]) => {
      const res = await fetch(`${topology.meta.url}/v26.0/${appId}/subscriptions`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ object, callback_url: `${topology.publicBaseUrl}/webhooks/meta`, fields: fields.join(','), verify_token: topology.baseEnv.META_VERIFY_TOKEN!, access_token: `${appId}|${secret}` }),
      });
      assert.equal(res.status, 200, await res.text());
    };
    await subscribe(DEV_META_APP_ID, topology.baseEnv.META_APP_SECRETS!, 'whatsapp_business_account', WHATSAPP_APP_FIELDS);
    await subscribe(DEV_META_APP_ID, topology.baseEnv.META_APP_SECRETS!, 'instagram', PAGE_SUBSCRIBED_FIELDS);
    await subscribe(DEV_INSTAGRAM_APP_ID, topology.baseEnv.INSTAGRAM_APP_SECRET!, 'instagram', INSTAGRAM_SUBSCRIBED_FIELDS);
    const doctorLog = path.join(topology.logs, 'doctor.log');
    await run('doctor', process.execPath, ['dist/src/main-doctor.js'], topology.baseEnv, doctorLog);
    const out = readFileSync(doctorLog, 'utf8');
    for (const line of [
      '✔ Meta app: app id and secret',
      `✔ Meta app: WhatsApp webhooks: whatsapp_business_account → ${topology.publicBaseUrl}/webhooks/meta`,
      '✔ Instagram app: Instagram Login webhooks',
      '✔ PostgreSQL: reachable',
      `✔ Temporal namespace: ${NAMESPACE}, retention 192 h`,
      '✔ Temporal search attributes: all registered',
      'doctor: nothing to fix',
    ]) {
      assert.ok(out.includes(line), `doctor prints "${line}":\n${out}`);
    }
  });

  const channels: Record<'whatsapp' | 'instagram', { channelId: string; externalId: string }> = {} as never;

  for (const channelType of ['whatsapp', 'instagram'] as const) {
    it(`connects ${channelType === 'whatsapp' ? 'a WhatsApp number (Embedded Signup)' : 'an Instagram account (Instagram Login)'} in Chromium through the balancer`, async () => {
      const created = await api('POST', '/v1/connections', { channel_type: channelType, return_url: 'https://dsk.example.test/return' });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      assert.equal(created.body.flow, channelType === 'whatsapp' ? 'whatsapp_embedded_signup' : 'instagram_login');
      const context = await browser.newContext();
      const page = await context.newPage();
      await page.goto(String(created.body.connect_url));
      await page.getByRole('link', { name: 'Continue with Meta' }).click();
      await page.getByRole('button', { name: 'Continue' }).click();
      await page.getByRole('heading', { name: 'Channel connected' }).waitFor({ timeout: 60_000 });
      await context.close();
      const connection = await api('GET', `/v1/connections/${String(created.body.connection_id)}`);
      assert.equal(connection.body.status, 'active');
      const channelId = String(connection.body.channel_id);
      const channel = await api('GET', `/v1/channels/${channelId}`);
      channels[channelType] = { channelId, externalId: String(channel.body.external_id) };
      await topology.dsk.waitFor(() => topology.dsk.accepted.some((d) => d.body.type === 'channel.status' && (d.body.channel as { id: string }).id === channelId), 60_000, 'channel.status active');
    });
  }

  let report: TrafficReport;
  it('keeps every event and every send through a worker SIGKILL, a Temporal restart and a PostgreSQL restart', async () => {
    report = await runTraffic({
      emulator: topology.emulator,
      dsk: topology.dsk,
      api,
      channels,
      faults: [
        {
          at: 12_000,
          name: 'worker-1 SIGKILL (restarted 3 s later)',
          run: async () => {
            await topology.workers[0]!.kill();
            await sleep(3_000);
            topology.startWorker(0);
          },
        },
        { at: 30_000, name: 'Temporal server restart (SIGTERM, start)', run: () => topology.temporal.restart() },
        { at: 55_000, name: 'PostgreSQL restart (pg_ctl stop -m fast, start)', run: () => topology.pg.restart() },
      ],
      durationMs: 75_000,
      drainMs: 240_000,
      log: note,
    });
    for (const line of report.summary) note(line);
    assert.deepEqual(report.lostInbound, [], 'every webhook event reached DSK');
    assert.deepEqual(report.duplicateInbound, [], 'no event reached DSK twice under different keys');
    assert.deepEqual(report.sendsNotMadeOnce, [], 'every send made at Meta exactly once');
    assert.deepEqual(report.sendsNotAnswered, [], 'every send answered with its outcome, once');
    assert.ok(report.inbound >= 100 && report.sends >= 50, `enough traffic: ${report.inbound} inbound, ${report.sends} sends`);
  });

  it('exports every metric the Grafana dashboard and the Prometheus alert rules query', async () => {
    const scrape = async (url: string) => {
      const res = await fetch(url, { headers: { authorization: `Bearer ${topology.secrets.metricsToken}` } });
      assert.equal(res.status, 200, url);
      return res.text();
    };
    // Every replica, as Prometheus scrapes them: a series one replica has not created yet may exist in another.
    const apiTexts = await Promise.all(topology.apiPorts.map((port) => scrape(`https://127.0.0.1:${port}/metrics`)));
    const workerTexts = await Promise.all(topology.workerMetricsPorts.map((port) => scrape(`http://127.0.0.1:${port}/metrics`)));
    const texts = [...apiTexts, ...workerTexts];
    texts.forEach((text, i) => writeFileSync(path.join(topology.logs, `metrics-${i < 2 ? `api-${i + 1}` : `worker-${i - 1}`}.txt`), text));
    for (const text of apiTexts) assert.match(text, /^mis_http_request_duration_seconds_bucket\{/m, 'each api times its requests');
    for (const text of workerTexts) assert.match(text, /^mis_temporal_worker_task_slots_available\{/m, 'each worker exports the Temporal SDK metrics');
    const missing = checkObservedMetrics(texts);
    assert.deepEqual(missing, [], 'metrics queried by deploy/grafana and deploy/prometheus but exported by no process');
  });
});
