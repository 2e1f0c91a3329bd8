/**
 * Composition of training hooks: a trial that records probe outputs, snapshots weights and
 * streams metrics to the runner passes one `TrainingHooks` made of several.
 */
import type { EpochContext, EpochMetrics, Progress, TrainingHooks } from '../train/hooks.ts';

/** One hooks object calling each of `hooks` in order (`onEpoch` and `onStart` awaited one by one). */
export function combineHooks(...hooks: (TrainingHooks | undefined)[]): TrainingHooks {
  const hs = hooks.filter((h): h is TrainingHooks => h !== undefined);
  return {
    async onStart(ctx: EpochContext): Promise<void> {
      for (const h of hs) await h.onStart?.(ctx);
    },
    async onEpoch(m: EpochMetrics, ctx?: EpochContext): Promise<void> {
      for (const h of hs) await h.onEpoch?.(m, ctx);
    },
    onProgress(p: Progress): void {
      for (const h of hs) h.onProgress?.(p);
    },
  };
}
