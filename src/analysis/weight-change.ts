/**
 * How far supervised fine-tuning moves each hidden layer's weights (Erhan et al. 2010, Section
 * 6.2, Fig. 3: "supervised fine-tuning ... does not change the weights in a significant way ...
 * the sign of weights does not change after fine-tuning ... the first layer changes least").
 * Two numbers per layer, from the weights before fine-tuning (pre-trained, or the random
 * initialisation without pre-training) and after it (the kept network):
 *
 *   signChange     = #{k : sign(W_after[k]) != sign(W_before[k])} / #W
 *   relativeChange = ||W_after - W_before||_F / ||W_before||_F
 *   absoluteChange = ||W_after - W_before||_F   (the relative change of a network without
 *                    pre-training divides by its small random initial norm; this one does not)
 *
 * Weights only (`hidden.<l>.W`), not biases, as the paper's figure shows weights.
 */
import { ShapeError } from '../tensor/shapes.ts';
import type { Checkpoint } from '../train/checkpoint.ts';

/** The change of one layer's weights. */
export interface LayerWeightChange {
  /** 1-based hidden layer, as the paper counts. */
  layer: number;
  /** Fraction of weights whose sign changed, in [0, 1]. */
  signChange: number;
  /** `||W_after - W_before|| / ||W_before||` (Frobenius). */
  relativeChange: number;
  /** `||W_after - W_before||` (Frobenius). */
  absoluteChange: number;
}

/** `signChange` and `relativeChange` of one weight array (same length; see the module comment). */
export function weightChange(before: ArrayLike<number>, after: ArrayLike<number>): Omit<LayerWeightChange, 'layer'> {
  if (before.length !== after.length) throw new ShapeError(`weightChange: ${before.length} weights before but ${after.length} after`);
  if (before.length === 0) throw new ShapeError('weightChange: no weights');
  let flips = 0, diff = 0, base = 0;
  for (let k = 0; k < before.length; k++) {
    const b = before[k]!, a = after[k]!;
    if (Math.sign(a) !== Math.sign(b)) flips++;
    diff += (a - b) * (a - b);
    base += b * b;
  }
  return { signChange: flips / before.length, relativeChange: base > 0 ? Math.sqrt(diff / base) : Number.POSITIVE_INFINITY, absoluteChange: Math.sqrt(diff) };
}

/**
 * Per hidden layer, the change from the weights in `before` to those in `after` (checkpoints or
 * weight snapshots holding `hidden.<l>.W`), bottom first, for every layer both hold.
 */
export function layerWeightChanges(before: Checkpoint, after: Checkpoint): LayerWeightChange[] {
  const out: LayerWeightChange[] = [];
  for (let l = 0; ; l++) {
    const b = before.tensors.get(`hidden.${l}.W`), a = after.tensors.get(`hidden.${l}.W`);
    if (!b || !a) break;
    if (b.shape.join() !== a.shape.join()) throw new ShapeError(`layerWeightChanges: hidden.${l}.W is [${b.shape.join(', ')}] before but [${a.shape.join(', ')}] after`);
    out.push({ layer: l + 1, ...weightChange(b.data, a.data) });
  }
  return out;
}
