/**
 * Conformance of the normalisation and dropout kernels (batchNormForward, channelAffine,
 * batchNormBackward, groupNormForward, groupNormBackward, dropoutMask): every backend against
 * `reference` at odd shapes (channels 1, 3, 7, 33; spatial 1 and 5x5; batch 2, 3, 17; groups 1,
 * C and a middle divisor), in place where documented, plus the checks of `checkedKernels`. The
 * fast backends normalise groups either run by run (S = 1, or >= 16 channels per group) or channel
 * by channel (conv maps with few channels per group); these shapes exercise both.
 * Tolerances come from the one table in `test/helpers/tolerances.ts`; statistics are sums over
 * `rows` (batch norm) or `S * C / groups` numbers (group norm), so their entries scale by the
 * square root of that count, like colSums in conformance.test.ts.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { availableBackends, createBackend, createReferenceBackend, Rng, ShapeError, type Backend, type Matrix } from '../../src/index.ts';
import { TOLERANCE, assertClose } from '../helpers/tolerances.ts';
import { skipIfMissing } from '../helpers/skip-if-missing.ts';

const ref = createReferenceBackend('float32');
const rng = new Rng(2024).fork('conformance-norm');

/** Same random numbers in both backends. */
function pair(be: Backend, rows: number, cols: number, lo = -1, hi = 1): [Matrix, Matrix] {
  const v = rng.fillUniform(new Float32Array(rows * cols), lo, hi);
  return [ref.fromArray(rows, cols, v), be.fromArray(rows, cols, v)];
}

const CHANNELS = [1, 3, 7, 33];
const SPATIAL = [1, 25];
const BATCHES = [2, 3, 17];

/** Group counts to test for C channels: 1, C and a divisor in between when there is one. */
function groupCounts(channels: number): number[] {
  const mid = [];
  for (let g = 2; g < channels; g++) if (channels % g === 0) mid.push(g);
  return [...new Set([1, channels, ...mid.slice(0, 1)])];
}

/** The float32 number next to the float32 `v` in direction `dir` (+1 up, -1 down), for positive v. */
function nextFloat32(v: number, dir: 1 | -1): number {
  const f = new Float32Array([v]);
  const bits = new Int32Array(f.buffer);
  bits[0]! += dir;
  return f[0]!;
}

/** Every (batch, spatial, channels) combination of the odd shapes. */
function* shapes(): Generator<{ batch: number; spatial: number; channels: number }> {
  for (const channels of CHANNELS) for (const spatial of SPATIAL) for (const batch of BATCHES) yield { batch, spatial, channels };
}

const all = await availableBackends();
for (const a of all) if (!a.available) skipIfMissing(`backend '${a.name}'`, a.reason ?? 'unavailable');
const backends = all.filter((a) => a.available && a.name !== 'reference');

for (const avail of backends) {
  const be = await createBackend(avail.name);
  const tol = TOLERANCE.float32;

  describe(`backend '${avail.name}' norm kernels conform to reference`, () => {
    test('batchNormForward: mean, invStd and y over [batch * S, C] at odd shapes', () => {
      for (const { batch, spatial, channels } of shapes()) {
        const rows = batch * spatial, what = `batch=${batch} S=${spatial} C=${channels}`;
        // An offset per run so the mean is not ~0 (the single-pass variance must still be exact).
        const [rx, bx] = pair(be, batch, spatial * channels, -1, 3);
        const [rg, bg] = pair(be, 1, channels, 0.5, 2);
        const [rb, bb] = pair(be, 1, channels);
        const [rm, bm] = [ref.zeros(1, channels), be.zeros(1, channels)];
        const [rs, bs] = [ref.zeros(1, channels), be.zeros(1, channels)];
        const [ry, by] = [ref.zeros(batch, spatial * channels), be.zeros(batch, spatial * channels)];
        ref.batchNormForward(rx, channels, rg, rb, 1e-5, rm, rs, ry);
        be.batchNormForward(bx, channels, bg, bb, 1e-5, bm, bs, by);
        const t = tol.reduction * Math.sqrt(rows);
        assertClose(bm.data, rm.data, t, `batchNormForward mean ${what}`);
        assertClose(bs.data, rs.data, t, `batchNormForward invStd ${what}`);
        assertClose(by.data, ry.data, t, `batchNormForward y ${what}`);
      }
    });

    // float32 backends only: the stored float32 mean (~1000, ulp 6e-5) is part of what is compared.
    test('batchNormForward: a large mean over a small spread keeps its variance (single-pass statistics)', { skip: be.dtype !== 'float32' && 'float32 backends only' }, () => {
      const rows = 301, channels = 5;
      const v = new Float32Array(rows * channels);
      for (let i = 0; i < v.length; i++) v[i] = 1000 + (i % channels) * 250 + 0.01 * (rng.uniform() - 0.5);
      const [rx, bx] = [ref.fromArray(rows, channels, v), be.fromArray(rows, channels, v)];
      const ones = new Float32Array(channels).fill(1), zeros = new Float32Array(channels);
      const [rm, bm, rs, bs] = [ref.zeros(1, channels), be.zeros(1, channels), ref.zeros(1, channels), be.zeros(1, channels)];
      const [ry, by] = [ref.zeros(rows, channels), be.zeros(rows, channels)];
      ref.batchNormForward(rx, channels, ref.fromArray(1, channels, ones), ref.fromArray(1, channels, zeros), 0, rm, rs, ry);
      be.batchNormForward(bx, channels, be.fromArray(1, channels, ones), be.fromArray(1, channels, zeros), 0, bm, bs, by);
      // invStd ~ 350: relative closeness, then the normalised outputs (unit variance) in absolute terms.
      for (let c = 0; c < channels; c++) assert.ok(Math.abs(bs.data[c]! / rs.data[c]! - 1) < 1e-4, `invStd[${c}] ${bs.data[c]} vs ${rs.data[c]}`);
      assertClose(by.data, ry.data, 1e-3, 'normalised outputs of large-mean data');
    });

    test('channelAffine: gamma (x - mean) invStd + beta per channel', () => {
      for (const { batch, spatial, channels } of shapes()) {
        const [rx, bx] = pair(be, batch * spatial, channels, -2, 2);
        const [rm, bm] = pair(be, 1, channels);
        const [rs, bs] = pair(be, 1, channels, 0.1, 3);
        const [rg, bg] = pair(be, 1, channels, -2, 2);
        const [rb, bb] = pair(be, 1, channels);
        const [ry, by] = [ref.zeros(batch * spatial, channels), be.zeros(batch * spatial, channels)];
        ref.channelAffine(rx, channels, rm, rs, rg, rb, ry);
        be.channelAffine(bx, channels, bm, bs, bg, bb, by);
        assertClose(by.data, ry.data, 4 * tol.elementwise, `channelAffine batch=${batch} S=${spatial} C=${channels}`);
      }
    });

    test('batchNormBackward: dgamma, dbeta and dx with the forward statistics', () => {
      for (const { batch, spatial, channels } of shapes()) {
        const rows = batch * spatial, what = `batch=${batch} S=${spatial} C=${channels}`;
        const [rx, bx] = pair(be, rows, channels, -1, 3);
        const [rdy, bdy] = pair(be, rows, channels);
        const [rg, bg] = pair(be, 1, channels, 0.5, 2);
        const [rb, bb] = pair(be, 1, channels);
        const [rm, bm, rs, bs] = [ref.zeros(1, channels), be.zeros(1, channels), ref.zeros(1, channels), be.zeros(1, channels)];
        const [ry, by] = [ref.zeros(rows, channels), be.zeros(rows, channels)];
        ref.batchNormForward(rx, channels, rg, rb, 1e-5, rm, rs, ry);
        be.batchNormForward(bx, channels, bg, bb, 1e-5, bm, bs, by);
        // The same statistics on both sides, so the backward pass alone is compared.
        be.copy(be.fromArray(1, channels, rm.data), bm);
        be.copy(be.fromArray(1, channels, rs.data), bs);
        const [rdx, bdx] = [ref.zeros(rows, channels), be.zeros(rows, channels)];
        const [rdg, bdg, rdb, bdb] = [ref.zeros(1, channels), be.zeros(1, channels), ref.zeros(1, channels), be.zeros(1, channels)];
        be.fill(bdg, 9); be.fill(bdb, 9); // overwritten, not accumulated into
        ref.batchNormBackward(rx, rdy, channels, rm, rs, rg, rdx, rdg, rdb);
        be.batchNormBackward(bx, bdy, channels, bm, bs, bg, bdx, bdg, bdb);
        const t = tol.reduction * Math.sqrt(rows);
        assertClose(bdb.data, rdb.data, t, `batchNormBackward dbeta ${what}`);
        assertClose(bdg.data, rdg.data, t, `batchNormBackward dgamma ${what}`);
        assertClose(bdx.data, rdx.data, t, `batchNormBackward dx ${what}`);
      }
    });

    test('groupNormForward: per-example group statistics and y for groups 1, C and a divisor', () => {
      for (const { batch, spatial, channels } of shapes()) {
        for (const groups of groupCounts(channels)) {
          const what = `batch=${batch} S=${spatial} C=${channels} groups=${groups}`;
          const m = (spatial * channels) / groups;
          const [rx, bx] = pair(be, batch, spatial * channels, -1, 3);
          const [rg, bg] = pair(be, 1, channels, 0.5, 2);
          const [rb, bb] = pair(be, 1, channels);
          const [rm, bm, rs, bs] = [ref.zeros(batch, groups), be.zeros(batch, groups), ref.zeros(batch, groups), be.zeros(batch, groups)];
          const [ry, by] = [ref.zeros(batch, spatial * channels), be.zeros(batch, spatial * channels)];
          ref.groupNormForward(rx, channels, groups, rg, rb, 1e-5, rm, rs, ry);
          be.groupNormForward(bx, channels, groups, bg, bb, 1e-5, bm, bs, by);
          const t = tol.reduction * Math.sqrt(m);
          assertClose(bm.data, rm.data, t, `groupNormForward mean ${what}`);
          assertClose(bs.data, rs.data, t, `groupNormForward invStd ${what}`);
          assertClose(by.data, ry.data, t, `groupNormForward y ${what}`);
        }
      }
    });

    test('groupNormBackward: dgamma, dbeta and dx for groups 1, C and a divisor', () => {
      for (const { batch, spatial, channels } of shapes()) {
        for (const groups of groupCounts(channels)) {
          const what = `batch=${batch} S=${spatial} C=${channels} groups=${groups}`;
          const cols = spatial * channels, m = cols / groups;
          const [rx, bx] = pair(be, batch, cols, -1, 3);
          const [rdy, bdy] = pair(be, batch, cols);
          const [rg, bg] = pair(be, 1, channels, 0.5, 2);
          const [rb, bb] = pair(be, 1, channels);
          const [rm, bm, rs, bs] = [ref.zeros(batch, groups), be.zeros(batch, groups), ref.zeros(batch, groups), be.zeros(batch, groups)];
          const [ry, by] = [ref.zeros(batch, cols), be.zeros(batch, cols)];
          ref.groupNormForward(rx, channels, groups, rg, rb, 1e-5, rm, rs, ry);
          be.groupNormForward(bx, channels, groups, bg, bb, 1e-5, bm, bs, by);
          be.copy(be.fromArray(batch, groups, rm.data), bm);
          be.copy(be.fromArray(batch, groups, rs.data), bs);
          const [rdx, bdx] = [ref.zeros(batch, cols), be.zeros(batch, cols)];
          const [rdg, bdg, rdb, bdb] = [ref.zeros(1, channels), be.zeros(1, channels), ref.zeros(1, channels), be.zeros(1, channels)];
          be.fill(bdg, 9); be.fill(bdb, 9); // overwritten, not accumulated into
          ref.groupNormBackward(rx, rdy, channels, groups, rm, rs, rg, rdx, rdg, rdb);
          be.groupNormBackward(bx, bdy, channels, groups, bm, bs, bg, bdx, bdg, bdb);
          const tStat = tol.reduction * Math.sqrt(batch * spatial), t = tol.reduction * Math.sqrt(m);
          assertClose(bdb.data, rdb.data, tStat, `groupNormBackward dbeta ${what}`);
          assertClose(bdg.data, rdg.data, tStat, `groupNormBackward dgamma ${what}`);
          assertClose(bdx.data, rdx.data, t, `groupNormBackward dx ${what}`);
        }
      }
    });

    test('in place: y may alias x in the forward kernels, dx may alias dy in the backward kernels', () => {
      // a conv map with short group runs, and dense rows (S = 1: the group-by-group path of the fast backends)
      for (const [batch, spatial, channels, groups] of [[17, 25, 33, 11], [3, 1, 33, 3]] as const) {
        const cols = spatial * channels;
        const [, bx] = pair(be, batch, cols, -1, 3);
        const [, bdy] = pair(be, batch, cols);
        const [, bg] = pair(be, 1, channels, 0.5, 2);
        const [, bb] = pair(be, 1, channels);
        const clone = (m: Matrix): Matrix => be.fromArray(m.rows, m.cols, m.data);
        const cases: [string, (x: Matrix, out: Matrix) => void, Matrix][] = [
          ['batchNormForward', (x, y) => be.batchNormForward(x, channels, bg, bb, 1e-5, be.zeros(1, channels), be.zeros(1, channels), y), bx],
          ['channelAffine', (x, y) => be.channelAffine(x, channels, bb, bg, bg, bb, y), bx],
          ['groupNormForward', (x, y) => be.groupNormForward(x, channels, groups, bg, bb, 1e-5, be.zeros(batch, groups), be.zeros(batch, groups), y), bx],
        ];
        const bm = be.zeros(1, channels), bs = be.zeros(1, channels), gm = be.zeros(batch, groups), gs = be.zeros(batch, groups);
        be.batchNormForward(bx, channels, bg, bb, 1e-5, bm, bs, be.zeros(batch, cols));
        be.groupNormForward(bx, channels, groups, bg, bb, 1e-5, gm, gs, be.zeros(batch, cols));
        cases.push(
          ['batchNormBackward', (dy, dx) => be.batchNormBackward(bx, dy, channels, bm, bs, bg, dx, be.zeros(1, channels), be.zeros(1, channels)), bdy],
          ['groupNormBackward', (dy, dx) => be.groupNormBackward(bx, dy, channels, groups, gm, gs, bg, dx, be.zeros(1, channels), be.zeros(1, channels)), bdy],
        );
        for (const [op, run, input] of cases) {
          const out = be.zeros(batch, cols);
          run(input, out);
          const inPlace = clone(input);
          run(inPlace, inPlace);
          assertClose(inPlace.data, out.data, 0, `${op} in place S=${spatial}`);
        }
      }
    });

    test('dropoutMask: the same units dropped, including u exactly at and next to keep', () => {
      for (const keep of [1, 0.9, 0.5, 0.3, 0.8, 0.123456789]) {
        const n = 1003;
        const u = rng.fillUniform(new Float32Array(n));
        // uniforms at and next to the float32 rounding of keep
        const k32 = Math.fround(keep), near = [k32, nextFloat32(k32, -1), nextFloat32(k32, 1), nextFloat32(nextFloat32(k32, -1), -1)];
        near.forEach((v, i) => (u[i] = v));
        const [ru, bu] = [ref.fromArray(1, n, u), be.fromArray(1, n, u)];
        const [rmask, bmask] = [ref.zeros(1, n), be.zeros(1, n)];
        ref.dropoutMask(ru, keep, rmask);
        be.dropoutMask(bu, keep, bmask);
        // The same units dropped (exactly), the kept ones scaled by 1 / keep (reference64 does not round it to float32).
        assert.deepEqual([...bmask.data].map((v) => v === 0), [...rmask.data].map((v) => v === 0), `dropoutMask keep=${keep} drops`);
        assertClose(bmask.data, rmask.data, tol.elementwise, `dropoutMask keep=${keep}`);
        be.dropoutMask(bu, keep, bu); // in place
        assertClose(bu.data, bmask.data, 0, `dropoutMask keep=${keep} in place`);
      }
    });
  });
}

describe('checked norm kernels refuse bad arguments, naming the kernel, the shapes and the fix', () => {
  const be = createReferenceBackend('float32');
  const z = (r: number, c: number): Matrix => be.zeros(r, c);
  const cases: [string, () => unknown, RegExp][] = [
    ['batchNormForward size', () => be.batchNormForward(z(2, 5), 3, z(1, 3), z(1, 3), 1e-5, z(1, 3), z(1, 3), z(2, 5)), /^batchNormForward: x is \[2, 5\] \(10 numbers\), not divisible into 3 channels/],
    ['batchNormForward gamma', () => be.batchNormForward(z(4, 3), 3, z(1, 4), z(1, 3), 1e-5, z(1, 3), z(1, 3), z(4, 3)), /^batchNormForward: gamma must be \[1, 3\] .* but is \[1, 4\]/],
    ['batchNormForward invStd', () => be.batchNormForward(z(4, 3), 3, z(1, 3), z(1, 3), 1e-5, z(1, 3), z(3, 1), z(4, 3)), /^batchNormForward: invStd must be \[1, 3\]/],
    ['batchNormForward y', () => be.batchNormForward(z(4, 3), 3, z(1, 3), z(1, 3), 1e-5, z(1, 3), z(1, 3), z(4, 2)), /^batchNormForward: x is \[4, 3\] \(12 numbers\) but y is \[4, 2\]/],
    ['batchNormForward no rows', () => be.batchNormForward(z(0, 3), 3, z(1, 3), z(1, 3), 1e-5, z(1, 3), z(1, 3), z(0, 3)), /^batchNormForward: x is \[0, 3\], no rows/],
    ['channelAffine mean', () => be.channelAffine(z(4, 3), 3, z(1, 2), z(1, 3), z(1, 3), z(1, 3), z(4, 3)), /^channelAffine: mean must be \[1, 3\]/],
    ['batchNormBackward dbeta', () => be.batchNormBackward(z(4, 3), z(4, 3), 3, z(1, 3), z(1, 3), z(1, 3), z(4, 3), z(1, 3), z(3, 3)), /^batchNormBackward: dbeta must be \[1, 3\]/],
    ['batchNormBackward dy', () => be.batchNormBackward(z(4, 3), z(4, 2), 3, z(1, 3), z(1, 3), z(1, 3), z(4, 3), z(1, 3), z(1, 3)), /^batchNormBackward: x is \[4, 3\] \(12 numbers\) but dy is \[4, 2\]/],
    ['groupNormForward row', () => be.groupNormForward(z(2, 10), 6, 3, z(1, 6), z(1, 6), 1e-5, z(2, 3), z(2, 3), z(2, 10)), /^groupNormForward: x is \[2, 10\], but a row must hold spatial \* channels numbers/],
    ['groupNormForward mean', () => be.groupNormForward(z(2, 6), 6, 3, z(1, 6), z(1, 6), 1e-5, z(1, 3), z(2, 3), z(2, 6)), /^groupNormForward: mean must be \[2, 3\] .* but is \[1, 3\]/],
    ['groupNormBackward dx', () => be.groupNormBackward(z(2, 6), z(2, 6), 6, 3, z(2, 3), z(2, 3), z(1, 6), z(6, 2), z(1, 6), z(1, 6)), /^groupNormBackward: x is \[2, 6\] but dx is \[6, 2\]/],
    ['dropoutMask shape', () => be.dropoutMask(z(2, 3), 0.5, z(3, 2)), /^dropoutMask: u is \[2, 3\] but mask is \[3, 2\]/],
  ];
  for (const [name, call, re] of cases) {
    test(`${name}`, () => assert.throws(call, (e: unknown) => e instanceof ShapeError && re.test(e.message), name));
  }
  test('range errors: channels, groups, eps and keep', () => {
    assert.throws(() => be.batchNormForward(z(4, 3), 0, z(1, 0), z(1, 0), 1e-5, z(1, 0), z(1, 0), z(4, 3)), /^RangeError: batchNormForward: channels is 0 but must be a positive integer/);
    assert.throws(() => be.batchNormForward(z(4, 3), 3, z(1, 3), z(1, 3), -1, z(1, 3), z(1, 3), z(4, 3)), /batchNormForward: eps is -1 but must be a finite number >= 0/);
    assert.throws(() => be.groupNormForward(z(2, 6), 6, 4, z(1, 6), z(1, 6), 1e-5, z(2, 4), z(2, 4), z(2, 6)), /^RangeError: groupNormForward: groups is 4 but must be a positive integer dividing channels \(6\); use a divisor of 6/);
    assert.throws(() => be.groupNormBackward(z(2, 6), z(2, 6), 6, 0, z(2, 0), z(2, 0), z(1, 6), z(2, 6), z(1, 6), z(1, 6)), /^RangeError: groupNormBackward: groups is 0/);
    for (const keep of [0, -0.5, 1.5, NaN]) {
      assert.throws(() => be.dropoutMask(z(1, 3), keep, z(1, 3)), (e: unknown) => e instanceof RangeError && /^dropoutMask: keep is .* but must be in \(0, 1\]/.test(e.message), `keep ${keep}`);
    }
  });
});
