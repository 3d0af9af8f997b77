import type { InboundEvent } from '../../shared/inbound-events.js';
import { event, guarded, isoTime, isRecord, omit, stringOr, unsupportedEntry, type Ctx } from '../webhook/projection.js';
import { hashOf } from '../webhook/keys.js';
import {
  DISCONNECTING_ACCOUNT_EVENTS,
  waAccountUpdateSchema,
  waChangeSchema,
  waEntrySchema,
  waFieldKey,
  waQualitySchema,
  waRaw,
  waTemplateCategorySchema,
  waTemplateStatusSchema,
  waUnsupportedField,
  type WaScope,
} from './webhook-common.js';
import { splitWaMessagesValue } from './webhook-messages.js';

/*
 * The WhatsApp projection: one `whatsapp_business_account` entry → normalized events, dispatched by
 * each change's `field` (reference §1.6, §2).
 */

export function splitWaEntry(entry: unknown, bodyRest: Record<string, unknown>, ctx: Ctx): InboundEvent[] {
  const parsed = waEntrySchema.safeParse(entry);
  if (!parsed.success || !isRecord(entry)) return [unsupportedEntry('whatsapp', entry, bodyRest, 'malformed', ctx)];
  const entryRest = omit(entry, 'changes');
  return parsed.data.changes.flatMap((change) => {
    const parsedChange = waChangeSchema.safeParse(change);
    if (!parsedChange.success || !isRecord(change)) {
      const raw = { ...bodyRest, entry: [{ ...entryRest, changes: [change] }] };
      return [
        event('unsupported', {
          key: `wa:unsupported:${hashOf(raw)}`,
          channelType: 'whatsapp',
          businessId: parsed.data.id ?? '',
          wabaId: parsed.data.id,
          occurredAt: isoTime(parsed.data.time),
          data: { reason: 'malformed', object: stringOr(bodyRest.object) },
          raw,
        }, ctx),
      ];
    }
    const scope: WaScope = {
      bodyRest,
      entryRest,
      entryId: parsed.data.id,
      entryTime: parsed.data.time,
      changeRest: omit(change, 'value'),
      field: parsedChange.data.field,
    };
    return guarded(
      () => splitWaChange(scope, parsedChange.data.value, ctx),
      () => waUnsupportedField(scope, parsedChange.data.value, 'malformed', ctx),
    );
  });
}

function splitWaChange(scope: WaScope, value: unknown, ctx: Ctx): InboundEvent[] {
  switch (scope.field) {
    case 'messages':
      return splitWaMessagesValue(scope, value, ctx);
    case 'account_update':
      return [waAccountUpdate(scope, value, ctx)];
    case 'message_template_status_update':
      return [waTemplateStatus(scope, value, ctx)];
    case 'template_category_update':
      return [waTemplateCategory(scope, value, ctx)];
    case 'phone_number_quality_update':
      return [waQuality(scope, value, ctx)];
    default:
      return [waUnsupportedField(scope, value, 'unhandled_field', ctx)];
  }
}

function waAccountUpdate(scope: WaScope, value: unknown, ctx: Ctx): InboundEvent {
  const parsed = waAccountUpdateSchema.safeParse(value);
  if (!parsed.success) return waUnsupportedField(scope, value, 'malformed', ctx);
  const update = parsed.data;
  // On account_update, entry.id can be the partner's business id; the WABA is in waba_info.
  const wabaId = update.waba_info?.waba_id ?? scope.entryId;
  return event('channel.account_update', {
    key: waFieldKey(scope, value),
    channelType: 'whatsapp',
    businessId: wabaId ?? '',
    wabaId,
    occurredAt: isoTime(scope.entryTime),
    data: {
      event: update.event,
      disconnect: DISCONNECTING_ACCOUNT_EVENTS.has(update.event),
      waba_id: update.waba_info?.waba_id,
      owner_business_id: update.waba_info?.owner_business_id,
      partner_app_id: update.waba_info?.partner_app_id,
      phone_number: update.phone_number,
      disconnection_info: update.disconnection_info,
    },
    raw: waRaw(scope, value),
  }, ctx);
}

function waTemplateStatus(scope: WaScope, value: unknown, ctx: Ctx): InboundEvent {
  const parsed = waTemplateStatusSchema.safeParse(value);
  if (!parsed.success) return waUnsupportedField(scope, value, 'malformed', ctx);
  const update = parsed.data;
  return event('template.status', {
    key: waFieldKey(scope, value),
    channelType: 'whatsapp',
    businessId: scope.entryId ?? '',
    wabaId: scope.entryId,
    occurredAt: isoTime(scope.entryTime),
    data: {
      event: update.event,
      template_id: update.message_template_id,
      template_name: update.message_template_name,
      language: update.message_template_language,
      reason: update.reason,
      category: update.message_template_category,
    },
    raw: waRaw(scope, value),
  }, ctx);
}

/**
 * A template's new category, as a `template.status` event with `event: "CATEGORY_UPDATE"`, so that
 * the template catalog and DSK hear of it without a new event kind (a minimal projection; issue #12
 * may give it its own).
 */
function waTemplateCategory(scope: WaScope, value: unknown, ctx: Ctx): InboundEvent {
  const parsed = waTemplateCategorySchema.safeParse(value);
  if (!parsed.success) return waUnsupportedField(scope, value, 'malformed', ctx);
  const update = parsed.data;
  return event('template.status', {
    key: waFieldKey(scope, value),
    channelType: 'whatsapp',
    businessId: scope.entryId ?? '',
    wabaId: scope.entryId,
    occurredAt: isoTime(scope.entryTime),
    data: {
      event: 'CATEGORY_UPDATE',
      template_id: update.message_template_id,
      template_name: update.message_template_name,
      language: update.message_template_language,
      category: update.new_category,
      previous_category: update.previous_category,
    },
    raw: waRaw(scope, value),
  }, ctx);
}

function waQuality(scope: WaScope, value: unknown, ctx: Ctx): InboundEvent {
  const parsed = waQualitySchema.safeParse(value);
  if (!parsed.success) return waUnsupportedField(scope, value, 'malformed', ctx);
  const update = parsed.data;
  return event('channel.quality', {
    key: waFieldKey(scope, value),
    channelType: 'whatsapp',
    // The quality webhook names the number only by its display form; the WABA routes it.
    businessId: scope.entryId ?? '',
    wabaId: scope.entryId,
    occurredAt: isoTime(scope.entryTime),
    data: {
      event: update.event,
      display_phone_number: update.display_phone_number,
      current_limit: update.current_limit,
      old_limit: update.old_limit,
      max_daily_conversations_per_business: update.max_daily_conversations_per_business,
    },
    raw: waRaw(scope, value),
  }, ctx);
}
