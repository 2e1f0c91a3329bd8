import type { FloatArray } from '../tensor/matrix.ts';
import { hash32, philox4x32 } from './philox.ts';

/**
 * The named random streams of a run. Each is independent of the others, so that e.g. changing
 * the corruption noise never changes the initial weights or the order of examples.
 */
export type StreamName = 'init' | 'order' | 'noise' | 'sampling' | 'data' | (string & {});

/** Serializable position of a stream, saved in checkpoints so a resumed run continues bit-identically. */
export interface RngState {
  seed: number;
  path: (string | number)[];
  /** Index of the next Philox block. */
  block: number;
  /** Words of the current block already used (0..4). */
  used: number;
}

const TWO_POW_M24 = 2 ** -24;
const TWO_POW_M32 = 2 ** -32;

/**
 * A seeded, counter-based random stream (Philox4x32-10).
 *
 * The key is derived from `(seed, path)`, where `path` names the stream (`'init'`, `'noise'`,
 * an example index, ...); the counter is the block index. Streams with different paths are
 * independent; `fork` derives a child stream without consuming numbers from the parent.
 *
 * ```ts
 * const init = new Rng(42).fork('init');   // weights
 * const order = new Rng(42).fork('order'); // example order
 * ```
 */
export class Rng {
  readonly seed: number;
  readonly path: readonly (string | number)[];
  private readonly k0: number;
  private readonly k1: number;
  private block = 0;
  private used = 4;
  private readonly buf = new Uint32Array(4);

  constructor(seed: number, path: readonly (string | number)[] = []) {
    if (!Number.isSafeInteger(seed) || seed < 0) {
      throw new RangeError(`Rng: seed must be a non-negative safe integer, got ${seed}`);
    }
    this.seed = seed;
    this.path = [...path];
    this.k0 = seed >>> 0;
    this.k1 = hash32(path.map(String).join('\u0000'), hash32(String(Math.floor(seed / 2 ** 32))));
  }

  /** A child stream named by `path` (does not consume numbers from this one). */
  fork(...path: (string | number)[]): Rng {
    return new Rng(this.seed, [...this.path, ...path]);
  }

  /** Next uniformly distributed unsigned 32-bit integer. */
  nextU32(): number {
    if (this.used === 4) {
      const b = this.block++;
      philox4x32(b >>> 0, Math.floor(b / 2 ** 32) >>> 0, 0, 0, this.k0, this.k1, this.buf);
      this.used = 0;
    }
    return this.buf[this.used++]!;
  }

  /** Uniform in [0, 1) with 24 random bits, so the value is exact in float32 and never rounds to 1. */
  uniform(): number {
    return (this.nextU32() >>> 8) * TWO_POW_M24;
  }

  /** Uniform in [0, 1) with 53 random bits. */
  uniform53(): number {
    const hi = this.nextU32() >>> 5, lo = this.nextU32() >>> 6;
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /** Fills `out` with uniforms in [0, 1). */
  fillUniform(out: FloatArray, lo = 0, hi = 1): FloatArray {
    const w = hi - lo;
    for (let i = 0; i < out.length; i++) out[i] = lo + w * this.uniform();
    return out;
  }

  /** Standard normal by Box-Muller (two words per draw, no hidden spare, so state is just the counter). */
  normal(): number {
    const u1 = (this.nextU32() + 0.5) * TWO_POW_M32;
    const u2 = this.nextU32() * TWO_POW_M32;
    return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
  }

  /** Fills `out` with normals of the given mean and standard deviation. */
  fillNormal(out: FloatArray, mean = 0, std = 1): FloatArray {
    for (let i = 0; i < out.length; i++) out[i] = mean + std * this.normal();
    return out;
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    if (!(n >= 1)) throw new RangeError(`Rng.int: n must be >= 1, got ${n}`);
    return Math.floor(this.uniform53() * n);
  }

  /** Fisher-Yates shuffle in place; returns its argument. */
  shuffle<T extends { length: number; [i: number]: unknown }>(a: T): T {
    for (let i = a.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const t = a[i];
      a[i] = a[j];
      a[j] = t;
    }
    return a;
  }

  /** A uniformly random permutation of 0..n-1. */
  permutation(n: number): Int32Array {
    const p = new Int32Array(n);
    for (let i = 0; i < n; i++) p[i] = i;
    return this.shuffle(p);
  }

  /** The stream's position, for checkpoints. */
  getState(): RngState {
    return { seed: this.seed, path: [...this.path], block: this.block, used: this.used };
  }

  /** A stream restored at a saved position. */
  static fromState(s: RngState): Rng {
    const r = new Rng(s.seed, s.path);
    r.setState(s);
    return r;
  }

  /**
   * Moves this stream, in place, to a position saved by `getState()` of the same stream (same
   * seed and path; a RangeError otherwise), e.g. a model's dropout stream when a run resumes.
   */
  setState(s: RngState): void {
    if (s.seed !== this.seed || JSON.stringify(s.path) !== JSON.stringify(this.path)) {
      throw new RangeError(`Rng.setState: the state is of stream seed ${s.seed} path ${JSON.stringify(s.path)}, this is seed ${this.seed} path ${JSON.stringify(this.path)}`);
    }
    if (s.used < 4) {
      this.block = s.block - 1;
      this.used = 4;
      this.nextU32();
      this.used = s.used;
    } else {
      this.block = s.block;
      this.used = 4;
    }
  }
}
