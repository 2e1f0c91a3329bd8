/**
 * An Mlp's parameters as named checkpoint tensors, with no file access (a browser bundle uses it):
 * `hidden.<l>.W` `[nIn, nOut]`, `hidden.<l>.b` `[1, nOut]`, ..., `output.W` `[nTop, nClasses]`,
 * `output.b` `[1, nClasses]`, optionally under a prefix (`best.` for the best-so-far network of a
 * resume checkpoint). `model-checkpoint.ts` saves and loads them as files.
 */
import type { Matrix } from '../tensor/matrix.ts';
import type { Mlp } from '../models/mlp.ts';
import { checkpointTensor, encodeSafetensors, type Checkpoint, type Tensor } from './safetensors.ts';

/** The model's parameters and buffers (batch norm's running statistics) as checkpoint tensors (live views; write them before training on). */
export function modelTensors(model: Mlp, prefix = ''): Record<string, Tensor> {
  const out: Record<string, Tensor> = {};
  for (const p of model.tensors()) out[prefix + p.name] = p.value;
  return out;
}

/** Copies tensors `prefix + name` of `ck` into the model's parameters (shapes checked). */
export function loadModelTensors(model: Mlp, ck: Checkpoint, prefix = '', path = 'checkpoint'): void {
  for (const p of model.tensors()) setMatrix(p.value, checkpointTensor(ck, prefix + p.name, p.value.shape, path));
}

/** `m <- values` element-wise. */
export function setMatrix(m: Matrix, values: ArrayLike<number>): void {
  const d = m.data;
  for (let i = 0; i < d.length; i++) d[i] = values[i]!;
}

/** The metadata of a network checkpoint: `kind` 'model', the model's `spec` JSON (what `eval` rebuilds it from), then `metadata`. */
export function modelMetadata(model: Mlp, metadata: Record<string, string> = {}): Record<string, string> {
  return { kind: 'model', spec: JSON.stringify(model.spec), ...metadata };
}

/**
 * The bytes `saveModel` writes, as parts to concatenate (live views of the parameters: copy or
 * write them out before training on); the web page downloads them as `model.safetensors`.
 */
export function encodeModel(model: Mlp, metadata: Record<string, string> = {}): Uint8Array[] {
  return encodeSafetensors(modelTensors(model), modelMetadata(model, metadata), 'model');
}
