/**
 * Group commit's queue: requests that arrive while earlier batches are in flight wait
 * and then go together, so a batch costs one round trip and one commit however many it
 * carries. Nothing waits on a timer: a request that finds a free lane starts on the next
 * turn of the event loop (alone, if nobody else came), and under load the batches grow
 * by themselves to what arrived during one round trip.
 */
export interface BatcherOptions {
  /** Most requests in one batch. */
  maxBatch: number;
  /** Batches in flight at once (each holds a database connection while it runs). */
  maxInFlight: number;
  /** Called with the size of each batch as it starts (a metric). */
  onBatch?: (size: number) => void;
}

export interface Batcher<T, R> {
  submit(item: T): Promise<R>;
  /** Requests waiting for a lane. */
  waiting(): number;
}

/**
 * `run` gets the items of one batch and settles each: its result, or the error of that
 * item alone. If `run` itself throws, every item of the batch gets that error.
 */
export function createBatcher<T, R>(run: (items: T[]) => Promise<PromiseSettledResult<R>[]>, options: BatcherOptions): Batcher<T, R> {
  if (options.maxBatch < 1 || options.maxInFlight < 1) throw new Error('maxBatch and maxInFlight must be at least 1');
  interface Waiting {
    item: T;
    resolve: (value: R) => void;
    reject: (error: unknown) => void;
  }
  const queue: Waiting[] = [];
  let inFlight = 0;
  let scheduled = false;

  const schedule = () => {
    if (scheduled || queue.length === 0 || inFlight >= options.maxInFlight) return;
    scheduled = true;
    setImmediate(start);
  };

  function start() {
    scheduled = false;
    while (queue.length > 0 && inFlight < options.maxInFlight) void runBatch(queue.splice(0, options.maxBatch));
  }

  async function runBatch(batch: Waiting[]) {
    inFlight++;
    options.onBatch?.(batch.length);
    try {
      const results = await run(batch.map((w) => w.item));
      if (results.length !== batch.length) throw new Error(`a batch of ${batch.length} settled ${results.length} items`);
      batch.forEach((w, i) => {
        const r = results[i] as PromiseSettledResult<R>;
        if (r.status === 'fulfilled') w.resolve(r.value);
        else w.reject(r.reason);
      });
    } catch (error) {
      for (const w of batch) w.reject(error);
    } finally {
      inFlight--;
      schedule();
    }
  }

  return {
    submit: (item) =>
      new Promise<R>((resolve, reject) => {
        queue.push({ item, resolve, reject });
        schedule();
      }),
    waiting: () => queue.length,
  };
}

/**
 * Splits a batch so that no key appears twice in one part: a multi-row `INSERT … ON
 * CONFLICT DO UPDATE` may touch a row only once. The k-th item of a key goes to part k,
 * so items of one key keep their order across parts; parts are in key order within, so
 * concurrent statements lock rows in the same order.
 */
export function inRounds<T>(items: readonly T[], key: (item: T) => string): T[][] {
  const rounds: T[][] = [];
  const seen = new Map<string, number>();
  for (const item of items) {
    const k = key(item);
    const round = seen.get(k) ?? 0;
    seen.set(k, round + 1);
    (rounds[round] ??= []).push(item);
  }
  return rounds.map((round) => round.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0)));
}
