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
 * Weights only, not biases, as the paper's figure shows weights: every weight layer of the body,
 * bottom first, conv layers (`conv.<c>.W`, the `[kh kw Cin, F]` filters) then dense ones
 * (`hidden.<l>.W`; a network has no conv layer above a dense one), numbered 1.. in that order. The
 * softmax output is not one of them (it is new, and random, in every network fine-tuned).
 */
import { ShapeError } from '../tensor/shapes.ts';
import type { Checkpoint } from '../train/checkpoint.ts';

/** The change of one layer's weights. */
export interface LayerWeightChange {
  /** 1-based weight layer (dense or conv), bottom first, as the paper counts hidden layers. */
  layer: number;
  /** `conv` or `dense` (absent in records written before conv layers were measured: dense). */
  kind?: 'conv' | 'dense';
  /** The layer's param prefix, e.g. `conv.0`, `hidden.1` (absent in older records). */
  name?: string;
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
 * Per weight layer, the change from the weights in `before` to those in `after` (checkpoints or
 * weight snapshots holding `conv.<c>.W` and `hidden.<l>.W`), bottom first (conv, then dense), for
 * every layer both hold.
 */
export function layerWeightChanges(before: Checkpoint, after: Checkpoint): LayerWeightChange[] {
  const out: LayerWeightChange[] = [];
  for (const [kind, prefix] of [['conv', 'conv'], ['dense', 'hidden']] as const) {
    for (let l = 0; ; l++) {
      const name = `${prefix}.${l}`;
      const b = before.tensors.get(`${name}.W`), a = after.tensors.get(`${name}.W`);
      if (!b || !a) break;
      if (b.shape.join() !== a.shape.join()) throw new ShapeError(`layerWeightChanges: ${name}.W is [${b.shape.join(', ')}] before but [${a.shape.join(', ')}] after`);
      out.push({ layer: out.length + 1, kind, name, ...weightChange(b.data, a.data) });
    }
  }
  return out;
}
