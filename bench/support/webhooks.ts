import { randomBytes } from 'node:crypto';
import { metaBody, signMeta, waContact, waEnvelope, waMessagesChange, waTextMessage } from '../../test/support/meta-webhook-sender.js';
import type { Shot } from './client.js';

export const WEBHOOK_PATH = '/webhooks/meta';

/**
 * Renders the payload once with placeholders and splices fresh ids in per POST: the bytes are what
 * `metaBody` would produce (ids are plain ASCII, so Meta's escaping leaves them alone).
 */
export function shotFactory(secret: string, phoneNumberId: string, batch: number): () => Shot {
  const marks = Array.from({ length: batch }, (_, i) => `@@ID${i}@@`);
  const payload = waEnvelope({ time: 1749416383 }, [
    waMessagesChange({ phoneNumberId, contacts: [waContact()], messages: marks.map((wamid) => waTextMessage({ wamid, text: 'Does it come in blue?' })) }),
  ]);
  const parts = metaBody(payload).toString('utf8').split(/@@ID\d+@@/);
  const run = randomBytes(4).toString('hex');
  let seq = 0;
  return () => {
    const wamids = marks.map(() => `wamid.HBgL${run}${(seq++).toString(36).padStart(6, '0')}`);
    let text = parts[0]!;
    wamids.forEach((id, i) => (text += id + parts[i + 1]!));
    const body = Buffer.from(text, 'utf8');
    return { path: WEBHOOK_PATH, headers: { 'x-hub-signature-256': signMeta(body, secret) }, body, keys: wamids.map((w) => `wa:msg:${w}`) };
  };
}
