/**
 * Calls `load` every `intervalMs` until `done(result)` or `attempts` run out, reporting each
 * result. Bounded on purpose: async pipelines (outbox → queue → worker) may stall, and a page
 * must not poll forever. Resolves true when done, false when it gave up or was aborted.
 */
export async function pollUntil<T>(
  load: (signal: AbortSignal) => Promise<T>,
  done: (result: T) => boolean,
  opts: { intervalMs: number; attempts: number; signal: AbortSignal; onResult: (result: T) => void; onError?: (e: unknown) => void },
): Promise<boolean> {
  for (let i = 0; i < opts.attempts && !opts.signal.aborted; i++) {
    try {
      const result = await load(opts.signal);
      if (opts.signal.aborted) return false;
      opts.onResult(result);
      if (done(result)) return true;
    } catch (e) {
      if (opts.signal.aborted) return false;
      opts.onError?.(e);
    }
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, opts.intervalMs);
      opts.signal.addEventListener('abort', () => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
  return false;
}
