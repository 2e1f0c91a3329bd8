import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { availableBackends, createBackend, createReferenceBackend, Rng } from '../../src/index.ts';
import { Dropout } from '../../src/nn/dropout.ts';
import { numericGradient, assertGradClose } from '../helpers/numeric-gradient.ts';

const be64 = createReferenceBackend('float64');

describe('Dropout', () => {
  test('a rate outside [0, 1) is refused with a clear message', () => {
    for (const rate of [-0.1, 1, 1.5, NaN]) {
      assert.throws(
        () => new Dropout(be64, 4, rate, new Rng(1)),
        (e: unknown) => e instanceof RangeError && e.message.startsWith('dropout rate must be in [0, 1)') && e.message.includes(`but is ${rate}`),
        `rate ${rate}`,
      );
    }
    assert.throws(() => new Dropout(be64, 0, 0.5, new Rng(1)), /Dropout: n is 0 but must be a positive integer/);
  });

  test('evaluation (and rate 0) is the identity: forward returns x itself, backward dy itself, no numbers drawn', () => {
    const x = be64.fromArray(2, 3, [1, 2, 3, 4, 5, 6]);
    const dy = be64.fromArray(2, 3, [6, 5, 4, 3, 2, 1]);
    const rng = new Rng(4), untouched = new Rng(4);
    for (const [rate, train] of [[0.5, false], [0, true]] as const) {
      const d = new Dropout(be64, 3, rate, rng);
      assert.equal(d.forward(x, train), x);
      assert.equal(d.backward(dy, true), dy);
      assert.equal(d.mask, null);
    }
    assert.equal(rng.uniform(), untouched.uniform(), 'the stream was not consumed');
  });

  test('training is inverted dropout: y = x [u < keep] / keep with u from the stream, dx = dy * mask', () => {
    const rate = 0.3, keep = 0.7;
    const d = new Dropout(be64, 5, rate, new Rng(12).fork('dropout'));
    const x = be64.fromArray(4, 5, new Rng(2).fillUniform(new Float64Array(20), -1, 1));
    const y = d.forward(x, true);
    const u = new Rng(12).fork('dropout').fillUniform(new Float64Array(20));
    const mask = [...u].map((v) => (v < keep ? 1 / keep : 0));
    const want = [...x.data].map((v, i) => v * mask[i]!);
    assert.deepEqual([...y.data], want);
    assert.ok(want.some((v) => v === 0) && want.some((v) => v !== 0), 'the mask both drops and keeps');
    const dy = be64.fromArray(4, 5, new Rng(3).fillUniform(new Float64Array(20), -1, 1));
    assert.deepEqual([...d.backward(dy, true)!.data], [...dy.data].map((v, i) => v * mask[i]!));
    assert.deepEqual([...d.mask!.data], mask);
    assert.equal(d.backward(dy, false), null);
  });

  test('the expected value is preserved: the mean of y over many units approaches x, and about rate of them are dropped', () => {
    const n = 20000, rate = 0.4;
    const d = new Dropout(be64, n, rate, new Rng(21).fork('dropout'));
    const y = d.forward(be64.fromArray(1, n, new Float64Array(n).fill(1)), true);
    let sum = 0, dropped = 0;
    for (const v of y.data) {
      sum += v;
      if (v === 0) dropped++;
    }
    // y is 0 or 1/keep; its standard deviation is sqrt(rate / keep) = 0.82, so the mean's is 0.0058
    assert.ok(Math.abs(sum / n - 1) < 4 * Math.sqrt(rate / (1 - rate) / n), `mean ${sum / n}`);
    assert.ok(Math.abs(dropped / n - rate) < 4 * Math.sqrt((rate * (1 - rate)) / n), `dropped fraction ${dropped / n}`);
  });

  test('deterministic by seed: the same seed gives the same masks (one stream consumed in order), another seed others', () => {
    const masks = (seed: number): number[][] => {
      const rng = new Rng(seed).fork('dropout');
      const a = new Dropout(be64, 6, 0.5, rng), b = new Dropout(be64, 6, 0.5, rng);
      const x = be64.fromArray(3, 6, new Float64Array(18).fill(1));
      return [a, b, a].map((d) => [...d.forward(x, true).data]);
    };
    const m = masks(5);
    assert.deepEqual(masks(5), m);
    assert.notDeepEqual(m[0], m[1], 'the second layer draws after the first');
    assert.notDeepEqual(m[0], m[2], 'a second step draws new numbers');
    assert.notDeepEqual(masks(6), m);
  });

  test('the same seed gives the same mask on every backend', async () => {
    const want = new Dropout(be64, 37, 0.25, new Rng(7).fork('dropout')).forward(be64.fromArray(3, 37, new Float64Array(111).fill(1)), true);
    for (const a of (await availableBackends()).filter((b) => b.available)) {
      const be = await createBackend(a.name);
      const y = new Dropout(be, 37, 0.25, new Rng(7).fork('dropout')).forward(be.fromArray(3, 37, new Float32Array(111).fill(1)), true);
      assert.deepEqual([...y.data].map((v) => v === 0), [...want.data].map((v) => v === 0), a.name);
    }
  });

  test('backward matches float64 central differences with a fixed mask (fixed seed)', () => {
    const x = be64.fromArray(3, 7, new Rng(1).fillUniform(new Float64Array(21), -1, 1));
    const r = be64.fromArray(3, 7, new Rng(2).fillUniform(new Float64Array(21), -1, 1));
    // A fresh layer on the same seed for every evaluation, so every forward draws the same mask.
    const fresh = (): Dropout => new Dropout(be64, 7, 0.5, new Rng(99).fork('dropout'));
    const loss = (): number => {
      const y = fresh().forward(x, true);
      let s = 0;
      for (let i = 0; i < y.size; i++) s += y.data[i]! * r.data[i]!;
      return s;
    };
    const gx = numericGradient(x, loss);
    const d = fresh();
    d.forward(x, true);
    assertGradClose(d.backward(r, true)!.data, gx, 'dx');
    assert.ok(gx.some((v) => v === 0), 'some units are dropped');
  });
});
