import type { InboundEvent, TemplateStatusData } from '../../shared/inbound-events.js';
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
  waTemplateQualitySchema,
  waTemplateStatusSchema,
  waUnsupportedField,
  waUserIdChangeSchema,
  waUserIdUpdateSchema,
  type WaScope,
} from './webhook-common.js';
import { splitWaEchoes, splitWaHistory } from './webhook-coexistence.js';
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
    case 'message_template_quality_update':
      return [waTemplateQuality(scope, value, ctx)];
    case 'phone_number_quality_update':
      return [waQuality(scope, value, ctx)];
    case 'smb_message_echoes':
      return splitWaEchoes(scope, value, ctx);
    case 'history':
      return splitWaHistory(scope, value, ctx);
    case 'user_id_update':
      return waUserIdUpdates(scope, value, ctx);
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
      update: 'status',
      template_id: update.message_template_id,
      template_name: update.message_template_name,
      language: update.message_template_language,
      reason: update.reason,
      category: update.message_template_category,
    },
    raw: waRaw(scope, value),
  }, ctx);
}

/** Templates belong to the WABA (WA-TMPL-WH): `wabaId` names it, and every number of it is concerned. */
function templateEvent(scope: WaScope, value: unknown, data: TemplateStatusData, ctx: Ctx): InboundEvent {
  return event('template.status', {
    key: waFieldKey(scope, value),
    channelType: 'whatsapp',
    businessId: scope.entryId ?? '',
    wabaId: scope.entryId,
    occurredAt: isoTime(scope.entryTime),
    data,
    raw: waRaw(scope, value),
  }, ctx);
}

function waTemplateCategory(scope: WaScope, value: unknown, ctx: Ctx): InboundEvent {
  const parsed = waTemplateCategorySchema.safeParse(value);
  if (!parsed.success) return waUnsupportedField(scope, value, 'malformed', ctx);
  const u = parsed.data;
  return templateEvent(scope, value, {
    event: u.event ?? 'CATEGORY_UPDATE',
    update: 'category',
    template_id: u.message_template_id,
    template_name: u.message_template_name,
    language: u.message_template_language,
    category: u.new_category,
    previous_category: u.previous_category,
    new_category: u.new_category,
    correct_category: u.correct_category,
  }, ctx);
}

function waTemplateQuality(scope: WaScope, value: unknown, ctx: Ctx): InboundEvent {
  const parsed = waTemplateQualitySchema.safeParse(value);
  if (!parsed.success) return waUnsupportedField(scope, value, 'malformed', ctx);
  const u = parsed.data;
  return templateEvent(scope, value, {
    event: u.event ?? 'QUALITY_UPDATE',
    update: 'quality',
    template_id: u.message_template_id,
    template_name: u.message_template_name,
    language: u.message_template_language,
    previous_quality_score: u.previous_quality_score,
    new_quality_score: u.new_quality_score,
  }, ctx);
}

/** `user_id_update`: one `contact.updated` per customer whose business-scoped user id changed. */
function waUserIdUpdates(scope: WaScope, value: unknown, ctx: Ctx): InboundEvent[] {
  const parsed = waUserIdUpdateSchema.safeParse(value);
  if (!parsed.success || !isRecord(value)) return [waUnsupportedField(scope, value, 'malformed', ctx)];
  const businessId = parsed.data.metadata?.phone_number_id ?? scope.entryId ?? '';
  const base = omit(value, 'user_id_update');
  return parsed.data.user_id_update.map((item) => {
    const change = waUserIdChangeSchema.safeParse(item).data;
    return event('contact.updated', {
      key: `wa:user_id_update:${businessId}:${hashOf(item)}`,
      channelType: 'whatsapp',
      businessId,
      wabaId: scope.entryId,
      occurredAt: isoTime(change?.timestamp) ?? isoTime(scope.entryTime),
      data: { wa_id: change?.wa_id, user_id: change?.user_id, parent_user_id: change?.parent_user_id, detail: change?.detail },
      raw: waRaw(scope, { ...base, user_id_update: [item] }),
    }, ctx);
  });
}

function waQuality(scope: WaScope, value: unknown, ctx: Ctx): InboundEvent {
  const parsed = waQualitySchema.safeParse(value);
  if (!parsed.success) return waUnsupportedField(scope, value, 'malformed', ctx);
  const update = parsed.data;
  return event('channel.quality', {
    key: waFieldKey(scope, value),
    channelType: 'whatsapp',
    // The quality webhook names the number only by its display form (WA-QUAL): routing finds it among the WABA's numbers.
    businessId: scope.entryId ?? '',
    wabaId: scope.entryId,
    phoneNumber: update.display_phone_number?.replace(/\D/g, '') || undefined,
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
