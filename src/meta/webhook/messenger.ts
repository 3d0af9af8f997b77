import type { InboundEvent } from '../../shared/inbound-events.js';
import { hashOf } from './keys.js';
import { event, isoTime, isRecord, omit, optId, stringOr, type Ctx } from './projection.js';

/*
 * `object: "page"` is Facebook Messenger (MS-EV, docs/meta-behaviours.md R7): a Page's DMs from PSIDs,
 * a different id space from Instagram's IGSIDs. Instagram messaging through a Page arrives as
 * `object: "instagram"`. This service has no Messenger channel, so every item is acknowledged and
 * recorded as `unsupported` (`unsupported_channel`) with no channel type: it is routed nowhere (an
 * orphan in the webhook log), and can never reach DSK as an Instagram message.
 */

const ENTRY_LISTS = ['messaging', 'standby', 'changes'] as const;

export function splitMessengerEntry(entry: unknown, bodyRest: Record<string, unknown>, ctx: Ctx): InboundEvent[] {
  const pageId = isRecord(entry) ? optId.parse(entry.id) : undefined;
  const entryTime = isRecord(entry) ? entry.time : undefined;
  const items = isRecord(entry)
    ? ENTRY_LISTS.flatMap((list) => (Array.isArray(entry[list]) ? (entry[list] as unknown[]).map((item) => ({ list, item })) : []))
    : [];
  const entryRest = isRecord(entry) ? omit(entry, ...ENTRY_LISTS) : {};
  const recorded = items.length > 0 ? items : [{ list: undefined, item: entry }];
  return recorded.map(({ list, item }) =>
    event('unsupported', {
      key: `fb:unsupported:${hashOf({ page: pageId, time: entryTime, list, item })}`,
      channelType: 'unknown',
      businessId: pageId ?? '',
      occurredAt: (isRecord(item) ? isoTime(item.timestamp) : undefined) ?? isoTime(entryTime),
      data: { reason: 'unsupported_channel', object: stringOr(bodyRest.object), item_type: isRecord(item) && list !== 'changes' ? itemType(item) : list },
      raw: { ...bodyRest, entry: [list === undefined ? entry : { ...entryRest, [list]: [item] }] },
    }, ctx),
  );
}

/** The key that says what a messaging item is (`message`, `delivery`, `read`, `pass_thread_control`…). */
function itemType(item: Record<string, unknown>): string | undefined {
  return Object.keys(item).find((name) => name !== 'sender' && name !== 'recipient' && name !== 'timestamp');
}
