/**
 * Supervised fine-tuning (or training from scratch) of an Mlp on the mean NLL, with early
 * stopping on validation error (Erhan et al. 2010, Sections 5.1 and 5.3; the Deep Learning
 * Tutorials' `mlp.py` / `DBN.py` / `SdA.py` fine-tuning loops), by the optimiser the config
 * names (`createOptimizer`: SGD by default, Adam, AdamW).
 *
 * Every epoch visits the training set in the seeded order `epochOrder(n, rng, epoch - 1)` in
 * minibatches of `batchSize` (1 is the paper's purely stochastic setting; the last batch may
 * be short), then evaluates train / valid / test and calls `hooks.onEpoch(metrics, {model})`.
 * The run is `trainingUpdates(config, batches per epoch)` updates long (`epochs` epochs, or
 * `updates`, times `multiplier`); when that is not a whole number of epochs the last epoch stops
 * after the remaining updates. Each update takes the rate `scheduledLearningRate` gives it (for
 * the default `inverse` schedule, the epoch's `lr / (1 + lrDecay t)` as always). With
 * `clipNorm`, the gradients are computed (`model.gradients`), clipped to that global norm and
 * then applied (`opt.step()`); otherwise the update is fused into the backward pass
 * (`model.trainStep`). With `augment`, each gathered batch is shifted / mirrored in place by an
 * `ImageAugmentation` on the stream `new Rng(seed).fork('augment')` (`seed`: the order stream's).
 * With `trainTop` (the transfer modes), the model's base below its top `trainTop` dense/conv
 * layers is frozen for the run (`Mlp.freeze`: evaluation mode, no backward through it) and the
 * optimiser holds only the params above it; the model is unfrozen when the run returns.
 *
 * With `evalEvery` (updates), only the epochs that pass a multiple of it, and the last, are
 * evaluated and enter the history (and the hooks' `onEpoch`); their `trainObjective`,
 * `trainSeconds` and `seconds` cover the epochs since the previous entry. Every entry's `updates`
 * is the number of updates done by its end (the iterations axis of *Rethinking ImageNet
 * Pre-training*'s curves).
 *
 * With a checkpoint path, the full training state (parameters, optimiser state, best network,
 * early-stopping state, history, the positions of the augmentation stream and of every stream
 * the model draws from in training, `model.streams()`) is written atomically after every
 * (evaluated) epoch, and a run resumed from it continues bit-identically.
 */
import type { Matrix } from '../tensor/matrix.ts';
import { Rng } from '../rng/rng.ts';
import { gatherBatch, type DataSplits } from '../data/dataset.ts';
import { epochOrder } from '../data/batches.ts';
import { augments, ImageAugmentation } from '../data/augment.ts';
import type { Mlp } from '../models/mlp.ts';
import { createOptimizer } from '../nn/create-optimizer.ts';
import { clipGradientNorm } from '../nn/clip.ts';
import { scheduledLearningRate, trainingUpdates } from '../nn/schedule.ts';
import { ConfigError, type FinetuneConfig } from './config.ts';
import type { EpochMetrics, TrainingHooks } from './hooks.ts';
import { evaluate, type Score } from './evaluate.ts';
import { DivergenceError } from './divergence.ts';
import { EarlyStopping } from './early-stopping.ts';
import { hasConverged } from './convergence.ts';
import type { ResumeState } from './finetune-resume.ts';

export interface FinetuneOptions {
  /** The network to train in place; on return it holds the kept network (see `FinetuneResult`). */
  model: Mlp;
  /** Splits of the model's input dimension; checked against `config` by `validateTrialData`. */
  data: DataSplits;
  /** A schema-checked config (`finetuneConfigSchema`). */
  config: FinetuneConfig;
  /** The example-order stream, `new Rng(seed).fork('order')` (the augmentation stream is `new Rng(seed).fork('augment')`). */
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
  /** True when early stopping or the convergence criterion ended training before its last epoch. */
  stoppedEarly: boolean;
  /** True when the convergence criterion (`config.convergeWindow`) ended training; false when it is off or did not fire. */
  converged: boolean;
  /** False when `untilEpoch` interrupted the run (then `final` scores the current network). */
  completed: boolean;
  /** Wall-clock seconds spent in this call. */
  seconds: number;
}

/** The resume-state name of model stream `name`. */
const MODEL_STREAM = 'model.';

/** Runs supervised training; see the module comment. Throws DivergenceError on a NaN/inf loss. */
export async function finetune(opts: FinetuneOptions): Promise<FinetuneResult> {
  const t0 = performance.now();
  const { model, data, config: cfg, hooks } = opts;
  const be = model.backend;
  const { train, valid, test } = data;
  checkInputs(opts);
  // Loaded only when needed: it reads and writes files, which a browser cannot.
  const resumeFile = opts.checkpointPath || opts.resumeFrom ? await import('./finetune-resume.ts') : null;

  model.freeze(cfg.trainTop);
  const opt = createOptimizer(be, model.trainableParameters(), cfg);
  const augment = augments(cfg.augment) ? new ImageAugmentation(train.image!, train.dim, cfg.augment, new Rng(opts.rng.seed).fork('augment')) : null;
  const streams = trainingStreams(opts.rng, augment?.rng ?? null, model.streams());
  const stopper = new EarlyStopping(cfg.patience);
  let best: Matrix[] | null = null;
  let epoch = 0;
  let lastFinite: number | null = null;
  let history: EpochMetrics[] = [];
  // Stateless: judged from the history alone, so a resumed run decides exactly as an uninterrupted one.
  const converged = (): boolean => cfg.convergeWindow !== null && hasConverged(history, cfg.convergeWindow, cfg.convergeTol);

  if (opts.resumeFrom) {
    const s = resumeFile!.restoreResume(opts, opt, streams);
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
  const totalUpdates = trainingUpdates(cfg, nBatches);
  const epochs = Math.ceil(totalUpdates / nBatches);
  const progressEvery = Math.max(1, Math.floor(nBatches / 50));
  const until = Math.min(epochs, opts.untilEpoch ?? epochs);
  const evalBs = opts.evalBatchSize ?? 500;
  const evalTrain = opts.evaluateTrain ?? true;

  // Since the last evaluated epoch (all of it when every epoch is evaluated): objective sum, examples, seconds.
  let sum = 0, seen = 0, trainMs = 0, epochMs = 0;
  try {
    if (epoch === 0) await hooks?.onStart?.({ model });
    while (epoch < until && !stopper.shouldStop && !converged()) {
      epoch++;
      const te = performance.now();
      const order = epochOrder(train.n, opts.rng, epoch - 1);
      const first = (epoch - 1) * nBatches; // updates before this epoch
      const batches = Math.min(nBatches, totalUpdates - first);
      for (let b = 0; b < batches; b++) {
        const idx = order.subarray(b * bs, Math.min(train.n, (b + 1) * bs));
        const full = idx.length === bs;
        const x = full ? xFull : xRest!, y = full ? yFull : yRest;
        gatherBatch(train, idx, x, y);
        augment?.apply(x);
        opt.lr = scheduledLearningRate(cfg, { epoch: epoch - 1, update: first + b, totalUpdates });
        let nll: number;
        if (cfg.clipNorm !== null) {
          nll = model.gradients(x, y);
          clipGradientNorm(be, opt.params, cfg.clipNorm);
          opt.step();
        } else {
          nll = model.trainStep(x, y, opt);
        }
        if (!Number.isFinite(nll)) throw new DivergenceError('finetune', epoch, lastFinite, undefined, `(batch ${b + 1} of ${nBatches})`);
        lastFinite = nll;
        sum += nll * idx.length;
        seen += idx.length;
        if (hooks?.onProgress && (b % progressEvery === 0 || b === batches - 1)) {
          hooks.onProgress({ phase: 'finetune', epoch, epochs, done: Math.min(train.n, (b + 1) * bs), total: train.n });
        }
      }
      trainMs += performance.now() - te;
      const updates = first + batches;
      if (!evaluatesAfter(cfg.evalEvery, first, updates, epoch === epochs)) {
        epochMs += performance.now() - te;
        continue;
      }
      // lr: the rate of the epoch's last update (the epoch's rate under the 'inverse' schedule)
      const values: Record<string, number> = { trainObjective: sum / seen, lr: opt.lr, trainSeconds: trainMs / 1000, updates };
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
      const metrics: EpochMetrics = { phase: 'finetune', epoch, seconds: (epochMs + performance.now() - te) / 1000, values };
      sum = seen = trainMs = epochMs = 0;
      history.push(metrics);
      if (opts.checkpointPath) resumeFile!.saveResume(opts, opt, best, { epoch, earlyStopping: stopper.state, lastFinite, history, rng: Object.fromEntries(Object.entries(streams).map(([name, r]) => [name, r.getState()])) });
      await hooks?.onEpoch?.(metrics, { model });
    }
  } finally {
    xFull.dispose();
    xRest?.dispose();
    model.freeze(null);
  }

  const didConverge = converged();
  const completed = epoch >= epochs || stopper.shouldStop || didConverge;
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
    stoppedEarly: completed && epoch < epochs,
    converged: didConverge,
    completed,
    seconds: (performance.now() - t0) / 1000,
  };
}

/**
 * True when the epoch that ran updates `first` up to `updates` is evaluated: every epoch when
 * `evalEvery` is null, else the epochs that pass a multiple of `evalEvery` updates, and the last.
 */
export function evaluatesAfter(evalEvery: number | null, first: number, updates: number, last: boolean): boolean {
  return evalEvery === null || last || Math.floor(updates / evalEvery) > Math.floor(first / evalEvery);
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
  const a = opts.config.augment;
  if (augments(a) && !opts.data.train.image) {
    throw new ConfigError(`finetune.augment (shift ${a.shift}, flip ${a.flip}) moves the pixels of images, but ${opts.data.train.name} has no image shape; set finetune.augment.shift to 0 and flip to false for this data`);
  }
}

/** Every stream training draws from (live), by its resume-state name: `order`, `augment`, `model.<name>`. */
function trainingStreams(order: Rng, augment: Rng | null, model: Record<string, Rng>): Record<string, Rng> {
  const out: Record<string, Rng> = { order };
  if (augment) out['augment'] = augment;
  for (const [name, r] of Object.entries(model)) out[MODEL_STREAM + name] = r;
  return out;
}
