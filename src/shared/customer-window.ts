import type { ChannelType, InboundEvent, MessageData } from './inbound-events.js';

/**
 * Meta's customer-service windows (reference §12 and the Instagram Messaging policy), as the service
 * tracks them from inbound events: WhatsApp accepts free-form messages for 24 hours after the
 * customer's last message; Instagram for 24 hours, and up to 7 days with the `HUMAN_AGENT` tag.
 * Templates are never bound by a window. Pure and workflow-safe.
 */
export const WINDOW_MS = 24 * 60 * 60 * 1000;
export const HUMAN_AGENT_WINDOW_MS = 7 * 24 * 60 * 60 * 1000;

/** How long a conversation's record is kept: until its longest window has passed. */
export function retentionMsOf(channelType: ChannelType): number {
  return channelType === 'instagram' ? HUMAN_AGENT_WINDOW_MS : WINDOW_MS;
}

/**
 * The one spelling of a customer per channel: WhatsApp numbers by their digits (`+1 650…` and
 * `1650…` are one customer, as at Meta), a BSUID or an Instagram-scoped id as given.
 */
export function normalizeCustomer(channelType: ChannelType, customer: string): string {
  const trimmed = customer.trim();
  return channelType === 'whatsapp' && /^\+?[\d\s().-]+$/.test(trimmed) ? trimmed.replace(/\D/g, '') : trimmed;
}

/**
 * Every form Meta may know one WhatsApp number by: Brazilian mobiles registered before the 9th digit
 * reply from `55 AA 8 digits` though DSK writes `55 AA 9 8 digits` (X1 in docs/meta-behaviours.md). A
 * window opened under one form holds for the other.
 */
export function customerVariants(channelType: ChannelType, customer: string): string[] {
  const id = normalizeCustomer(channelType, customer);
  if (channelType !== 'whatsapp' || !/^\d+$/.test(id)) return [id];
  const variants = [id];
  if (id.startsWith('55') && id.length === 13 && id[4] === '9') variants.push(id.slice(0, 4) + id.slice(5));
  if (id.startsWith('55') && id.length === 12) variants.push(`${id.slice(0, 4)}9${id.slice(4)}`);
  return variants;
}

/** The event kinds by which a customer opens (or renews) the window: they wrote, tapped, reacted or came from an ad. */
const OPENING_KINDS = new Set<InboundEvent['kind']>(['message.received', 'message.postback', 'message.reaction', 'message.referral']);

/**
 * What an inbound event says about a window: which customer ids wrote (a WhatsApp sender by its wa_id
 * and its BSUID) and when (Meta's timestamp, never later than the service received it). Null for
 * events that open no window (echoes, statuses, …).
 */
export function customerWindowObservation(event: InboundEvent): { channelType: ChannelType; customers: string[]; at: Date } | null {
  if (!OPENING_KINDS.has(event.kind) || event.channelType === 'unknown') return null;
  const sender = (event.data as Partial<MessageData>).sender;
  if (!sender) return null;
  const channelType = event.channelType;
  const ids = channelType === 'whatsapp' ? [sender.wa_id ?? sender.id, sender.user_id] : [sender.id];
  const customers = [...new Set(ids.filter((id): id is string => typeof id === 'string' && id !== '').map((id) => normalizeCustomer(channelType, id)))];
  if (customers.length === 0) return null;
  const occurred = Date.parse(event.occurredAt);
  const received = Date.parse(event.receivedAt);
  const at = new Date(Number.isNaN(occurred) ? received : Number.isNaN(received) ? occurred : Math.min(occurred, received));
  if (Number.isNaN(at.getTime())) return null;
  return { channelType, customers, at };
}

/** The window fields a `message.received` event carries to DSK. */
export interface CustomerWindowFields {
  /** When free-form replies stop being accepted, counted from this message (24 h). */
  window_expires_at: string;
  /** Instagram only: how long a reply tagged `HUMAN_AGENT` is still accepted (7 days). */
  human_agent_window_expires_at?: string;
}

/**
 * Pure: a `message.received` event with the window this message opened, so a redelivery is
 * byte-identical. DSK keeps the latest per conversation (messages can arrive out of order).
 */
export function withCustomerWindow(event: InboundEvent): InboundEvent {
  if (event.kind !== 'message.received') return event;
  const observed = customerWindowObservation(event);
  if (!observed) return event;
  const at = observed.at.getTime();
  const fields: CustomerWindowFields = {
    window_expires_at: new Date(at + WINDOW_MS).toISOString(),
    ...(observed.channelType === 'instagram' ? { human_agent_window_expires_at: new Date(at + HUMAN_AGENT_WINDOW_MS).toISOString() } : {}),
  };
  return { ...event, data: { ...event.data, ...fields } };
}

/** A conversation's window now, from the customer's last message (undefined: never wrote, or too long ago to be kept). */
export interface CustomerWindowState {
  open: boolean;
  expires_at: string | null;
  /** Instagram only. */
  human_agent?: { open: boolean; expires_at: string | null };
}

export function windowState(channelType: ChannelType, lastMessageAt: Date | undefined, now: Date): CustomerWindowState {
  const until = (ms: number) => (lastMessageAt ? new Date(lastMessageAt.getTime() + ms) : null);
  const expires = until(WINDOW_MS);
  const state: CustomerWindowState = { open: expires !== null && expires > now, expires_at: expires?.toISOString() ?? null };
  if (channelType !== 'instagram') return state;
  const human = until(HUMAN_AGENT_WINDOW_MS);
  return { ...state, human_agent: { open: human !== null && human > now, expires_at: human?.toISOString() ?? null } };
}
