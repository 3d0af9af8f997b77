import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { createMetaEmulator, type MetaEmulator, type RunningMetaEmulator } from '../../dev/meta-emulator/app.js';
import { parseOutboundRequest } from '../../src/api/outbound-schema/index.js';
import { CONNECT_COOKIE } from '../../src/api/routes/connect-pages.js';
import { sendTag } from '../../src/outbound/send-tag.js';
import { generateServiceSigningKey } from '../../src/dsk/service-keys.js';
import { legacyOutboundWorkflowId, outboundWorkflowId } from '../../src/shared/ids.js';
import type { OutboundWorkflowInput } from '../../src/shared/outbound.js';
import { connectViaApi, dskApi } from '../support/connect.js';
import { startDskFake, type DskFake } from '../support/dsk-fake.js';
import { metaEmulatorEnv } from '../support/meta-env.js';
import { newWamid, signedDelivery, waEnvelope, waMessagePayload, waTextMessage } from '../support/meta-webhook-sender.js';
import { seedChannel, startTestService, uniqueMetaId, type TestService } from '../support/service.js';

/**
 * Two tenants whose instance ids are prefixes of each other, `acme` and `acme-corp`, each with a valid
 * token, tried as an attacker would (issue #11): every path between them is refused or isolated.
 * The real api, worker, PostgreSQL and Temporal; Meta is the emulator, each DSK instance a fake of its own.
 */
describe('tenancy: acme and acme-corp cannot read, block or redirect each other (real PostgreSQL and Temporal)', () => {
  const run = uniqueMetaId().slice(-6);
  const A = `acme${run}`;
  const B = `acme${run}-corp`;
  const metaAppSecret = randomBytes(16).toString('hex');
  let emulator: MetaEmulator;
  let meta: RunningMetaEmulator;
  let service: TestService;
  let dskA: DskFake;
  let dskB: DskFake;
  let waA: { channelId: string; phoneNumberId: string };
  let waB: { channelId: string; phoneNumberId: string };

  before(async () => {
    emulator = createMetaEmulator({ appSecret: metaAppSecret });
    meta = await emulator.listen();
    service = await startTestService({ env: metaEmulatorEnv(meta), metaAppSecret });
    const fake = () => startDskFake({ jwks: () => service.foundation.signingKey.publicJwks(), issuer: service.config.serviceJwt.issuer, audience: service.config.serviceJwt.audience });
    [dskA, dskB] = await Promise.all([fake(), fake()]);
    await service.foundation.repos.instances.setEventsUrl(A, dskA.url);
    await service.foundation.repos.instances.setEventsUrl(B, dskB.url);
    const connect = async (instanceId: string) => {
      const grant = emulator.state.configureGrant({ flow: 'whatsapp_embedded_signup', assets: [{ phoneNumbers: [{}] }] });
      const { channelId } = await connectViaApi(service, instanceId, 'whatsapp');
      assert.ok(channelId);
      return { channelId, phoneNumberId: grant.phoneNumberIds[0]! };
    };
    waA = await connect(A);
    waB = await connect(B);
  });
  after(async () => {
    await service?.stop();
    await Promise.all([dskA?.close(), dskB?.close(), meta?.close()]);
  });

  const text = (clientMessageId: string, body: string) => ({ client_message_id: clientMessageId, to: '+16505551234', type: 'text', text: { body } });
  const sentTo = (phoneNumberId: string) => emulator.state.businessMessages.filter((m) => m.channelId === phoneNumberId);
  const postWebhook = (payload: Record<string, unknown>) => {
    const d = signedDelivery(payload, metaAppSecret);
    return fetch(`${service.baseUrl}/webhooks/meta`, { method: 'POST', headers: d.headers, body: d.body });
  };

  describe('sends', () => {
    it("gives 'acme' + 'corp-42' and 'acme-corp' + '42' two workflows and two messages, each read only by its instance", async () => {
      assert.notEqual(outboundWorkflowId(A, 'corp-42'), outboundWorkflowId(B, '42'));
      assert.equal(legacyOutboundWorkflowId(A, 'corp-42'), legacyOutboundWorkflowId(B, '42'), 'the id form this replaces collided');
      const byB = await dskApi(service, B, 'POST', `/v1/channels/${waB.channelId}/messages`, text('42', 'from acme-corp'));
      const byA = await dskApi(service, A, 'POST', `/v1/channels/${waA.channelId}/messages`, text('corp-42', 'from acme'));
      assert.deepEqual([byB.status, byB.body.status, byA.status, byA.body.status], [200, 'accepted', 200, 'accepted']);
      assert.notEqual(byA.body.message_id, byB.body.message_id);
      assert.deepEqual(sentTo(waA.phoneNumberId).map((m) => m.messageId), [byA.body.message_id]);
      assert.deepEqual(sentTo(waB.phoneNumberId).map((m) => m.messageId), [byB.body.message_id]);
      // The same client_message_id in another instance is another send.
      const sameIdInA = await dskApi(service, A, 'POST', `/v1/channels/${waA.channelId}/messages`, text('42', 'acme reuses 42'));
      assert.equal(sameIdInA.status, 200);
      assert.notEqual(sameIdInA.body.message_id, byB.body.message_id);

      const readA = await dskApi(service, A, 'GET', `/v1/channels/${waA.channelId}/messages/corp-42`);
      assert.deepEqual([readA.status, readA.body.message_id], [200, byA.body.message_id]);
      const crossRead = await dskApi(service, A, 'GET', `/v1/channels/${waB.channelId}/messages/42`);
      assert.deepEqual([crossRead.status, (crossRead.body.error as { code: string }).code], [404, 'channel_not_found']);
      const crossSend = await dskApi(service, A, 'POST', `/v1/channels/${waB.channelId}/messages`, text('x-1', 'into acme-corp'));
      assert.deepEqual([crossSend.status, (crossSend.body.error as { code: string }).code], [404, 'channel_not_found']);
    });

    it('answers a repeat from the send ledger after Temporal has forgotten the send, and never sends it again', async () => {
      const first = await dskApi(service, A, 'POST', `/v1/channels/${waA.channelId}/messages`, text('retained-1', 'once'));
      assert.equal(first.status, 200);
      const workflowId = outboundWorkflowId(A, 'retained-1');
      await service.client.workflow.getHandle(workflowId).result();
      // What the namespace retention does after 8 days (the dev server does not run deletions): the
      // ledger's claim now names a run Temporal does not have.
      await service.foundation.pool.query(`UPDATE outbound_sends SET workflow_id = $2 WHERE workflow_id = $1`, [workflowId, `${workflowId}:purged`]);
      const repeat = await dskApi(service, A, 'POST', `/v1/channels/${waA.channelId}/messages`, text('retained-1', 'once'));
      // The ledger holds no recipient (privacy policy), so Meta's normalised number is only in the first answer.
      const { recipient, ...firstWithoutRecipient } = first.body;
      assert.ok(recipient, 'the first answer names the recipient as Meta normalised it');
      assert.deepEqual(repeat, { ...first, body: firstWithoutRecipient });
      const read = await dskApi(service, A, 'GET', `/v1/channels/${waA.channelId}/messages/retained-1`);
      assert.deepEqual([read.status, read.body.status, read.body.message_id], [200, 'accepted', first.body.message_id]);
      assert.equal(sentTo(waA.phoneNumberId).filter((m) => m.messageId === first.body.message_id).length, 1);
      assert.equal(emulator.state.businessMessages.filter((m) => JSON.stringify(m.body).includes('"once"')).length, 1);
    });

    it('lets only the run the ledger names call Meta: another run with the same send is refused as unknown', async () => {
      const first = await dskApi(service, A, 'POST', `/v1/channels/${waA.channelId}/messages`, text('claimed-1', 'claimed'));
      assert.equal(first.status, 200);
      const input: OutboundWorkflowInput = {
        instanceId: A,
        channelId: waA.channelId,
        channelType: 'whatsapp',
        clientMessageId: 'claimed-1',
        request: parseOutboundRequest('whatsapp', text('claimed-1', 'claimed')).request,
        deliveryHorizon: '1 minute',
        reconcileWindowMs: 1_000,
      };
      // A run under the old id form (as one started before the deploy would be) for the same send.
      const intruder = await service.client.workflow.execute('outboundMessageWorkflow', { taskQueue: service.config.temporal.taskQueue, workflowId: legacyOutboundWorkflowId(A, 'claimed-1'), args: [input] });
      assert.equal((intruder as { status: string }).status, 'unknown');
      assert.equal(emulator.state.businessMessages.filter((m) => JSON.stringify(m.body).includes('"claimed"')).length, 1);
    });

    it('starts the run of a claim that never got one (the api died between claim and start), and sends once', async () => {
      await service.foundation.repos.outboundSends.claim(
        { tag: sendTag(A, 'orphan-claim'), instanceId: A, channelId: waA.channelId, clientMessageId: 'orphan-claim', workflowId: outboundWorkflowId(A, 'orphan-claim') },
        new Date(),
      );
      const sent = await dskApi(service, A, 'POST', `/v1/channels/${waA.channelId}/messages`, text('orphan-claim', 'orphan'));
      assert.deepEqual([sent.status, sent.body.status], [200, 'accepted']);
      assert.equal(emulator.state.businessMessages.filter((m) => JSON.stringify(m.body).includes('"orphan"')).length, 1);
    });
  });

  describe('channels, media, deliveries and connections', () => {
    it("answers 404 for every route on the other instance's channel, and lists only the caller's", async () => {
      const other = waB.channelId;
      const attempts: Array<[string, string, unknown?]> = [
        ['GET', `/v1/channels/${other}`],
        ['PATCH', `/v1/channels/${other}`, { display_name: 'mine now' }],
        ['GET', `/v1/channels/${other}/data`],
        ['POST', `/v1/channels/${other}/reconnect`],
        ['GET', `/v1/media/${other}/1234567890`],
        ['GET', `/v1/channels/${other}/windows/${encodeURIComponent('+16505551234')}`],
        ['DELETE', `/v1/channels/${other}`],
      ];
      for (const [method, path, body] of attempts) {
        const res = await dskApi(service, A, method, path, body);
        assert.equal(res.status, 404, `${method} ${path}`);
      }
      const upload = await fetch(`${service.baseUrl}/v1/channels/${other}/media`, {
        method: 'POST',
        headers: { authorization: `Bearer ${await service.dskIssuer.dskToken({ instanceId: A })}`, 'content-type': 'image/png' },
        body: Buffer.from('89504e470d0a1a0a', 'hex'),
      });
      assert.equal(upload.status, 404);
      const listed = await dskApi(service, A, 'GET', '/v1/channels');
      const ids = (listed.body.channels as Array<{ id: string }>).map((c) => c.id);
      assert.ok(ids.includes(waA.channelId) && !ids.includes(other), JSON.stringify(ids));
      assert.equal((await dskApi(service, B, 'GET', `/v1/channels/${other}`)).status, 200, 'the owner still has it');
    });

    it("keeps each instance's events and deliveries to itself: no listing, no retry of the other's key", async () => {
      const wamid = newWamid();
      const key = `wa:msg:${wamid}`;
      dskB.setFallback({ status: 400 });
      try {
        assert.equal((await postWebhook(waMessagePayload(waTextMessage({ wamid }), { phoneNumberId: waB.phoneNumberId }))).status, 200);
        await waitFor(async () => ((await service.foundation.repos.webhookLog.get(key))?.outcome === 'failed' ? true : undefined));
      } finally {
        dskB.setFallback({ status: 200 });
      }
      assert.equal(dskA.attempts.filter((d) => d.idempotencyKey === key).length, 0);
      const listedA = await dskApi(service, A, 'GET', '/v1/deliveries');
      assert.ok(!(listedA.body.deliveries as Array<{ key: string }>).some((d) => d.key === key));
      const listedB = await dskApi(service, B, 'GET', '/v1/deliveries?status=failed');
      assert.ok((listedB.body.deliveries as Array<{ key: string }>).some((d) => d.key === key));
      const retry = await dskApi(service, A, 'POST', `/v1/deliveries/${encodeURIComponent(key)}/retry`);
      assert.deepEqual([retry.status, (retry.body.error as { code: string }).code], [404, 'delivery_not_found']);
    });

    it('binds a connect link to the first browser: another browser gets 409, the first may reload; the other instance cannot read it', async () => {
      const created = await dskApi(service, A, 'POST', '/v1/connections', { channel_type: 'whatsapp', return_url: 'https://dsk.example.test/return' });
      assert.equal(created.status, 201);
      const first = await fetch(String(created.body.connect_url));
      assert.equal(first.status, 200);
      const cookie = /mis_connect=([^;]+)/.exec(first.headers.get('set-cookie') ?? '')?.[1];
      assert.ok(cookie);
      const second = await fetch(String(created.body.connect_url));
      assert.equal(second.status, 409);
      assert.equal(second.headers.get('set-cookie'), null, 'the second browser gets no cookie');
      assert.match(await second.text(), /already opened in another browser/);
      const reload = await fetch(String(created.body.connect_url), { headers: { cookie: `${CONNECT_COOKIE}=${cookie}` } });
      assert.equal(reload.status, 200);
      const forged = await fetch(String(created.body.connect_url), { headers: { cookie: `${CONNECT_COOKIE}=${randomBytes(32).toString('base64url')}` } });
      assert.equal(forged.status, 409);
      assert.equal((await dskApi(service, B, 'GET', `/v1/connections/${String(created.body.connection_id)}`)).status, 404);
    });
  });

  describe('WABA-level events', () => {
    it('sends template events to each instance with a number on the WABA, once, and a quality event only to its number', async () => {
      const wabaId = uniqueMetaId();
      const numberA = `1555${run}01`;
      const numberB = `1555${run}02`;
      const onWabaA = await seedChannel(service, { instanceId: A, channelType: 'whatsapp', externalId: uniqueMetaId(), wabaId, eventsUrl: dskA.url });
      const onWabaB = await seedChannel(service, { instanceId: B, channelType: 'whatsapp', externalId: uniqueMetaId(), wabaId, eventsUrl: dskB.url });
      await service.foundation.pool.query(`UPDATE channels SET phone_number = CASE id WHEN $1 THEN $3 ELSE $4 END WHERE id IN ($1, $2)`, [onWabaA, onWabaB, `+${numberA.slice(0, 1)} ${numberA.slice(1)}`, numberB]);
      const template = waEnvelope({ wabaId, time: Date.now() }, [
        { field: 'message_template_status_update', value: { event: 'APPROVED', message_template_id: 42, message_template_name: `t_${run}`, message_template_language: 'en_US', reason: 'NONE' } },
      ]);
      assert.equal((await postWebhook(template)).status, 200);
      const isTemplate = (d: { body: { type: string; data?: unknown } }) => d.body.type === 'template.status' && (d.body.data as { template_name?: string }).template_name === `t_${run}`;
      await dskA.waitFor(() => dskA.accepted.some(isTemplate));
      await dskB.waitFor(() => dskB.accepted.some(isTemplate));
      const [toA, toB] = [dskA.accepted.filter(isTemplate), dskB.accepted.filter(isTemplate)];
      assert.deepEqual([toA.length, toB.length], [1, 1]);
      assert.deepEqual([(toA[0]!.body.channel as { id: string }).id, (toB[0]!.body.channel as { id: string }).id], [onWabaA, onWabaB]);
      assert.ok(toA[0]!.idempotencyKey.endsWith(`@${A}`) && toB[0]!.idempotencyKey.endsWith(`@${B}`), `${toA[0]!.idempotencyKey} ${toB[0]!.idempotencyKey}`);

      const quality = waEnvelope({ wabaId, time: Date.now() }, [{ field: 'phone_number_quality_update', value: { display_phone_number: numberB, event: 'FLAGGED', current_limit: 'TIER_1K' } }]);
      assert.equal((await postWebhook(quality)).status, 200);
      const isQuality = (d: { body: { type: string; data?: unknown } }) => d.body.type === 'channel.quality' && (d.body.data as { display_phone_number?: string }).display_phone_number === numberB;
      await dskB.waitFor(() => dskB.accepted.some(isQuality));
      const row = await service.foundation.repos.webhookLog.get(dskB.accepted.find(isQuality)!.idempotencyKey);
      assert.deepEqual([row?.instanceId, row?.channelId], [B, onWabaB]);
      const { rows } = await service.foundation.pool.query(`SELECT instance_id FROM webhook_log WHERE kind = 'channel.quality' AND idempotency_key LIKE $1`, [`wa:phone_number_quality_update:${wabaId}:%`]);
      assert.deepEqual(rows, [{ instance_id: B }], 'one row, routed to the number it names');
      assert.equal(dskA.attempts.filter(isQuality).length, 0);
    });
  });

  describe('events URLs and tokens', () => {
    it('refuses an events URL into the service network at PUT, and never connects to one that resolves there later', async () => {
      for (const url of ['http://169.254.169.254/latest/meta-data/', 'http://10.0.0.1/hook', 'http://127.0.0.2:8080/hook', 'http://[::ffff:127.0.0.3]/hook', 'http://[fd00:ec2::254]/']) {
        const res = await dskApi(service, A, 'PUT', '/v1/instance', { events_url: url });
        assert.equal(res.status, 422, url);
      }
      // A probe on a loopback address the deployment does not allow-list, as an internal service would be.
      let probed = 0;
      const probe = http.createServer((_req, res) => {
        probed += 1;
        res.writeHead(200).end('internal secret');
      });
      await new Promise<void>((r) => probe.listen(0, '127.0.0.2', r));
      try {
        const victim = `${B}.probe`;
        const phoneNumberId = uniqueMetaId();
        await seedChannel(service, { instanceId: victim, channelType: 'whatsapp', externalId: phoneNumberId, eventsUrl: null });
        // As if the URL's name had been re-pointed after it was accepted (DNS rebinding).
        await service.foundation.pool.query(`UPDATE instances SET events_url = $2 WHERE id = $1`, [victim, `http://127.0.0.2:${(probe.address() as AddressInfo).port}/events`]);
        const wamid = newWamid();
        assert.equal((await postWebhook(waMessagePayload(waTextMessage({ wamid }), { phoneNumberId }))).status, 200);
        const row = await waitFor(async () => {
          const r = await service.foundation.repos.webhookLog.get(`wa:msg:${wamid}`);
          return r && r.attempts >= 1 ? r : undefined;
        });
        assert.deepEqual([row.lastErrorCode, row.lastDskStatus], ['network', null]);
        const listed = await dskApi(service, victim, 'GET', '/v1/deliveries');
        assert.deepEqual((listed.body.deliveries as Array<Record<string, unknown>>).map((d) => [d.last_error_code, d.last_dsk_status]), [['network', null]]);
        assert.equal(probed, 0);
      } finally {
        await new Promise<void>((r) => probe.close(() => r()));
      }
    });

    it('refuses DSK tokens that are too old or minted to live too long', async () => {
      const call = async (options: Parameters<TestService['dskIssuer']['dskToken']>[0]) => {
        const res = await fetch(`${service.baseUrl}/v1/channels`, { headers: { authorization: `Bearer ${await service.dskIssuer.dskToken({ instanceId: A, ...options })}` } });
        return [res.status, ((await res.json()) as { error?: { code: string } }).error?.code];
      };
      assert.deepEqual(await call({ expiresInSeconds: 10 * 365 * 86_400 }), [401, 'invalid_token']);
      assert.deepEqual(await call({ issuedAtOffsetSeconds: -7_200, expiresInSeconds: 60 }), [401, 'token_expired']);
      assert.deepEqual(await call({ issuedAtOffsetSeconds: null }), [401, 'invalid_token']);
      assert.deepEqual(await call({}), [200, undefined]);
    });
  });
});

describe('tenancy: per-instance quotas, and the service key during a rotation', () => {
  let service: TestService;
  let previousJwks: { keys: Array<Record<string, unknown>> };
  before(async () => {
    previousJwks = (await generateServiceSigningKey('ES256', 'retired-1')).key.publicJwks() as typeof previousJwks;
    service = await startTestService({
      withWorker: false,
      env: { INSTANCE_REQUESTS_PER_MINUTE: '3', INSTANCE_OPEN_CONNECTIONS: '1', SERVICE_JWT_PREVIOUS_PUBLIC_JWKS: JSON.stringify(previousJwks) },
    });
  });

  it('publishes the previous service key beside the current one, so DSK verifies tokens signed before the rotation', async () => {
    const jwks = (await (await fetch(`${service.baseUrl}/.well-known/jwks.json`)).json()) as { keys: Array<{ kid: string; d?: string }> };
    assert.deepEqual(jwks.keys.map((k) => k.kid), ['test-service-1', 'retired-1']);
    assert.ok(jwks.keys.every((k) => k.d === undefined));
  });
  after(async () => {
    await service?.stop();
  });

  it('answers 429 quota_exceeded with Retry-After past the per-minute budget, without touching another instance', async () => {
    const greedy = `greedy-${uniqueMetaId()}`;
    const calm = `${greedy}-calm`;
    const statuses: number[] = [];
    let last: Response | undefined;
    for (let i = 0; i < 4; i += 1) {
      last = await fetch(`${service.baseUrl}/v1/channels`, { headers: { authorization: `Bearer ${await service.dskIssuer.dskToken({ instanceId: greedy })}` } });
      statuses.push(last.status);
    }
    assert.deepEqual(statuses, [200, 200, 200, 429]);
    assert.equal(((await last!.json()) as { error: { code: string } }).error.code, 'quota_exceeded');
    const retryAfter = Number(last!.headers.get('retry-after'));
    assert.ok(retryAfter >= 1 && retryAfter <= 60, String(retryAfter));
    assert.equal((await dskApi(service, calm, 'GET', '/v1/channels')).status, 200);
  });

  it('caps the connections one instance may have awaiting authorization', async () => {
    const instance = `conn-${uniqueMetaId()}`;
    const body = { channel_type: 'whatsapp', return_url: 'https://dsk.example.test/return' };
    assert.equal((await dskApi(service, instance, 'POST', '/v1/connections', body)).status, 201);
    const over = await fetch(`${service.baseUrl}/v1/connections`, {
      method: 'POST',
      headers: { authorization: `Bearer ${await service.dskIssuer.dskToken({ instanceId: instance })}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    assert.deepEqual([over.status, ((await over.json()) as { error: { code: string } }).error.code], [429, 'quota_exceeded']);
    assert.equal(over.headers.get('retry-after'), '60');
  });
});

async function waitFor<T>(probe: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 100));
  }
}
