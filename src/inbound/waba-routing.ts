import { createHash } from 'node:crypto';
import type { Routing, WabaChannel } from '../db/routing.js';
import type { InboundEvent } from '../shared/inbound-events.js';

export interface WabaRoutingDeps {
  routing: Pick<Routing, 'liveOnWabas'>;
}

/** Keys are at most 200 characters (they end up in workflow ids). */
const MAX_KEY_LENGTH = 200;

/** A WhatsApp event Meta scopes to the WABA rather than to one number: its routing id is the WABA id. */
export const isWabaLevel = (event: InboundEvent): boolean =>
  event.channelType === 'whatsapp' && event.wabaId !== undefined && event.wabaId !== '' && event.businessId === event.wabaId;

const digits = (value: string | null | undefined) => (value ?? '').replace(/\D/g, '');

/**
 * Several instances may have numbers on one WABA; Meta sends template, quality and account events
 * once, for the WABA. Before such an event is accepted it is routed here, so that no instance sees
 * another's events:
 * - a quality event names its number (`display_phone_number`): it goes to the channel with that
 *   number only, or, when no channel on the WABA has a known number, to the WABA's one instance; with
 *   several instances and no match it stays unrouted (an orphan), never guessed;
 * - template, account and other WABA-wide events go to every instance with a live number on the WABA,
 *   once per instance, each with its own key (`<key>@<instance>` when there are several), so each
 *   instance's delivery, log row and retry are its own.
 * The routed event's business id is that instance's channel, which the inbound workflow resolves.
 */
export function createWabaRouting(deps: WabaRoutingDeps) {
  return {
    async route(events: readonly InboundEvent[]): Promise<InboundEvent[]> {
      const wabaIds = [...new Set(events.filter(isWabaLevel).map((e) => e.wabaId!))];
      if (wabaIds.length === 0) return [...events];
      const channels = await deps.routing.liveOnWabas(wabaIds);
      return events.flatMap((event) => (isWabaLevel(event) ? routeOne(event, channels.filter((c) => c.wabaId === event.wabaId)) : [event]));
    },
  };
}

export type WabaRouting = ReturnType<typeof createWabaRouting>;

function routeOne(event: InboundEvent, channels: WabaChannel[]): InboundEvent[] {
  // The oldest live channel of each instance stands for the instance.
  const perInstance: WabaChannel[] = [];
  for (const channel of channels) if (!perInstance.some((c) => c.instanceId === channel.instanceId)) perInstance.push(channel);
  const to = (channel: WabaChannel, key = event.key): InboundEvent => ({ ...event, key, businessId: channel.externalId });
  if (event.kind === 'channel.quality') {
    const number = digits(event.data.display_phone_number);
    const owner = number === '' ? undefined : channels.find((c) => digits(c.phoneNumber) === number);
    if (owner) return [to(owner)];
    const known = channels.some((c) => digits(c.phoneNumber) !== '');
    return !known && perInstance.length === 1 ? [to(perInstance[0]!)] : [event];
  }
  if (perInstance.length === 0) return [event];
  if (perInstance.length === 1) return [to(perInstance[0]!)];
  return perInstance.map((channel) => to(channel, instanceKey(event.key, channel.instanceId)));
}

/** `<key>@<instance>`, or a digest of the instance when that would be too long for a workflow id. */
export function instanceKey(key: string, instanceId: string): string {
  const readable = `${key}@${instanceId}`;
  if (readable.length <= MAX_KEY_LENGTH) return readable;
  return `${key}@h${createHash('sha256').update(instanceId).digest('hex').slice(0, 24)}`;
}
