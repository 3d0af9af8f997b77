import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createMetaEmulator, type MetaEmulator, type RunningMetaEmulator } from '../../dev/meta-emulator/app.js';
import { SANDBOX_IMAGE } from '../../dev/meta-emulator/sandbox.js';
import { createRetentionExtrasActivities } from '../../src/activities/retention-extras.js';
import { connectViaApi, dskApi } from '../support/connect.js';
import { startDskFake, type DskFake } from '../support/dsk-fake.js';
import { metaEmulatorEnv } from '../support/meta-env.js';
import { waContact, waEnvelope, waImageMessage, waMessagesChange } from '../support/meta-webhook-sender.js';
import { signedDelivery } from '../../dev/meta-emulator/webhook-sender.js';
import { startTestService, uniqueMetaId, type TestService } from '../support/service.js';

interface ReceivedData {
  sender: { id: string; name?: string; username?: string };
  message: { type: string; text?: string; attachments?: Array<{ type: string; url?: string; service_url?: string }>; media?: { id?: string; service_url?: string } };
}

/**
 * Media that outlives Meta's links, and who wrote (issue #13), end to end: a customer sends an image
 * on the emulator's sandbox page to an Instagram channel; DSK's `message.received` carries the
 * sender's name and username and a `service_url`; after the emulator expired the CDN link, DSK still
 * fetches the image through the service (whole and by range), acknowledges it, and it is gone.
 * WhatsApp media is served from Meta on request. Real API, worker, PostgreSQL and Temporal.
 */
describe('inbound media and sender profiles (Meta emulator, PostgreSQL and Temporal)', () => {
  let emulator: MetaEmulator;
  let meta: RunningMetaEmulator;
  let service: TestService;
  let dsk: DskFake;
  const metaAppSecret = randomBytes(16).toString('hex');
  const instanceId = `inst-media-${uniqueMetaId()}`;

  before(async () => {
    emulator = createMetaEmulator({ appSecret: metaAppSecret });
    meta = await emulator.listen();
    service = await startTestService({ env: metaEmulatorEnv(meta, { instagramAppSecret: emulator.state.instagramApp.secret }), metaAppSecret });
    emulator.state.webhookCallbackUrl = `${service.baseUrl}/webhooks/meta`;
    dsk = await startDskFake({ jwks: () => service.foundation.signingKey.publicJwks(), issuer: service.config.serviceJwt.issuer, audience: service.config.serviceJwt.audience });
    await service.foundation.repos.instances.setEventsUrl(instanceId, dsk.url);
  });
  after(async () => {
    await service?.stop();
    await dsk?.close();
    await meta?.close();
  });

  async function instagramChannel() {
    const grant = emulator.state.configureGrant({ flow: 'instagram_login', assets: [{ username: `media_${uniqueMetaId().slice(-6)}` }] });
    const connected = await connectViaApi(service, instanceId, 'instagram');
    assert.ok(connected.channelId);
    return { channelId: connected.channelId, accountId: grant.instagramAccountIds[0]! };
  }

  async function writeAsCustomer(fields: Record<string, string>) {
    const res = await fetch(`${meta.url}/sandbox/messages`, { method: 'POST', headers: { accept: 'application/json' }, body: new URLSearchParams(fields) });
    const body = (await res.json()) as { message_id: string; callback_status: number };
    assert.equal(body.callback_status, 200);
    return body.message_id;
  }

  async function received(key: string): Promise<ReceivedData> {
    await dsk.waitFor(() => dsk.acceptCount(key) === 1, 30_000, `DSK to receive ${key}`);
    return dsk.accepted.find((d) => d.idempotencyKey === key)!.body.data as ReceivedData;
  }

  async function dskGet(url: string, headers: Record<string, string> = {}, asInstance = instanceId) {
    const token = await service.dskIssuer.dskToken({ instanceId: asInstance });
    return fetch(url, { headers: { authorization: `Bearer ${token}`, ...headers } });
  }

  it('delivers an Instagram image with a service URL that still works after Meta\'s CDN link expired, and the sender\'s profile', async () => {
    const { channelId } = await instagramChannel();
    const mid = await writeAsCustomer({ channel: (await instagramAccountOf(channelId)), text: 'Like this one?', image: 'on', name: 'Ana Díaz', from: '6841100000000123' });
    const data = await received(`ig:msg:${mid}`);
    assert.deepEqual(data.sender, { id: '6841100000000123', name: 'Ana Díaz', username: 'ana_d_az' });
    const [attachment] = data.message.attachments!;
    assert.equal(attachment!.type, 'image');
    assert.match(attachment!.url!, /\/ig_messaging_cdn\/\?asset_id=/);
    assert.match(attachment!.service_url!, new RegExp(`^${service.baseUrl}/v1/channels/${channelId}/media/ig[A-Za-z0-9_-]{32}$`));

    assert.equal((await fetch(attachment!.url!)).status, 200, 'the CDN link works at first');
    emulator.state.catalog.expireInstagramUrls();
    assert.equal((await fetch(attachment!.url!)).status, 403, "Meta's link is dead now");

    const whole = await dskGet(attachment!.service_url!);
    assert.equal(whole.status, 200);
    assert.equal(whole.headers.get('content-type'), 'image/png');
    assert.equal(whole.headers.get('accept-ranges'), 'bytes');
    assert.equal(whole.headers.get('cache-control'), 'private, no-store');
    assert.ok(Buffer.from(await whole.arrayBuffer()).equals(SANDBOX_IMAGE));

    const part = await dskGet(attachment!.service_url!, { range: 'bytes=8-23' });
    assert.equal(part.status, 206);
    assert.equal(part.headers.get('content-range'), `bytes 8-23/${SANDBOX_IMAGE.length}`);
    assert.ok(Buffer.from(await part.arrayBuffer()).equals(SANDBOX_IMAGE.subarray(8, 24)));
    const tail = await dskGet(attachment!.service_url!, { range: 'bytes=-4' });
    assert.ok(Buffer.from(await tail.arrayBuffer()).equals(SANDBOX_IMAGE.subarray(-4)));
    const beyond = await dskGet(attachment!.service_url!, { range: `bytes=${SANDBOX_IMAGE.length}-` });
    assert.equal(beyond.status, 416);
    assert.equal(beyond.headers.get('content-range'), `bytes */${SANDBOX_IMAGE.length}`);

    assert.equal((await dskGet(attachment!.service_url!, {}, 'another-instance')).status, 404, "another instance never reads this channel's media");
  });

  it('stores the bytes encrypted, with their key id, and nothing of them in clear', async () => {
    const { channelId } = await instagramChannel();
    const mid = await writeAsCustomer({ channel: await instagramAccountOf(channelId), text: '', image: 'on' });
    const data = await received(`ig:msg:${mid}`);
    const mediaId = data.message.attachments![0]!.service_url!.split('/').pop()!;
    const { rows } = await service.foundation.pool.query<{ backend: string; location: string; key_id: string; size_bytes: string; mime_type: string; expires_at: Date; created_at: Date }>(
      `SELECT backend, location, key_id, size_bytes::text, mime_type, expires_at, created_at FROM media_objects WHERE channel_id = $1 AND media_id = $2`,
      [channelId, mediaId],
    );
    const row = rows[0]!;
    assert.deepEqual([row.backend, row.key_id, row.size_bytes, row.mime_type], ['postgres', `token-${service.config.tokenKeys[0]!.id}`, String(SANDBOX_IMAGE.length), 'image/png']);
    // DSK_DELIVERY_HORIZON is 1 hour in the tests; captured media is kept a day longer.
    const keptMs = row.expires_at.getTime() - row.created_at.getTime();
    assert.ok(keptMs > 24.9 * 3600_000 && keptMs < 25.1 * 3600_000, `kept ${keptMs} ms`);
    const stored = (await service.foundation.pool.query<{ data: Buffer }>(`SELECT lo_get($1::oid) AS data`, [row.location])).rows[0]!.data;
    assert.equal(stored.length, SANDBOX_IMAGE.length + 16, 'one sealed chunk: the bytes and a GCM tag');
    assert.equal(stored.includes(SANDBOX_IMAGE.subarray(0, 8)), false, 'the PNG signature is not there in clear');
    const info = await dskApi(service, instanceId, 'GET', `/v1/channels/${channelId}/data`);
    const captured = info.body.captured_media as { count: number; bytes: number; oldest: string };
    assert.deepEqual([captured.count, captured.bytes, captured.oldest], [1, SANDBOX_IMAGE.length, row.created_at.toISOString()], 'the information right reports what is held');
  });

  it('deletes the captured copy when DSK acknowledges it, idempotently', async () => {
    const { channelId } = await instagramChannel();
    const mid = await writeAsCustomer({ channel: await instagramAccountOf(channelId), text: 'one more', image: 'on' });
    const url = (await received(`ig:msg:${mid}`)).message.attachments![0]!.service_url!;
    const location = (await service.foundation.pool.query<{ location: string }>(`SELECT location FROM media_objects WHERE channel_id = $1`, [channelId])).rows[0]!.location;
    const token = await service.dskIssuer.dskToken({ instanceId });
    for (let i = 0; i < 2; i++) {
      const ack = await fetch(url, { method: 'DELETE', headers: { authorization: `Bearer ${token}` } });
      assert.equal(ack.status, 204);
    }
    const gone = await dskGet(url);
    assert.equal(gone.status, 404);
    assert.equal(((await gone.json()) as { error: { code: string } }).error.code, 'media_not_found');
    assert.equal((await service.foundation.pool.query(`SELECT 1 FROM pg_largeobject_metadata WHERE oid = $1::oid`, [location])).rowCount, 0, 'the large object went with it');
  });

  it('purges captured media past its horizon, bytes first', async () => {
    const { channelId } = await instagramChannel();
    const mid = await writeAsCustomer({ channel: await instagramAccountOf(channelId), text: 'old news', image: 'on' });
    const url = (await received(`ig:msg:${mid}`)).message.attachments![0]!.service_url!;
    const location = (await service.foundation.pool.query<{ location: string }>(`SELECT location FROM media_objects WHERE channel_id = $1`, [channelId])).rows[0]!.location;
    await service.foundation.pool.query(`UPDATE media_objects SET expires_at = now() - interval '1 minute' WHERE channel_id = $1`, [channelId]);
    assert.equal((await dskGet(url)).status, 404, 'past its horizon it is no longer served');
    const activities = createRetentionExtrasActivities({ media: service.foundation.mediaStore, templates: service.foundation.repos.messageTemplates });
    assert.ok(Number(await new MockActivityEnvironment().run(activities.purgeExpiredMedia)) >= 1);
    assert.equal((await service.foundation.pool.query(`SELECT 1 FROM media_objects WHERE channel_id = $1`, [channelId])).rowCount, 0);
    assert.equal((await service.foundation.pool.query(`SELECT 1 FROM pg_largeobject_metadata WHERE oid = $1::oid`, [location])).rowCount, 0);
  });

  it('delivers the event without a profile when Meta will not say who wrote', async () => {
    const { channelId } = await instagramChannel();
    const mid = await writeAsCustomer({ channel: await instagramAccountOf(channelId), text: 'who am I?', from: '6841100000000999' });
    emulator.state.catalog.instagramUsers.delete('6841100000000999');
    const data = await received(`ig:msg:${mid}`);
    assert.equal(data.message.text, 'who am I?');
    assert.equal(data.sender.id, '6841100000000999');
  });

  it('gives WhatsApp media a service URL under the channel, served from Meta on request (its id lives 7 days)', async () => {
    const grant = emulator.state.configureGrant({ flow: 'whatsapp_embedded_signup', assets: [{ phoneNumbers: [{}] }] });
    const phoneNumberId = grant.phoneNumberIds[0]!;
    const { channelId } = await connectViaApi(service, instanceId, 'whatsapp');
    const bytes = randomBytes(3000);
    const mediaId = emulator.state.addMedia(bytes, 'image/jpeg', { phoneNumberId });
    const message = waImageMessage({ mediaId }) as { id: string };
    const payload = waEnvelope({ wabaId: grant.wabaIds[0]! }, [waMessagesChange({ phoneNumberId, contacts: [waContact()], messages: [message] })]);
    const { body, headers } = signedDelivery(payload, metaAppSecret);
    assert.equal((await fetch(`${service.baseUrl}/webhooks/meta`, { method: 'POST', headers, body })).status, 200);
    const data = await received(`wa:msg:${message.id}`);
    assert.equal(data.message.media!.service_url, `${service.baseUrl}/v1/channels/${channelId}/media/${mediaId}`);
    assert.equal((await service.foundation.pool.query(`SELECT 1 FROM media_objects WHERE channel_id = $1`, [channelId])).rowCount, 0, 'nothing is copied');
    const res = await dskGet(data.message.media!.service_url!);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('accept-ranges'), 'none');
    assert.ok(Buffer.from(await res.arrayBuffer()).equals(bytes));
  });

  /** The Instagram account id of a connected channel (what the sandbox form names). */
  async function instagramAccountOf(channelId: string): Promise<string> {
    const { rows } = await service.foundation.pool.query<{ external_id: string }>(`SELECT external_id FROM channels WHERE id = $1`, [channelId]);
    return rows[0]!.external_id;
  }
});
