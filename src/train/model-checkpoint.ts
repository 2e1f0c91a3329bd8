/**
 * Saving and restoring an Mlp's parameters through safetensors checkpoint files; the tensor names
 * and metadata are `model-tensors.ts`'s (re-exported here).
 */
import type { Mlp } from '../models/mlp.ts';
import { readCheckpoint, writeCheckpoint } from './checkpoint.ts';
import { loadModelTensors, modelMetadata, modelTensors } from './model-tensors.ts';

export * from './model-tensors.ts';

/** Writes the model's parameters and `metadata` to `path` (atomic). */
export function saveModel(path: string, model: Mlp, metadata: Record<string, string> = {}): void {
  writeCheckpoint(path, modelTensors(model), modelMetadata(model, metadata));
}

/** Loads parameters saved by `saveModel` into a model of the same architecture; returns the metadata. */
export function loadModel(path: string, model: Mlp): Record<string, string> {
  const ck = readCheckpoint(path);
  loadModelTensors(model, ck, '', path);
  return ck.metadata;
}
