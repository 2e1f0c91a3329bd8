/**
 * One conv layer of greedy pre-training as a learner fed minibatches: the convolutional DAE
 * (`src/models/conv-dae.ts`) counterpart of the dense DAE's `LayerLearner`
 * (`src/train/layer-learner.ts`), run by the same epoch loop (`trainLayer` in `pretrain.ts`).
 * Each step corrupts the minibatch (`src/models/corruption.ts`, stream `noise`, the layer's
 * corruption level), writes the conv DAE's gradients and takes one step of the layer's optimiser
 * (`pretrainOptimizer`: the pretrain section's lr, momentum, lrDecay, l1, l2 on W and V).
 * Random streams: `init` at creation (W, then V), `noise` at every step. No snapshots: network
 * pre-training (`pretrainNetwork`) is not resumed mid-layer.
 */
import type { Backend } from '../tensor/kernels.ts';
import type { Matrix } from '../tensor/matrix.ts';
import { assertShape } from '../tensor/shapes.ts';
import type { DenseParams } from '../nn/dense-params.ts';
import type { ImageShape } from '../nn/image-shape.ts';
import { layerCorruption, type LayerStreams } from '../models/stack.ts';
import { corrupt, createCorruptionWork } from '../models/corruption.ts';
import { ConvDae, type ConvDaeWindow } from '../models/conv-dae.ts';
import type { DaeEncoder } from '../models/dae.ts';
import type { PretrainConfig } from './config.ts';
import { daeLayerOptions, pretrainOptimizer, type LayerInputUnits } from './layer-learner.ts';
import type { EpochLearner } from './pretrain.ts';

/** What a conv learner is asked to train. */
export interface ConvLayerTask {
  /** 0-based index among the pre-trained layers (its corruption level and streams). */
  layer: number;
  /** The layer's input images (NHWC rows of `H * W * C`). */
  input: ImageShape;
  /** Feature maps F. */
  filters: number;
  /** The conv layer's window (stride 1, square kernel, pad <= k - 1: `convDaeProblem`). */
  window: ConvDaeWindow;
  /** The conv layer's non-linearity (the DAE's encoder). */
  activation: DaeEncoder;
  /** What the input is (the data, or codes of these units): chooses the criterion (`daeLayerOptions`). */
  inputUnits: LayerInputUnits;
  streams: LayerStreams;
}

/**
 * A conv DAE learner for `task` with `cfg`'s criterion, corruption and optimiser; minibatches of
 * `cfg.batchSize` rows. `finish()` returns copies of the encoder `{W [kh kw C, F], b [1, F]}`
 * (the caller owns them) and frees the rest.
 */
export function createConvLayerLearner(backend: Backend, cfg: PretrainConfig, task: ConvLayerTask): EpochLearner {
  const B = cfg.batchSize;
  const opts = daeLayerOptions(cfg, task.activation, task.inputUnits);
  const dae = ConvDae.create(backend, task.input, task.window, task.filters, opts, task.streams.init);
  const nIn = dae.nVisible, level = layerCorruption(cfg.corruption, task.layer);
  const optimizer = pretrainOptimizer(backend, dae.params, cfg);
  const cwork = createCorruptionWork(backend, B, nIn);
  const xt = backend.zeros(B, nIn); // [B, H W C] corrupted input
  let done = false;
  const release = (): void => {
    if (done) return;
    done = true;
    dae.dispose();
    optimizer.dispose();
    for (const m of [xt, cwork.keep, cwork.values]) m.dispose();
  };
  const copy = (m: Matrix): Matrix => {
    const c = backend.zeros(m.rows, m.cols);
    backend.copy(m, c);
    return c;
  };
  return {
    encoder: dae.encoderParams,
    setEpoch(t) {
      optimizer.setEpoch(t);
    },
    step(x) {
      assertShape('ConvLayerLearner.step', 'x', x, B, nIn);
      corrupt(backend, cfg.noise, level, x, xt, task.streams.noise, cwork);
      const loss = dae.gradients(xt, x);
      optimizer.step();
      return loss;
    },
    finish(): DenseParams {
      if (done) throw new Error('ConvLayerLearner.finish: the learner was already finished or disposed');
      const kept = { W: copy(dae.encoder.W), b: copy(dae.encoder.b) };
      release();
      return kept;
    },
    dispose: release,
  };
}
