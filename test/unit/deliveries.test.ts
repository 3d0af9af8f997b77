import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { deliveryView } from '../../src/api/routes/deliveries.js';
import { dskEnvelopeSchema } from '../../src/dsk/envelope-schema.js';
import { splitWebhook } from '../../src/meta/webhook/split.js';
import { toDskEnvelope, withCurrentStatus } from '../../src/shared/delivery.js';
import type { InboundEventOf } from '../../src/shared/inbound-events.js';
import { newWamid, waStatus, waStatusPayload } from '../support/meta-webhook-sender.js';

const route = { channelId: '5f0c7c52-8f0e-4d43-9a51-0d6f4ad2b7a1', instanceId: 'inst_1', channelType: 'whatsapp', externalId: '106540352242922' } as const;

function statusEvent(status: string): InboundEventOf<'message.status'> {
  const [event] = splitWebhook(waStatusPayload(waStatus({ wamid: newWamid(), status })), { receivedAt: new Date('2026-07-29T08:03:12Z') });
  assert.equal(event?.kind, 'message.status');
  return event as InboundEventOf<'message.status'>;
}

describe('withCurrentStatus', () => {
  it('adds the channel view next to the status Meta sent, leaving the event itself unchanged', () => {
    const event = statusEvent('delivered');
    const before = structuredClone(event);
    const merged = withCurrentStatus(event, 'read');
    assert.deepEqual(merged, { ...before, data: { ...before.data, current_status: 'read' } });
    assert.deepEqual(event, before);
  });

  it('gives an envelope the DSK schema accepts, with status and current_status', () => {
    const envelope = toDskEnvelope(withCurrentStatus(statusEvent('sent'), 'failed'), route, '2026-07-29T08:03:12.000Z');
    const parsed = dskEnvelopeSchema.parse(envelope);
    assert.deepEqual([(parsed.data as { status: string }).status, (parsed.data as { current_status?: string }).current_status], ['sent', 'failed']);
  });

  it('is rejected by the schema with a status value that is not a message status', () => {
    const envelope = toDskEnvelope(withCurrentStatus(statusEvent('sent'), 'seen' as never), route, '2026-07-29T08:03:12.000Z');
    assert.equal(dskEnvelopeSchema.safeParse(envelope).success, false);
  });
});

describe('deliveryView', () => {
  it('shows ids, kind, outcome and DSK answers in snake_case with ISO times, and nothing else of the row', () => {
    const view = deliveryView({
      idempotencyKey: 'wa:msg:wamid.X',
      kind: 'message.received',
      channelType: 'whatsapp',
      channelId: route.channelId,
      instanceId: 'inst_1',
      outcome: 'failed',
      attempts: 3,
      lastDskStatus: 422,
      lastErrorCode: 'http',
      duplicates: 2,
      receivedAt: new Date('2026-07-29T08:03:12.417Z'),
      updatedAt: new Date('2026-07-29T08:04:00.000Z'),
      finishedAt: new Date('2026-07-29T08:04:00.000Z'),
    });
    assert.deepEqual(view, {
      key: 'wa:msg:wamid.X',
      kind: 'message.received',
      channel_id: route.channelId,
      outcome: 'failed',
      attempts: 3,
      last_dsk_status: 422,
      last_error_code: 'http',
      received_at: '2026-07-29T08:03:12.417Z',
      updated_at: '2026-07-29T08:04:00.000Z',
    });
  });
});
