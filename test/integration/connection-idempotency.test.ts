import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { connectionWorkflowId } from '../../src/shared/ids.js';
import { startTestService, uniqueMetaId, type TestService } from '../support/service.js';

/**
 * Issue #13 item 5: `Idempotency-Key` on POST /v1/connections. Same key and same body: the same
 * connection (one row, one workflow); same key, other body: 409 idempotency_key_reused; keys are per
 * instance and held for 24 hours.
 */
describe('Idempotency-Key on POST /v1/connections (real PostgreSQL and Temporal)', () => {
  let service: TestService;

  before(async () => {
    service = await startTestService({ withWorker: false });
  });
  after(async () => {
    await service?.stop();
  });

  async function create(instanceId: string, body: string, key?: string) {
    const res = await fetch(`${service.baseUrl}/v1/connections`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${await service.dskIssuer.dskToken({ instanceId })}`,
        'content-type': 'application/json',
        ...(key === undefined ? {} : { 'idempotency-key': key }),
      },
      body,
    });
    return { status: res.status, replayed: res.headers.get('idempotent-replayed'), body: (await res.json()) as Record<string, unknown> & { error?: { code: string; details?: unknown } } };
  }
  const rows = async (instanceId: string) => (await service.foundation.pool.query<{ id: string }>('SELECT id FROM connections WHERE instance_id = $1', [instanceId])).rows.map((r) => r.id);
  const BODY = '{"channel_type":"whatsapp","return_url":"https://dsk.example.test/return"}';

  it('answers a repeat with the same body (any key order or spacing) with the same connection, and creates one', async () => {
    const instance = `idem-${uniqueMetaId()}`;
    const first = await create(instance, BODY, 'crm-conn-1');
    assert.equal(first.status, 201);
    assert.equal(first.replayed, null);
    const again = await create(instance, '{ "return_url": "https://dsk.example.test/return", "channel_type": "whatsapp" }', 'crm-conn-1');
    assert.equal(again.status, 201);
    assert.equal(again.replayed, 'true');
    assert.deepEqual(again.body, first.body);
    assert.deepEqual(await rows(instance), [first.body.connection_id]);
    const described = await service.client.workflow.getHandle(connectionWorkflowId(String(first.body.connection_id))).describe();
    assert.equal(described.status.name, 'RUNNING');
  });

  it('refuses the same key with another body with 409 idempotency_key_reused, and creates nothing', async () => {
    const instance = `idem-${uniqueMetaId()}`;
    const first = await create(instance, BODY, 'k');
    const other = await create(instance, '{"channel_type":"whatsapp","return_url":"https://dsk.example.test/elsewhere"}', 'k');
    assert.equal(other.status, 409);
    assert.deepEqual(other.body.error, {
      code: 'idempotency_key_reused',
      message: 'This Idempotency-Key was used for a different request within the last 24 hours; use a new key',
      details: { connection_id: first.body.connection_id },
    });
    assert.equal((await rows(instance)).length, 1);
  });

  it('keeps keys per instance: another instance with the same key gets its own connection', async () => {
    const a = await create(`idem-a-${uniqueMetaId()}`, BODY, 'shared');
    const b = await create(`idem-b-${uniqueMetaId()}`, BODY, 'shared');
    assert.deepEqual([a.status, b.status, b.replayed], [201, 201, null]);
    assert.notEqual(a.body.connection_id, b.body.connection_id);
  });

  it('creates one connection for concurrent requests with one key', async () => {
    const instance = `idem-${uniqueMetaId()}`;
    const answers = await Promise.all([1, 2, 3, 4].map(() => create(instance, BODY, 'burst')));
    assert.deepEqual(answers.map((a) => a.status), [201, 201, 201, 201]);
    assert.equal(new Set(answers.map((a) => a.body.connection_id)).size, 1);
    assert.equal((await rows(instance)).length, 1);
  });

  it('starts the workflow on a repeat when the first request died between the row and the workflow', async () => {
    const instance = `idem-${uniqueMetaId()}`;
    const first = await create(instance, BODY, 'crashed');
    const id = String(first.body.connection_id);
    await service.client.workflow.getHandle(connectionWorkflowId(id)).terminate('simulated: never started');
    // The terminated run stands for "no workflow": a new id and row, then the repeat starts it.
    await service.foundation.pool.query(`UPDATE connections SET idempotency_key = NULL WHERE id = $1`, [id]);
    const orphan = await service.foundation.repos.connections.create({
      instanceId: instance, channelType: 'whatsapp', flow: 'whatsapp_embedded_signup', returnUrl: 'https://dsk.example.test/return',
      expiresAt: new Date(Date.now() + 60_000), idempotency: { key: 'crashed', requestHash: String((await service.foundation.pool.query<{ request_hash: string }>('SELECT request_hash FROM connections WHERE id = $1', [id])).rows[0]!.request_hash), now: new Date() },
    });
    const repeat = await create(instance, BODY, 'crashed');
    assert.deepEqual([repeat.status, repeat.body.connection_id], [201, orphan.id]);
    assert.equal((await service.client.workflow.getHandle(connectionWorkflowId(orphan.id)).describe()).status.name, 'RUNNING');
  });

  it('releases a key after 24 hours, and refuses a malformed key', async () => {
    const instance = `idem-${uniqueMetaId()}`;
    const first = await create(instance, BODY, 'daily');
    await service.foundation.pool.query(`UPDATE connections SET created_at = created_at - interval '25 hours' WHERE id = $1`, [first.body.connection_id]);
    const later = await create(instance, BODY, 'daily');
    assert.deepEqual([later.status, later.replayed], [201, null]);
    assert.notEqual(later.body.connection_id, first.body.connection_id);
    const bad = await create(instance, BODY, 'no spaces allowed');
    assert.equal(bad.status, 422);
    assert.deepEqual((bad.body.error as { details: unknown }).details, [{ path: 'Idempotency-Key', message: 'must be 1-128 of A-Z a-z 0-9 . _ : -' }]);
  });
});
