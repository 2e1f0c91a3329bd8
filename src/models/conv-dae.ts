/**
 * The convolutional denoising auto-encoder: the DAE of `src/models/dae.ts` (Vincent et al. 2008;
 * Erhan et al. 2010, Section 5.1.2) with convolutions in place of the dense maps (Masci et al.
 * 2011), to pre-train a conv layer of a network (`src/train/pretrain-network.ts`). Images are
 * NHWC rows, `[batch, H * W * C]`:
 *
 *   h  = s(conv(x~; W, b))    encoder: a Conv2d, W: [kh * kw * Cin, F], b = hiddenBias: [1, F],
 *                             stride 1, pad p; h: [batch, oh * ow * F], oh = H + 2p - kh + 1
 *   x^ = g(conv(h; V, c))     decoder: an untied Conv2d, V: [kh * kw * F, Cin], c = visibleBias:
 *                             [1, Cin], stride 1, pad kh - 1 - p; x^: [batch, H * W * Cin]
 *
 * The decoder's padding makes it the "full" convolution of the encoder's "valid" one (p = 0) and
 * restores H x W: oh + 2 (kh - 1 - p) - kh + 1 = H. Hence the conditions {@link convDaeProblem}
 * checks: stride 1 (a strided encoder is not inverted by a stride-1 decoder), a square kernel
 * (one pad for both axes) and p <= kh - 1. `s` is the layer's own non-linearity (sigmoid, tanh,
 * relu, or identity for a linear layer); `g` and the loss are the DAE's (`DaeOptions`): a sigmoid
 * decoder with cross-entropy (inputs in [0, 1]), or the squared loss with a sigmoid or identity
 * decoder. Corruption is the caller's (`src/models/corruption.ts` on the `[batch, H W Cin]` rows).
 *
 * Gradients, by the layers' own backward passes (`Conv2d.backward` applies `s'` and writes its
 * `dW`, `db`):
 *   dZ = dL/d(pre-activation of x^) = (x^ - x) / B            (cross-entropy)
 *                                   = 2 (x^ - x) g'(.) / B    (squared)
 *   decoder.backward(dZ) -> dV, dc, and dH = dL/dh
 *   encoder.backward(dH) -> dW, db (through s' written in terms of h)
 * {@link ConvDae.gradients} writes them into the params' `grad` buffers; the optimiser's `step()`
 * updates (no fused update: the conv layers have none).
 *
 * Scale: the criterion is the dense DAE's (the loss summed over the `H W Cin` reconstructed inputs,
 * averaged over the batch) divided by the encoder's number of output positions `P = oh ow`. A shared
 * weight is applied at every position, so its gradient sums P contributions where a dense weight's
 * has one; per position, the same `pretrain.lr` takes steps of the dense DAE's size. (Summed over
 * positions instead, an lr that suits dense layers kills ReLU encoders: measured on MNIST with
 * `conv 8 5x5, pool 2, conv 16 5x5, pool 2, dense 64`, pre-training lr 0.001, the second conv layer's
 * codes all went to 0.) Dividing by a constant changes the scale of the steps only, not the optimum.
 */
import type { Backend } from '../tensor/kernels.ts';
import type { Matrix } from '../tensor/matrix.ts';
import { assertShape } from '../tensor/shapes.ts';
import type { Rng } from '../rng/rng.ts';
import type { DenseParams } from '../nn/dense-params.ts';
import type { ImageShape } from '../nn/image-shape.ts';
import type { Param } from '../nn/layer.ts';
import { initDense } from '../nn/init.ts';
import { Conv2d } from '../nn/conv2d.ts';
import type { ConvWindow } from '../nn/conv-geometry.ts';
import { reconstructionLoss, type DaeEncoder, type DaeOptions } from './dae.ts';

/** The encoder's window (the conv layer's): kernel size, stride (must be 1), padding. */
export type ConvDaeWindow = ConvWindow;

/**
 * Why a conv layer of this window cannot be pre-trained as a {@link ConvDae} (a sentence naming
 * the sizes and the fix), or null when it can.
 */
export function convDaeProblem(window: ConvDaeWindow): string | null {
  const { kernelH: kh, kernelW: kw, stride, pad } = window;
  if (stride !== 1) return `a conv layer with stride ${stride} cannot be pre-trained as a convolutional DAE (its stride-1 decoder would not restore the input size); use stride 1, or pool after the conv`;
  if (kh !== kw) return `a ${kh}x${kw} conv kernel cannot be pre-trained as a convolutional DAE (its decoder pads both axes alike); use a square kernel`;
  if (pad > kh - 1) return `a ${kh}x${kw} conv with pad ${pad} cannot be pre-trained as a convolutional DAE (the decoder would need pad ${kh - 1 - pad} < 0); use pad <= ${kh - 1}`;
  return null;
}

interface ConvDaeWork {
  xhat: Matrix; // [batch, H * W * Cin]
  dZ: Matrix; // [batch, H * W * Cin]
}

/** A convolutional DAE (module comment); owns its two conv layers. */
export class ConvDae {
  readonly encoder: Conv2d;
  readonly decoder: Conv2d;
  /**
   * The trainable matrices with their gradient buffers, in the DAE's order and names: `W`
   * (encoder weights), `hiddenBias`, `visibleBias`, `V` (decoder weights); W and V are penalized.
   */
  readonly params: readonly Param[];
  private readonly work = new Map<number, ConvDaeWork>();

  /**
   * Takes ownership of `encoder` (W `[kh kw Cin, F]`, b `[1, F]`) and `decoder` (V `[kh kw F, Cin]`,
   * c `[1, Cin]`). Throws a RangeError when the window cannot be inverted ({@link convDaeProblem})
   * or the shapes do not match `input`.
   */
  constructor(
    private readonly backend: Backend,
    encoder: DenseParams,
    decoder: DenseParams,
    readonly input: ImageShape,
    readonly window: ConvDaeWindow,
    readonly opts: DaeOptions,
  ) {
    const problem = convDaeProblem(window);
    if (problem) throw new RangeError(`ConvDae: ${problem}`);
    if ((opts.decoder ?? 'sigmoid') !== 'sigmoid' && opts.loss === 'cross-entropy') {
      throw new RangeError(`ConvDae: the cross-entropy loss needs a sigmoid decoder (got '${opts.decoder}'); use loss 'squared' for an identity decoder`);
    }
    const { kernelH: kh, kernelW: kw, pad } = window;
    const F = encoder.W.cols, C = input.channels;
    assertShape('ConvDae', 'encoder W', encoder.W, kh * kw * C, F);
    assertShape('ConvDae', 'decoder V', decoder.W, kh * kw * F, C);
    this.encoder = new Conv2d(backend, encoder, input, window, opts.encoder ?? 'sigmoid');
    this.decoder = new Conv2d(backend, decoder, this.encoder.output, { kernelH: kh, kernelW: kw, stride: 1, pad: kh - 1 - pad }, 'identity');
    const out = this.decoder.output;
    if (out.height !== input.height || out.width !== input.width || out.channels !== C) {
      throw new RangeError(`ConvDae: the decoder gives ${out.height}x${out.width}x${out.channels} images, not the input's ${input.height}x${input.width}x${C}`);
    }
    const [W, b] = this.encoder.params(), [V, c] = this.decoder.params();
    this.params = [
      { ...W!, name: 'W', penalized: true },
      { ...b!, name: 'hiddenBias', penalized: false },
      { ...c!, name: 'visibleBias', penalized: false },
      { ...V!, name: 'V', penalized: true },
    ];
  }

  /**
   * A new conv DAE with `filters` feature maps: W uniform in `[-1/sqrt(kh kw Cin), +]` (the fan-in
   * rule of `createDae`), then V uniform in `[-1/sqrt(kh kw F), +]`, both from `init`; biases zero.
   */
  static create(backend: Backend, input: ImageShape, window: ConvDaeWindow, filters: number, opts: DaeOptions, init: Rng): ConvDae {
    const problem = convDaeProblem(window);
    if (problem) throw new RangeError(`ConvDae: ${problem}`);
    const k = window.kernelH * window.kernelW;
    const enc = initDense(backend, 'uniform-fanin', k * input.channels, filters, init);
    const dec = initDense(backend, 'uniform-fanin', k * filters, input.channels, init);
    return new ConvDae(backend, enc, dec, input, window, opts);
  }

  /** The encoder non-linearity `s`. */
  get activation(): DaeEncoder {
    return this.opts.encoder ?? 'sigmoid';
  }

  /** Inputs per example, `H * W * Cin`. */
  get nVisible(): number {
    return this.encoder.nIn;
  }

  private workFor(batch: number): ConvDaeWork {
    let w = this.work.get(batch);
    if (!w) {
      w = { xhat: this.backend.zeros(batch, this.nVisible), dZ: this.backend.zeros(batch, this.nVisible) };
      this.work.set(batch, w);
    }
    return w;
  }

  /** `h = s(conv(x; W, b))`: x `[batch, H W Cin]` -> `[batch, oh ow F]` (the encoder's buffer). */
  encode(x: Matrix): Matrix {
    return this.encoder.forward(x, true);
  }

  /**
   * Forward pass only: the mean over the batch of the reconstruction loss of `x` from `xTilde`
   * (both `[batch, H W Cin]`), summed over pixels and channels, divided by the encoder's output
   * positions (module comment, Scale). Leaves x^ in the work buffer.
   */
  loss(xTilde: Matrix, x: Matrix): number {
    const B = x.rows, n = this.nVisible, P = this.positions;
    assertShape('ConvDae.loss', 'x', x, B, n);
    assertShape('ConvDae.loss', 'xTilde', xTilde, B, n);
    const w = this.workFor(B);
    const z = this.decoder.forward(this.encode(xTilde), true);
    this.backend.activation(this.opts.decoder ?? 'sigmoid', z, w.xhat);
    return reconstructionLoss(this.backend, x, w.xhat, this.opts.loss, w.dZ) / (B * P);
  }

  /** The encoder's output positions `oh * ow`: the criterion is per position (module comment, Scale). */
  get positions(): number {
    return this.encoder.output.height * this.encoder.output.width;
  }

  /**
   * Forward and backward: writes the gradient of {@link loss} w.r.t. every param into its `grad`
   * (overwriting) and returns the loss. xTilde, x: `[batch, H W Cin]`; neither is modified.
   */
  gradients(xTilde: Matrix, x: Matrix): number {
    const loss = this.loss(xTilde, x);
    const B = x.rows, P = this.positions, { xhat, dZ } = this.workFor(B);
    this.backend.sub(xhat, x, dZ);
    if (this.opts.loss === 'cross-entropy') {
      this.backend.scale(1 / (B * P), dZ);
    } else {
      this.backend.scale(2 / (B * P), dZ);
      this.backend.activationBackward(this.opts.decoder ?? 'sigmoid', xhat, dZ, dZ);
    }
    const dH = this.decoder.backward(dZ, true)!;
    this.encoder.backward(dH, false);
    return loss;
  }

  /** The encoder `{W [kh kw Cin, F], b [1, F]}` (live: copy what you keep). */
  get encoderParams(): DenseParams {
    return { W: this.encoder.W, b: this.encoder.b };
  }

  /** Frees both layers and the work buffers. */
  dispose(): void {
    this.encoder.dispose();
    this.decoder.dispose();
    for (const w of this.work.values()) {
      w.xhat.dispose();
      w.dZ.dispose();
    }
    this.work.clear();
  }
}
