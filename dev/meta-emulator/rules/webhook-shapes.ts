/*
 * The shapes of the webhooks Meta sends, as the emulator's own check (never imported from src/):
 * every webhook the emulator builds is held to it in its tests, and so is every payload real
 * integrations recorded (test/fixtures/meta-real), so the emulator cannot drift into a shape Meta does
 * not send. Structure only: ids may be strings or numbers (older Messenger payloads, D11), and fields
 * Meta adds are allowed. Sources: docs/meta-behaviours.md sections 1–6 (WA-MSG, WA-STATUS, WA-ECHO,
 * WA-HIST, IGM-WH, MS-EV).
 */

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const isId = (v: unknown) => (typeof v === 'string' && v !== '') || (typeof v === 'number' && Number.isInteger(v));
/** WhatsApp times are Unix seconds as strings. */
const isSecondsString = (v: unknown) => typeof v === 'string' && /^\d{9,10}$/.test(v);
/** Instagram and Messenger times are Unix milliseconds as numbers. */
const isMillis = (v: unknown) => typeof v === 'number' && Number.isInteger(v) && v > 1e12;

/** Message types whose content sits in an object of the same name (WA-MSG). */
const WA_CONTENT_TYPES = ['text', 'image', 'audio', 'video', 'document', 'sticker', 'location', 'interactive', 'button', 'reaction', 'order', 'system', 'edit', 'revoke'];
const IG_EVENT_KEYS = ['message', 'message_edit', 'reaction', 'read', 'delivery', 'postback', 'referral', 'optin', 'pass_thread_control', 'take_thread_control', 'request_thread_control', 'app_roles', 'policy_enforcement'];

/** Every way `body` differs from what Meta sends; empty for a well-formed webhook. */
export function metaWebhookProblems(body: unknown): string[] {
  if (!isObject(body)) return ['the body is not a JSON object'];
  const problems: string[] = [];
  if (!Array.isArray(body.entry) || body.entry.length === 0) return ['entry must be a non-empty array'];
  body.entry.forEach((entry, i) => {
    const at = `entry[${i}]`;
    if (!isObject(entry)) return problems.push(`${at} is not an object`);
    if (!isId(entry.id)) problems.push(`${at}.id must be an id`);
    if (body.object === 'whatsapp_business_account') return problems.push(...whatsappEntry(entry, at));
    if (body.object === 'instagram' || body.object === 'page') return problems.push(...messagingEntry(entry, at));
    return problems.push(`object must be whatsapp_business_account, instagram or page (got ${JSON.stringify(body.object)})`);
  });
  return problems;
}

function whatsappEntry(entry: Json, at: string): string[] {
  if (!Array.isArray(entry.changes) || entry.changes.length === 0) return [`${at}.changes must be a non-empty array`];
  return entry.changes.flatMap((change, j) => {
    const c = `${at}.changes[${j}]`;
    if (!isObject(change) || typeof change.field !== 'string' || !isObject(change.value)) return [`${c} must have a field name and a value object`];
    const value = change.value;
    switch (change.field) {
      case 'messages':
        return waMessagesValue(value, `${c}.value`);
      case 'smb_message_echoes':
        return [...waMetadata(value, `${c}.value`), ...list(value, 'message_echoes', `${c}.value`, (m, p) => waMessage(m, p, 'echo'))];
      case 'history':
        return [...waMetadata(value, `${c}.value`), ...list(value, 'history', `${c}.value`, waHistoryChunk)];
      default:
        return [];
    }
  });
}

function waMetadata(value: Json, at: string): string[] {
  const problems = value.messaging_product === 'whatsapp' ? [] : [`${at}.messaging_product must be "whatsapp"`];
  if (!isObject(value.metadata) || typeof value.metadata.display_phone_number !== 'string' || !isId(value.metadata.phone_number_id)) {
    problems.push(`${at}.metadata must name display_phone_number and phone_number_id`);
  }
  return problems;
}

function waMessagesValue(value: Json, at: string): string[] {
  const problems = waMetadata(value, at);
  if (!['messages', 'statuses', 'errors'].some((name) => Array.isArray(value[name]))) problems.push(`${at} has no messages, statuses or errors`);
  if (value.messages !== undefined) problems.push(...list(value, 'messages', at, (m, p) => waMessage(m, p, 'inbound')));
  if (value.statuses !== undefined) problems.push(...list(value, 'statuses', at, waStatus));
  if (value.errors !== undefined) problems.push(...list(value, 'errors', at, metaError));
  return problems;
}

function waMessage(m: Json, at: string, kind: 'inbound' | 'echo' | 'history'): string[] {
  const problems: string[] = [];
  if (typeof m.id !== 'string' || m.id === '') problems.push(`${at}.id must be a wamid`);
  if (!isSecondsString(m.timestamp)) problems.push(`${at}.timestamp must be Unix seconds as a string`);
  if (typeof m.type !== 'string') problems.push(`${at}.type is missing`);
  // BSUID-era senders may have no number (M10); a BSUID change names the user in `system` (M5).
  const bsuidChange = m.type === 'system' && isObject(m.system) && typeof m.system.user_id === 'string';
  if (kind === 'inbound' && typeof m.from !== 'string' && typeof m.from_user_id !== 'string' && !bsuidChange) problems.push(`${at} names no sender (from or from_user_id)`);
  if (kind !== 'inbound' && typeof m.from !== 'string') problems.push(`${at}.from is missing`);
  if (kind === 'echo' && typeof m.to !== 'string' && typeof m.to_user_id !== 'string') problems.push(`${at} names no recipient (to or to_user_id)`);
  if (typeof m.type === 'string' && WA_CONTENT_TYPES.includes(m.type) && !isObject(m[m.type])) problems.push(`${at} is of type ${m.type} without its ${m.type} object`);
  if ((m.type === 'unsupported' || m.type === 'unknown') && m.errors !== undefined && !Array.isArray(m.errors)) problems.push(`${at}.errors must be an array`);
  return problems;
}

function waStatus(s: Json, at: string): string[] {
  const problems: string[] = [];
  if (typeof s.id !== 'string' || s.id === '') problems.push(`${at}.id must be a wamid`);
  if (typeof s.status !== 'string') problems.push(`${at}.status is missing`);
  if (!isSecondsString(s.timestamp)) problems.push(`${at}.timestamp must be Unix seconds as a string`);
  if (!isId(s.recipient_id) && typeof s.recipient_user_id !== 'string') problems.push(`${at} names no recipient (recipient_id or recipient_user_id)`);
  if (s.status === 'failed' && (!Array.isArray(s.errors) || s.errors.length === 0)) problems.push(`${at} failed without errors[]`);
  if (Array.isArray(s.errors)) s.errors.forEach((e, k) => problems.push(...(isObject(e) ? metaError(e, `${at}.errors[${k}]`) : [`${at}.errors[${k}] is not an object`])));
  return problems;
}

function metaError(e: Json, at: string): string[] {
  return typeof e.code === 'number' ? [] : [`${at}.code must be a number`];
}

function waHistoryChunk(chunk: Json, at: string): string[] {
  const problems: string[] = [];
  const meta = chunk.metadata;
  if (!isObject(meta) || typeof meta.phase !== 'number' || typeof meta.chunk_order !== 'number' || typeof meta.progress !== 'number') {
    problems.push(`${at}.metadata must give phase, chunk_order and progress as numbers`);
  }
  if (chunk.threads === undefined && chunk.errors === undefined) problems.push(`${at} has neither threads nor errors`);
  if (chunk.threads !== undefined) {
    problems.push(
      ...list(chunk, 'threads', at, (thread, p) => [
        ...(isId(thread.id) ? [] : [`${p}.id must be the customer's id`]),
        ...list(thread, 'messages', p, (m, q) => waMessage(m, q, 'history')),
      ]),
    );
  }
  return problems;
}

function messagingEntry(entry: Json, at: string): string[] {
  const problems: string[] = [];
  if (entry.time !== undefined && !isMillis(entry.time) && !(typeof entry.time === 'number' && entry.time > 1e9)) problems.push(`${at}.time must be a Unix time`);
  const lists = ['messaging', 'standby', 'changes'].filter((name) => entry[name] !== undefined);
  if (lists.length === 0) problems.push(`${at} has no messaging, standby or changes`);
  for (const name of ['messaging', 'standby']) {
    if (entry[name] === undefined) continue;
    problems.push(
      ...list(entry, name, at, (item, p) => {
        const found: string[] = [];
        if (!isObject(item.sender) || (!isId(item.sender.id) && typeof item.sender.user_ref !== 'string')) found.push(`${p}.sender must have an id`);
        if (!isObject(item.recipient) || !isId(item.recipient.id)) found.push(`${p}.recipient must have an id`);
        if (item.timestamp !== undefined && !isMillis(item.timestamp)) found.push(`${p}.timestamp must be Unix milliseconds as a number`);
        if (!IG_EVENT_KEYS.some((key) => isObject(item[key]))) found.push(`${p} carries no known event (${IG_EVENT_KEYS.join(', ')})`);
        if (isObject(item.message) && (typeof item.message.mid !== 'string' || item.message.mid === '')) found.push(`${p}.message.mid is missing`);
        return found;
      }),
    );
  }
  if (entry.changes !== undefined) problems.push(...list(entry, 'changes', at, (c, p) => (typeof c.field === 'string' ? [] : [`${p}.field is missing`])));
  return problems;
}

/** `owner[name]` must be an array of objects; each is checked by `check`. */
function list(owner: Json, name: string, at: string, check: (item: Json, at: string) => string[]): string[] {
  const items = owner[name];
  if (!Array.isArray(items)) return [`${at}.${name} must be an array`];
  return items.flatMap((item, i) => (isObject(item) ? check(item, `${at}.${name}[${i}]`) : [`${at}.${name}[${i}] is not an object`]));
}
