import { describe, expect, it } from 'vitest';
import { createBatcher, inRounds } from './batcher.js';

/** A run that answers each item doubled after `ms`, refusing odd ones, and records the batches it saw. */
function doubling(ms: number) {
  const batches: number[][] = [];
  const run = async (items: number[]): Promise<PromiseSettledResult<number>[]> => {
    batches.push(items);
    await new Promise((done) => setTimeout(done, ms));
    return items.map((n) => (n % 2 === 1 ? { status: 'rejected', reason: new Error(`odd ${n}`) } : { status: 'fulfilled', value: n * 2 }));
  };
  return { batches, run };
}

describe('createBatcher (group commit queue)', () => {
  it('runs a lone request at once, and gathers the ones that arrive while lanes are busy, up to maxBatch', async () => {
    const { batches, run } = doubling(20);
    const sizes: number[] = [];
    const batcher = createBatcher(run, { maxBatch: 4, maxInFlight: 1, onBatch: (n) => sizes.push(n) });
    expect(await batcher.submit(2)).toBe(4);
    expect(batches).toEqual([[2]]);

    const answers = Promise.allSettled([10, 12, 14, 16, 18, 20, 22].map((n) => batcher.submit(n)));
    expect(batcher.waiting()).toBe(7);
    const settled = await answers;
    expect(settled.map((s) => (s.status === 'fulfilled' ? s.value : null))).toEqual([20, 24, 28, 32, 36, 40, 44]);
    expect(batches.slice(1)).toEqual([
      [10, 12, 14, 16],
      [18, 20, 22],
    ]);
    expect(sizes).toEqual([1, 4, 3]);
  });

  it("settles each item on its own: one item's refusal is that caller's alone", async () => {
    const { run } = doubling(1);
    const batcher = createBatcher(run, { maxBatch: 10, maxInFlight: 2 });
    const settled = await Promise.allSettled([1, 2, 3, 4].map((n) => batcher.submit(n)));
    expect(settled.map((s) => s.status)).toEqual(['rejected', 'fulfilled', 'rejected', 'fulfilled']);
    expect((settled[0] as PromiseRejectedResult).reason).toEqual(new Error('odd 1'));
  });

  it('gives every item of a batch the error when the batch itself fails, and keeps serving after it', async () => {
    let fail = true;
    const batcher = createBatcher(
      async (items: string[]) => {
        if (fail) throw new Error('connection lost');
        return items.map((value) => ({ status: 'fulfilled' as const, value }));
      },
      { maxBatch: 8, maxInFlight: 1 },
    );
    const settled = await Promise.allSettled(['a', 'b', 'c'].map((s) => batcher.submit(s)));
    expect(settled.every((s) => s.status === 'rejected' && (s.reason as Error).message === 'connection lost')).toBe(true);
    fail = false;
    expect(await batcher.submit('d')).toBe('d');
  });

  it('never runs more batches at once than maxInFlight', async () => {
    let running = 0;
    let most = 0;
    const batcher = createBatcher(
      async (items: number[]) => {
        most = Math.max(most, ++running);
        await new Promise((done) => setTimeout(done, 5));
        running--;
        return items.map((value) => ({ status: 'fulfilled' as const, value }));
      },
      { maxBatch: 2, maxInFlight: 3 },
    );
    await Promise.all(Array.from({ length: 40 }, (_, i) => batcher.submit(i)));
    expect(most).toBe(3);
  });
});

describe('inRounds', () => {
  it('puts no key twice in one round, keeps each key’s items in order, and orders a round by key', () => {
    const items = [
      { k: 'b', n: 1 },
      { k: 'a', n: 2 },
      { k: 'b', n: 3 },
      { k: 'c', n: 4 },
      { k: 'b', n: 5 },
    ];
    expect(inRounds(items, (i) => i.k).map((round) => round.map((i) => i.n))).toEqual([[2, 1, 4], [3], [5]]);
  });
});
