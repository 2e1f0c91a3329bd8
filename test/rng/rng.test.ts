import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng, philox4x32 } from '../../src/index.ts';

test('philox4x32 matches the Random123 known-answer vectors', () => {
  const o = new Uint32Array(4);
  philox4x32(0, 0, 0, 0, 0, 0, o);
  assert.deepEqual([...o], [0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8]);
  philox4x32(0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff, o);
  assert.deepEqual([...o], [0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd]);
  philox4x32(0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344, 0xa4093822, 0x299f31d0, o);
  assert.deepEqual([...o], [0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1]);
});

test('the same seed and stream give the same numbers', () => {
  const a = new Rng(7).fork('init'), b = new Rng(7).fork('init');
  for (let i = 0; i < 1000; i++) assert.equal(a.nextU32(), b.nextU32());
});

test('named streams and seeds are independent (low correlation, no shared prefix)', () => {
  const n = 20000;
  const pairs: [Rng, Rng][] = [
    [new Rng(1).fork('init'), new Rng(1).fork('order')],
    [new Rng(1).fork('noise'), new Rng(2).fork('noise')],
    [new Rng(3).fork('data', 0), new Rng(3).fork('data', 1)],
  ];
  for (const [a, b] of pairs) {
    let sa = 0, sb = 0, sab = 0, saa = 0, sbb = 0, same = 0;
    for (let i = 0; i < n; i++) {
      const x = a.uniform(), y = b.uniform();
      if (x === y) same++;
      sa += x; sb += y; sab += x * y; saa += x * x; sbb += y * y;
    }
    const cov = sab / n - (sa / n) * (sb / n);
    const r = cov / Math.sqrt((saa / n - (sa / n) ** 2) * (sbb / n - (sb / n) ** 2));
    assert.ok(Math.abs(r) < 4 / Math.sqrt(n), `correlation ${r}`);
    assert.ok(same < 5);
  }
});

test('uniform draws have mean 1/2 and variance 1/12 within 5 standard errors', () => {
  const r = new Rng(123).fork('u');
  const n = 100000;
  let s = 0, s2 = 0, min = 1, max = 0;
  for (let i = 0; i < n; i++) {
    const u = r.uniform();
    s += u; s2 += u * u; min = Math.min(min, u); max = Math.max(max, u);
  }
  const mean = s / n, v = s2 / n - mean * mean;
  assert.ok(Math.abs(mean - 0.5) < 5 * Math.sqrt(1 / 12 / n), `mean ${mean}`);
  assert.ok(Math.abs(v - 1 / 12) < 0.002, `variance ${v}`);
  assert.ok(min >= 0 && max < 1);
});

test('Bernoulli(p) frequencies are within 5 standard errors of p', () => {
  const r = new Rng(5).fork('b');
  for (const p of [0.01, 0.3, 0.5, 0.9]) {
    const n = 50000;
    let k = 0;
    for (let i = 0; i < n; i++) if (r.uniform() < p) k++;
    assert.ok(Math.abs(k / n - p) < 5 * Math.sqrt((p * (1 - p)) / n), `p=${p}: ${k / n}`);
  }
});

test('normal draws have mean 0 and variance 1', () => {
  const r = new Rng(9).fork('n');
  const n = 100000;
  let s = 0, s2 = 0;
  for (let i = 0; i < n; i++) { const z = r.normal(); s += z; s2 += z * z; }
  assert.ok(Math.abs(s / n) < 5 / Math.sqrt(n));
  assert.ok(Math.abs(s2 / n - 1) < 0.03);
});

test('a stream restored from getState continues identically', () => {
  const a = new Rng(11).fork('order');
  for (let i = 0; i < 7; i++) a.nextU32();
  const b = Rng.fromState(JSON.parse(JSON.stringify(a.getState())));
  for (let i = 0; i < 50; i++) assert.equal(a.nextU32(), b.nextU32());
});

test('permutation(n) is a permutation and depends on the seed', () => {
  const p = new Rng(1).fork('order').permutation(1000);
  assert.deepEqual([...p].sort((x, y) => x - y), Array.from({ length: 1000 }, (_, i) => i));
  assert.notDeepEqual([...p], [...new Rng(2).fork('order').permutation(1000)]);
});
