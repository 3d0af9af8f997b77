import type { HistoryMessage, InboundEvent, Participant } from '../../shared/inbound-events.js';
import { hashOf } from '../webhook/keys.js';
import { event, isoTime, isRecord, normalizeErrors, omit, stringOr, type Ctx } from '../webhook/projection.js';
import { normalizeWaContent, parseWaContent, shownText } from './webhook-content.js';
import {
  waContactSchema,
  waEchoSchema,
  waHistoryMessageSchema,
  waHistoryThreadSchema,
  waHistoryValueSchema,
  waMessagesValueSchema,
  waRaw,
  waUnsupportedField,
  type WaScope,
} from './webhook-common.js';
import { matchContact, rawContacts, type ChannelRef, type WaContactEntry } from './webhook-messages.js';

/*
 * Numbers that stay on the WhatsApp Business app while connected to Cloud API ("coexistence",
 * WA-COEX): what the business sends from the app comes back as `smb_message_echoes` (WA-ECHO), and
 * the chats of the last months arrive once as `history` (WA-HIST).
 */

/** `smb_message_echoes`: one `message.echo` per message (edits and deletions as `message.edited` / `message.deleted`, `echo: true`). */
export function splitWaEchoes(scope: WaScope, value: unknown, ctx: Ctx): InboundEvent[] {
  const parsed = waMessagesValueSchema.safeParse(value);
  if (!parsed.success || !isRecord(value) || !parsed.data.message_echoes) return [waUnsupportedField(scope, value, 'malformed', ctx)];
  const { metadata } = parsed.data;
  const base = omit(value, 'contacts', 'message_echoes');
  const contacts: WaContactEntry[] = (parsed.data.contacts ?? []).map((raw) => ({ raw, contact: waContactSchema.safeParse(raw).data }));
  const channel: ChannelRef = { businessId: metadata?.phone_number_id ?? scope.entryId ?? '', wabaId: scope.entryId };
  return parsed.data.message_echoes.map((item) => {
    const echo = waEchoSchema.safeParse(item);
    const matched = echo.success ? matchContact(contacts, echo.data.to, echo.data.to_user_id) : undefined;
    const raw = waRaw(scope, { ...base, ...rawContacts(contacts, matched), message_echoes: [item] });
    if (!echo.success) {
      return event('unsupported', {
        key: `wa:unsupported:${hashOf(raw)}`,
        channelType: 'whatsapp',
        ...channel,
        occurredAt: isoTime(scope.entryTime),
        data: { reason: 'malformed', object: stringOr(scope.bodyRest.object), field: scope.field },
        raw,
      }, ctx);
    }
    const m = echo.data;
    // Meta's echo syntax: `from` is the business's display number, `to` the customer.
    const sender: Participant = { id: m.from ?? metadata?.display_phone_number ?? channel.businessId };
    const customerId = m.to ?? m.to_user_id;
    const recipient: Participant | undefined =
      customerId === undefined
        ? undefined
        : { id: customerId, wa_id: m.to, user_id: m.to_user_id, parent_user_id: m.to_parent_user_id, name: matched?.contact?.profile?.name };
    const common = { key: `wa:echo:${m.id}`, channelType: 'whatsapp' as const, ...channel, occurredAt: isoTime(m.timestamp) ?? isoTime(scope.entryTime), raw };
    if (m.type === 'edit' && m.edit?.original_message_id) {
      const content = normalizeEditContent(m.edit.message, m.edit.original_message_id);
      return event('message.edited', { ...common, data: { sender, recipient, message_id: m.edit.original_message_id, edit_id: m.id, text: shownText(content), message: content, echo: true } }, ctx);
    }
    if (m.type === 'revoke' && m.revoke?.original_message_id) {
      return event('message.deleted', { ...common, data: { sender, recipient, message_id: m.revoke.original_message_id, revoke_id: m.id, echo: true } }, ctx);
    }
    const message = normalizeWaContent(m, m.id) ?? { id: m.id, type: 'unknown' as const };
    return event('message.echo', { ...common, data: { sender, recipient, message } }, ctx);
  });
}

function normalizeEditContent(raw: unknown, id: string) {
  const content = parseWaContent(raw);
  return content ? normalizeWaContent(content, id) : undefined;
}

/**
 * `history`: one `conversation.history` event per thread of each chunk, or one carrying the errors when
 * the business declined to share (code 2593109). Messages keep their own wamids, so an importer can
 * dedupe them against what it already has.
 */
export function splitWaHistory(scope: WaScope, value: unknown, ctx: Ctx): InboundEvent[] {
  const parsed = waHistoryValueSchema.safeParse(value);
  if (!parsed.success || !isRecord(value)) return [waUnsupportedField(scope, value, 'malformed', ctx)];
  const { metadata } = parsed.data;
  const phoneNumberId = metadata?.phone_number_id;
  const businessDigits = metadata?.display_phone_number?.replace(/\D/g, '');
  const channel: ChannelRef = { businessId: phoneNumberId ?? scope.entryId ?? '', wabaId: scope.entryId };
  const base = omit(value, 'history');
  return parsed.data.history.flatMap((chunk, index) => {
    const rawChunk = Array.isArray(value.history) ? value.history[index] : chunk;
    const { phase, chunk_order: chunkOrder, progress } = chunk.metadata ?? {};
    const chunkRest = isRecord(rawChunk) ? omit(rawChunk, 'threads') : {};
    const position = { phase, chunk_order: chunkOrder, progress };
    const keyHead = `wa:history:${channel.businessId}:${phase ?? '-'}:${chunkOrder ?? '-'}`;
    if (!chunk.threads || chunk.threads.length === 0) {
      return [
        event('conversation.history', {
          key: `${keyHead}:${hashOf({ time: scope.entryTime, chunk: rawChunk })}`,
          channelType: 'whatsapp',
          ...channel,
          occurredAt: isoTime(scope.entryTime),
          data: { ...position, messages: [], errors: chunk.errors ? normalizeErrors(chunk.errors) : undefined },
          raw: waRaw(scope, { ...base, history: [rawChunk] }),
        }, ctx),
      ];
    }
    return chunk.threads.map((rawThread) => {
      const thread = waHistoryThreadSchema.safeParse(rawThread).data;
      const messages = (thread?.messages ?? []).flatMap((raw): HistoryMessage[] => {
        const m = waHistoryMessageSchema.safeParse(raw);
        if (!m.success) return [];
        const outbound = businessDigits !== undefined && m.data.from?.replace(/\D/g, '') === businessDigits;
        return [{
          direction: outbound ? 'outbound' : 'inbound',
          from: m.data.from,
          to: m.data.to,
          sent_at: isoTime(m.data.timestamp),
          status: m.data.history_context?.status,
          message: normalizeWaContent(m.data, m.data.id) ?? { id: m.data.id, type: 'unknown' },
        }];
      });
      return event('conversation.history', {
        key: `${keyHead}:${thread?.id ?? '-'}:${hashOf(messages.map((m) => m.message.id))}`,
        channelType: 'whatsapp',
        ...channel,
        occurredAt: isoTime(scope.entryTime),
        data: { ...position, thread_id: thread?.id, messages },
        raw: waRaw(scope, { ...base, history: [{ ...chunkRest, threads: [rawThread] }] }),
      }, ctx);
    });
  });
}
