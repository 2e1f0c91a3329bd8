/**
 * A layer's work matrices, one set per batch size: the full training batch, the last, shorter one
 * and the 500-row evaluation batch each get their own set, made on first use (so a step allocates
 * nothing once every size has been seen) and freed together. `dispose` disposes every field of
 * every set that has a `dispose` method (matrices and their views, including fields made later,
 * such as an input gradient allocated on first need); `null` fields, typed arrays and plain data
 * are left alone.
 */
export class BatchBuffers<T extends object> {
  private readonly sets = new Map<number, T>();

  /** @param make the set for a batch of `batch` rows */
  constructor(private readonly make: (batch: number) => T) {}

  /** The set for `batch` rows, made on first use. */
  get(batch: number): T {
    let set = this.sets.get(batch);
    if (!set) this.sets.set(batch, (set = this.make(batch)));
    return set;
  }

  /** Disposes every set's matrices and forgets the sets. */
  dispose(): void {
    for (const set of this.sets.values()) {
      for (const v of Object.values(set)) if (v !== null && typeof v === 'object' && typeof (v as { dispose?: unknown }).dispose === 'function') (v as { dispose(): void }).dispose();
    }
    this.sets.clear();
  }
}
