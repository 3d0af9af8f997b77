import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { customerVariants, customerWindowObservation, normalizeCustomer, windowState, withCustomerWindow } from '../../src/shared/customer-window.js';
import type { InboundEvent } from '../../src/shared/inbound-events.js';

const received = (over: Partial<InboundEvent> & { data?: unknown } = {}) =>
  ({
    key: 'wa:msg:x',
    kind: 'message.received',
    channelType: 'whatsapp',
    businessId: '1',
    occurredAt: '2026-07-29T08:03:09.000Z',
    receivedAt: '2026-07-29T08:03:12.417Z',
    data: { sender: { id: '16505551234', wa_id: '16505551234', user_id: 'US.1349' }, message: { id: 'wamid.x', type: 'text', text: 'hi' } },
    raw: null,
    ...over,
  }) as InboundEvent;

describe('customer-service windows (pure)', () => {
  it('spells a WhatsApp number by its digits, and leaves BSUIDs and Instagram ids as they are', () => {
    assert.equal(normalizeCustomer('whatsapp', '+1 (650) 555-1234'), '16505551234');
    assert.equal(normalizeCustomer('whatsapp', 'US.13491208655302741918'), 'US.13491208655302741918');
    assert.equal(normalizeCustomer('instagram', '6841100000000001'), '6841100000000001');
  });

  it("looks a Brazilian mobile up with and without its 9th digit (X1), and nothing else twice", () => {
    assert.deepEqual(customerVariants('whatsapp', '+55 11 98765-4321'), ['5511987654321', '551187654321']);
    assert.deepEqual(customerVariants('whatsapp', '551187654321'), ['551187654321', '5511987654321']);
    assert.deepEqual(customerVariants('whatsapp', '16505551234'), ['16505551234']);
  });

  it('observes the sender by wa_id and BSUID at Meta\'s time, and nothing for echoes and statuses', () => {
    assert.deepEqual(customerWindowObservation(received()), { channelType: 'whatsapp', customers: ['16505551234', 'US.1349'], at: new Date('2026-07-29T08:03:09.000Z') });
    assert.equal(customerWindowObservation(received({ kind: 'message.echo' } as Partial<InboundEvent>)), null);
    // A timestamp in the future (a skewed clock) counts from when the service received it.
    assert.deepEqual(customerWindowObservation(received({ occurredAt: '2030-01-01T00:00:00.000Z' }))?.at, new Date('2026-07-29T08:03:12.417Z'));
  });

  it('puts the window the message opened into message.received (Instagram: the HUMAN_AGENT window too)', () => {
    assert.equal((withCustomerWindow(received()).data as { window_expires_at?: string }).window_expires_at, '2026-07-30T08:03:09.000Z');
    const ig = withCustomerWindow(received({ channelType: 'instagram', data: { sender: { id: '684' }, message: { id: 'm', type: 'text' } } } as Partial<InboundEvent>));
    assert.deepEqual(
      { w: (ig.data as Record<string, unknown>).window_expires_at, h: (ig.data as Record<string, unknown>).human_agent_window_expires_at },
      { w: '2026-07-30T08:03:09.000Z', h: '2026-08-05T08:03:09.000Z' },
    );
  });

  it('answers a window that never opened as closed with no expiry', () => {
    assert.deepEqual(windowState('whatsapp', undefined, new Date()), { open: false, expires_at: null });
    assert.deepEqual(windowState('instagram', undefined, new Date()), { open: false, expires_at: null, human_agent: { open: false, expires_at: null } });
  });
});
