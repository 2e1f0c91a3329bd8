import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createReferenceBackend } from '../../src/backends/reference/index.ts';
import { availableBackends, createBackend } from '../../src/backends/index.ts';
import { Rng } from '../../src/rng/rng.ts';
import type { Activation, Backend } from '../../src/tensor/kernels.ts';
import type { Matrix } from '../../src/tensor/matrix.ts';
import { Conv2d } from '../../src/nn/conv2d.ts';
import { convGeometry, type ConvWindow } from '../../src/nn/conv-geometry.ts';
import type { ImageShape } from '../../src/nn/image-shape.ts';
import { initDense } from '../../src/nn/init.ts';
import { numericGradient, assertGradClose } from '../helpers/numeric-gradient.ts';
import { TOLERANCE, assertClose } from '../helpers/tolerances.ts';

const be = createReferenceBackend('float64');

function layer(backend: Backend, input: ImageShape, window: ConvWindow, filters: number, f: Activation, seed: number): Conv2d {
  const rng = new Rng(seed).fork('conv2d');
  const params = initDense(backend, 'glorot', window.kernelH * window.kernelW * input.channels, filters, rng);
  rng.fillUniform(params.b.data, -0.5, 0.5);
  return new Conv2d(backend, params, input, window, f);
}

function random(backend: Backend, rows: number, cols: number, seed: number): Matrix {
  return backend.fromArray(rows, cols, new Rng(seed).fork('data').fillUniform(new Float64Array(rows * cols), -1, 1));
}

/**
 * The direct definition, as plain loops: `y[n, oy, ox, f] = act(b[f] + sum x[n, iy, ix, c] W[(ky, kx, c), f])`
 * over the window positions inside the image.
 */
function directConv(x: Matrix, W: Matrix, b: Matrix, input: ImageShape, w: ConvWindow, f: (a: number) => number): number[] {
  const { height: H, width: Wd, channels: C } = input;
  const outH = Math.floor((H + 2 * w.pad - w.kernelH) / w.stride) + 1, outW = Math.floor((Wd + 2 * w.pad - w.kernelW) / w.stride) + 1;
  const F = W.cols, out: number[] = [];
  for (let n = 0; n < x.rows; n++) {
    for (let oy = 0; oy < outH; oy++) {
      for (let ox = 0; ox < outW; ox++) {
        for (let fi = 0; fi < F; fi++) {
          let a = b.get(0, fi);
          for (let ky = 0; ky < w.kernelH; ky++) {
            for (let kx = 0; kx < w.kernelW; kx++) {
              const iy = oy * w.stride - w.pad + ky, ix = ox * w.stride - w.pad + kx;
              if (iy < 0 || iy >= H || ix < 0 || ix >= Wd) continue;
              for (let c = 0; c < C; c++) a += x.get(n, (iy * Wd + ix) * C + c) * W.get((ky * w.kernelW + kx) * C + c, fi);
            }
          }
          out.push(f(a));
        }
      }
    }
  }
  return out;
}

/** Configurations: [input, window, filters, activation]. */
const CONFIGS: [ImageShape, ConvWindow, number, Activation][] = [
  [{ height: 5, width: 6, channels: 2 }, { kernelH: 3, kernelW: 2, stride: 2, pad: 1 }, 3, 'tanh'],
  [{ height: 4, width: 4, channels: 3 }, { kernelH: 3, kernelW: 3, stride: 1, pad: 2 }, 2, 'sigmoid'],
  [{ height: 7, width: 5, channels: 1 }, { kernelH: 2, kernelW: 3, stride: 3, pad: 0 }, 4, 'identity'],
  [{ height: 6, width: 6, channels: 2 }, { kernelH: 3, kernelW: 3, stride: 2, pad: 1 }, 3, 'relu'],
];

describe('Conv2d', () => {
  for (const [input, window, filters, f] of CONFIGS) {
    const what = `${input.height}x${input.width}x${input.channels}, ${window.kernelH}x${window.kernelW} stride ${window.stride} pad ${window.pad}, ${f}`;
    test(`backward matches float64 central differences for dW, db and dx (${what})`, () => {
      const conv = layer(be, input, window, filters, f, 11);
      const batch = 2;
      const x = random(be, batch, conv.nIn, 1);
      const r = random(be, batch, conv.nOut, 2);
      // L = sum(y * r), so dL/dy = r.
      const loss = (): number => {
        const y = conv.forward(x, true);
        let s = 0;
        for (let i = 0; i < y.size; i++) s += y.data[i]! * r.data[i]!;
        return s;
      };
      const gW = numericGradient(conv.W, loss), gb = numericGradient(conv.b, loss), gx = numericGradient(x, loss);
      loss();
      const dx = conv.backward(r, true)!;
      assertGradClose(conv.dW.data, gW, `${what} dW`);
      assertGradClose(conv.db.data, gb, `${what} db`);
      assertGradClose(dx.data, gx, `${what} dx`);
    });

    test(`forward equals a plain direct-convolution loop (${what})`, () => {
      const conv = layer(be, input, window, filters, f, 12);
      const x = random(be, 3, conv.nIn, 3);
      const act = { identity: (a: number) => a, tanh: Math.tanh, sigmoid: (a: number) => 1 / (1 + Math.exp(-a)), relu: (a: number) => Math.max(a, 0) }[f];
      const expected = directConv(x, conv.W, conv.b, input, window, act);
      const y = conv.forward(x, false);
      assert.equal(y.size, expected.length);
      assertClose(y.data, expected, TOLERANCE.float64.transcendental * 10, `Conv2d forward ${what}`);
    });
  }

  test('output shape: oh = floor((H + 2 pad - kh) / stride) + 1, channels = filters', () => {
    const conv = layer(be, { height: 28, width: 28, channels: 1 }, { kernelH: 5, kernelW: 5, stride: 1, pad: 0 }, 32, 'relu', 1);
    assert.deepEqual(conv.output, { height: 24, width: 24, channels: 32 });
    assert.equal(conv.nIn, 784);
    assert.equal(conv.nOut, 24 * 24 * 32);
    const strided = layer(be, { height: 7, width: 8, channels: 3 }, { kernelH: 3, kernelW: 2, stride: 2, pad: 1 }, 5, 'relu', 1);
    assert.deepEqual(strided.output, { height: 4, width: 5, channels: 5 });
    assert.deepEqual(strided.params().map((p) => [p.name, p.penalized]), [['W', true], ['b', false]]);
  });

  test('a conv whose spatial size reaches zero is a RangeError naming the sizes', () => {
    const rng = new Rng(1);
    assert.throws(
      () => new Conv2d(be, initDense(be, 'he', 25, 4, rng), { height: 4, width: 4, channels: 1 }, { kernelH: 5, kernelW: 5, stride: 1, pad: 0 }, 'relu'),
      (e: unknown) => e instanceof RangeError && /^conv 5x5 on 4x4 input: spatial size reaches zero/.test(e.message),
    );
    assert.throws(() => convGeometry(1, { height: 3, width: 9, channels: 1, kernelH: 6, kernelW: 3, stride: 1, pad: 1 }), /conv 6x3 on 3x9 input \(padded by 1 to 5x11\): spatial size reaches zero/);
    assert.throws(
      () => new Conv2d(be, initDense(be, 'he', 9, 4, rng), { height: 4, width: 4, channels: 1 }, { kernelH: 3, kernelW: 3, stride: 0, pad: 0 }, 'relu'),
      /RangeError: conv: stride must be an integer >= 1, got 0/,
    );
  });

  test('weights of the wrong height are a ShapeError naming kernelH * kernelW * channels', () => {
    assert.throws(
      () => new Conv2d(be, initDense(be, 'he', 9, 4, new Rng(1)), { height: 5, width: 5, channels: 2 }, { kernelH: 3, kernelW: 3, stride: 1, pad: 0 }, 'relu'),
      /W must have kernelH \* kernelW \* channels = 3 \* 3 \* 2 = 18 rows/,
    );
    const conv = layer(be, { height: 5, width: 5, channels: 2 }, { kernelH: 3, kernelW: 3, stride: 1, pad: 0 }, 2, 'relu', 1);
    assert.throws(() => conv.forward(be.zeros(1, 49), false), /input has 49 features but the layer expects 5x5x2 = 50/);
  });

  test('backward without the input gradient returns null; a second backward after one forward gives the same gradients', () => {
    const input = { height: 6, width: 5, channels: 2 }, window = { kernelH: 3, kernelW: 3, stride: 2, pad: 1 };
    const conv = layer(be, input, window, 3, 'tanh', 4);
    const x = random(be, 2, conv.nIn, 5), dy = random(be, 2, conv.nOut, 6);
    conv.forward(x, true);
    const dx1 = Float64Array.from(conv.backward(dy, true)!.data);
    const dW1 = Float64Array.from(conv.dW.data);
    // the im2col buffer now holds dcols: the second backward must recompute it from the saved input
    assert.equal(conv.backward(dy, false), null);
    assert.deepEqual(conv.dW.data, dW1);
    assert.deepEqual(conv.backward(dy, true)!.data, dx1);
  });

  test('buffers are cached per batch size: after the first step of a batch size nothing is allocated', () => {
    let allocations = 0;
    const counting: Backend = Object.create(be, {
      zeros: { value: (r: number, c: number) => (allocations++, be.zeros(r, c)) },
      reshape: { value: (m: Matrix, r: number, c: number) => (allocations++, be.reshape(m, r, c)) },
    });
    const conv = layer(counting, { height: 6, width: 6, channels: 2 }, { kernelH: 3, kernelW: 3, stride: 1, pad: 1 }, 3, 'relu', 2);
    const x5 = random(be, 5, conv.nIn, 1), x1 = random(be, 1, conv.nIn, 2);
    const dy5 = random(be, 5, conv.nOut, 3), dy1 = random(be, 1, conv.nOut, 4);
    const y5 = conv.forward(x5, true);
    conv.backward(dy5, true);
    conv.forward(x1, true);
    conv.backward(dy1, true);
    const before = allocations;
    for (let i = 0; i < 3; i++) {
      assert.equal(conv.forward(x5, true), y5, 'the same output buffer for the same batch size');
      conv.backward(dy5, true);
      conv.forward(x1, true);
      conv.backward(dy1, true);
    }
    assert.equal(allocations, before);
  });

  test('forward does not modify its input', () => {
    const conv = layer(be, { height: 5, width: 5, channels: 3 }, { kernelH: 2, kernelW: 2, stride: 1, pad: 1 }, 2, 'sigmoid', 9);
    const x = random(be, 2, conv.nIn, 7);
    const before = Float64Array.from(x.data);
    conv.forward(x, true);
    conv.backward(random(be, 2, conv.nOut, 8), true);
    assert.deepEqual(x.data, before);
  });

  test('every backend computes the same forward and backward as the float32 reference', async () => {
    const ref = createReferenceBackend('float32');
    const input = { height: 9, width: 8, channels: 3 }, window = { kernelH: 3, kernelW: 3, stride: 2, pad: 1 };
    const make = (backend: Backend): { conv: Conv2d; y: Float32Array; dx: Float32Array; dW: Float32Array; db: Float32Array } => {
      const conv = layer(backend, input, window, 7, 'tanh', 21);
      const x = backend.fromArray(5, conv.nIn, new Rng(1).fork('x').fillUniform(new Float32Array(5 * conv.nIn), -1, 1));
      const dy = backend.fromArray(5, conv.nOut, new Rng(2).fork('dy').fillUniform(new Float32Array(5 * conv.nOut), -1, 1));
      const y = Float32Array.from(conv.forward(x, true).data);
      const dx = Float32Array.from(conv.backward(dy, true)!.data);
      return { conv, y, dx, dW: Float32Array.from(conv.dW.data), db: Float32Array.from(conv.db.data) };
    };
    const want = make(ref);
    const tol = TOLERANCE.float32;
    for (const a of await availableBackends()) {
      if (!a.available || a.name === 'reference' || a.name === 'reference64') continue;
      const got = make(await createBackend(a.name));
      assertClose(got.y, want.y, tol.transcendental + tol.gemm * Math.sqrt(27), `${a.name} y`);
      assertClose(got.dx, want.dx, tol.gemm * Math.sqrt(7 * 9), `${a.name} dx`);
      assertClose(got.dW, want.dW, tol.gemm * Math.sqrt(5 * 5 * 4) * 4, `${a.name} dW`);
      assertClose(got.db, want.db, tol.reduction * Math.sqrt(5 * 5 * 4) * 4, `${a.name} db`);
      got.conv.dispose();
    }
  });
});
