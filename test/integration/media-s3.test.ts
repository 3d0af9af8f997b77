import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { CreateBucketCommand, GetObjectCommand, HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { createMetaEmulator, type MetaEmulator, type RunningMetaEmulator } from '../../dev/meta-emulator/app.js';
import { startMoto, type RunningMoto } from '../../dev/infra/moto.js';
import { SANDBOX_IMAGE } from '../../dev/meta-emulator/sandbox.js';
import { createMediaObjects } from '../../src/db/media-objects.js';
import { createMediaKeyring } from '../../src/media/keys.js';
import { TAG_BYTES } from '../../src/media/sealing.js';
import { createS3Store } from '../../src/media/s3-store.js';
import { createMediaStore } from '../../src/media/store.js';
import { connectViaApi } from '../support/connect.js';
import { startDskFake, type DskFake } from '../support/dsk-fake.js';
import { metaEmulatorEnv } from '../support/meta-env.js';
import { seedChannel, startTestService, uniqueMetaId, type TestService } from '../support/service.js';

const BUCKET = 'captured-media';
const CREDENTIALS = { accessKeyId: 'test-access-key', secretAccessKey: 'test-secret-key' };

async function text(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const part of stream) parts.push(part as Buffer);
  return Buffer.concat(parts);
}

/**
 * The S3 media store against a real S3-compatible server (moto's standalone server, started by the
 * test): sealed bytes in the bucket, ranges read with `Range`, objects deleted; and the whole service
 * configured with MEDIA_STORE=s3 serving a captured Instagram image from the bucket.
 */
describe('captured media in an S3-compatible bucket (moto server, PostgreSQL, Temporal)', () => {
  let moto: RunningMoto;
  let s3: S3Client;
  let emulator: MetaEmulator;
  let meta: RunningMetaEmulator;
  let service: TestService;
  let dsk: DskFake;
  const metaAppSecret = randomBytes(16).toString('hex');
  const instanceId = `inst-s3-${uniqueMetaId()}`;

  before(async () => {
    moto = await startMoto();
    s3 = new S3Client({ region: 'us-east-1', endpoint: moto.endpoint, forcePathStyle: true, credentials: CREDENTIALS });
    await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
    emulator = createMetaEmulator({ appSecret: metaAppSecret });
    meta = await emulator.listen();
    service = await startTestService({
      env: {
        ...metaEmulatorEnv(meta, { instagramAppSecret: emulator.state.instagramApp.secret }),
        MEDIA_STORE: 's3',
        MEDIA_S3_BUCKET: BUCKET,
        MEDIA_S3_ENDPOINT: moto.endpoint,
        MEDIA_S3_FORCE_PATH_STYLE: 'true',
        MEDIA_S3_ACCESS_KEY_ID: CREDENTIALS.accessKeyId,
        MEDIA_S3_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey,
        MEDIA_ENCRYPTION_KEYS: `media1:${randomBytes(32).toString('base64')}`,
      },
      metaAppSecret,
    });
    emulator.state.webhookCallbackUrl = `${service.baseUrl}/webhooks/meta`;
    dsk = await startDskFake({ jwks: () => service.foundation.signingKey.publicJwks(), issuer: service.config.serviceJwt.issuer, audience: service.config.serviceJwt.audience });
    await service.foundation.repos.instances.setEventsUrl(instanceId, dsk.url);
  });
  after(async () => {
    await service?.stop();
    await dsk?.close();
    await meta?.close();
    s3?.destroy();
    await moto?.stop();
  });

  it('seals an object into the bucket, reads ranges across chunks, and deletes it', async () => {
    const blobs = createS3Store({ bucket: BUCKET, region: 'us-east-1', endpoint: moto.endpoint, forcePathStyle: true, credentials: CREDENTIALS, prefix: 'test/' });
    const store = createMediaStore({
      objects: createMediaObjects(service.foundation.pool),
      blobs,
      keyring: createMediaKeyring({ mediaKeys: [{ id: 'k1', key: randomBytes(32).toString('base64') }], tokenKeys: [] }),
      clock: () => new Date(),
      chunkSize: 1000,
    });
    const channelId = await seedChannel(service, { instanceId, channelType: 'instagram', externalId: `1784${uniqueMetaId().slice(-13)}`, eventsUrl: dsk.url });
    const plain = randomBytes(4321);
    async function* source() {
      yield plain.subarray(0, 1500);
      yield plain.subarray(1500);
    }
    assert.deepEqual(await store.capture({ channelId, mediaId: `ig${'b'.repeat(32)}`, instanceId, mimeType: 'application/pdf', expiresAt: new Date(Date.now() + 3600_000), source: source() }), { sizeBytes: 4321 });
    const row = (await service.foundation.repos.mediaObjects.getForInstance(instanceId, channelId, `ig${'b'.repeat(32)}`, new Date()))!;
    assert.deepEqual([row.backend, row.keyId, row.chunkSize, row.sizeBytes], ['s3', 'k1', 1000, 4321]);
    assert.match(row.location, /^test\/[A-Za-z0-9_-]{43}$/);

    const raw = Buffer.from(await (await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: row.location }))).Body!.transformToByteArray());
    assert.equal(raw.length, 4321 + 5 * TAG_BYTES, 'five sealed chunks of at most 1000 bytes');
    assert.equal(raw.includes(plain.subarray(100, 132)), false, 'no plaintext in the bucket');

    assert.ok((await text(store.open(row).stream)).equals(plain));
    assert.ok((await text(store.open(row, { start: 990, end: 3010 }).stream)).equals(plain.subarray(990, 3011)));
    assert.ok((await text(store.open(row, { start: 4320, end: 4320 }).stream)).equals(plain.subarray(4320)));

    await store.discard(row);
    await assert.rejects(s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: row.location })), (err: Error) => err.name === 'NotFound');
    await store.discard(row);
  });

  it('serves a captured Instagram image from the bucket once its CDN link has expired (MEDIA_STORE=s3)', async () => {
    const grant = emulator.state.configureGrant({ flow: 'instagram_login', assets: [{ username: `s3_${uniqueMetaId().slice(-6)}` }] });
    const { channelId } = await connectViaApi(service, instanceId, 'instagram');
    const res = await fetch(`${meta.url}/sandbox/messages`, { method: 'POST', headers: { accept: 'application/json' }, body: new URLSearchParams({ channel: grant.instagramAccountIds[0]!, text: 'from s3', image: 'on' }) });
    const { message_id: mid } = (await res.json()) as { message_id: string };
    await dsk.waitFor(() => dsk.acceptCount(`ig:msg:${mid}`) === 1, 30_000, 'the image event');
    const data = dsk.accepted.find((d) => d.idempotencyKey === `ig:msg:${mid}`)!.body.data as { message: { attachments: Array<{ service_url: string }> } };
    emulator.state.catalog.expireInstagramUrls();
    const { rows } = await service.foundation.pool.query<{ backend: string; key_id: string }>(`SELECT backend, key_id FROM media_objects WHERE channel_id = $1`, [channelId]);
    assert.deepEqual(rows, [{ backend: 's3', key_id: 'media1' }]);
    const token = await service.dskIssuer.dskToken({ instanceId });
    const image = await fetch(data.message.attachments[0]!.service_url, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(image.status, 200);
    assert.ok(Buffer.from(await image.arrayBuffer()).equals(SANDBOX_IMAGE));
  });
});
