import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createReferenceBackend } from '../../src/backends/reference/index.ts';
import { availableBackends, createBackend } from '../../src/backends/index.ts';
import { Rng } from '../../src/rng/rng.ts';
import type { Backend } from '../../src/tensor/kernels.ts';
import type { Matrix } from '../../src/tensor/matrix.ts';
import { Pool2d, type PoolWindow } from '../../src/nn/pool2d.ts';
import type { ImageShape } from '../../src/nn/image-shape.ts';
import { numericGradient, assertGradClose } from '../helpers/numeric-gradient.ts';

const be = createReferenceBackend('float64');

/**
 * `n` distinct values in [-1, 1) at least 1e-3 apart, in random order: no window holds a tie, and
 * the central differences (eps 1e-6) never cross from one maximum to another.
 */
function distinct(n: number, seed: number): Float64Array {
  const u = new Rng(seed).fork('distinct').fillUniform(new Float64Array(n));
  const order = Array.from(u.keys()).sort((a, b) => u[a]! - u[b]!);
  const v = new Float64Array(n);
  order.forEach((i, rank) => (v[i] = -1 + (2 * rank) / n));
  return v;
}

/** L = sum(y * r) with its numeric gradient w.r.t. x, and the layer's dx for dy = r. */
function check(pool: Pool2d, batch: number, seed: number, what: string): void {
  const x = be.fromArray(batch, pool.nIn, distinct(batch * pool.nIn, seed));
  const r = be.fromArray(batch, pool.nOut, new Rng(seed).fork('r').fillUniform(new Float64Array(batch * pool.nOut), -1, 1));
  const loss = (): number => {
    const y = pool.forward(x, true);
    let s = 0;
    for (let i = 0; i < y.size; i++) s += y.data[i]! * r.data[i]!;
    return s;
  };
  const gx = numericGradient(x, loss);
  loss();
  assertGradClose(pool.backward(r, true)!.data, gx, what);
}

const CASES: [ImageShape, PoolWindow][] = [
  [{ height: 6, width: 6, channels: 3 }, { size: 2, stride: 2, pad: 0 }],
  [{ height: 7, width: 5, channels: 2 }, { size: 3, stride: 2, pad: 1 }], // overlapping windows, padding
  [{ height: 5, width: 8, channels: 1 }, { size: 3, stride: 1, pad: 1 }],
  [{ height: 9, width: 9, channels: 7 }, { size: 3, stride: 3, pad: 0 }],
];

describe('Pool2d', () => {
  for (const kind of ['max', 'avg'] as const) {
    for (const [input, window] of CASES) {
      const what = `${kind} ${input.height}x${input.width}x${input.channels} size ${window.size} stride ${window.stride} pad ${window.pad}`;
      test(`${kind} pooling backward matches float64 central differences (${what}, no ties)`, () => {
        check(new Pool2d(be, kind, input, window), 2, 3, what);
      });
    }
  }

  test('with exact ties the max-pooling gradient goes to the first maximum in window order (ky, then kx)', () => {
    // 1 x 4 x 4 x 1, 2x2 windows, stride 1 (overlapping). Row-major pixels:
    //   5 5 1 2
    //   5 5 2 2
    //   0 3 3 0
    //   3 0 0 3
    const pool = new Pool2d(be, 'max', { height: 4, width: 4, channels: 1 }, { size: 2, stride: 1, pad: 0 });
    const x = be.fromArray(1, 16, [5, 5, 1, 2, 5, 5, 2, 2, 0, 3, 3, 0, 3, 0, 0, 3]);
    const y = pool.forward(x, true);
    assert.deepEqual([...y.data], [5, 5, 2, 5, 5, 3, 3, 3, 3]);
    // window maxima (the first of the tied, in window order): 0, 1, 3 | 4, 5, 10 | 9, 9, 10
    const dy = be.fromArray(1, 9, [1, 10, 100, 1000, 1e4, 1e5, 1e6, 1e7, 1e8]);
    const dx = pool.backward(dy, true)!;
    const want = new Array(16).fill(0);
    [0, 1, 3, 4, 5, 10, 9, 9, 10].forEach((j, i) => (want[j] += dy.data[i]!));
    assert.deepEqual([...dx.data], want);
    // two channels with ties in both: each channel routes independently
    const two = new Pool2d(be, 'max', { height: 2, width: 2, channels: 2 }, { size: 2, stride: 2, pad: 0 });
    two.forward(be.fromArray(1, 8, [1, 4, 2, 4, 2, 4, 0, 4]), true);
    assert.deepEqual([...two.backward(be.fromArray(1, 2, [7, 9]), true)!.data], [0, 9, 7, 0, 0, 0, 0, 0]);
  });

  test('with exact ties every float32 backend routes the gradient to the same (first) maximum, bit for bit', async () => {
    const input = { height: 8, width: 7, channels: 3 }, window = { size: 3, stride: 2, pad: 1 };
    const values = new Rng(5).fork('ties').fillUniform(new Float32Array(4 * 8 * 7 * 3)).map((v) => Math.floor(v * 2));
    const dyv = new Rng(6).fork('dy').fillUniform(new Float32Array(4 * 4 * 4 * 3));
    const run = (backend: Backend): Float32Array => {
      const pool = new Pool2d(backend, 'max', input, window);
      pool.forward(backend.fromArray(4, pool.nIn, values), true);
      return Float32Array.from(pool.backward(backend.fromArray(4, pool.nOut, dyv), true)!.data);
    };
    const want = run(createReferenceBackend('float32'));
    for (const a of await availableBackends()) {
      if (a.available && a.name !== 'reference64') assert.deepEqual(run(await createBackend(a.name)), want, `backend ${a.name}`);
    }
  });

  test('forward by hand: max and average of 2x2 windows, average padding counted as zeros', () => {
    const x = be.fromArray(1, 16, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16]);
    const max = new Pool2d(be, 'max', { height: 4, width: 4, channels: 1 }, { size: 2, stride: 2, pad: 0 });
    assert.deepEqual([...max.forward(x, false).data], [6, 8, 14, 16]);
    const avg = new Pool2d(be, 'avg', { height: 4, width: 4, channels: 1 }, { size: 2, stride: 2, pad: 0 });
    assert.deepEqual([...avg.forward(x, false).data], [3.5, 5.5, 11.5, 13.5]);
    const padded = new Pool2d(be, 'avg', { height: 4, width: 4, channels: 1 }, { size: 2, stride: 2, pad: 1 });
    assert.deepEqual(padded.output, { height: 3, width: 3, channels: 1 });
    assert.deepEqual([...padded.forward(x, false).data], [0.25, 1.25, 1, 3.5, 8.5, 5, 3.25, 7.25, 4]);
    assert.deepEqual(max.params(), []);
  });

  test('bad windows are RangeErrors naming the sizes: spatial size reaching zero, max pooling pad >= size', () => {
    assert.throws(() => new Pool2d(be, 'max', { height: 2, width: 5, channels: 1 }, { size: 3, stride: 3, pad: 0 }), /RangeError: max pool 3x3 on 2x5 input: spatial size reaches zero/);
    assert.throws(() => new Pool2d(be, 'max', { height: 6, width: 6, channels: 1 }, { size: 2, stride: 2, pad: 2 }), /RangeError: Pool2d: pad 2 with a 2x2 max-pooling window leaves windows with no image pixel/);
    assert.throws(() => new Pool2d(be, 'median' as 'max', { height: 6, width: 6, channels: 1 }, { size: 2, stride: 2, pad: 0 }), /kind must be 'max' or 'avg', got 'median'/);
    const pool = new Pool2d(be, 'avg', { height: 6, width: 6, channels: 2 }, { size: 2, stride: 2, pad: 0 });
    assert.throws(() => pool.forward(be.zeros(1, 71), false), /input has 71 features but the layer expects 6x6x2 = 72/);
  });

  test('backward without the input gradient returns null; buffers are reused per batch size', () => {
    const pool = new Pool2d(be, 'max', { height: 4, width: 4, channels: 2 }, { size: 2, stride: 2, pad: 0 });
    const x: Matrix = be.fromArray(3, 32, distinct(96, 1));
    const y = pool.forward(x, true);
    assert.equal(pool.backward(be.zeros(3, 8), false), null);
    const dx = pool.backward(be.zeros(3, 8), true);
    assert.equal(pool.forward(x, true), y);
    assert.equal(pool.backward(be.zeros(3, 8), true), dx);
    assert.notEqual(pool.forward(be.zeros(1, 32), true), y);
  });
});
