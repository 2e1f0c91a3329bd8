/**
 * Supervised fine-tuning (or training from scratch) of an Mlp by SGD on the mean NLL, with
 * early stopping on validation error (Erhan et al. 2010, Sections 5.1 and 5.3; the Deep
 * Learning Tutorials' `mlp.py` / `DBN.py` / `SdA.py` fine-tuning loops).
 *
 * Every epoch visits the training set in the seeded order `epochOrder(n, rng, epoch - 1)` in
 * minibatches of `batchSize` (1 is the paper's purely stochastic setting; the last batch may
 * be short), then evaluates train / valid / test and calls `hooks.onEpoch(metrics, {model})`.
 * With a checkpoint path, the full training state (parameters, momentum buffers, best network,
 * early-stopping state, history, RNG states) is written atomically after every epoch, and a
 * run resumed from it continues bit-identically.
 */
import type { Matrix } from '../tensor/matrix.ts';
import type { Rng, RngState } from '../rng/rng.ts';
import { gatherBatch, type DataSplits } from '../data/dataset.ts';
import { epochOrder } from '../data/batches.ts';
import type { Mlp } from '../models/mlp.ts';
import { Sgd } from '../nn/sgd.ts';
import { ConfigError, type FinetuneConfig } from './config.ts';
import type { EpochMetrics, TrainingHooks } from './hooks.ts';
import { evaluate, type Score } from './evaluate.ts';
import { DivergenceError } from './divergence.ts';
import { EarlyStopping, type EarlyStoppingState } from './early-stopping.ts';
import { hasConverged } from './convergence.ts';
import { CheckpointError, checkpointTensor, readCheckpoint, writeCheckpoint, type Tensor } from './checkpoint.ts';
import { loadModelTensors, modelTensors, setMatrix } from './model-checkpoint.ts';

export interface FinetuneOptions {
  /** The network to train in place; on return it holds the kept network (see `FinetuneResult`). */
  model: Mlp;
  /** Splits of the model's input dimension; checked against `config` by `validateTrialData`. */
  data: DataSplits;
  /** A schema-checked config (`finetuneConfigSchema`). */
  config: FinetuneConfig;
  /** The example-order stream, `new Rng(seed).fork('order')`. */
  rng: Rng;
  hooks?: TrainingHooks;
  /** Write the resume state here after every epoch (safetensors, atomic). */
  checkpointPath?: string;
  /** Extra string metadata for each checkpoint (e.g. the resolved trial config JSON). */
  metadata?: Record<string, string>;
  /** Continue from a resume checkpoint written by an earlier call with the same config. */
  resumeFrom?: string;
  /** Return after this epoch as if interrupted (the model keeps its current parameters). */
  untilEpoch?: number;
  /** Evaluate the whole training set after every epoch (default true; Fig. 8 needs train NLL). */
  evaluateTrain?: boolean;
  /** Examples per evaluation batch (default 500). */
  evalBatchSize?: number;
}

export interface FinetuneResult {
  /** Scores of the kept network: the best validation epoch with early stopping, else the last. */
  final: { train: Score; valid: Score; test: Score };
  /** 1-based epoch whose network was kept. */
  bestEpoch: number;
  /** Epochs trained in total (including those before a resume). */
  epochsRun: number;
  /** Metrics of every epoch, oldest first (including those before a resume). */
  history: EpochMetrics[];
  /** True when early stopping or the convergence criterion ended training before `config.epochs`. */
  stoppedEarly: boolean;
  /** True when the convergence criterion (`config.convergeWindow`) ended training; false when it is off or did not fire. */
  converged: boolean;
  /** False when `untilEpoch` interrupted the run (then `final` scores the current network). */
  completed: boolean;
  /** Wall-clock seconds spent in this call. */
  seconds: number;
}

/** The JSON `state` metadata of a resume checkpoint. */
interface ResumeState {
  epoch: number;
  earlyStopping: EarlyStoppingState;
  lastFinite: number | null;
  history: EpochMetrics[];
  rng: Record<string, RngState>;
}

const OPTIM = 'optimizer.';
const BEST = 'best.';

/** Runs supervised training; see the module comment. Throws DivergenceError on a NaN/inf loss. */
export async function finetune(opts: FinetuneOptions): Promise<FinetuneResult> {
  const t0 = performance.now();
  const { model, data, config: cfg, hooks } = opts;
  const be = model.backend;
  const { train, valid, test } = data;
  checkInputs(opts);

  const opt = new Sgd(be, model.parameters(), cfg);
  const stopper = new EarlyStopping(cfg.patience);
  let best: Matrix[] | null = null;
  let epoch = 0;
  let lastFinite: number | null = null;
  let history: EpochMetrics[] = [];
  // Stateless: judged from the history alone, so a resumed run decides exactly as an uninterrupted one.
  const converged = (): boolean => cfg.convergeWindow !== null && hasConverged(history, cfg.convergeWindow, cfg.convergeTol);

  if (opts.resumeFrom) {
    const s = restore(opts, opt);
    epoch = s.state.epoch;
    stopper.state = s.state.earlyStopping;
    lastFinite = s.state.lastFinite;
    history = s.state.history;
    best = s.best;
  }

  const bs = Math.min(cfg.batchSize, train.n);
  const xFull = be.zeros(bs, train.dim), yFull = new Int32Array(bs);
  const rest = train.n % bs;
  const xRest = rest ? be.zeros(rest, train.dim) : null, yRest = new Int32Array(rest);
  const nBatches = Math.ceil(train.n / bs);
  const progressEvery = Math.max(1, Math.floor(nBatches / 50));
  const until = Math.min(cfg.epochs, opts.untilEpoch ?? cfg.epochs);
  const evalBs = opts.evalBatchSize ?? 500;
  const evalTrain = opts.evaluateTrain ?? true;

  try {
    if (epoch === 0) await hooks?.onStart?.({ model });
    while (epoch < until && !stopper.shouldStop && !converged()) {
      epoch++;
      const te = performance.now();
      opt.setEpoch(epoch - 1);
      const order = epochOrder(train.n, opts.rng, epoch - 1);
      let sum = 0;
      for (let b = 0; b < nBatches; b++) {
        const idx = order.subarray(b * bs, Math.min(train.n, (b + 1) * bs));
        const full = idx.length === bs;
        const x = full ? xFull : xRest!, y = full ? yFull : yRest;
        gatherBatch(train, idx, x, y);
        const nll = model.trainStep(x, y, opt);
        if (!Number.isFinite(nll)) throw new DivergenceError('finetune', epoch, lastFinite, undefined, `(batch ${b + 1} of ${nBatches})`);
        lastFinite = nll;
        sum += nll * idx.length;
        if (hooks?.onProgress && (b % progressEvery === 0 || b === nBatches - 1)) {
          hooks.onProgress({ phase: 'finetune', epoch, epochs: cfg.epochs, done: Math.min(train.n, (b + 1) * bs), total: train.n });
        }
      }
      const trainSeconds = (performance.now() - te) / 1000;
      const values: Record<string, number> = { trainObjective: sum / train.n, lr: opt.lr, trainSeconds };
      if (evalTrain) {
        const s = evaluate(model, train, evalBs);
        values['trainNll'] = s.nll;
        values['trainError'] = s.error;
      }
      const v = evaluate(model, valid, evalBs), t = evaluate(model, test, evalBs);
      Object.assign(values, { validNll: v.nll, validError: v.error, testNll: t.nll, testError: t.error });
      if (stopper.update(epoch, v.error) && cfg.patience !== null) {
        best ??= model.snapshot();
        model.tensors().forEach((p, i) => be.copy(p.value, best![i]!));
      }
      const metrics: EpochMetrics = { phase: 'finetune', epoch, seconds: (performance.now() - te) / 1000, values };
      history.push(metrics);
      if (opts.checkpointPath) saveResume(opts, opt, best, { epoch, earlyStopping: stopper.state, lastFinite, history, rng: { order: opts.rng.getState() } });
      await hooks?.onEpoch?.(metrics, { model });
    }
  } finally {
    xFull.dispose();
    xRest?.dispose();
  }

  const didConverge = converged();
  const completed = epoch >= cfg.epochs || stopper.shouldStop || didConverge;
  const keepBest = completed && cfg.patience !== null && best !== null;
  if (keepBest) model.restore(best!);
  const bestEpoch = keepBest ? stopper.state.bestEpoch : epoch;
  best?.forEach((m) => m.dispose());
  opt.dispose();

  const final = finalScores(model, data, history.find((h) => h.epoch === bestEpoch), evalBs);
  return {
    final,
    bestEpoch,
    epochsRun: epoch,
    history,
    stoppedEarly: completed && epoch < cfg.epochs,
    converged: didConverge,
    completed,
    seconds: (performance.now() - t0) / 1000,
  };
}

/** Scores of the kept network, from its epoch's metrics when complete, else evaluated now. */
function finalScores(model: Mlp, data: DataSplits, m: EpochMetrics | undefined, evalBs: number): FinetuneResult['final'] {
  const v = m?.values;
  if (v && v['trainNll'] !== undefined) {
    return {
      train: { error: v['trainError']!, nll: v['trainNll']! },
      valid: { error: v['validError']!, nll: v['validNll']! },
      test: { error: v['testError']!, nll: v['testNll']! },
    };
  }
  return { train: evaluate(model, data.train, evalBs), valid: evaluate(model, data.valid, evalBs), test: evaluate(model, data.test, evalBs) };
}

/**
 * Checks the one input no schema covers (`untilEpoch`). The data and the config are trusted:
 * the trial config schema checks the hyperparameters and `validateTrialData`
 * (`src/train/validate.ts`) that the splits can serve them (non-empty training set, a
 * validation set when `patience` is set); a split of another dimension than the model fails
 * in `gatherBatch`, a label the model cannot output in the checked softmax kernel.
 */
function checkInputs(opts: FinetuneOptions): void {
  if (opts.untilEpoch !== undefined && !(Number.isInteger(opts.untilEpoch) && opts.untilEpoch >= 1)) {
    throw new ConfigError(`finetune: untilEpoch must be an integer >= 1, got ${opts.untilEpoch}`);
  }
}

function saveResume(opts: FinetuneOptions, opt: Sgd, best: Matrix[] | null, state: ResumeState): void {
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

function restore(opts: FinetuneOptions, opt: Sgd): { state: ResumeState; best: Matrix[] | null } {
  const path = opts.resumeFrom!;
  const ck = readCheckpoint(path);
  const md = ck.metadata;
  if (md['kind'] !== 'finetune-resume' || md['state'] === undefined) {
    throw new CheckpointError(`${path} is not a fine-tuning resume checkpoint (kind '${md['kind'] ?? 'none'}')`);
  }
  if (md['finetune'] !== JSON.stringify(opts.config) || md['spec'] !== JSON.stringify(opts.model.spec)) {
    throw new CheckpointError(
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
