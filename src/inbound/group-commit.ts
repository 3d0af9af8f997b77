export interface GroupCommitOptions<T, R> {
  /** Writes one batch in one statement; answers one result per item, in order. */
  write(items: T[]): Promise<R[]>;
  /** A batch is written once it holds this many items… */
  maxItems: number;
  /** …or this long after its first item arrived (0: on the next turn of the event loop). */
  maxDelayMs: number;
  /** Batches being written at once; while all are busy the next batch keeps gathering. */
  maxConcurrent: number;
  onBatch?: (items: number, seconds: number) => void;
}

interface Pending<T, R> {
  items: T[];
  resolve(results: R[]): void;
  reject(err: unknown): void;
}

/**
 * Group commit: concurrent callers' items are gathered into one write, so PostgreSQL commits (and
 * syncs) once per batch rather than once per request. Each caller waits for its own batch's commit;
 * a failed batch fails every caller in it. A caller's items are never split across batches.
 */
export function createGroupCommit<T, R>(options: GroupCommitOptions<T, R>) {
  let gathering: Pending<T, R>[] = [];
  let gatheredItems = 0;
  let timer: NodeJS.Timeout | undefined;
  let due = false;
  let writing = 0;

  const flush = () => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    // Whole callers, up to maxItems (one caller at least); the rest stays due for the next writer.
    let take = 0;
    let count = 0;
    while (take < gathering.length && (take === 0 || count + gathering[take]!.items.length <= options.maxItems)) count += gathering[take++]!.items.length;
    const batch = gathering.slice(0, take);
    gathering = gathering.slice(take);
    gatheredItems -= count;
    due = gathering.length > 0;
    writing += 1;
    const started = process.hrtime.bigint();
    const items = batch.flatMap((p) => p.items);
    void options
      .write(items)
      .then(
        (results) => {
          options.onBatch?.(items.length, Number(process.hrtime.bigint() - started) / 1e9);
          let at = 0;
          for (const p of batch) {
            p.resolve(results.slice(at, at + p.items.length));
            at += p.items.length;
          }
        },
        (err: unknown) => {
          for (const p of batch) p.reject(err);
        },
      )
      .finally(() => {
        writing -= 1;
        if (gathering.length > 0 && due) flush();
        else if (gathering.length > 0 && !timer) timer = setTimeout(becomeDue, options.maxDelayMs);
      });
  };

  const becomeDue = () => {
    timer = undefined;
    due = true;
    if (writing < options.maxConcurrent) flush();
  };

  return {
    submit(items: T[]): Promise<R[]> {
      if (items.length === 0) return Promise.resolve([]);
      return new Promise<R[]>((resolve, reject) => {
        if (gatheredItems > 0 && gatheredItems + items.length > options.maxItems && writing < options.maxConcurrent) flush();
        gathering.push({ items, resolve, reject });
        gatheredItems += items.length;
        if (gatheredItems >= options.maxItems) {
          due = true;
          if (writing < options.maxConcurrent) flush();
        } else if (!timer && !due) {
          timer = setTimeout(becomeDue, options.maxDelayMs);
        }
      });
    },
  };
}
