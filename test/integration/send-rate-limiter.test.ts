import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { migrateUp } from '../../src/db/migrate.js';
import { createPool, type Pool } from '../../src/db/pool.js';
import { createSendRateLimiter, gcraSchedule, type GcraSlot, type SendRateLimit, type SendRateReservation } from '../../src/db/send-rate-slots.js';
import { createLogger } from '../../src/logger.js';
import { testInfrastructure } from '../support/service.js';

const MINUTE = 60_000;

describe('GCRA arithmetic (gcraSchedule, times in µs)', () => {
  it('sends at once while the burst lasts, charging one interval from the later of tat and the send time', () => {
    // burst 5, interval 10: a tat up to 40 ahead still conforms now.
    assert.deepEqual(gcraSchedule([{ tatUs: 1_040, intervalUs: 10, burst: 5 }], 1_000, 0), { granted: true, sendAtUs: 1_000, newTatsUs: [1_050] });
    assert.deepEqual(gcraSchedule([{ tatUs: 1_041, intervalUs: 10, burst: 5 }], 1_000, 5), { granted: true, sendAtUs: 1_001, newTatsUs: [1_051] });
    // An idle key (tat passed) is charged from now, exactly as a key without a row.
    assert.deepEqual(gcraSchedule([{ tatUs: 400, intervalUs: 10, burst: 5 }], 1_000, 0), { granted: true, sendAtUs: 1_000, newTatsUs: [1_010] });
  });

  it('sends at the latest time any key allows and charges every key at that common time', () => {
    const slots: GcraSlot[] = [
      { tatUs: 1_100, intervalUs: 10, burst: 1 },
      { tatUs: 1_300, intervalUs: 50, burst: 1 },
      { tatUs: 1_500, intervalUs: 100, burst: 4 },
    ];
    // Earliest per key: 1100, 1300, 1500 − 300 = 1200. The first key is charged from 1300, not from its own 1100.
    assert.deepEqual(gcraSchedule(slots, 1_000, 1_000), { granted: true, sendAtUs: 1_300, newTatsUs: [1_310, 1_350, 1_600] });
  });

  it('refuses a wait beyond maxWait and says after how long the same request would fit', () => {
    assert.deepEqual(gcraSchedule([{ tatUs: 7_000, intervalUs: 6_000, burst: 1 }, { tatUs: 0, intervalUs: 1, burst: 1 }], 1_000, 2_500), { granted: false, retryAfterUs: 3_500 });
    assert.deepEqual(gcraSchedule([{ tatUs: 7_000, intervalUs: 6_000, burst: 1 }, { tatUs: 0, intervalUs: 1, burst: 1 }], 1_000 + 3_500, 2_500), {
      granted: true,
      sendAtUs: 7_000,
      newTatsUs: [13_000, 7_001],
    });
  });

  it('never lets more than burst + window/interval sends of one key fall in any window, whichever keys hold sends back', () => {
    // Three keys, random subsets of them per send, arriving at random times: held-back sends make the
    // schedule of a key non-monotonic in reservation order, which the bound must survive.
    const limits = [
      { intervalUs: 100, burst: 1 },
      { intervalUs: 40, burst: 3 },
      { intervalUs: 600, burst: 5 },
    ];
    const tats = limits.map(() => 0);
    const sends: number[][] = limits.map(() => []);
    let seed = 42;
    const random = () => (seed = (Math.imul(seed, 1_103_515_245) + 12_345) >>> 0) / 2 ** 32;
    let now = 0;
    for (let n = 0; n < 600; n++) {
      now += Math.floor(random() * 120);
      const keys = limits.map((_, k) => k).filter(() => random() < 0.6);
      if (keys.length === 0) continue;
      const decision = gcraSchedule(keys.map((k) => ({ tatUs: tats[k]!, ...limits[k]! })), now, Number.MAX_SAFE_INTEGER);
      assert.ok(decision.granted);
      keys.forEach((k, i) => {
        tats[k] = decision.newTatsUs[i]!;
        sends[k]!.push(decision.sendAtUs);
      });
    }
    limits.forEach(({ intervalUs, burst }, k) => {
      const times = sends[k]!.sort((a, b) => a - b);
      assert.ok(times.length > 100);
      for (let i = 0; i < times.length; i++) {
        for (let j = i; j < times.length; j++) {
          const inWindow = j - i + 1;
          assert.ok(inWindow <= Math.floor((times[j]! - times[i]!) / intervalUs) + burst, `key ${k}: ${inWindow} sends within ${times[j]! - times[i]!} µs`);
        }
      }
    });
  });
});

describe('send-rate limiter against PostgreSQL', () => {
  // Two pools stand for two worker processes: nothing is shared between them but the database.
  let poolA: Pool;
  let poolB: Pool;
  before(async () => {
    const { databaseUrl } = testInfrastructure();
    await migrateUp(databaseUrl, createLogger({ level: 'silent' }));
    poolA = createPool({ url: databaseUrl, poolMax: 10, applicationName: 'send-rate-test-a' });
    poolB = createPool({ url: databaseUrl, poolMax: 10, applicationName: 'send-rate-test-b' });
    // As the service's own pool does (runtime.ts): an idle connection the server ends is no test failure.
    for (const pool of [poolA, poolB]) pool.on('error', () => undefined);
  });
  after(async () => {
    await poolA?.end();
    await poolB?.end();
  });

  const uniqueKey = (name: string) => `test:${name}:${randomUUID()}`;
  const granted = (r: SendRateReservation) => {
    assert.ok(r.granted, `expected a grant, got ${JSON.stringify(r)}`);
    return r;
  };
  const refused = (r: SendRateReservation) => {
    assert.ok(!r.granted, `expected a refusal, got ${JSON.stringify(r)}`);
    return r;
  };
  const tatOf = async (key: string) => (await poolA.query<{ tat: Date }>(`SELECT tat FROM send_rate_slots WHERE key = $1`, [key])).rows[0]?.tat;

  it('grants the first `burst` sends at once and spaces the next ones one interval apart on the database clock', async () => {
    const limiter = createSendRateLimiter(poolA);
    const limit: SendRateLimit = { key: uniqueKey('burst'), intervalMs: MINUTE, burst: 3 };
    const results: Array<{ waitMs: number; sendAt: Date }> = [];
    for (let i = 0; i < 6; i++) results.push(granted(await limiter.reserve([limit], { maxWaitMs: 10 * MINUTE })));

    assert.deepEqual(results.map((r) => r.waitMs).slice(0, 3), [0, 0, 0]);
    const first = results[0]!.sendAt.getTime();
    // After the burst, slots follow the first send at whole intervals, whenever they were asked for.
    assert.deepEqual(results.map((r) => r.sendAt.getTime() - first).slice(3), [MINUTE, 2 * MINUTE, 3 * MINUTE]);
    // sendAt − waitMs is the database's "now" of each reservation: the waits count down from it.
    results.forEach((r, i) => {
      const now = r.sendAt.getTime() - r.waitMs;
      assert.ok(now >= first - 1 && now < first + MINUTE, `reservation ${i} was made at ${now - first} ms`);
    });
  });

  it('gives 200 concurrent reservations from two pools on one key distinct slots, each exactly one interval after the previous', async () => {
    const key = uniqueKey('concurrent');
    // Intervals long enough that every request arrives before its slot, however slow the machine.
    const limit: SendRateLimit = { key, intervalMs: 5_000, burst: 1 };
    const limiters = [createSendRateLimiter(poolA), createSendRateLimiter(poolB)];
    const results = await Promise.all(Array.from({ length: 200 }, (_, i) => limiters[i % 2]!.reserve([limit], { maxWaitMs: 200 * 5_000 })));

    const times = results.map((r) => granted(r).sendAt.getTime()).sort((a, b) => a - b);
    assert.equal(new Set(times).size, 200);
    const gaps = times.slice(1).map((t, i) => t - times[i]!);
    assert.deepEqual([...new Set(gaps)], [5_000], 'every gap is one interval: none shorter, no slot left unused');
    assert.deepEqual(results.map((r) => granted(r).waitMs).filter((w) => w === 0).length, 1);
    // The stored tat is one interval after the last slot (sendAt rounds the microseconds up, Date down).
    const afterLast = (await tatOf(key))!.getTime() - 5_000;
    assert.ok(times.at(-1)! - afterLast >= 0 && times.at(-1)! - afterLast <= 1, `tat − interval ${afterLast}, last slot ${times.at(-1)}`);
  });

  it('reserves several keys all or none: a refusal leaves the other key untouched; a grant charges every key at the common send time', async () => {
    const limiter = createSendRateLimiter(poolA);
    const number: SendRateLimit = { key: uniqueKey('number'), intervalMs: MINUTE, burst: 1 };
    const pair: SendRateLimit = { key: uniqueKey('pair'), intervalMs: MINUTE, burst: 1 };
    const pairFirst = granted(await limiter.reserve([pair], { maxWaitMs: 0 }));

    // The pair is busy for a minute: waiting up to 1 s is refused, and the number is not charged.
    refused(await limiter.reserve([number, pair], { maxWaitMs: 1_000 }));
    assert.equal(await tatOf(number.key), undefined);

    const both = granted(await limiter.reserve([number, pair], { maxWaitMs: 2 * MINUTE }));
    assert.equal(both.sendAt.getTime(), pairFirst.sendAt.getTime() + MINUTE);
    // The number was charged at the send's time (held back by the pair), not at its own earliest time.
    const numberNext = granted(await limiter.reserve([number], { maxWaitMs: 3 * MINUTE }));
    assert.equal(numberNext.sendAt.getTime(), both.sendAt.getTime() + MINUTE);
  });

  it('reserves nothing when the wait would exceed maxWaitMs, and says after how long the request would fit', async () => {
    const limiter = createSendRateLimiter(poolA);
    const limit: SendRateLimit = { key: uniqueKey('max-wait'), intervalMs: MINUTE, burst: 1 };
    const first = granted(await limiter.reserve([limit], { maxWaitMs: 0 }));
    const { retryAfterMs } = refused(await limiter.reserve([limit], { maxWaitMs: 1_000 }));
    refused(await limiter.reserve([limit], { maxWaitMs: 1_000 }));

    // Not too long: the slot is at most a minute away, and 1 s of it may be waited for.
    assert.ok(retryAfterMs <= MINUTE - 1_000, `retryAfterMs ${retryAfterMs}`);
    // Not too short: waiting retryAfterMs longer now is enough. The refusals consumed nothing: the
    // slot granted is the one right after the first send.
    const next = granted(await limiter.reserve([limit], { maxWaitMs: 1_000 + retryAfterMs }));
    assert.equal(next.sendAt.getTime(), first.sendAt.getTime() + MINUTE);
    assert.ok(next.waitMs <= 1_000 + retryAfterMs, `waitMs ${next.waitMs}`);
  });

  it('purges only rows whose slot has passed on the database clock, and an idle key then schedules as before', async () => {
    const limiter = createSendRateLimiter(poolA);
    const idle = [uniqueKey('idle'), uniqueKey('idle')];
    await poolA.query(`INSERT INTO send_rate_slots (key, tat) SELECT k, clock_timestamp() - interval '1 minute' FROM unnest($1::text[]) AS k`, [idle]);
    const busy: SendRateLimit = { key: uniqueKey('busy'), intervalMs: MINUTE, burst: 1 };
    const busyFirst = granted(await limiter.reserve([busy], { maxWaitMs: 0 }));

    let purged = 0;
    for (let n = await limiter.purgeIdle(1_000); n > 0; n = await limiter.purgeIdle(1_000)) purged += n;
    assert.ok(purged >= 2, `purged ${purged}`);
    assert.deepEqual(await Promise.all(idle.map(tatOf)), [undefined, undefined]);
    assert.equal(granted(await limiter.reserve([busy], { maxWaitMs: 2 * MINUTE })).sendAt.getTime(), busyFirst.sendAt.getTime() + MINUTE);
    assert.equal(granted(await limiter.reserve([{ key: idle[0]!, intervalMs: MINUTE, burst: 1 }], { maxWaitMs: 0 })).waitMs, 0);
  });

  it('refuses malformed limits before touching the database', async () => {
    const limiter = createSendRateLimiter(poolA);
    const key = uniqueKey('malformed');
    await assert.rejects(limiter.reserve([], { maxWaitMs: 0 }), RangeError);
    await assert.rejects(limiter.reserve([{ key, intervalMs: 10, burst: 1 }, { key, intervalMs: 20, burst: 1 }], { maxWaitMs: 0 }), RangeError);
    await assert.rejects(limiter.reserve([{ key, intervalMs: 0, burst: 1 }], { maxWaitMs: 0 }), RangeError);
    await assert.rejects(limiter.reserve([{ key, intervalMs: 10, burst: 0 }], { maxWaitMs: 0 }), RangeError);
    await assert.rejects(limiter.reserve([{ key, intervalMs: 10, burst: 1 }], { maxWaitMs: -1 }), RangeError);
    assert.equal(await tatOf(key), undefined);
  });
});
