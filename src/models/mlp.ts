/**
 * The multi-layer perceptron that every trial fine-tunes (Erhan et al. 2010, Section 2; the
 * Deep Learning Tutorials' mlp.py / DBN.py fine-tuning):
 *
 *   h^0 = x                          x: [B, nIn]
 *   h^l = f(h^{l-1} W^l + b^l)       l = 1..L; W^l: [n_{l-1}, n_l], b^l: [1, n_l]; f: sigmoid, tanh or relu
 *   z   = h^L W^o + b^o              logits [B, nClasses]; W^o: [n_L, nClasses]
 *   p   = softmax(z)                 row-wise, max-subtracted
 *
 * Loss: the batch's mean negative log-likelihood `-(1/B) sum_i log p[i, y_i]` (penalties such
 * as L1/L2 are the optimiser's business, `src/nn/sgd.ts`).
 *
 * Gradient, by back-propagation through the dense layers (`src/nn/dense.ts`), top to bottom:
 *   dZ      = (p - onehot(y)) / B                     softmax + NLL, fused (`softmaxNll`)
 *   dW^o    = (h^L)^T dZ;   db^o = colSums(dZ);   dH^L = dZ (W^o)^T
 *   dA^l    = dH^l * f'(a^l), written with the output h^l = f(a^l):
 *             sigmoid h (1 - h);  tanh 1 - h^2;  relu [h > 0]
 *   dW^l    = (h^{l-1})^T dA^l;  db^l = colSums(dA^l);  dH^{l-1} = dA^l (W^l)^T  (not for l = 1)
 *
 * The same class holds any network below the softmax (`MlpSpec.layers`, `src/models/layer-spec.ts`):
 * conv, pooling, normalisation, dropout and activation layers each back-propagate through their own
 * `backward` (`src/nn/`), and the update goes through the same optimiser (`backwardUpdateLayer`).
 *
 * Scoring a data set (error, NLL, softmax outputs) is training's business:
 * `src/train/evaluate.ts`.
 */
import type { Activation, Backend } from '../tensor/kernels.ts';
import type { Matrix } from '../tensor/matrix.ts';
import { ShapeError } from '../tensor/shapes.ts';
import type { Rng } from '../rng/rng.ts';
import type { DenseParams } from '../nn/dense-params.ts';
import { Dense } from '../nn/dense.ts';
import { initDense, type InitScheme } from '../nn/init.ts';
import type { Layer, Param } from '../nn/layer.ts';
import type { ImageShape } from '../nn/image-shape.ts';
import { backwardUpdateLayer } from '../nn/layer-update.ts';
import type { LayerSpec } from './layer-spec.ts';
import { buildLayers, type NamedLayer } from './build-layers.ts';
import { softmaxNll } from '../nn/losses.ts';
import type { Optimizer } from '../nn/optimizer.ts';
import { frozenBodyLayers } from './frozen-base.ts';

/** Architecture of an MLP: `nIn -> hidden[0] -> ... -> hidden[L-1] -> nClasses` (softmax). */
export interface MlpSpec {
  nIn: number;
  /** Units of the dense hidden layers, bottom first (with `layers`: those of its dense layers). */
  hidden: number[];
  nClasses: number;
  activation: Exclude<Activation, 'identity'>;
  /** Random init of the layers not given by a pre-trained stack, and of the output layer. */
  init: InitScheme;
  /**
   * The general form (`src/models/layer-spec.ts`): every layer below the softmax output, bottom
   * first (dense, conv, pooling, normalisation, dropout, activation layers). Absent: the paper's
   * network, one `dense hidden[l] activation` per hidden layer.
   */
  layers?: LayerSpec[];
  /** The input's image shape (conv and pooling layers need it); absent for non-image inputs. */
  image?: ImageShape;
}

/** A named trainable matrix of the model (`hidden.0.W`, ..., `output.b`). */
export type NamedParam = Param;

interface LossBuffers {
  probs: Matrix; // [batch, nClasses]
  grad: Matrix; // [batch, nClasses]
}

/**
 * The feed-forward classifier of the module comment: hidden layers (`body`) and a softmax output
 * trained on the mean negative log-likelihood.
 *
 * Initialisation: dense hidden layer l comes from `stack[l]` when a pre-trained stack is given
 * (copied, so the stack is never modified), otherwise from `spec.init` with the `init` stream.
 * The output layer is always drawn randomly by `spec.init` (the paper's Section 5.3 rule "for a
 * given layer, weights are uniform[-1/sqrt(k), 1/sqrt(k)]" applied to every layer), not zeros
 * as in the DLT's logistic layer: with zeros the first steps cannot break the symmetry of
 * the output units' inputs as quickly, and one rule for every layer is simpler to state.
 *
 * Parameter names: dense layers `hidden.<l>.W`/`.b` (l counts dense layers), convolutions
 * `conv.<c>.W`/`.b`, normalisation layers `norm.<n>.gamma`/`.beta` (buffers
 * `norm.<n>.runningMean`/`.runningVar` for batch norm), the output `output.W`/`.b`.
 * Dropout layers draw from one stream, `init.fork('dropout')` (its own named stream, consumed in
 * layer order; `streams()` exposes it for resume checkpoints).
 *
 * Transfer modes (`freeze(trainTop)`, `src/models/frozen-base.ts`): the bottom `frozenLayers` body
 * layers form a fixed base. Training steps run them in evaluation mode (dropout off, batch norm on
 * its running statistics, which it does not update), back-propagation stops at the lowest
 * trainable layer (no gradient below it is computed: a frozen base costs one forward pass), and an
 * optimiser trains `trainableParameters()`, the params above the base. With nothing frozen (the
 * default) every number is as before.
 *
 * Buffers are cached per batch size: `trainStep` allocates nothing after the first call.
 */
export class Mlp {
  /** Every layer below the output, bottom first. */
  readonly body: Layer[];
  /** The dense layers of `body`, bottom first (all of `body` for the paper's network). */
  readonly hidden: Dense[];
  readonly output: Dense;
  private readonly named: NamedParam[];
  private readonly namedBuffers: { name: string; value: Matrix }[];
  /** Index in `parameters()` of each body layer's first param. */
  private readonly firstParam: number[];
  private readonly lossBuffers = new Map<number, LossBuffers>();
  private fusedOptimizer: Optimizer | null = null;
  /** Bottom body layers frozen (`freeze`); 0: every layer trains. */
  private frozen = 0;

  private constructor(
    readonly backend: Backend,
    readonly spec: MlpSpec,
    body: NamedLayer[],
    output: Dense,
    private readonly dropoutRng: Rng | null,
  ) {
    this.body = body.map((b) => b.layer);
    this.hidden = this.body.filter((l): l is Dense => l instanceof Dense);
    this.output = output;
    this.named = [];
    this.namedBuffers = [];
    this.firstParam = [];
    for (const { layer, name } of body) {
      this.firstParam.push(this.named.length);
      for (const p of layer.params()) this.named.push({ ...p, name: `${name}.${p.name}` });
      for (const b of layer.buffers?.() ?? []) this.namedBuffers.push({ name: `${name}.${b.name}`, value: b.value });
    }
    for (const p of output.params()) this.named.push({ ...p, name: `output.${p.name}` });
  }

  /**
   * Builds an MLP. `stack` (optional, length <= the number of dense hidden layers) gives the
   * bottom dense layers' parameters (e.g. from `pretrainStack`), layer l as W `[n_{l-1}, n_l]`,
   * b `[1, n_l]`; they are copied. The rest draw from `rng` (pass `new Rng(seed).fork('init')`),
   * bottom to top, then the output layer. The spec and the stack are trusted: the trial config
   * schema and `validateTrialConfig` check the sizes, `loadPretrainedStack` a saved stack's shapes
   * (a wrong-shaped stack still fails, in the checked `copy` kernel); `buildLayers` checks the
   * layer spec against the input (image sizes, group counts) with errors naming the layer.
   */
  static create(backend: Backend, spec: MlpSpec, rng: Rng, stack: readonly DenseParams[] = []): Mlp {
    const layers = spec.layers ?? spec.hidden.map((units): LayerSpec => ({ kind: 'dense', units, activation: spec.activation }));
    const dropoutRng = layers.some((l) => l.kind === 'dropout') ? rng.fork('dropout') : null;
    const built = buildLayers(backend, layers, { nIn: spec.nIn, image: spec.image }, { init: spec.init, rng, stack, dropoutRng });
    const output = new Dense(backend, initDense(backend, spec.init, built.nOut, spec.nClasses, rng), 'identity');
    const hidden = layers.filter((l) => l.kind === 'dense').map((l) => (l as { units: number }).units);
    return new Mlp(backend, { ...spec, hidden, ...(spec.layers ? { layers: [...spec.layers] } : {}) }, built.layers, output, dropoutRng);
  }

  /** Number of scalar parameters. */
  get numParameters(): number {
    return this.named.reduce((s, p) => s + p.value.size, 0);
  }

  /**
   * `x`: `[batch, nIn]` -> logits `[batch, nClasses]` (a buffer valid until the next forward of this
   * batch size). `train`: training mode for the layers above the frozen base (the base always runs
   * in evaluation mode).
   */
  forward(x: Matrix, train = false): Matrix {
    let h = x;
    for (let l = 0; l < this.body.length; l++) h = this.body[l]!.forward(h, train && l >= this.frozen);
    return this.output.forward(h, train);
  }

  /**
   * Freezes the body below the top `trainTop` dense/conv layers (`frozenBodyLayers`: 0 freezes the
   * whole body, so only the softmax output trains; null, or the number of dense and conv layers,
   * freezes nothing). Training steps then leave the base's params and buffers as they are; build
   * the optimiser over `trainableParameters()`.
   * @throws RangeError when `trainTop` exceeds the network's dense and conv layers
   */
  freeze(trainTop: number | null): void {
    this.frozen = frozenBodyLayers(this.body, trainTop);
    this.fusedOptimizer = null;
  }

  /** Bottom body layers currently frozen (0: none). */
  get frozenLayers(): number {
    return this.frozen;
  }

  /** Index in `parameters()` of the first trainable param (the output's W when the whole body is frozen). */
  private get firstTrainable(): number {
    return this.frozen < this.body.length ? this.firstParam[this.frozen]! : this.named.length - 2;
  }

  /** The params a training step updates: `parameters()` above the frozen base, in the same order (all of them when nothing is frozen). */
  trainableParameters(): readonly NamedParam[] {
    return this.frozen === 0 ? this.named : this.named.slice(this.firstTrainable);
  }

  private lossBuffersFor(batch: number): LossBuffers {
    let b = this.lossBuffers.get(batch);
    if (!b) {
      b = { probs: this.backend.zeros(batch, this.spec.nClasses), grad: this.backend.zeros(batch, this.spec.nClasses) };
      this.lossBuffers.set(batch, b);
    }
    return b;
  }

  /**
   * Forward and backward: writes the `grad` of every trainable param (`trainableParameters()`: all
   * of them unless frozen; a frozen param's `grad` is left as it was) with the gradient of the
   * batch's mean NLL (penalties are the optimiser's business) and returns that mean NLL.
   * `x`: `[batch, nIn]`, `labels`: `[batch]`; `predictions` (optional, `[batch]`) receives the
   * argmax of each row's logits.
   */
  gradients(x: Matrix, labels: Int32Array, predictions?: Int32Array): number {
    const logits = this.forward(x, true);
    if (predictions) this.backend.argmaxRows(logits, predictions);
    const { probs, grad } = this.lossBuffersFor(x.rows);
    const nll = softmaxNll(this.backend, logits, labels, probs, grad);
    const low = this.frozen;
    let dy: Matrix | null = this.output.backward(grad, this.body.length > low);
    for (let l = this.body.length - 1; l >= low; l--) dy = this.body[l]!.backward(dy!, l > low);
    return nll;
  }

  /**
   * One SGD step on the batch; returns the batch's mean NLL before the update.
   *
   * When `optimizer` was built on `trainableParameters()` (as `finetune` does; `parameters()`
   * when nothing is frozen), the update is fused into the backward sweep: each layer, top to
   * bottom, computes `dx` with its old weights and then
   * updates W and b from the gradient kernels themselves ({@link Dense.backwardUpdate},
   * {@link Optimizer}, e.g. `Sgd.begin`); with plain SGD that is `W <- W - lr x^T da` in one gemm, with no
   * gradient buffer and no separate update pass. The result equals `gradients()` then
   * `optimizer.step()` up to float rounding (deterministic); the params' `grad` buffers are not
   * meaningful afterwards (call `gradients()` for them). Otherwise: `gradients()`, then `step()`.
   * With a frozen base, backward stops at its top and an optimiser that holds one of its params
   * is refused (its stale gradient would move a frozen layer).
   *
   * `predictions` (optional, `[batch]`) receives the argmax of each row's logits in this forward
   * pass, i.e. the class the network predicted BEFORE the update: the online error
   * (`src/train/online.ts`, Section 8) costs no extra forward pass. Dense layers behave the same
   * in training and test mode, so for the paper's network these equal
   * `argmaxRows(forward(x, false))` bit for bit (not with dropout or batch norm, which train
   * differently).
   */
  trainStep(x: Matrix, labels: Int32Array, optimizer: Optimizer, predictions?: Int32Array): number {
    if (!this.owns(optimizer)) {
      const nll = this.gradients(x, labels, predictions);
      optimizer.step();
      return nll;
    }
    const logits = this.forward(x, true);
    if (predictions) this.backend.argmaxRows(logits, predictions);
    const { probs, grad } = this.lossBuffersFor(x.rows);
    const nll = softmaxNll(this.backend, logits, labels, probs, grad);
    const low = this.frozen, first = low === 0 ? 0 : this.firstTrainable; // optimizer index = parameters() index - first
    const k = this.named.length - 2 - first; // output.W's index in the optimiser's params
    let dy: Matrix | null = this.output.backwardUpdate(grad, this.body.length > low, optimizer, k, k + 1);
    for (let l = this.body.length - 1; l >= low; l--) {
      dy = backwardUpdateLayer(this.body[l]!, dy!, l > low, optimizer, this.firstParam[l]! - first, this.backend);
    }
    return nll;
  }

  /**
   * True when `optimizer.params` are exactly `trainableParameters()`, in order (checked once per
   * optimizer and freeze).
   * @throws Error when the base is frozen and the optimiser holds one of its params
   */
  private owns(optimizer: Optimizer): boolean {
    if (this.fusedOptimizer === optimizer) return true;
    const ps = optimizer.params, mine = this.trainableParameters();
    if (this.frozen > 0) {
      const base = new Set(this.named.slice(0, this.firstTrainable).map((p) => p.value));
      const bad = ps.find((p) => base.has(p.value));
      if (bad) throw new Error(`Mlp.trainStep: the optimiser updates ${bad.name}, a param of the frozen base (${this.frozen} body layers); build it over trainableParameters()`);
    }
    const ok = ps.length === mine.length && ps.every((p, i) => p.value === mine[i]!.value && p.penalized === mine[i]!.penalized);
    if (ok) this.fusedOptimizer = optimizer;
    return ok;
  }

  /** Every trainable matrix, named `hidden.<l>.W`, `hidden.<l>.b`, ..., `output.W`, `output.b` (live). */
  parameters(): readonly NamedParam[] {
    return this.named;
  }

  /** Non-trainable state (batch norm's running statistics), named like the params; live. */
  buffers(): readonly { name: string; value: Matrix }[] {
    return this.namedBuffers;
  }

  /** Everything a saved network holds: the params, then the buffers (live, named). */
  tensors(): readonly { name: string; value: Matrix }[] {
    return this.namedBuffers.length ? [...this.named, ...this.namedBuffers] : this.named;
  }

  /** The random streams the model consumes while training (`dropout` when it has dropout layers), for resume checkpoints. */
  streams(): Record<string, Rng> {
    return this.dropoutRng ? { dropout: this.dropoutRng } : {};
  }

  /** The dense hidden layers' live parameters (for filters and marginals studies). */
  hiddenParams(): DenseParams[] {
    return this.hidden.map((d) => ({ W: d.W, b: d.b }));
  }

  /** All parameters concatenated in `parameters()` order, as float64 (exact for float32 backends). */
  getFlat(): Float64Array {
    const out = new Float64Array(this.numParameters);
    let o = 0;
    for (const p of this.named) {
      out.set(p.value.data, o);
      o += p.value.size;
    }
    return out;
  }

  /** The gradients of the last `gradients()` call, flattened like `getFlat` (a fused `trainStep` does not write them). */
  getFlatGradient(): Float64Array {
    const out = new Float64Array(this.numParameters);
    let o = 0;
    for (const p of this.named) {
      out.set(p.grad.data, o);
      o += p.grad.size;
    }
    return out;
  }

  /** Sets all parameters from a vector laid out like `getFlat()` (landscape probes, marginals). */
  setFlat(values: ArrayLike<number>): void {
    if (values.length !== this.numParameters) {
      throw new ShapeError(`Mlp.setFlat: got ${values.length} values for ${this.numParameters} parameters (use the layout of getFlat())`);
    }
    let o = 0;
    for (const p of this.named) {
      const d = p.value.data;
      for (let i = 0; i < d.length; i++) d[i] = values[o + i]!;
      o += d.length;
    }
  }

  /** Backend copies of every parameter and buffer (for keeping the best network); restore with `restore`. */
  snapshot(): Matrix[] {
    return this.tensors().map((p) => {
      const m = this.backend.zeros(p.value.rows, p.value.cols);
      this.backend.copy(p.value, m);
      return m;
    });
  }

  /** Copies a `snapshot()` (or the same-shaped list) back into the parameters. */
  restore(snapshot: readonly Matrix[]): void {
    const all = this.tensors();
    if (snapshot.length !== all.length) {
      throw new ShapeError(`Mlp.restore: snapshot has ${snapshot.length} matrices, the model ${all.length}`);
    }
    all.forEach((p, i) => this.backend.copy(snapshot[i]!, p.value));
  }

  /** Frees every matrix. */
  dispose(): void {
    for (const l of this.body) l.dispose();
    this.output.dispose();
    for (const b of this.lossBuffers.values()) {
      b.probs.dispose();
      b.grad.dispose();
    }
    this.lossBuffers.clear();
  }
}
