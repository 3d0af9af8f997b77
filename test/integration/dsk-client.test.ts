import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { after, before, describe, it } from 'node:test';
import { createServiceClient, serviceEventVerifier, ServiceEventError } from '../../clients/dsk-node/src/index.js';
import { projectRoot } from '../../dev/infra/tools.js';
import { newWamid, signedDelivery, waMessagePayload, waTextMessage } from '../support/meta-webhook-sender.js';
import { seedChannel, startTestService, uniqueMetaId, type TestService } from '../support/service.js';

/*
 * The DSK-side helper (clients/dsk-node) against the real service: its runnable example registers
 * itself as the instance's events URL with the generated client and verifies what the service then
 * delivers; its verifier refuses what DSK must refuse.
 */
describe('DSK client package: typed client, event verification, runnable example (real PostgreSQL and Temporal)', () => {
  let service: TestService;
  let example: ChildProcess | undefined;
  const instanceId = `inst-dskclient-${uniqueMetaId()}`;
  const phoneNumberId = uniqueMetaId();
  const lines: Array<Record<string, unknown>> = [];

  before(async () => {
    service = await startTestService();
    await seedChannel(service, { instanceId, channelType: 'whatsapp', externalId: phoneNumberId, wabaId: uniqueMetaId(), eventsUrl: null });
  });
  after(async () => {
    example?.kill();
    await service?.stop();
  });

  async function waitForLine(predicate: (line: Record<string, unknown>) => boolean, what: string, timeoutMs = 30_000) {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const found = lines.find(predicate);
      if (found) return found;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`the example never printed ${what}; it printed ${JSON.stringify(lines)}`);
  }

  it('runs the example: it sets the events URL with the typed client, then receives and verifies a message event', async () => {
    const token = await service.dskIssuer.dskToken({ instanceId });
    example = spawn(process.execPath, [path.join(projectRoot(), 'clients', 'dsk-node', 'dist', 'example.js')], {
      env: {
        PATH: process.env.PATH ?? '',
        SERVICE_URL: service.baseUrl,
        DSK_TOKEN: token,
        PORT: '0',
        SERVICE_JWT_ISSUER: service.config.serviceJwt.issuer,
        SERVICE_JWT_AUDIENCE: service.config.serviceJwt.audience,
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    createInterface({ input: example.stdout! }).on('line', (line) => lines.push(JSON.parse(line) as Record<string, unknown>));

    const ready = await waitForLine((l) => 'listening' in l, 'that it listens');
    assert.equal(ready.instance, instanceId);
    assert.equal(ready.channels, 1);
    const client = createServiceClient({ baseUrl: service.baseUrl, token });
    const { data } = await client.GET('/v1/instance');
    // `event_types: null`: the example sets only the URL, so the instance receives every type.
    assert.deepEqual(data, { id: instanceId, events_url: ready.listening, event_types: null });

    const wamid = newWamid();
    const res = await fetch(`${service.baseUrl}/webhooks/meta`, { method: 'POST', ...signedDelivery(waMessagePayload(waTextMessage({ wamid, text: 'hello' }), { phoneNumberId }), service.metaAppSecret) });
    assert.equal(res.status, 200);
    const received = await waitForLine((l) => l.id === `wa:msg:${wamid}`, 'the message event');
    assert.deepEqual(received, { received: 'message.received', id: `wa:msg:${wamid}`, instance_id: instanceId });
    assert.equal(lines.filter((l) => 'refused' in l).length, 0);
  });

  it('verifies a token signed by the service with its published JWKS, and refuses a changed body, another audience, or another instance', async () => {
    const { issuer, audience } = service.config.serviceJwt;
    const verify = serviceEventVerifier({ serviceUrl: service.baseUrl, issuer, audience });
    const event = { id: `test:${randomUUID()}`, type: 'message.received', instance_id: instanceId };
    const body = JSON.stringify(event);
    const sign = (claims: { body?: string; audience?: string; instance?: string }) =>
      service.foundation.signingKey.sign({
        issuer,
        audience: claims.audience ?? audience,
        subject: claims.instance ?? instanceId,
        ttlSeconds: 300,
        extra: { instance_id: claims.instance ?? instanceId, body_sha256: createHash('sha256').update(claims.body ?? body).digest('base64url') },
      });
    const request = (token: string, sent = body) => ({ headers: { authorization: `Bearer ${token}`, 'idempotency-key': event.id }, body: Buffer.from(sent) });

    const verified = await verify(request(await sign({})));
    assert.deepEqual([verified.instanceId, verified.idempotencyKey, verified.event], [instanceId, event.id, event]);

    const refusal = async (promise: Promise<unknown>) => {
      const err = await promise.then(() => undefined, (e: unknown) => e);
      assert.ok(err instanceof ServiceEventError, String(err));
      return err.code;
    };
    assert.equal(await refusal(verify(request(await sign({}), `${body} `))), 'body_digest_mismatch');
    assert.equal(await refusal(verify(request(await sign({ audience: 'someone-else' })))), 'invalid_token');
    assert.equal(await refusal(verify(request(await sign({ instance: 'inst-other' })))), 'instance_mismatch');
    assert.equal(await refusal(verify({ headers: {}, body })), 'missing_token');
  });
});
