import type { Matrix } from '../tensor/matrix.ts';
import type { FusedUpdater } from './fused-update.ts';
import type { Layer } from './layer.ts';

/** A layer that fuses the optimiser's update into its own backward pass (`Dense`). */
export interface FusedLayer extends Layer {
  backwardUpdate(dy: Matrix, needInputGrad: boolean, updater: FusedUpdater, wIndex: number, bIndex: number): Matrix | null;
}

function isFused(layer: Layer): layer is FusedLayer {
  return typeof (layer as Partial<FusedLayer>).backwardUpdate === 'function';
}

/**
 * Back-propagates `dy` (`[batch, nOut]`) through `layer` and updates its parameters through
 * `updater` ({@link FusedUpdater}); `first` is the index of the layer's first param in the
 * updater's list, the others follow in `params()` order. Returns `dL/dx` `[batch, nIn]`, or null
 * when `needInputGrad` is false.
 *
 * A layer with its own `backwardUpdate` (a dense layer with exactly two params, W then b) fuses
 * the update into its gradient kernels. Any other layer runs its plain `backward` (which writes
 * every `grad` and computes dx with the old parameters), then each param's gradient goes to the
 * target the updater chooses: `out <- alpha grad + beta out` (nothing to do when the target is
 * the `grad` buffer itself with alpha 1, beta 0), then `finish`.
 */
export function backwardUpdateLayer(layer: Layer, dy: Matrix, needInputGrad: boolean, updater: FusedUpdater, first: number, backend: LayerUpdateKernels): Matrix | null {
  if (isFused(layer) && layer.params().length === 2) return layer.backwardUpdate(dy, needInputGrad, updater, first, first + 1);
  const dx = layer.backward(dy, needInputGrad);
  layer.params().forEach((p, i) => {
    const t = updater.begin(first + i);
    if (t.out !== p.grad) {
      if (t.beta !== 1) backend.scale(t.beta, t.out);
      backend.axpy(t.alpha, p.grad, t.out);
    } else if (t.alpha !== 1 || t.beta !== 0) {
      throw new Error(`backwardUpdateLayer: an updater that targets the grad buffer must use alpha 1, beta 0 (got ${t.alpha}, ${t.beta})`);
    }
    updater.finish(first + i);
  });
  return dx;
}

/** The two kernels the generic update needs. */
export interface LayerUpdateKernels {
  scale(alpha: number, x: Matrix): void;
  axpy(alpha: number, x: Matrix, y: Matrix): void;
}
