/**
 * Checkpoints in the safetensors format (https://huggingface.co/docs/safetensors), as files:
 * the codec is `safetensors.ts` (re-exported here); the `__metadata__` map holds the resolved
 * config JSON, the metrics JSON and the format version (nanoGPT saves its config with the
 * checkpoint).
 *
 * Data are little-endian `F32` (float32 backends) or `F64` (float64 backends), so a restored
 * parameter is bit-identical to the saved one. Writes are atomic: a temporary file in the same
 * directory, fsync, rename, fsync of the directory (`src/io/atomic-write.ts`); a crash never leaves a partial checkpoint
 * under the final name.
 */
import { readFileSync } from 'node:fs';
import { atomicWriteFile } from '../io/atomic-write.ts';
import { CheckpointError, decodeSafetensors, encodeSafetensors, type Checkpoint, type Tensor } from './safetensors.ts';

export * from './safetensors.ts';

/**
 * Writes `tensors` and `metadata` to `path` atomically (temporary file + fsync + rename).
 * Metadata gets `format` = CHECKPOINT_FORMAT unless given. Creates the directory if needed.
 * @param tensors name -> tensor (e.g. `hidden.0.W` -> a `[784, 1000]` Matrix)
 * @param metadata string values only (JSON-encode structures)
 */
export function writeCheckpoint(path: string, tensors: Record<string, Tensor>, metadata: Record<string, string> = {}): void {
  atomicWriteFile(path, encodeSafetensors(tensors, metadata, path));
}

/**
 * Reads and validates a checkpoint written by `writeCheckpoint` (or any F32/F64 safetensors file).
 * @throws CheckpointError naming the file when it is truncated, its header is malformed,
 *   a tensor's offsets fall outside the data or disagree with its shape, or a dtype is unsupported.
 */
export function readCheckpoint(path: string): Checkpoint {
  let buf: Buffer;
  try {
    buf = readFileSync(path);
  } catch (e) {
    throw new CheckpointError(`checkpoint ${path} cannot be read: ${(e as Error).message}`);
  }
  return decodeSafetensors(buf, path);
}
