/**
 * Which body layers of a network stay fixed when only its top is fine-tuned (`finetune.trainTop`):
 * the transfer modes of a pre-trained network, from "bottleneck features" (a new classifier on a
 * frozen base, k = 0) through "fine-tune the top k layers" to "fine-tune everything" (k = null).
 *
 * With T weight layers (dense and conv) in the body, bottom first, and k < T, the frozen base is
 * every body layer below the (T - k + 1)-th weight layer, i.e. the bottom T - k weight layers and
 * the normalisation, pooling, activation and dropout layers between and just above them (a conv
 * layer's own norm and pooling belong to it). k = 0 freezes the whole body (only the softmax
 * output trains); k >= T, or null, freezes nothing (a parameter-free input layer such as input
 * dropout then trains as usual, so k = T is the same network as null).
 *
 *   body:   conv 16 | gn 4 | relu | pool 2 | conv 32 | pool 2 | dense 128     (T = 3)
 *   k = 0:  [--------------------- frozen ---------------------------------]
 *   k = 1:  [------------------ frozen -------------------]  trains
 *   k = 2:  [---- frozen ----------]  trains ........................
 */
import type { Layer } from '../nn/layer.ts';
import { Dense } from '../nn/dense.ts';
import { Conv2d } from '../nn/conv2d.ts';

/** True for the layers `trainTop` counts: dense and conv layers (the weight layers pre-training trains too). */
export function isWeightLayer(layer: Layer): boolean {
  return layer instanceof Dense || layer instanceof Conv2d;
}

/**
 * The number of bottom body layers frozen when the top `trainTop` weight layers (and the output)
 * train: 0 for null or `trainTop >= T`, `body.length` for 0 (module comment).
 * @throws RangeError when `trainTop` is not null or an integer in 0..T (the config is checked by
 *   `validateTrialConfig`; this guards direct callers)
 */
export function frozenBodyLayers(body: readonly Layer[], trainTop: number | null): number {
  if (trainTop === null) return 0;
  const weights = body.flatMap((l, i) => (isWeightLayer(l) ? [i] : []));
  if (!(Number.isInteger(trainTop) && trainTop >= 0 && trainTop <= weights.length)) {
    throw new RangeError(`trainTop is ${trainTop} but the network has ${weights.length} dense and conv layers; allowed: 0..${weights.length} or null (every layer)`);
  }
  if (trainTop === weights.length) return 0;
  if (trainTop === 0) return body.length;
  return weights[weights.length - trainTop]!;
}
