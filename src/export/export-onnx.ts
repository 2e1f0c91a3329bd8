/**
 * The Node side of the ONNX export: a network checkpoint file (`final.safetensors` of `runTrial`
 * or `pretrain-lab train --checkpoint-dir`, the format `pretrain-lab eval` reads) in, an `.onnx`
 * file out, written atomically. The graph itself is `onnxFromModel` (`mlp-to-onnx.ts`, no Node API).
 */
import { createReferenceBackend } from '../backends/reference/index.ts';
import { atomicWriteFile } from '../io/atomic-write.ts';
import { Mlp, type MlpSpec } from '../models/mlp.ts';
import { Rng } from '../rng/rng.ts';
import { readCheckpoint, type Checkpoint } from '../train/checkpoint.ts';
import { loadModelTensors } from '../train/model-checkpoint.ts';
import { codeVersion, packageVersion } from '../experiments/code-version.ts';
import { assertExportable, onnxFromModel, type OnnxExportInfo } from './mlp-to-onnx.ts';
import { OnnxExportError } from './onnx-export-error.ts';

/** What `exportOnnx` wrote. */
export interface OnnxExportResult {
  /** The `.onnx` file. */
  path: string;
  bytes: number;
  /** The network's architecture, as the checkpoint records it. */
  spec: MlpSpec;
}

/**
 * The network of a checkpoint read by `readCheckpoint` (architecture from its `spec` metadata,
 * parameters and batch-norm statistics from its tensors), on the float32 reference backend.
 * Dispose it when done.
 * @throws OnnxExportError when the checkpoint holds no network (no `spec`, another kind) or a layer
 *   kind the export does not know; CheckpointError when a tensor is missing or has another shape
 */
export function networkFromCheckpoint(ck: Checkpoint, path: string): Mlp {
  const kind = ck.metadata['kind'];
  if (kind !== undefined && kind !== 'model') {
    throw new OnnxExportError(`${path} is a '${kind}' checkpoint, not a trained network; export the final.safetensors of a finished trial (train --checkpoint-dir, or a run's checkpoints/<hash>/)`);
  }
  const specJson = ck.metadata['spec'];
  if (specJson === undefined) throw new OnnxExportError(`${path} has no 'spec' metadata, so it holds no network; export a final.safetensors written by train or run`);
  let spec: MlpSpec;
  try {
    spec = JSON.parse(specJson) as MlpSpec;
  } catch (e) {
    throw new OnnxExportError(`${path}: its 'spec' metadata is not valid JSON (${(e as Error).message}); the file is corrupt, write it again with train or run`);
  }
  assertExportable(spec);
  const model = Mlp.create(createReferenceBackend('float32'), spec, new Rng(0));
  try {
    loadModelTensors(model, ck, '', path);
  } catch (e) {
    model.dispose();
    throw e;
  }
  return model;
}

/**
 * Writes the classifier stored in the checkpoint `checkpointPath` as the ONNX model `onnxPath`
 * (atomic: temporary file, fsync, rename), with the input normalisation, the config, the final
 * metrics and this code's version in its metadata.
 * @throws CheckpointError for a missing or corrupt checkpoint; OnnxExportError for one that holds
 *   no network or a layer kind the export does not support; AtomicWriteError when writing fails
 */
export function exportOnnx(checkpointPath: string, onnxPath: string): OnnxExportResult {
  const ck = readCheckpoint(checkpointPath);
  const model = networkFromCheckpoint(ck, checkpointPath);
  try {
    const info: OnnxExportInfo = {
      codeVersion: JSON.stringify(codeVersion()),
      producerVersion: packageVersion(),
      source: checkpointPath,
      ...(ck.metadata['config'] !== undefined ? { config: ck.metadata['config'] } : {}),
      ...(ck.metadata['metrics'] !== undefined ? { metrics: ck.metadata['metrics'] } : {}),
    };
    const bytes = onnxFromModel(model, info);
    atomicWriteFile(onnxPath, [bytes]);
    return { path: onnxPath, bytes: bytes.length, spec: model.spec };
  } finally {
    model.dispose();
  }
}
