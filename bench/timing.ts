/** Benchmark timing: warm-up, then repeats until a time budget, reporting the median. */

export interface TimingOptions {
  /** Untimed calls first (JIT, caches, memory growth). */
  warmup?: number;
  /** At least this many timed repeats... */
  minRepeats?: number;
  /** ...and more until this many milliseconds have been spent (or maxRepeats). */
  budgetMs?: number;
  maxRepeats?: number;
}

/** Median wall time of `fn` in milliseconds. */
export function medianMs(fn: () => void, opts: TimingOptions = {}): number {
  const { warmup = 3, minRepeats = 5, budgetMs = 400, maxRepeats = 200 } = opts;
  for (let i = 0; i < warmup; i++) fn();
  const times: number[] = [];
  const start = performance.now();
  while (times.length < minRepeats || (performance.now() - start < budgetMs && times.length < maxRepeats)) {
    const t0 = performance.now();
    fn();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  const mid = times.length >> 1;
  return times.length % 2 ? times[mid]! : (times[mid - 1]! + times[mid]!) / 2;
}
