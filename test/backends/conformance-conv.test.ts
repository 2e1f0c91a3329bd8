/**
 * The conv group (reshape, im2col, col2im, maxPool, maxPoolBackward, avgPool, avgPoolBackward) on
 * every backend against `reference`: odd shapes, strides 1/2/3, pads 0/1/2, rectangular kernels,
 * channels 1/3/7 (and 8/32 for the vector paths), batch 1 and 5. im2col, maxPool (values and
 * argmax, with many exact ties) move numbers without arithmetic and must match exactly; the float32
 * fast backends also add in the reference's order (col2im, maxPoolBackward), so those match exactly
 * too. Tolerances come from the one table (`test/helpers/tolerances.ts`).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  availableBackends,
  convGeometry,
  createBackend,
  createReferenceBackend,
  Rng,
  ShapeError,
  type Backend,
  type ConvGeometry,
  type Matrix,
} from '../../src/index.ts';
import { TOLERANCE, assertClose } from '../helpers/tolerances.ts';
import { skipIfMissing } from '../helpers/skip-if-missing.ts';

const ref = createReferenceBackend('float32');
const rng = new Rng(2024).fork('conformance-conv');

/** [batch, height, width, channels, kernelH, kernelW, stride, pad] */
type Case = [number, number, number, number, number, number, number, number];
const CASES: Case[] = [
  [1, 5, 5, 1, 3, 3, 1, 0],
  [5, 7, 9, 3, 3, 2, 2, 1], // rectangular kernel, odd sizes
  [1, 11, 6, 7, 5, 3, 3, 2], // stride 3, pad 2
  [5, 28, 28, 1, 5, 5, 1, 0], // the first layer of a small MNIST conv net
  [5, 12, 12, 7, 5, 5, 1, 2],
  [1, 4, 4, 3, 4, 4, 1, 0], // the window is the whole image
  [2, 3, 8, 3, 1, 1, 1, 0], // 1x1
  [1, 6, 5, 3, 2, 4, 3, 1],
  [5, 9, 9, 7, 3, 3, 2, 1],
  [2, 6, 6, 32, 2, 2, 2, 0], // pooling a 32-channel conv output
  [1, 5, 7, 8, 3, 3, 1, 1], // 8 channels: two whole SIMD vectors, no tail
  [5, 8, 8, 3, 3, 3, 3, 0], // stride 3 leaves the last column and row unread
];
/** Convolution may pad by more than the kernel (windows entirely in the padding); pooling may not. */
const CONV_ONLY: Case[] = [
  [1, 3, 3, 1, 1, 1, 2, 2],
  [2, 2, 3, 3, 2, 1, 1, 2],
];

function geometry([batch, height, width, channels, kernelH, kernelW, stride, pad]: Case): ConvGeometry {
  return convGeometry(batch, { height, width, channels, kernelH, kernelW, stride, pad });
}

function label(g: ConvGeometry): string {
  return `batch ${g.batch} ${g.height}x${g.width}x${g.channels} kernel ${g.kernelH}x${g.kernelW} stride ${g.stride} pad ${g.pad}`;
}

/** The same numbers in both backends (`values` or uniforms in [-1, 1)). */
function pair(be: Backend, rows: number, cols: number, values?: ArrayLike<number>): [Matrix, Matrix] {
  const v = values ? Float32Array.from(values) : rng.fillUniform(new Float32Array(rows * cols), -1, 1);
  return [ref.fromArray(rows, cols, v), be.fromArray(rows, cols, v)];
}

/** Small integers, so that max-pooling windows hold many exact ties. */
function ties(n: number): Float32Array {
  const u = new Float32Array(n);
  rng.fillUniform(u);
  return u.map((v) => Math.floor(v * 3));
}

const all = await availableBackends();
for (const a of all) if (!a.available) skipIfMissing(`backend '${a.name}'`, a.reason ?? 'unavailable');
const backends = all.filter((a) => a.available && a.name !== 'reference');

for (const avail of backends) {
  const be = await createBackend(avail.name);
  const tol = TOLERANCE.float32;
  /** Sums in the reference's order are exact on the float32 backends; reference64 rounds less. */
  const sumTol = (terms: number): number => (be.dtype === 'float32' ? 0 : tol.elementwise * Math.sqrt(terms));

  describe(`backend '${avail.name}': conv kernels conform to reference`, () => {
    test('im2col copies every window exactly (zeros in the padding), col2im adds them back', () => {
      for (const c of [...CASES, ...CONV_ONLY]) {
        const g = geometry(c);
        const nIn = g.height * g.width * g.channels, k = g.kernelH * g.kernelW * g.channels, rows = g.batch * g.outH * g.outW;
        const [rx, bx] = pair(be, g.batch, nIn);
        const [rc, bc] = [ref.zeros(rows, k), be.fromArray(rows, k, new Float32Array(rows * k).fill(NaN))];
        ref.im2col(rx, g, rc);
        be.im2col(bx, g, bc);
        assertClose(bc.data, rc.data, 0, `im2col ${label(g)}`);
        const [rd, bd] = pair(be, rows, k);
        const [rdx, bdx] = [ref.zeros(g.batch, nIn), be.fromArray(g.batch, nIn, new Float32Array(g.batch * nIn).fill(NaN))];
        ref.col2im(rd, g, rdx);
        be.col2im(bd, g, bdx);
        assertClose(bdx.data, rdx.data, sumTol(g.kernelH * g.kernelW), `col2im ${label(g)}`);
      }
    });

    test('maxPool values and argmax match exactly, with exact ties everywhere (the first maximum wins)', () => {
      for (const c of CASES) {
        const g = geometry(c);
        const nIn = g.height * g.width * g.channels, nOut = g.outH * g.outW * g.channels;
        for (const values of [undefined, ties(g.batch * nIn)]) {
          const [rx, bx] = pair(be, g.batch, nIn, values);
          const [ry, by] = [ref.zeros(g.batch, nOut), be.zeros(g.batch, nOut)];
          const ra = new Int32Array(g.batch * nOut), ba = new Int32Array(g.batch * nOut).fill(-7);
          ref.maxPool(rx, g, ry, ra);
          be.maxPool(bx, g, by, ba);
          const what = `maxPool ${values ? 'with ties ' : ''}${label(g)}`;
          assertClose(by.data, ry.data, 0, what);
          assert.deepEqual(ba, ra, `${what}: argmax`);
          const [rdy, bdy] = pair(be, g.batch, nOut);
          const [rdx, bdx] = [ref.zeros(g.batch, nIn), be.fromArray(g.batch, nIn, new Float32Array(g.batch * nIn).fill(NaN))];
          ref.maxPoolBackward(rdy, ra, rdx);
          be.maxPoolBackward(bdy, ba, bdx);
          assertClose(bdx.data, rdx.data, sumTol(g.kernelH * g.kernelW), `maxPoolBackward ${what}`);
        }
      }
    });

    test('avgPool and avgPoolBackward (padding counted as zeros)', () => {
      for (const c of [...CASES, ...CONV_ONLY]) {
        const g = geometry(c);
        const nIn = g.height * g.width * g.channels, nOut = g.outH * g.outW * g.channels;
        const [rx, bx] = pair(be, g.batch, nIn);
        const [ry, by] = [ref.zeros(g.batch, nOut), be.fromArray(g.batch, nOut, new Float32Array(g.batch * nOut).fill(NaN))];
        ref.avgPool(rx, g, ry);
        be.avgPool(bx, g, by);
        const terms = g.kernelH * g.kernelW;
        assertClose(by.data, ry.data, tol.reduction * Math.sqrt(terms), `avgPool ${label(g)}`);
        const [rdy, bdy] = pair(be, g.batch, nOut);
        const [rdx, bdx] = [ref.zeros(g.batch, nIn), be.fromArray(g.batch, nIn, new Float32Array(g.batch * nIn).fill(NaN))];
        ref.avgPoolBackward(rdy, g, rdx);
        be.avgPoolBackward(bdy, g, bdx);
        assertClose(bdx.data, rdx.data, tol.reduction * Math.sqrt(terms), `avgPoolBackward ${label(g)}`);
      }
    });

    test('a -Infinity window pools to -Infinity with the first position as argmax', () => {
      const g = convGeometry(1, { height: 2, width: 2, channels: 2, kernelH: 2, kernelW: 2, stride: 1, pad: 0 });
      const x = be.fromArray(1, 8, new Array(8).fill(-Infinity));
      const y = be.zeros(1, 2), a = new Int32Array(2);
      be.maxPool(x, g, y, a);
      assert.deepEqual([...y.data], [-Infinity, -Infinity]);
      assert.deepEqual([...a], [0, 1]);
    });
  });
}

for (const a of all.filter((b) => b.available)) {
  describe(`backend '${a.name}': conv kernels by hand and their checks`, async () => {
    const be = await createBackend(a.name);

    test('maxPool of a constant image sends every window to its top-left pixel', () => {
      // 1 x 4 x 4 x 1, 2x2 windows, stride 2: windows start at pixels 0, 2, 8 and 10.
      const g = convGeometry(1, { height: 4, width: 4, channels: 1, kernelH: 2, kernelW: 2, stride: 2, pad: 0 });
      const y = be.zeros(1, 4), arg = new Int32Array(4);
      be.maxPool(be.fromArray(1, 16, new Array(16).fill(0.5)), g, y, arg);
      assert.deepEqual([...arg], [0, 2, 8, 10]);
      assert.deepEqual([...y.data], [0.5, 0.5, 0.5, 0.5]);
      // with padding 1 and 3x3 windows the top-left window's first image pixel is (0, 0)
      const gp = convGeometry(1, { height: 4, width: 4, channels: 1, kernelH: 3, kernelW: 3, stride: 2, pad: 1 });
      const yp = be.zeros(1, 4), ap = new Int32Array(4);
      be.maxPool(be.fromArray(1, 16, new Array(16).fill(-2)), gp, yp, ap);
      assert.deepEqual([...ap], [0, 1, 4, 5]);
      assert.deepEqual([...yp.data], [-2, -2, -2, -2], 'padding is skipped, not a zero that beats -2');
    });

    test('im2col by hand: a 3x3 single-channel image, 2x2 kernel, pad 1, stride 2', () => {
      const g = convGeometry(1, { height: 3, width: 3, channels: 1, kernelH: 2, kernelW: 2, stride: 2, pad: 1 });
      assert.deepEqual([g.outH, g.outW], [2, 2]);
      const cols = be.zeros(4, 4);
      be.im2col(be.fromArray(1, 9, [1, 2, 3, 4, 5, 6, 7, 8, 9]), g, cols);
      // windows start at (-1, -1), (-1, 1), (1, -1), (1, 1)
      assert.deepEqual([...cols.data], [0, 0, 0, 1, 0, 0, 2, 3, 0, 4, 0, 7, 5, 6, 8, 9]);
    });

    test('avgPool counts the padding as zeros', () => {
      const g = convGeometry(1, { height: 2, width: 2, channels: 1, kernelH: 2, kernelW: 2, stride: 1, pad: 1 });
      const y = be.zeros(1, 9);
      be.avgPool(be.fromArray(1, 4, [4, 8, 12, 16]), g, y);
      assert.deepEqual([...y.data], [1, 3, 2, 4, 10, 6, 3, 7, 4]);
    });

    test('reshape is a view: writes through either side are seen by both, and disposing it frees nothing', () => {
      const x = be.fromArray(2, 6, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
      const v = be.reshape(x, 4, 3);
      assert.deepEqual(v.shape, [4, 3]);
      assert.equal(v.get(3, 2), 11);
      v.set(1, 0, -1);
      assert.equal(x.get(0, 3), -1);
      x.set(1, 5, 42);
      assert.equal(v.get(3, 2), 42);
      // kernels accept the view as their own matrix
      const out = be.zeros(4, 3);
      be.add(v, v, out);
      assert.equal(out.get(3, 2), 84);
      const vv = be.reshape(v, 12, 1);
      assert.equal(vv.get(11, 0), 42);
      v.dispose();
      vv.dispose();
      assert.equal(x.get(1, 5), 42, 'x survives its views');
      const w = be.reshape(x, 1, 12);
      x.dispose();
      assert.throws(() => w.data, /after dispose/);
    });

    test('reshape refuses a different number of elements, naming both shapes', () => {
      assert.throws(() => be.reshape(be.zeros(2, 6), 5, 3), (e: unknown) => e instanceof ShapeError && /^reshape: \[2, 6\] holds 12 numbers, \[5, 3\] needs 15/.test(e.message));
      assert.throws(() => be.reshape(be.zeros(2, 6), -3, -4), /^RangeError: reshape: shape \[-3, -4\]/);
    });

    test('the conv kernels check sizes against the geometry, naming the kernel and the fix', () => {
      const g = convGeometry(2, { height: 5, width: 4, channels: 3, kernelH: 3, kernelW: 3, stride: 1, pad: 1 });
      const x = be.zeros(2, 60), cols = be.zeros(40, 27), y = be.zeros(2, 60);
      assert.throws(() => be.im2col(be.zeros(2, 59), g, cols), /^ShapeError: im2col: x is \[2, 59\] \(118 numbers\) but geometry .* needs batch \* height \* width \* channels = 120; pass \[2, 60\]/);
      assert.throws(() => be.im2col(x, g, be.zeros(40, 26)), /^ShapeError: im2col: cols is \[40, 26\] but geometry .* needs .* = \[40, 27\]/);
      assert.throws(() => be.col2im(cols, g, be.zeros(1, 60)), /^ShapeError: col2im: dx is \[1, 60\]/);
      assert.throws(() => be.im2col(x, { ...g, outH: 4 }, cols), /^RangeError: im2col: geometry .* says out 4x4 but .* gives 5x4/);
      assert.throws(() => be.im2col(x, { ...g, stride: 0 }, cols), /^RangeError: im2col: geometry .* needs integers/);
      assert.throws(() => be.maxPool(x, g, y, new Int32Array(119)), /^ShapeError: maxPool: argmax has length 119, need 120/);
      assert.throws(() => be.maxPool(x, g, be.zeros(2, 61), new Int32Array(122)), /^ShapeError: maxPool: y is \[2, 61\]/);
      const gp = convGeometry(2, { height: 5, width: 4, channels: 3, kernelH: 2, kernelW: 2, stride: 2, pad: 2 });
      assert.throws(() => be.maxPool(x, gp, be.zeros(2, 48), new Int32Array(96)), /^RangeError: maxPool: pad 2 with a 2x2 window leaves windows with no image pixel/);
      assert.throws(() => be.maxPoolBackward(be.zeros(2, 60), new Int32Array(119), x), /^ShapeError: maxPoolBackward: argmax has length 119 but dy \[2, 60\] has 120/);
      const bad = new Int32Array(120);
      bad[7] = 120;
      assert.throws(() => be.maxPoolBackward(be.zeros(2, 60), bad, x), /^RangeError: maxPoolBackward: argmax\[7\] = 120 is outside dx \[2, 60\]/);
      assert.throws(() => be.avgPool(x, g, be.zeros(2, 59)), /^ShapeError: avgPool: y is \[2, 59\]/);
      assert.throws(() => be.avgPoolBackward(be.zeros(2, 59), g, x), /^ShapeError: avgPoolBackward: dy is \[2, 59\]/);
    });
  });
}
