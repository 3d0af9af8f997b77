import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { WabaChannel } from '../../src/db/routing.js';
import { createWabaRouting, instanceKey } from '../../src/inbound/waba-routing.js';
import { splitWebhook } from '../../src/meta/webhook/split.js';
import type { InboundEvent } from '../../src/shared/inbound-events.js';
import { waEnvelope, waMessagePayload, waTextMessage } from '../support/meta-webhook-sender.js';

const WABA = '102290129340398';
const ch = (instanceId: string, externalId: string, phoneNumber: string | null = null): WabaChannel => ({ wabaId: WABA, instanceId, channelId: `ch-${externalId}`, externalId, phoneNumber });
const routing = (channels: WabaChannel[]) => createWabaRouting({ routing: { liveOnWabas: async (ids) => channels.filter((c) => ids.includes(c.wabaId)) } });
const split = (payload: Record<string, unknown>): InboundEvent[] => splitWebhook(payload, { receivedAt: new Date('2026-12-04T12:00:00Z') });
const template = () => split(waEnvelope({ wabaId: WABA, time: 1750030100 }, [{ field: 'message_template_status_update', value: { event: 'APPROVED', message_template_id: 1, message_template_name: 'x', message_template_language: 'en_US' } }]));
const quality = (display: string) => split(waEnvelope({ wabaId: WABA, time: 1750030200 }, [{ field: 'phone_number_quality_update', value: { display_phone_number: display, event: 'FLAGGED' } }]));

describe('routing of WABA-level events', () => {
  it('gives each instance with a number on the WABA its own copy and key, through its oldest channel', async () => {
    const [event] = template();
    const routed = await routing([ch('acme', 'p1'), ch('acme-corp', 'p2'), ch('acme', 'p3')]).route([event!]);
    assert.deepEqual(routed.map((e) => [e.key, e.businessId]), [
      [`${event!.key}@acme`, 'p1'],
      [`${event!.key}@acme-corp`, 'p2'],
    ]);
  });

  it('keeps the key of an event with one owning instance, and leaves an event of a WABA nobody owns unrouted', async () => {
    const [event] = template();
    assert.deepEqual((await routing([ch('acme', 'p1'), ch('acme', 'p3')]).route([event!])).map((e) => [e.key, e.businessId]), [[event!.key, 'p1']]);
    assert.deepEqual(await routing([]).route([event!]), [event]);
  });

  it('sends a quality event only to the channel with the number it names, whatever its formatting', async () => {
    const [event] = quality('15550100002');
    const routed = await routing([ch('acme', 'p1', '+1 555-010-0001'), ch('acme-corp', 'p2', '+1 555-010-0002')]).route([event!]);
    assert.deepEqual(routed.map((e) => [e.key, e.businessId]), [[event!.key, 'p2']]);
  });

  it('never guesses a quality event among several instances when no number matches', async () => {
    const [event] = quality('15550109999');
    assert.deepEqual(await routing([ch('acme', 'p1', '15550100001'), ch('acme-corp', 'p2')]).route([event!]), [event]);
    assert.deepEqual(await routing([ch('acme', 'p1'), ch('acme-corp', 'p2')]).route([event!]), [event]);
    assert.deepEqual((await routing([ch('acme', 'p1'), ch('acme', 'p2')]).route([event!])).map((e) => e.businessId), ['p1']);
  });

  it('leaves events of one number untouched', async () => {
    const events = split(waMessagePayload(waTextMessage({ wamid: 'wamid.A' }), { phoneNumberId: 'p1', wabaId: WABA }));
    assert.deepEqual(await routing([ch('acme', 'p1'), ch('acme-corp', 'p2')]).route(events), events);
  });

  it('keeps per-instance keys within 200 characters', () => {
    const key = `wa:message_template_status_update:${WABA}:${'f'.repeat(64)}`;
    assert.equal(instanceKey(key, 'acme'), `${key}@acme`);
    const long = instanceKey(key, 'i'.repeat(128));
    assert.ok(long.length <= 200 && long.startsWith(`${key}@h`), long);
    assert.notEqual(long, instanceKey(key, 'j'.repeat(128)));
  });
});
