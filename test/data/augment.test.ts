import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createReferenceBackend } from '../../src/backends/reference/index.ts';
import { Rng } from '../../src/rng/rng.ts';
import { ImageAugmentation, augments } from '../../src/data/augment.ts';

const be = createReferenceBackend('float32');

/** An Rng stand-in that hands out scripted draws: `int(n)` and `uniform()` in call order. */
function scripted(draws: number[]): Rng {
  const q = [...draws];
  const next = (): number => {
    if (q.length === 0) throw new Error('no scripted draw left');
    return q.shift()!;
  };
  return { int: (_n: number) => next(), uniform: () => next() } as unknown as Rng;
}

/** A 3x4 single-channel image with pixels 1..12, row by row. */
const IMAGE = Array.from({ length: 12 }, (_, i) => i + 1);

test('a shift by (dy, dx) moves the pixels dy down and dx right, filling with zeros', () => {
  // int(2 * 2 + 1) = 3 -> dy = 3 - 2 = 1; int(5) = 0 -> dx = -2
  const x = be.fromArray(1, 12, IMAGE);
  new ImageAugmentation({ height: 3, width: 4 }, 12, { shift: 2, flip: false }, scripted([3, 0])).apply(x);
  assert.deepEqual([...x.data], [
    0, 0, 0, 0,
    3, 4, 0, 0,
    7, 8, 0, 0,
  ]);
});

test('a flip mirrors left-right before the shift; channels (NHWC) move together', () => {
  // 2x2 image, 3 channels: pixel p has channels (10p, 10p + 1, 10p + 2).
  const px = (p: number) => [10 * p, 10 * p + 1, 10 * p + 2];
  const x = be.fromArray(2, 12, [...[1, 2, 3, 4].flatMap(px), ...[1, 2, 3, 4].flatMap(px)]);
  // row 0: dy = 0, dx = 0, flip (u = 0.25 < 1/2); row 1: dy = 0, dx = +1, flip
  new ImageAugmentation({ height: 2, width: 2 }, 12, { shift: 1, flip: true }, scripted([1, 1, 0.25, 1, 2, 0.25])).apply(x);
  assert.deepEqual([...x.data].slice(0, 12), [...[2, 1, 4, 3].flatMap(px)], 'mirrored');
  // mirrored [[2, 1], [4, 3]] moved one right: [[0, 2], [0, 4]]
  assert.deepEqual([...x.data].slice(12), [0, 0, 0, ...px(2), 0, 0, 0, ...px(4)], 'mirrored then shifted');
});

test('no shift and no flip drawn leaves an example as it is; u >= 1/2 does not flip', () => {
  const x = be.fromArray(1, 12, IMAGE);
  new ImageAugmentation({ height: 3, width: 4 }, 12, { shift: 1, flip: true }, scripted([1, 1, 0.5])).apply(x);
  assert.deepEqual([...x.data], IMAGE);
  assert.equal(augments({ shift: 0, flip: false }), false);
  assert.equal(augments({ shift: 0, flip: true }), true);
});

test('augmentation is deterministic from the seed: the same stream gives the same batch, another stream another', () => {
  const batch = () => be.fromArray(8, 12, Array.from({ length: 96 }, (_, i) => (i % 12) + 1));
  const run = (seed: number): number[] => {
    const x = batch();
    new ImageAugmentation({ height: 3, width: 4 }, 12, { shift: 1, flip: true }, new Rng(seed).fork('augment')).apply(x);
    return [...x.data];
  };
  assert.deepEqual(run(7), run(7));
  assert.notDeepEqual(run(7), run(8));
  // The draws are, per row, dy, dx, then the flip's uniform, from the given stream.
  const rng = new Rng(7).fork('augment'), x = batch();
  new ImageAugmentation({ height: 3, width: 4 }, 12, { shift: 1, flip: true }, rng).apply(x);
  const replay = new Rng(7).fork('augment');
  for (let r = 0; r < 8; r++) {
    const dy = replay.int(3) - 1, dx = replay.int(3) - 1, mirror = replay.uniform() < 0.5;
    for (let y = 0; y < 3; y++) {
      for (let c = 0; c < 4; c++) {
        const ys = y - dy, xs = mirror ? 3 - (c - dx) : c - dx;
        const want = ys < 0 || ys > 2 || xs < 0 || xs > 3 ? 0 : ys * 4 + xs + 1;
        assert.equal(x.data[r * 12 + y * 4 + c], want, `row ${r} pixel (${y}, ${c}) with dy ${dy} dx ${dx} flip ${mirror}`);
      }
    }
  }
  assert.deepEqual(rng.getState(), replay.getState(), 'the stream is left where the replay is');
});

test('shifts are uniform over [-shift, shift] on each axis (every value drawn, none outside)', () => {
  const rng = new Rng(3).fork('augment');
  const aug = new ImageAugmentation({ height: 1, width: 9 }, 9, { shift: 2, flip: false }, rng);
  const counts = new Map<number, number>();
  for (let i = 0; i < 500; i++) {
    // a one-row image with a single 1 in the middle: where it lands is dx (dy != 0 empties the row)
    const x = be.fromArray(1, 9, [0, 0, 0, 0, 1, 0, 0, 0, 0]);
    aug.apply(x);
    const at = [...x.data].indexOf(1);
    const key = at < 0 ? NaN : at - 4;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  assert.deepEqual([...counts.keys()].filter((k) => !Number.isNaN(k)).sort((a, b) => a - b), [-2, -1, 0, 1, 2]);
  assert.ok((counts.get(NaN) ?? 0) > 500 * 0.7, 'dy != 0 (probability 4/5) moves the only row out');
});

test('an image shape that does not divide the features is refused', () => {
  assert.throws(() => new ImageAugmentation({ height: 3, width: 4 }, 10, { shift: 1, flip: false }, new Rng(1)), /10 features are not a whole number of 3x4 images/);
});
