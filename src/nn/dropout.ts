/**
 * Inverted dropout (Srivastava et al. 2014, Section 10; the "inverted" scaling of the kept units
 * at training time, so evaluation is the identity). In training, with keep = 1 - rate and
 * uniforms u from the layer's stream:
 *
 *   mask = [u < keep] / keep,   y = x * mask,   dx = dy * mask
 *
 * so E[y] = x. In evaluation (and at rate 0) the layer is the identity and returns its input
 * itself. The uniforms come from `rng.fillUniform` (the network passes one shared `dropout`
 * stream, consumed in layer order), so a seed fixes every mask on every backend.
 */
import type { Backend } from '../tensor/kernels.ts';
import type { Matrix } from '../tensor/matrix.ts';
import { ShapeError } from '../tensor/shapes.ts';
import type { Rng } from '../rng/rng.ts';
import type { Layer, Param } from './layer.ts';

interface DropoutBuffers {
  mask: Matrix; // [batch, n]: the uniforms, then the mask in place
  y: Matrix; // [batch, n]
  dx: Matrix | null; // [batch, n], allocated on first backward
}

const NO_PARAMS: readonly Param[] = [];

/** Inverted dropout over `n` features at `rate` (in [0, 1)); no params, no buffers. */
export class Dropout implements Layer {
  readonly nIn: number;
  readonly nOut: number;
  private readonly cache = new Map<number, DropoutBuffers>();
  /** The buffers of the last training forward, or null when it was the identity. */
  private lastBuf: DropoutBuffers | null = null;
  private lastRows = -1;

  /**
   * @param n features per example (nIn = nOut)
   * @param rate probability of dropping each unit, in [0, 1)
   * @param rng the stream the masks' uniforms are drawn from (shared, consumed in layer order)
   */
  constructor(
    private readonly backend: Backend,
    n: number,
    readonly rate: number,
    private readonly rng: Rng,
  ) {
    if (!(Number.isInteger(n) && n >= 1)) throw new RangeError(`Dropout: n is ${n} but must be a positive integer`);
    if (!(rate >= 0 && rate < 1)) {
      throw new RangeError(`dropout rate must be in [0, 1) (the probability of dropping a unit), but is ${rate}; use 0 for no dropout`);
    }
    this.nIn = this.nOut = n;
  }

  private buffersFor(batch: number): DropoutBuffers {
    let buf = this.cache.get(batch);
    if (!buf) {
      buf = { mask: this.backend.zeros(batch, this.nIn), y: this.backend.zeros(batch, this.nIn), dx: null };
      this.cache.set(batch, buf);
    }
    return buf;
  }

  /** `x`: `[batch, n]` -> `x * mask` in training (rate > 0), else x itself. */
  forward(x: Matrix, train: boolean): Matrix {
    if (x.cols !== this.nIn) throw new ShapeError(`Dropout.forward: input has ${x.cols} features but the layer expects ${this.nIn} ([batch, ${this.nIn}])`);
    this.lastRows = x.rows;
    if (!train || this.rate === 0) {
      this.lastBuf = null;
      return x;
    }
    const be = this.backend, buf = this.buffersFor(x.rows);
    this.rng.fillUniform(buf.mask.data);
    be.dropoutMask(buf.mask, 1 - this.rate, buf.mask);
    be.mul(x, buf.mask, buf.y);
    this.lastBuf = buf;
    return buf.y;
  }

  /** `dy`: `[batch, n]` -> `dy * mask` (dy itself after an identity forward), or null. */
  backward(dy: Matrix, needInputGrad: boolean): Matrix | null {
    if (this.lastRows < 0) throw new Error('Dropout.backward: call forward first (backward uses the saved mask)');
    if (dy.rows !== this.lastRows || dy.cols !== this.nOut) {
      throw new ShapeError(`Dropout.backward: dy must be [${this.lastRows}, ${this.nOut}] like the last output, but is [${dy.rows}, ${dy.cols}]`);
    }
    if (!needInputGrad) return null;
    const buf = this.lastBuf;
    if (!buf) return dy;
    const dx = (buf.dx ??= this.backend.zeros(dy.rows, this.nIn));
    this.backend.mul(dy, buf.mask, dx);
    return dx;
  }

  /** The mask of the last training forward (`[batch, n]`, entries 0 or 1 / keep), or null after an identity forward. */
  get mask(): Matrix | null {
    return this.lastBuf?.mask ?? null;
  }

  params(): readonly Param[] {
    return NO_PARAMS;
  }

  dispose(): void {
    for (const buf of this.cache.values()) {
      buf.mask.dispose();
      buf.y.dispose();
      buf.dx?.dispose();
    }
    this.cache.clear();
    this.lastBuf = null;
    this.lastRows = -1;
  }
}
