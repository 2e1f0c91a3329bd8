/**
 * The resume state of online training (`trainOnline`, Section 8): `online.safetensors` in a
 * trial's checkpoint directory, rewritten atomically every `checkpointEvery` updates through the
 * one checkpoint writer (`writeCheckpoint`), so a ten-million-example run killed after hours
 * continues from its last checkpoint bit-identically.
 *
 * Format: tensors `hidden.<l>.W`, ..., `output.b` (the network), `optimizer.<param>.velocity`
 * (momentum buffers, when momentum > 0), `online.wrong` and `online.nll` (the running measures'
 * rings, `OnlineTally`); metadata `kind` = 'online-resume', `key` (every option that determines
 * the numbers, see `onlineKey`), `variant` (the numeric variant), `state` (JSON: tally counters,
 * the block history, seconds so far) and the caller's metadata verbatim (a trial's `config`).
 */
import type { Mlp } from '../models/mlp.ts';
import type { NumericVariant } from '../tensor/numeric-variant.ts';
import type { Sgd } from '../nn/sgd.ts';
import { CheckpointError, checkpointTensor, StaleStateError, readCheckpoint, writeCheckpoint, type Tensor } from './checkpoint.ts';
import { assertResumableVariant, variantMetadata } from './checkpoint-variant.ts';
import { loadModelTensors, modelTensors, setMatrix } from './model-checkpoint.ts';
import type { EpochMetrics } from './hooks.ts';
import type { OnlineTally, OnlineTallyState } from './online-tally.ts';

/** File name of the online resume state in a trial's checkpoint directory. */
export const ONLINE_FILE = 'online.safetensors';

const OPTIM = 'optimizer.';

/** The JSON `state` of an online checkpoint. */
export interface OnlineResumeState {
  tally: OnlineTallyState;
  /** Reported blocks so far, oldest first. */
  blocks: EpochMetrics[];
  /** Wall-clock seconds of training so far. */
  seconds: number;
}

/** What `saveOnline` writes. */
export interface OnlineSnapshot {
  model: Mlp;
  optimizer: Sgd;
  tally: OnlineTally;
  blocks: readonly EpochMetrics[];
  seconds: number;
  /** `onlineKey(...)`: a resume with another key is refused. */
  key: string;
  variant: NumericVariant;
  /** Written verbatim (e.g. the trial's `config` JSON); a resume whose `config` differs is refused. */
  metadata?: Record<string, string> | undefined;
}

/** Writes the snapshot to `path` atomically. */
export function saveOnline(path: string, s: OnlineSnapshot): void {
  const tensors: Record<string, Tensor> = { ...modelTensors(s.model), ...s.tally.tensors() };
  for (const v of s.optimizer.state()) tensors[OPTIM + v.name] = v.value;
  const state: OnlineResumeState = { tally: s.tally.state(), blocks: [...s.blocks], seconds: s.seconds };
  writeCheckpoint(path, tensors, { ...s.metadata, ...variantMetadata(s.variant), kind: 'online-resume', key: s.key, state: JSON.stringify(state) });
}

/**
 * Reads `path` into the snapshot's model, optimizer and tally and returns the rest.
 * @throws CheckpointError when the file is not an online resume state, was written with other
 *   options (`key`), another trial config (`metadata.config`) or another numeric variant,
 *   naming the file and what to do
 */
export function loadOnline(path: string, s: Omit<OnlineSnapshot, 'blocks' | 'seconds'>): OnlineResumeState {
  const ck = readCheckpoint(path);
  const md = ck.metadata;
  if (md['kind'] !== 'online-resume' || md['state'] === undefined) {
    throw new CheckpointError(`${path} is not an online training resume state (kind '${md['kind'] ?? 'none'}'); delete it to train from the start`);
  }
  const config = s.metadata?.['config'];
  if (config !== undefined && md['config'] !== config) {
    throw new StaleStateError(`cannot resume online training from ${path}: it was written by a different trial config; delete it or run without resume`);
  }
  if (md['key'] !== s.key) {
    throw new StaleStateError(
      `cannot resume online training from ${path}: it was written with other options (model, stream, order, rates or windows); ` +
        `delete it or run without resume (checkpoint: ${md['key']}; now: ${s.key})`,
    );
  }
  assertResumableVariant(md, s.variant, path);
  loadModelTensors(s.model, ck, '', path);
  for (const v of s.optimizer.state()) setMatrix(v.value, checkpointTensor(ck, OPTIM + v.name, v.value.shape, path));
  const state = JSON.parse(md['state']) as OnlineResumeState;
  s.tally.restore(state.tally, (name, shape) => checkpointTensor(ck, name, shape, path));
  return state;
}
