import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { dskApi } from '../support/connect.js';
import { seedChannel, startTestService, uniqueMetaId, type TestService } from '../support/service.js';

/**
 * Issue #13 item 5: every list pages with an opaque cursor (`limit` up to a maximum, `after` =
 * `next_cursor`, null on the last page), sees only the caller's rows, and refuses a cursor that is
 * not one of its own with a field-level 422.
 */
describe('cursor pagination of every list (real PostgreSQL)', () => {
  let service: TestService;
  const instanceId = `inst-page-${uniqueMetaId()}`;
  const otherInstance = `inst-page-other-${uniqueMetaId()}`;

  before(async () => {
    service = await startTestService({ withWorker: false });
  });
  after(async () => {
    await service?.stop();
  });

  /** Every page of `path`, following next_cursor. */
  async function allPages(path: string, field: string, idOf: (row: Record<string, unknown>) => string, limit: number, as = instanceId): Promise<string[][]> {
    const pages: string[][] = [];
    let cursor: string | null = null;
    do {
      const sep = path.includes('?') ? '&' : '?';
      const res = await dskApi(service, as, 'GET', `${path}${sep}limit=${limit}${cursor ? `&after=${cursor}` : ''}`);
      assert.equal(res.status, 200, JSON.stringify(res.body));
      pages.push((res.body[field] as Array<Record<string, unknown>>).map(idOf));
      cursor = res.body.next_cursor as string | null;
      assert.ok(pages.length < 20, 'pages end');
    } while (cursor !== null);
    return pages;
  }

  it('channels: five in pages of two, each once, oldest first; another instance sees none of them', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push(await seedChannel(service, { instanceId, channelType: 'whatsapp', externalId: uniqueMetaId(), eventsUrl: null }));
    await seedChannel(service, { instanceId: otherInstance, channelType: 'whatsapp', externalId: uniqueMetaId(), eventsUrl: null });
    const pages = await allPages('/v1/channels', 'channels', (c) => String(c.id), 2);
    assert.deepEqual(pages.map((p) => p.length), [2, 2, 1]);
    assert.deepEqual(pages.flat(), ids);
    const filtered = await allPages('/v1/channels?channel_type=instagram', 'channels', (c) => String(c.id), 2);
    assert.deepEqual(filtered, [[]]);
    const other = (await allPages('/v1/channels', 'channels', (c) => String(c.id), 100, otherInstance)).flat();
    assert.equal(other.length, 1);
    assert.ok(!ids.includes(other[0]!));
  });

  it('connections: listed (new), paged, each once, with the stored status', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const c = await service.foundation.repos.connections.create({ instanceId, channelType: 'whatsapp', flow: 'whatsapp_embedded_signup', returnUrl: 'https://dsk.example.test/back', expiresAt: new Date(Date.now() + 60_000) });
      ids.push(c.id);
    }
    const pages = await allPages('/v1/connections', 'connections', (c) => String(c.connection_id), 2);
    assert.deepEqual(pages.flat(), ids);
    const first = await dskApi(service, instanceId, 'GET', '/v1/connections?limit=1');
    assert.equal((first.body.connections as Array<{ status: string }>)[0]!.status, 'awaiting_authorization');
    assert.deepEqual((await dskApi(service, otherInstance, 'GET', '/v1/connections')).body, { connections: [], next_cursor: null });
  });

  it('deliveries: newest first, paged, each once, keys received in the same instant included', async () => {
    const at = new Date(Date.now() - 60_000);
    const keys = [0, 1, 2, 3].map((i) => `wa:msg:page-${randomUUID()}-${i}`);
    for (const [i, key] of keys.entries()) {
      await service.foundation.pool.query(
        `INSERT INTO webhook_log (idempotency_key, kind, channel_type, business_id, outcome, received_at, updated_at, instance_id, attempts)
         VALUES ($1, 'message.received', 'whatsapp', 'b', 'failed', $2, $2, $3, 1)`,
        [key, i < 2 ? at : new Date(at.getTime() - (i + 1) * 1000), instanceId],
      );
    }
    const pages = await allPages('/v1/deliveries?status=failed', 'deliveries', (d) => String(d.key), 1);
    assert.deepEqual(pages.map((p) => p.length), [1, 1, 1, 1]);
    assert.deepEqual(pages.flat(), [...keys.slice(0, 2).sort(), keys[2], keys[3]]);
  });

  it('refuses a cursor that is not one of its own and a limit over the maximum, with the field', async () => {
    for (const path of ['/v1/channels', '/v1/connections', '/v1/deliveries']) {
      const forged = await dskApi(service, instanceId, 'GET', `${path}?after=${Buffer.from('"x"').toString('base64url')}`);
      assert.equal(forged.status, 422, path);
      assert.deepEqual((forged.body.error as { details: unknown }).details, [{ path: 'after', message: 'must be a next_cursor from a previous page' }]);
      const tooMany = await dskApi(service, instanceId, 'GET', `${path}?limit=501`);
      assert.equal(tooMany.status, 422, path);
      assert.equal((tooMany.body.error as { details: Array<{ path: string }> }).details[0]!.path, 'limit');
    }
  });
});
