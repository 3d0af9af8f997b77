import { setTimeout as sleep } from 'node:timers/promises';
import { ms } from './measure.js';

export interface DrainOptions {
  /** Give up after this long without progress: what is still pending then is lost. */
  stallMs: number;
  pollMs: number;
  /** Give up after this long in any case (default: never). */
  capMs?: number;
}

/**
 * Waits while `pending()` (what has not arrived yet) goes down. A backlog is not a loss: the wait goes
 * on as long as something arrives, and ends when nothing is pending, nothing has arrived for
 * `stallMs`, or `capMs` passed. Returns how long it waited, in ms.
 */
export async function drainUntil(pending: () => number | Promise<number>, opts: DrainOptions): Promise<number> {
  const started = process.hrtime.bigint();
  const cap = Date.now() + (opts.capMs ?? Number.POSITIVE_INFINITY);
  let left = await pending();
  let lastProgress = Date.now();
  while (left > 0 && Date.now() - lastProgress < opts.stallMs && Date.now() < cap) {
    await sleep(opts.pollMs);
    const now = await pending();
    if (now < left) lastProgress = Date.now();
    left = now;
  }
  return ms(process.hrtime.bigint() - started);
}
