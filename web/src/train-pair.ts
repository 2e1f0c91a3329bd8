/**
 * One seed of the page's experiment, run in the worker: greedy pre-training of the bottom layers
 * (DBN or SDAE, the lab's layer learners), then fine-tuning of the pre-trained network and of its
 * randomly initialised twin side by side, as `runTrial` does (Erhan et al. 2010, Sections 5.1-5.3).
 * Random streams as in `runTrial`: `new Rng(seed)` forks `pretrain`, `init` (the layers not
 * pre-trained, and the output layer) and `order`; the twin uses the same `init` and `order`
 * streams, so the pre-trained weights are the only difference between the two.
 */
import type { Backend } from '../../src/tensor/kernels.ts';
import type { DataSplits } from '../../src/data/dataset.ts';
import { Rng } from '../../src/rng/rng.ts';
import { disposeStack, type DenseParams } from '../../src/nn/dense-params.ts';
import { greedyStack } from '../../src/models/stack.ts';
import { Mlp } from '../../src/models/mlp.ts';
import type { TrialConfig } from '../../src/train/config.ts';
import { createLayerLearner, type LayerLearner } from '../../src/train/layer-learner.ts';
import { trainLayer, validatePretrain } from '../../src/train/pretrain.ts';
import { finetune, type FinetuneResult } from '../../src/train/finetune.ts';
import { predict } from '../../src/train/evaluate.ts';
import { mlpSpec } from '../../src/train/model-spec.ts';
import type { TrainingHooks } from '../../src/train/hooks.ts';
import type { Twin } from './protocol.ts';

/** What the pair reports while it trains (the worker posts each to the page). */
export interface PairListener {
  /** The first layer's live learner: called when it is created, every few batches (`epochEnd` false) and after each epoch (true). */
  firstLayer(learner: LayerLearner, epoch: number, epochEnd: boolean): void;
  pretrainEpoch(layer: number, epoch: number, reconstruction: number, seconds: number): void;
  finetuneEpoch(twin: Twin, epoch: number, validError: number, trainNll: number): void;
  /** Fine-tuning starts for these twins. */
  finetuneStart(twins: readonly Twin[]): void;
}

/** The outcome for one network of the pair; `model` is the caller's to dispose. */
export interface TwinResult {
  twin: Twin;
  model: Mlp;
  result: FinetuneResult;
  /** `[nClasses][nClasses]` test examples by true class (row) and predicted class (column). */
  confusion: number[][];
}

/** Waits for the next macrotask, so the other twin's epoch runs (and messages get through). */
function nextTask(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

/** Trains the pair for `cfg` (with `cfg.pretrain.kind` 'none', only the randomly initialised network). */
export async function trainPair(backend: Backend, data: DataSplits, cfg: TrialConfig, listen: PairListener): Promise<TwinResult[]> {
  const root = new Rng(cfg.seed);
  const spec = mlpSpec(cfg.model, data.train);
  const stack = cfg.pretrain.kind === 'none' ? [] : await pretrain(backend, data, spec.hidden, cfg, root.fork('pretrain'), listen);
  const twins: { twin: Twin; model: Mlp }[] = [];
  try {
    if (stack.length) twins.push({ twin: 'pretrained', model: Mlp.create(backend, spec, root.fork('init'), stack) });
    twins.push({ twin: 'random', model: Mlp.create(backend, spec, root.fork('init')) });
  } finally {
    disposeStack(stack);
  }
  listen.finetuneStart(twins.map((t) => t.twin));
  return Promise.all(
    twins.map(async ({ twin, model }) => {
      const result = await finetune({
        model,
        data,
        config: cfg.finetune,
        rng: root.fork('order'),
        evaluateTrain: false,
        hooks: {
          onEpoch: async (m) => {
            listen.finetuneEpoch(twin, m.epoch, m.values['validError'] ?? NaN, m.values['trainNll'] ?? NaN);
            await nextTask();
          },
        },
      });
      return { twin, model, result, confusion: confusionMatrix(model, data) };
    }),
  );
}

/** Greedy pre-training of every hidden layer, reporting the first layer's learner as it learns. */
async function pretrain(backend: Backend, data: DataSplits, sizes: number[], cfg: TrialConfig, rng: Rng, listen: PairListener): Promise<DenseParams[]> {
  const pcfg = cfg.pretrain;
  validatePretrain(data.train, sizes, pcfg);
  return greedyStack(backend, data.train, sizes, rng, async (task) => {
    const learner = createLayerLearner(backend, pcfg, { layer: task.layer, nIn: task.input.dim, nHidden: task.nHidden, streams: task.streams, activation: task.activation });
    if (task.layer === 0) listen.firstLayer(learner, 0, true);
    const hooks: TrainingHooks = {
      onProgress: (p) => {
        if (task.layer === 0) listen.firstLayer(learner, p.epoch, false);
      },
      onEpoch: async (m) => {
        if (task.layer === 0) listen.firstLayer(learner, m.epoch, true);
        listen.pretrainEpoch(task.layer, m.epoch, m.values['reconstruction'] ?? NaN, m.seconds);
        await nextTask();
      },
    };
    return trainLayer(backend, task, pcfg, hooks, learner, () => ({}));
  });
}

/** Test examples by true class (rows) and the class the kept network predicts (columns). */
function confusionMatrix(model: Mlp, data: DataSplits): number[][] {
  const k = model.spec.nClasses, test = data.test;
  const probs = predict(model, test);
  const out = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  for (let i = 0; i < test.n; i++) {
    let best = 0;
    for (let c = 1; c < k; c++) if (probs[i * k + c]! > probs[i * k + best]!) best = c;
    out[test.y[i]!]![best]!++;
  }
  return out;
}
