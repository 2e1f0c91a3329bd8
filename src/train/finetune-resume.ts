/**
 * The resume state of fine-tuning as a checkpoint file (`kind` 'finetune-resume'): the model's
 * parameters, the optimiser state under `optimizer.`, the best network so far under `best.`, and
 * the JSON `state` (epoch, early stopping, history, random stream positions). Kept apart from
 * `finetune.ts`, which imports it only when a run writes or resumes one, so fine-tuning itself
 * needs no file access (the web page runs it in a browser).
 */
import type { Matrix } from '../tensor/matrix.ts';
import type { Rng, RngState } from '../rng/rng.ts';
import type { Mlp } from '../models/mlp.ts';
import type { Optimizer } from '../nn/optimizer.ts';
import type { FinetuneConfig } from './config.ts';
import type { EpochMetrics } from './hooks.ts';
import type { EarlyStoppingState } from './early-stopping.ts';
import { CheckpointError, checkpointTensor, StaleStateError, readCheckpoint, writeCheckpoint, type Tensor } from './checkpoint.ts';
import { loadModelTensors, modelTensors, setMatrix } from './model-tensors.ts';

/** The JSON `state` metadata of a resume checkpoint. */
export interface ResumeState {
  epoch: number;
  earlyStopping: EarlyStoppingState;
  lastFinite: number | null;
  history: EpochMetrics[];
  /** `order`, `augment` (when augmenting) and `model.<name>` for each of `model.streams()`. */
  rng: Record<string, RngState>;
}

/** What the resume state is written for and checked against: the run's model, config and order stream. */
export interface ResumeTarget {
  model: Mlp;
  config: FinetuneConfig;
  rng: Rng;
  metadata?: Record<string, string> | undefined;
}

const OPTIM = 'optimizer.';
const BEST = 'best.';

/** Writes the resume state of the run `opts` describes to `opts.checkpointPath` (atomic), with `opts.metadata`. */
export function saveResume(opts: ResumeTarget & { checkpointPath?: string | undefined }, opt: Optimizer, best: Matrix[] | null, state: ResumeState): void {
  const tensors: Record<string, Tensor> = modelTensors(opts.model);
  for (const v of opt.state()) tensors[OPTIM + v.name] = v.value;
  if (best) opts.model.tensors().forEach((p, i) => (tensors[BEST + p.name] = best[i]!));
  writeCheckpoint(opts.checkpointPath!, tensors, {
    ...opts.metadata,
    kind: 'finetune-resume',
    finetune: JSON.stringify(opts.config),
    spec: JSON.stringify(opts.model.spec),
    state: JSON.stringify(state),
    metrics: JSON.stringify(state.history.at(-1)?.values ?? {}),
  });
}

/**
 * Reads the resume state at `opts.resumeFrom` into the model, the optimiser and the training streams.
 * @throws CheckpointError when it is not a resume state, or was written for another model, config or seed
 */
export function restoreResume(opts: ResumeTarget & { resumeFrom?: string | undefined }, opt: Optimizer, streams: Record<string, Rng>): { state: ResumeState; best: Matrix[] | null } {
  const path = opts.resumeFrom!;
  const ck = readCheckpoint(path);
  const md = ck.metadata;
  if (md['kind'] !== 'finetune-resume' || md['state'] === undefined) {
    throw new CheckpointError(`${path} is not a fine-tuning resume checkpoint (kind '${md['kind'] ?? 'none'}')`);
  }
  if (md['finetune'] !== JSON.stringify(opts.config) || md['spec'] !== JSON.stringify(opts.model.spec)) {
    throw new StaleStateError(
      `${path} was written by a run with a different model or finetune config; resume only with the same config ` +
        `(checkpoint: ${md['spec']} ${md['finetune']}; now: ${JSON.stringify(opts.model.spec)} ${JSON.stringify(opts.config)})`,
    );
  }
  let state: ResumeState;
  try {
    state = JSON.parse(md['state']) as ResumeState;
  } catch (e) {
    throw new CheckpointError(`${path}: the 'state' metadata is not valid JSON (${(e as Error).message})`);
  }
  const saved = state.rng?.['order'];
  if (saved && (saved.seed !== opts.rng.seed || JSON.stringify(saved.path) !== JSON.stringify(opts.rng.path))) {
    throw new CheckpointError(`${path} was written with order stream seed ${saved.seed} path ${JSON.stringify(saved.path)}; resume with the same seed`);
  }
  for (const [name, r] of Object.entries(streams)) {
    if (name === 'order') continue; // checked above; epochOrder draws each epoch's order afresh from it
    const s = state.rng?.[name];
    if (!s) throw new CheckpointError(`${path} holds no position of the random stream '${name}' that this run draws from; it was written by another version or model: start the trial afresh`);
    try {
      r.setState(s);
    } catch (e) {
      throw new CheckpointError(`${path}: the saved stream '${name}' does not match this run's (${(e as Error).message}); resume with the same seed`);
    }
  }
  loadModelTensors(opts.model, ck, '', path);
  for (const v of opt.state()) setMatrix(v.value, checkpointTensor(ck, OPTIM + v.name, v.value.shape, path));
  let best: Matrix[] | null = null;
  if (ck.tensors.has(BEST + opts.model.parameters()[0]!.name)) {
    best = opts.model.tensors().map((p) => {
      const m = opts.model.backend.zeros(p.value.rows, p.value.cols);
      setMatrix(m, checkpointTensor(ck, BEST + p.name, p.value.shape, path));
      return m;
    });
  }
  return { state, best };
}
