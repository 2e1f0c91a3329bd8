/**
 * Saving and restoring an Mlp's parameters through safetensors checkpoints. Tensor names are
 * the model's parameter names: `hidden.<l>.W` `[nIn, nOut]`, `hidden.<l>.b` `[1, nOut]`, ...,
 * `output.W` `[nTop, nClasses]`, `output.b` `[1, nClasses]`, optionally under a prefix
 * (`best.` for the best-so-far network of a resume checkpoint).
 */
import type { Matrix } from '../tensor/matrix.ts';
import type { Mlp } from '../models/mlp.ts';
import { checkpointTensor, readCheckpoint, writeCheckpoint, type Checkpoint, type Tensor } from './checkpoint.ts';

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

/** Writes the model's parameters and `metadata` to `path` (atomic). */
export function saveModel(path: string, model: Mlp, metadata: Record<string, string> = {}): void {
  writeCheckpoint(path, modelTensors(model), { kind: 'model', spec: JSON.stringify(model.spec), ...metadata });
}

/** Loads parameters saved by `saveModel` into a model of the same architecture; returns the metadata. */
export function loadModel(path: string, model: Mlp): Record<string, string> {
  const ck = readCheckpoint(path);
  loadModelTensors(model, ck, '', path);
  return ck.metadata;
}
