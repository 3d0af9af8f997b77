import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { startTestService, seedChannel, uniqueMetaId, type TestService } from '../support/service.js';

/**
 * Issue #13 item 5: every 429 the API answers says when to come back. The per-minute quota, the
 * open-connection quota, the per-address limit and Meta's throttling have tests of their own
 * (tenancy-adversarial, hardening, media); this one covers the open-send quota.
 */
describe('Retry-After on the open-send quota (real PostgreSQL and Temporal)', () => {
  let service: TestService;
  const instanceId = `inst-retry-${uniqueMetaId()}`;

  before(async () => {
    // No worker: a send stays unanswered, so the second one is over a quota of one.
    service = await startTestService({ withWorker: false, env: { INSTANCE_OPEN_SENDS: '1' } });
  });
  after(async () => {
    await service?.stop();
  });

  it('answers the send over the quota 429 quota_exceeded with Retry-After', async () => {
    const channelId = await seedChannel(service, { instanceId, channelType: 'whatsapp', externalId: uniqueMetaId(), eventsUrl: null, token: 'token' });
    const send = async () =>
      fetch(`${service.baseUrl}/v1/channels/${channelId}/messages?wait_ms=0`, {
        method: 'POST',
        headers: { authorization: `Bearer ${await service.dskIssuer.dskToken({ instanceId })}`, 'content-type': 'application/json' },
        body: JSON.stringify({ client_message_id: `cm-${randomUUID()}`, to: '+16505551234', type: 'text', text: { body: 'Hi' } }),
      });
    assert.equal((await send()).status, 202);
    const over = await send();
    assert.equal(over.status, 429);
    assert.equal(((await over.json()) as { error: { code: string } }).error.code, 'quota_exceeded');
    assert.equal(over.headers.get('retry-after'), '5');
  });
});
