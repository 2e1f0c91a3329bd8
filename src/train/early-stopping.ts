/**
 * Early stopping on validation error (Erhan et al. 2010, Section 4.2; the Deep Learning
 * Tutorials' patience loop): remember the epoch with the lowest validation classification
 * error (strictly lower wins, so ties keep the earlier network) and stop once `patience`
 * epochs have passed without improvement. `patience: null` never stops (Experiment 4, Fig. 10)
 * but still tracks the best epoch.
 */
export interface EarlyStoppingState {
  bestError: number;
  bestEpoch: number;
  /** Epochs since the best one. */
  sinceBest: number;
}

export class EarlyStopping {
  state: EarlyStoppingState = { bestError: Infinity, bestEpoch: 0, sinceBest: 0 };

  constructor(readonly patience: number | null) {
    if (patience !== null && !(Number.isInteger(patience) && patience >= 1)) {
      throw new RangeError(`EarlyStopping: patience must be an integer >= 1 or null, got ${patience}`);
    }
  }

  /** Records epoch `epoch`'s validation error; returns true when it is a new best. */
  update(epoch: number, validError: number): boolean {
    if (validError < this.state.bestError) {
      this.state = { bestError: validError, bestEpoch: epoch, sinceBest: 0 };
      return true;
    }
    this.state = { ...this.state, sinceBest: this.state.sinceBest + 1 };
    return false;
  }

  /** True once `patience` epochs have passed without improvement (never with `patience: null`). */
  get shouldStop(): boolean {
    return this.patience !== null && this.state.sinceBest >= this.patience;
  }
}
