import { setTimeout as sleep } from 'node:timers/promises';
import type { MetaEmulator } from '../../dev/meta-emulator/app.js';
import { sandboxChannels } from '../../dev/meta-emulator/conversation.js';
import { deliverWebhook, instagramTextWebhook, newEmulatorMid, newEmulatorWamid, whatsappTextWebhook } from '../../dev/meta-emulator/webhook-sender.js';
import type { DskFake } from '../support/dsk-fake.js';

type Kind = 'whatsapp' | 'instagram';
type Api = (method: string, urlPath: string, body?: unknown) => Promise<{ status: number; body: Record<string, unknown> }>;

export interface Fault {
  /** Milliseconds after the traffic started. */
  at: number;
  name: string;
  run(): Promise<void>;
}

export interface TrafficOptions {
  emulator: MetaEmulator;
  dsk: DskFake;
  api: Api;
  channels: Record<Kind, { channelId: string; externalId: string }>;
  faults: Fault[];
  durationMs: number;
  /** How long after the traffic the last event and send may take to arrive. */
  drainMs: number;
  log(line: string): void;
}

export interface TrafficReport {
  inbound: number;
  sends: number;
  /** Event keys Meta got a 200 for (after its retries) that DSK never accepted. */
  lostInbound: string[];
  /** Meta message ids DSK accepted under more than one event, or events DSK accepted that nobody sent. */
  duplicateInbound: string[];
  /** client_message_ids that reached Meta other than exactly once. */
  sendsNotMadeOnce: string[];
  /** client_message_ids without exactly one send outcome at DSK, or not `accepted` when read back. */
  sendsNotAnswered: string[];
  summary: string[];
}

const CUSTOMERS = 20;
const INBOUND_EVERY_MS = 200;
const SEND_EVERY_MS = 400;
/** How long Meta (for webhooks) and DSK (for sends) keep retrying one request. */
const RETRY_FOR_MS = 180_000;

/**
 * Meta and DSK as production has them, under faults: Meta posts signed webhooks and redelivers until
 * it gets a 200 (as it does for up to 7 days); DSK sends messages and repeats the same
 * client_message_id until it gets 200 or 202. Faults run at their times, while traffic flows.
 */
export async function runTraffic(o: TrafficOptions): Promise<TrafficReport> {
  const state = o.emulator.state;
  const callbackUrl = state.webhookCallbackUrl!;
  const sandbox = (kind: Kind) => {
    const found = sandboxChannels(state).find((c) => c.kind === kind && c.id === o.channels[kind].externalId);
    if (!found) throw new Error(`the emulator does not deliver for the ${kind} channel ${o.channels[kind].externalId}`);
    return found;
  };
  const wa = sandbox('whatsapp');
  const ig = sandbox('instagram');
  const waCustomer = (i: number) => `1650555${String(1000 + (i % CUSTOMERS)).padStart(4, '0')}`;
  const igCustomer = (i: number) => `68411000${String(10000000 + (i % CUSTOMERS))}`;

  const inboundKeys = new Map<string, Kind>();
  const acked = new Set<string>();
  const webhookAnswers = new Map<string, number>();
  const sendIds = new Map<string, Kind>();
  const sendAnswers = new Map<string, number>();
  const sendsAnswered = new Set<string>();
  const failures: string[] = [];
  const pending: Promise<void>[] = [];
  const count = (m: Map<string, number>, k: string) => m.set(k, (m.get(k) ?? 0) + 1);

  const retrying = async (what: string, attempt: () => Promise<boolean>) => {
    const deadline = Date.now() + RETRY_FOR_MS;
    for (let delay = 500; ; delay = Math.min(delay * 2, 4_000)) {
      if (await attempt().catch(() => false)) return;
      if (Date.now() > deadline) {
        failures.push(what);
        return;
      }
      await sleep(delay);
    }
  };

  const postWebhook = (i: number) => {
    const kind: Kind = i % 2 === 0 ? 'whatsapp' : 'instagram';
    const at = new Date();
    const text = `inbound ${i}`;
    let key: string;
    let payload: Record<string, unknown>;
    let secret: string;
    if (kind === 'whatsapp') {
      const wamid = newEmulatorWamid();
      key = `wa:msg:${wamid}`;
      payload = whatsappTextWebhook({ wabaId: wa.parentId!, phoneNumberId: wa.id, displayPhoneNumber: wa.handle, from: waCustomer(i), customerName: 'Prod Customer', text, wamid, at });
      secret = state.metaApp.secret;
    } else {
      const mid = newEmulatorMid();
      key = `ig:msg:${mid}`;
      payload = instagramTextWebhook({ accountId: ig.id, senderId: igCustomer(i), text, mid, at });
      secret = state.instagramApp.secret;
    }
    inboundKeys.set(key, kind);
    // Meta redelivers the same payload (same ids) until it gets a 200.
    return retrying(`webhook ${key}`, async () => {
      const outcome = await deliverWebhook(callbackUrl, payload, secret, { timeoutMs: 20_000 });
      count(webhookAnswers, String(outcome.status ?? 'no answer'));
      if (outcome.status === 200) acked.add(key);
      return outcome.status === 200;
    });
  };

  const send = (i: number) => {
    const kind: Kind = i % 2 === 0 ? 'whatsapp' : 'instagram';
    const clientMessageId = `prod-${kind}-${i}`;
    sendIds.set(clientMessageId, kind);
    const body = { client_message_id: clientMessageId, to: kind === 'whatsapp' ? `+${waCustomer(i)}` : igCustomer(i), type: 'text', text: { body: `send ${clientMessageId}` } };
    return retrying(`send ${clientMessageId}`, async () => {
      const res = await o.api('POST', `/v1/channels/${o.channels[kind].channelId}/messages`, body).catch(() => ({ status: 0, body: {} }));
      count(sendAnswers, String(res.status || 'no answer'));
      if (res.status === 200 || res.status === 202) {
        sendsAnswered.add(clientMessageId);
        return true;
      }
      if (res.status >= 400 && res.status < 500 && res.status !== 408 && res.status !== 429) {
        failures.push(`send ${clientMessageId}: ${res.status} ${JSON.stringify(res.body)}`);
        return true;
      }
      return false;
    });
  };

  const t0 = Date.now();
  const faultRuns = o.faults.map(async (f) => {
    await sleep(f.at);
    const s = Date.now();
    o.log(`fault at ${((s - t0) / 1000).toFixed(0)} s: ${f.name}`);
    await f.run();
    o.log(`  ${f.name}: back after ${((Date.now() - s) / 1000).toFixed(1)} s`);
  });
  let i = 0;
  let j = 0;
  const nextInbound = () => t0 + i * INBOUND_EVERY_MS;
  const nextSend = () => t0 + j * SEND_EVERY_MS;
  while (Date.now() - t0 < o.durationMs) {
    const wait = Math.min(nextInbound(), nextSend()) - Date.now();
    if (wait > 0) await sleep(wait);
    if (Date.now() >= nextInbound()) pending.push(postWebhook(i++));
    if (Date.now() >= nextSend()) pending.push(send(j++));
  }
  await Promise.all(faultRuns);
  o.log(`traffic done at ${((Date.now() - t0) / 1000).toFixed(0)} s: ${i} webhook events, ${j} sends; waiting for the answers`);
  await Promise.all(pending);

  // Drain: DSK has every event and every send outcome, Meta every send.
  const madeAtMeta = () => {
    const counts = new Map<string, number>();
    for (const m of state.businessMessages) {
      const id = /^send (prod-\S+)$/.exec(m.text ?? '')?.[1];
      if (id) count(counts, id);
    }
    return counts;
  };
  const outcomes = () => {
    const counts = new Map<string, number>();
    for (const d of o.dsk.accepted) {
      const data = d.body.data as { source?: string; client_message_id?: string } | undefined;
      if (d.body.type === 'message.status' && data?.source === 'send' && data.client_message_id) count(counts, data.client_message_id);
    }
    return counts;
  };
  const drained = () => {
    const made = madeAtMeta();
    const out = outcomes();
    return [...acked].every((k) => o.dsk.acceptCount(k) === 1) && [...sendsAnswered].every((id) => made.has(id) && out.has(id));
  };
  const drainStart = Date.now();
  await o.dsk.waitFor(drained, o.drainMs, 'every event and send outcome at DSK').catch(() => undefined);
  const drainSeconds = (Date.now() - drainStart) / 1000;

  const lostInbound = [...inboundKeys.keys()].filter((k) => o.dsk.acceptCount(k) !== 1);
  const receivedByMessageId = new Map<string, number>();
  const strangers: string[] = [];
  for (const d of o.dsk.accepted) {
    if (d.body.type !== 'message.received') continue;
    const id = (d.body.data as { message?: { id?: string } }).message?.id ?? '?';
    count(receivedByMessageId, id);
    if (!inboundKeys.has(d.idempotencyKey)) strangers.push(d.idempotencyKey);
  }
  const duplicateInbound = [...[...receivedByMessageId].filter(([, n]) => n > 1).map(([id]) => id), ...strangers];
  const made = madeAtMeta();
  const out = outcomes();
  const sendsNotMadeOnce = [...sendIds.keys()].filter((id) => made.get(id) !== 1).map((id) => `${id}: ${made.get(id) ?? 0} at Meta`);
  const sendsNotAnswered: string[] = [];
  for (const [id, kind] of sendIds) {
    if (out.get(id) !== 1) sendsNotAnswered.push(`${id}: ${out.get(id) ?? 0} outcomes at DSK`);
    const read = await o.api('GET', `/v1/channels/${o.channels[kind].channelId}/messages/${encodeURIComponent(id)}`);
    if (read.body.status !== 'accepted') sendsNotAnswered.push(`${id}: reads ${read.status} ${String(read.body.status)}`);
  }
  const replays = [...inboundKeys.keys()].reduce((n, k) => n + o.dsk.replays(k), 0);
  const fmt = (m: Map<string, number>) => [...m].map(([k, v]) => `${k}×${v}`).join(' ');
  return {
    inbound: inboundKeys.size,
    sends: sendIds.size,
    lostInbound: [...lostInbound, ...failures.filter((f) => f.startsWith('webhook'))],
    duplicateInbound,
    sendsNotMadeOnce,
    sendsNotAnswered: [...sendsNotAnswered, ...failures.filter((f) => f.startsWith('send'))],
    summary: [
      `traffic: ${inboundKeys.size} webhook events (Meta's answers ${fmt(webhookAnswers)}), ${sendIds.size} sends (DSK's answers ${fmt(sendAnswers)})`,
      `drained ${drainSeconds.toFixed(1)} s after the last answer; DSK accepted ${inboundKeys.size - lostInbound.length}/${inboundKeys.size} events once each (${replays} idempotent replays), Meta got ${[...made.values()].filter((n) => n === 1).length}/${sendIds.size} sends once each`,
    ],
  };
}
