import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { availableBackends, createBackend, createReferenceBackend, Rng, type Backend, type DenseParams, type Matrix } from '../../src/index.ts';
import { maximizeActivation, meanPairwiseCosine, UnitInputGradient, type ActmaxTarget } from '../../src/analysis/activation-maximization.ts';
import { assertGradClose, numericGradient } from '../helpers/numeric-gradient.ts';
import { TOLERANCE, assertClose } from '../helpers/tolerances.ts';
import { skipIfMissing } from '../helpers/skip-if-missing.ts';

/** A random stack `sizes[0] -> sizes[1] -> ...` with weights of scale `scale` (uniform). */
function randomStack(be: Backend, sizes: number[], seed: number, scale = 1): DenseParams[] {
  const rng = new Rng(seed).fork('stack');
  return sizes.slice(1).map((n, i) => {
    const m = sizes[i]!;
    const w = rng.fillUniform(new Float64Array(m * n), -scale, scale);
    const b = rng.fillUniform(new Float64Array(n), -0.5, 0.5);
    return { W: be.fromArray(m, n, w), b: be.fromArray(1, n, b) };
  });
}

const cosine = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
  let ab = 0, aa = 0, bb = 0;
  for (let i = 0; i < a.length; i++) {
    ab += a[i]! * b[i]!;
    aa += a[i]! * a[i]!;
    bb += b[i]! * b[i]!;
  }
  return ab / Math.sqrt(aa * bb);
};

/** The closed-form optimum of one sigmoid unit on the sphere ||x|| = rho is x = rho w / ||w||: check the method finds it. */
function checkSingleUnit(be: Backend, target: ActmaxTarget): void {
  const [p] = randomStack(be, [50, 1], 7, 0.3) as [DenseParams];
  const w = Array.from(p.W.data), b = p.b.data[0]!;
  const wn = Math.sqrt(w.reduce((s, v) => s + v * v, 0));
  const rho = 4;
  const r = maximizeActivation({ backend: be, layers: [p], units: [0], norm: rho, rng: new Rng(3).fork('actmax'), target });
  const x = r.patterns;
  const xn = Math.sqrt(x.reduce((s, v) => s + v * v, 0));
  assert.ok(Math.abs(xn - rho) < 1e-4 * rho, `the solution has norm rho (${xn})`);
  assert.ok(cosine(x, w) > 1 - 1e-6, `cos(x, w) = ${cosine(x, w)}`);
  for (let i = 0; i < w.length; i++) assert.ok(Math.abs(x[i]! - (rho * w[i]!) / wn) < 2e-3, `x[${i}] = ${x[i]} vs rho w/||w|| = ${(rho * w[i]!) / wn}`);
  const a = rho * wn + b;
  const want = target === 'pre' ? a : 1 / (1 + Math.exp(-a));
  assert.ok(Math.abs(r.activation[0]! - want) < 1e-4 * (1 + Math.abs(want)), `activation ${r.activation[0]} vs ${want}`);
  assert.ok(r.agreement[0]! > 1 - 1e-6, `all 10 starts agree (${r.agreement[0]})`);
}

describe('activation maximization', () => {
  const ref = createReferenceBackend('float32');

  test('on one sigmoid unit it finds the closed-form optimum x = rho w / ||w|| from every start, pre- and post-sigmoid', () => {
    checkSingleUnit(ref, 'pre');
    checkSingleUnit(ref, 'post');
  });

  test('the input gradient through a 3-layer sigmoid stack equals float64 central differences, pre- and post-sigmoid', () => {
    const be = createReferenceBackend('float64');
    const stack = randomStack(be, [7, 6, 5, 4], 11, 1.5);
    for (const target of ['pre', 'post'] as const) {
      for (const depth of [1, 2, 3]) {
        const units = Int32Array.from([0, 3, 1, 2].map((j) => j % stack[depth - 1]!.W.cols));
        const fn = new UnitInputGradient(be, stack.slice(0, depth), 'sigmoid', units, target);
        const x = be.fromArray(units.length, 7, new Rng(5).fork('x').fillUniform(new Float64Array(units.length * 7), -1, 1));
        fn.evaluate(x);
        const analytic = Float64Array.from(fn.grad.data);
        // rows are independent, so d(sum of rows' values)/dx[r, k] = d value_r / dx[r, k]
        const numeric = numericGradient(x, () => fn.evaluate(x).reduce((s, v) => s + v, 0));
        assertGradClose(analytic, numeric, `${depth} layers, ${target}-sigmoid`, 1e-7);
        fn.dispose();
      }
    }
  });

  test('the best start of each unit climbs above every start and the starts of a deep unit agree less than those of a linear one', () => {
    const stack = randomStack(ref, [30, 20, 10], 4, 1);
    const r = maximizeActivation({ backend: ref, layers: stack, units: [0, 5, 9], norm: 3, rng: new Rng(1).fork('actmax'), steps: 200 });
    assert.equal(r.patterns.length, 3 * 30);
    const fn = new UnitInputGradient(ref, stack, 'sigmoid', Int32Array.from([0, 5, 9]));
    const rand = ref.fromArray(3, 30, new Rng(9).fork('r').fillNormal(new Float32Array(90)));
    const d = rand.data;
    for (let u = 0; u < 3; u++) {
      let n = 0;
      for (let k = 0; k < 30; k++) n += d[u * 30 + k]! ** 2;
      for (let k = 0; k < 30; k++) d[u * 30 + k]! *= 3 / Math.sqrt(n);
    }
    const atRandom = fn.evaluate(rand);
    for (let u = 0; u < 3; u++) assert.ok(r.activation[u]! > atRandom[u]!, `unit ${u}: ${r.activation[u]} > ${atRandom[u]} at a random input`);
    const at = fn.evaluate(ref.fromArray(3, 30, r.patterns));
    assertClose(at, r.activation, 1e-5, 'reported activation is the activation at the pattern');
    for (const a of r.agreement) assert.ok(a <= 1 + 1e-9 && a >= -1, `agreement ${a} is a cosine`);
  });

  test('the same rng stream gives the same patterns; another stream starts elsewhere', () => {
    const stack = randomStack(ref, [20, 8, 6], 2);
    const run = (seed: number) => maximizeActivation({ backend: ref, layers: stack, units: [1, 2], norm: 2, rng: new Rng(seed).fork('actmax'), steps: 20 });
    assert.deepEqual(run(1).patterns, run(1).patterns);
    assert.notDeepEqual(run(1).patterns, run(2).patterns);
  });

  test('meanPairwiseCosine is the mean of the pairs\' cosines and 1 for a single row', () => {
    const x = [1, 0, 0, 1, 1, 1]; // rows (1,0), (0,1), (1,1): cosines 0, 1/sqrt2, 1/sqrt2
    assert.ok(Math.abs(meanPairwiseCosine(x, 2, 0, 3) - (2 / Math.SQRT2) / 3) < 1e-12);
    assert.equal(meanPairwiseCosine(x, 2, 1, 1), 1);
  });
});

const all = await availableBackends();
for (const a of all) if (!a.available && a.name !== 'reference64') skipIfMissing(`backend '${a.name}'`, a.reason ?? 'unavailable');
for (const avail of all.filter((a) => a.available && (a.name === 'wasm' || a.name === 'native'))) {
  describe(`activation maximization on backend '${avail.name}'`, async () => {
    const be = await createBackend(avail.name);
    const ref = createReferenceBackend('float32');

    test('the input gradient and activations equal the reference backend\'s to float32 rounding', () => {
      const sizes = [784, 37, 21, 9];
      const mine = randomStack(be, sizes, 3, 0.2), theirs = randomStack(ref, sizes, 3, 0.2);
      const units = Int32Array.from({ length: 13 }, (_, r) => r % 9);
      const xs = new Rng(4).fork('x').fillUniform(new Float32Array(13 * 784), 0, 1);
      const run = (b: Backend, s: DenseParams[]): [Float64Array, Float32Array] => {
        const fn = new UnitInputGradient(b, s, 'sigmoid', units, 'post');
        const x: Matrix = b.fromArray(13, 784, xs);
        const v = Float64Array.from(fn.evaluate(x));
        const g = Float32Array.from(fn.grad.data);
        fn.dispose();
        return [v, g];
      };
      const [v1, g1] = run(be, mine), [v2, g2] = run(ref, theirs);
      const tol = TOLERANCE.float32.gemm * Math.sqrt(784);
      assertClose(v1, v2, tol, `${avail.name} activations`);
      assertClose(g1, g2, tol, `${avail.name} input gradient`);
    });

    test('finds the closed-form optimum of one sigmoid unit', () => checkSingleUnit(be, 'pre'));
  });
}
