import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { Client, Connection } from '@temporalio/client';
import type { temporal } from '@temporalio/proto';
import { ENCRYPTED_ENCODING } from '../../src/temporal/encryption-codec.js';
import { inboundWorkflowId, outboundWorkflowId } from '../../src/shared/ids.js';
import { createMetaEmulator, type RunningMetaEmulator } from '../../dev/meta-emulator/app.js';
import { metaEmulatorEnv } from '../support/meta-env.js';
import { dskApi } from '../support/connect.js';
import { startDskFake, type DskFake } from '../support/dsk-fake.js';
import { newWamid, signedDelivery, waMessagePayload, waTextMessage } from '../support/meta-webhook-sender.js';
import { seedChannel, startTestService, uniqueMetaId, type TestService } from '../support/service.js';

type Payload = temporal.api.common.v1.IPayload;

/**
 * Privacy policy §2.2/§4.2: message content is passed on to DSK and kept nowhere else in the clear.
 * A message whose body is a unique marker goes through the whole stack (signed webhook → API →
 * PostgreSQL → Temporal → worker → DSK); then the marker is searched for in every table, every log
 * line and the raw workflow history. It must show up only where it belongs: at DSK, and in the
 * history once decoded through the codec endpoint an operator would use.
 */
describe('a message body is found in neither PostgreSQL, nor the logs, nor raw workflow histories', () => {
  let service: TestService;
  let dsk: DskFake;
  const logLines: string[] = [];
  const marker = `privacy-marker-${randomUUID()}`;
  const wamid = newWamid();
  const key = `wa:msg:${wamid}`;
  let rawClient: Client;
  // Privacy policy §2.3: what DSK sends is passed to Meta and kept nowhere in the clear either, nor is its recipient.
  const outMarker = `privacy-out-marker-${randomUUID()}`;
  const recipient = `+1650${String(Math.floor(Math.random() * 1e7)).padStart(7, '0')}`;
  const instanceId = `inst-marker-${uniqueMetaId()}`;
  const clientMessageId = `cm-marker-${randomUUID()}`;
  let meta: RunningMetaEmulator;
  const emulator = createMetaEmulator();

  before(async () => {
    const capture = new Writable({
      write(chunk: Buffer, _encoding, done) {
        logLines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
        done();
      },
    });
    meta = await emulator.listen();
    service = await startTestService({ logDestination: capture, env: metaEmulatorEnv(meta) });
    dsk = await startDskFake({
      jwks: () => service.foundation.signingKey.publicJwks(),
      issuer: service.config.serviceJwt.issuer,
      audience: service.config.serviceJwt.audience,
    });
    // A number Meta knows and has registered, with a token Meta issued for it.
    const phoneNumberId = emulator.state.configureGrant({ flow: 'whatsapp_embedded_signup', assets: [{ phoneNumbers: [{}] }] }).phoneNumberIds[0]!;
    emulator.state.phoneNumbers.get(phoneNumberId)!.registered = true;
    const metaToken = emulator.state.issueToken({ kind: 'business_integration', scopes: ['whatsapp_business_messaging'], assets: [phoneNumberId] });
    const channelId = await seedChannel(service, { instanceId, channelType: 'whatsapp', externalId: phoneNumberId, wabaId: uniqueMetaId(), eventsUrl: dsk.url, token: metaToken });

    const delivery = signedDelivery(waMessagePayload(waTextMessage({ wamid, text: marker }), { phoneNumberId }), service.metaAppSecret);
    const res = await fetch(`${service.baseUrl}/webhooks/meta`, { method: 'POST', headers: delivery.headers, body: delivery.body });
    assert.equal(res.status, 200);
    await dsk.waitFor(() => dsk.acceptCount(key) === 1);
    // The workflow records the outcome after DSK's answer; wait for it so every write has happened.
    await service.client.workflow.getHandle(inboundWorkflowId(key)).result();

    const sent = await dskApi(service, instanceId, 'POST', `/v1/channels/${channelId}/messages`, { client_message_id: clientMessageId, to: recipient, type: 'text', text: { body: outMarker } });
    assert.equal(sent.status, 200, JSON.stringify(sent.body));
    await service.client.workflow.getHandle(outboundWorkflowId(instanceId, clientMessageId)).result();
    await dsk.waitFor(() => dsk.accepted.some((d) => (d.body.data as { client_message_id?: string }).client_message_id === clientMessageId));

    // What an operator with access to Temporal but without the codec sees: the default converter only.
    rawClient = new Client({ connection: await Connection.connect({ address: service.config.temporal.address }), namespace: service.config.temporal.namespace });
  });
  after(async () => {
    await rawClient?.connection.close();
    await service?.stop();
    await dsk?.close();
    await meta?.close();
  });

  it('reaches DSK with the marker as its text (the message did go through)', () => {
    const body = dsk.accepted.find((d) => d.idempotencyKey === key)!.body;
    assert.equal((body.data as { message: { text: string } }).message.text, marker);
  });

  it('reaches Meta with the outbound marker to its recipient (the send did go through)', () => {
    const sent = emulator.state.businessMessages.find((m) => m.text === outMarker);
    assert.equal(sent?.to, recipient);
  });

  it('is in no row of any table of the database', async () => {
    const { rows: tables } = await service.foundation.pool.query<{ name: string }>(
      `SELECT quote_ident(table_name) AS name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name`,
    );
    assert.ok(['webhook_log', 'channels', 'inbound_intake'].every((name) => tables.some((t) => t.name === name)), 'the dump covers the service tables');
    // The intake held the event (encrypted) only until its workflow started.
    assert.equal((await service.foundation.pool.query(`SELECT 1 FROM inbound_intake WHERE idempotency_key = $1`, [key])).rowCount, 0);
    const dump: string[] = [];
    for (const { name } of tables) {
      const { rows } = await service.foundation.pool.query<{ row: string }>(`SELECT row_to_json(t)::text AS row FROM ${name} t`);
      dump.push(...rows.map((r) => `${name} ${r.row}`));
    }
    assert.ok(dump.some((row) => row.startsWith('webhook_log ') && row.includes(JSON.stringify(key).slice(1, -1))), 'the dump holds the event\'s webhook-log row');
    assert.ok(dump.some((row) => row.startsWith('outbound_sends ') && row.includes(clientMessageId)), "the dump holds the send's ledger row");
    assert.ok(dump.some((row) => row.startsWith('send_rate_slots ')), 'the dump holds the send-rate rows');
    const digits = recipient.slice(1);
    assert.deepEqual(dump.filter((row) => row.includes(marker) || row.includes(outMarker) || row.includes(digits)), []);
  });

  it('is in no log line of the service, at level debug', () => {
    assert.ok(logLines.some((line) => line.includes('"route":"/webhooks/meta"') && line.includes('"queued":1')), 'the api logged the webhook');
    assert.ok(logLines.some((line) => line.includes('"level":"debug"')), 'debug lines were captured');
    assert.ok(logLines.some((line) => line.includes('"msg":"outbound message accepted by Meta"')), 'the worker logged the send');
    assert.deepEqual(logLines.filter((line) => line.includes(marker) || line.includes(outMarker) || line.includes(recipient.slice(1))), []);
  });

  it("is not in the send's raw workflow history either", async () => {
    const history = await rawClient.workflow.getHandle(outboundWorkflowId(instanceId, clientMessageId)).fetchHistory();
    assert.ok((history.events ?? []).length > 3);
    const raw = JSON.stringify(bytesAsText(history));
    assert.ok(!raw.includes(outMarker), 'the outbound marker is in the raw history');
    assert.ok(!raw.includes(recipient.slice(1)), 'the recipient is in the raw history');
  });

  it('is not in the raw workflow history, whose payloads are encrypted, and is found once they are decoded through /codec/decode', async () => {
    const history = await rawClient.workflow.getHandle(inboundWorkflowId(key)).fetchHistory();
    const events = history.events ?? [];
    assert.ok(events.length > 3, `${events.length} history events`);
    // Every byte field read as UTF-8 text: an unencrypted JSON payload shows the marker here verbatim.
    // (JSON.stringify alone would not do: protobuf messages serialize their bytes as base64 first.)
    const raw = JSON.stringify(bytesAsText(history));
    assert.ok(raw.includes('"encoding":"'), 'payload metadata reads as text in this rendering');
    assert.ok(!raw.includes(marker), 'the marker is in the raw history');

    const input = events[0]!.workflowExecutionStartedEventAttributes!.input!.payloads!;
    assert.deepEqual(input.map(encodingOf), [ENCRYPTED_ENCODING]);

    const res = await fetch(`${service.baseUrl}/codec/decode`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-namespace': service.config.temporal.namespace },
      body: JSON.stringify({ payloads: input.map(toJson) }),
    });
    assert.equal(res.status, 200);
    const decoded = ((await res.json()) as { payloads: Array<{ metadata: Record<string, string>; data: string }> }).payloads;
    assert.equal(decoded.length, 1);
    assert.equal(Buffer.from(decoded[0]!.metadata.encoding!, 'base64').toString('utf8'), 'json/plain');
    const text = Buffer.from(decoded[0]!.data, 'base64').toString('utf8');
    assert.ok(text.includes(marker), 'the decoded workflow input carries the message');
    assert.equal((JSON.parse(text) as { event: { key: string } }).event.key, key);
  });
});

/** A plain copy of a protobuf object tree with every byte field decoded as UTF-8. */
function bytesAsText(value: unknown): unknown {
  if (value instanceof Uint8Array) return Buffer.from(value).toString('utf8');
  if (Array.isArray(value)) return value.map(bytesAsText);
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, bytesAsText(v)]));
  return value;
}

function encodingOf(p: Payload): string {
  return Buffer.from(p.metadata?.encoding ?? new Uint8Array()).toString('utf8');
}

function toJson(p: Payload) {
  return {
    metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v ?? new Uint8Array()).toString('base64')])),
    ...(p.data ? { data: Buffer.from(p.data).toString('base64') } : {}),
  };
}
