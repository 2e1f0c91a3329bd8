import { test } from 'node:test';
import assert from 'node:assert/strict';
import { learningRateAt, scheduledLearningRate, trainingUpdates, type ScheduleConfig } from '../../src/nn/schedule.ts';
import { finetuneConfigSchema } from '../../src/train/config.ts';

const base: ScheduleConfig = { lr: 0.4, lrDecay: 0, schedule: 'constant', steps: [], stepFactor: 0.1, warmup: 0 };
const rate = (cfg: Partial<ScheduleConfig>, update: number, totalUpdates: number, epoch = 0): number =>
  scheduledLearningRate({ ...base, ...cfg }, { epoch, update, totalUpdates });
const near = (a: number, b: number, what: string): void => assert.ok(Math.abs(a - b) <= 1e-15 * (1 + Math.abs(b)), `${what}: ${a} vs ${b}`);

test("'inverse' (the default) is lr / (1 + lrDecay e) for the epoch, bit for bit, whatever the update", () => {
  const d = finetuneConfigSchema.parse({ lr: 0.3, lrDecay: 0.7 });
  assert.equal(d.schedule, 'inverse');
  for (const epoch of [0, 1, 2, 9]) {
    for (const update of [0, 5, 99]) assert.equal(scheduledLearningRate(d, { epoch, update, totalUpdates: 100 }), learningRateAt(d, epoch));
  }
  assert.equal(scheduledLearningRate(d, { epoch: 2, update: 0, totalUpdates: 10 }), 0.3 / (1 + 0.7 * 2));
});

test("'constant' is lr at every update", () => {
  for (const u of [0, 1, 50, 99]) assert.equal(rate({ schedule: 'constant' }, u, 100, 3), 0.4);
});

test("'step' multiplies by stepFactor once the update reaches each fraction of the run", () => {
  const cfg = { schedule: 'step' as const, steps: [0.5, 0.75], stepFactor: 0.1 };
  assert.equal(rate(cfg, 0, 100), 0.4);
  assert.equal(rate(cfg, 49, 100), 0.4);
  near(rate(cfg, 50, 100), 0.04, 'at 50 of 100');
  near(rate(cfg, 74, 100), 0.04, 'at 74 of 100');
  near(rate(cfg, 75, 100), 0.004, 'at 75 of 100');
  near(rate(cfg, 99, 100), 0.004, 'at 99 of 100');
  // The default points are the 1x schedule's: divided by 10 at 60k and 80k of 90k iterations.
  const d = finetuneConfigSchema.parse({ schedule: 'step', lr: 0.4 });
  assert.deepEqual(d.steps, [2 / 3, 8 / 9]);
  const at = (u: number, T: number) => scheduledLearningRate(d, { epoch: 0, update: u, totalUpdates: T });
  assert.deepEqual([at(59_999, 90_000), at(60_000, 90_000), at(79_999, 90_000), at(80_000, 90_000)].map((x) => +x.toPrecision(12)), [0.4, 0.04, 0.04, 0.004]);
});

test('the multiplier doubles the length, and the step points, being fractions, move with it', () => {
  assert.equal(trainingUpdates({ epochs: 3, updates: null, multiplier: 1 }, 40), 120);
  assert.equal(trainingUpdates({ epochs: 3, updates: null, multiplier: 2 }, 40), 240);
  assert.equal(trainingUpdates({ epochs: 3, updates: 25, multiplier: 4 }, 40), 100, 'updates, when set, replace epochs');
  assert.equal(trainingUpdates({ epochs: 2, updates: null, multiplier: 1.5 }, 40), 120);
  assert.equal(trainingUpdates({ epochs: 1, updates: null, multiplier: 0.001 }, 40), 1, 'at least one update');
  const d = finetuneConfigSchema.parse({ schedule: 'step', lr: 1 });
  const T1 = trainingUpdates({ ...d, epochs: 9 }, 10_000), T2 = trainingUpdates({ ...d, epochs: 9, multiplier: 2 }, 10_000);
  assert.deepEqual([T1, T2], [90_000, 180_000]);
  const firstDrop = (T: number): number => {
    let u = 0;
    while (scheduledLearningRate(d, { epoch: 0, update: u, totalUpdates: T }) === 1) u++;
    return u;
  };
  assert.equal(firstDrop(T1), 60_000);
  assert.equal(firstDrop(T2), 120_000);
});

test('stepsFromEnd keeps the drops of the 1x schedule at their distance from the end (the last 30k and 10k of 90k, whatever the length)', () => {
  const d = finetuneConfigSchema.parse({ schedule: 'step', lr: 1, updates: 90_000, stepsFromEnd: true });
  const drops = (multiplier: number): number[] => {
    const cfg = { ...d, multiplier }, T = trainingUpdates(cfg, 1);
    const out: number[] = [];
    let last = 1;
    for (let u = 0; u < T; u++) {
      const r = scheduledLearningRate(cfg, { epoch: 0, update: u, totalUpdates: T });
      if (r !== last) out.push(u);
      last = r;
    }
    return out;
  };
  assert.deepEqual(drops(1), [60_000, 80_000], 'at 1x: the same points as the fractions');
  assert.deepEqual(drops(2), [150_000, 170_000]);
  assert.deepEqual(drops(4), [330_000, 350_000]);
  // Without it the points are fractions of the whole run: a 4x schedule drops at 240k and 320k.
  const frac = { ...d, stepsFromEnd: false, multiplier: 4 };
  assert.equal(scheduledLearningRate(frac, { epoch: 0, update: 239_999, totalUpdates: 360_000 }), 1);
  assert.notEqual(scheduledLearningRate(frac, { epoch: 0, update: 240_000, totalUpdates: 360_000 }), 1);
});

test("'cosine' falls from lr at the first update through lr / 2 at the middle towards 0 at the end", () => {
  const cfg = { schedule: 'cosine' as const };
  assert.equal(rate(cfg, 0, 100), 0.4);
  near(rate(cfg, 50, 100), 0.2, 'middle');
  near(rate(cfg, 25, 100), 0.2 * (1 + Math.SQRT1_2), 'quarter');
  assert.ok(rate(cfg, 99, 100) > 0 && rate(cfg, 99, 100) < 0.4 * 3e-4, `last update ${rate(cfg, 99, 100)}`);
  near(rate(cfg, 100, 100), 0, 'end');
  // After a warm-up of 10 updates the cosine starts at update 10 and spans the remaining 90.
  assert.equal(rate({ ...cfg, warmup: 10 }, 10, 100), 0.4);
  near(rate({ ...cfg, warmup: 10 }, 55, 100), 0.2, 'middle of the 90 updates after the warm-up');
});

test('warm-up ramps linearly from lr / warmup to the scheduled rate over the first warmup updates', () => {
  const cfg = { schedule: 'constant' as const, warmup: 4 };
  assert.deepEqual([0, 1, 2, 3, 4, 50].map((u) => rate(cfg, u, 100)), [0.1, 0.2, 0.30000000000000004, 0.4, 0.4, 0.4]);
  // It scales whatever the schedule gives: inverse with decay in epoch 1, step after its first point.
  assert.equal(rate({ schedule: 'inverse', lrDecay: 1, warmup: 4 }, 1, 100, 1), (0.2 * 2) / 4);
  near(rate({ schedule: 'step', steps: [0.01], warmup: 4 }, 2, 100), (0.04 * 3) / 4, 'step in the warm-up');
  assert.equal(rate({ schedule: 'inverse', warmup: 0 }, 0, 100), 0.4, 'no warm-up: the first update takes lr');
});
