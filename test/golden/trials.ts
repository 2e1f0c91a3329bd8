/**
 * Golden trials: a few short trials whose final numbers are pinned to the last digit, per backend
 * in its reproducible variant (plain TypeScript float32; plain SIMD128 wasm; OpenBLAS with one
 * pinned core type). They were recorded before the house refactor (issue 9) and guard it: a
 * refactor that changes no arithmetic leaves every digit as it is.
 *
 * The values live in `golden-values.json`. They are regenerated only when a change is *meant* to
 * change numbers: `GOLDEN_UPDATE=1 node --import tsx --test --test-concurrency=1 test/golden/*.test.ts`, and the commit
 * says why.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Backend } from '../../src/tensor/kernels.ts';
import { runTrial } from '../../src/train/trial.ts';
import type { TrialConfigInput } from '../../src/train/config.ts';

const here = dirname(fileURLToPath(import.meta.url));
const VALUES = join(here, 'golden-values.json');

const slice = { name: 'mnist', trainSize: 600, validSize: 200, testSize: 300 };
const model = { depth: 2, hidden: 40 };
const ft = { epochs: 4, lr: 0.5, batchSize: 10, patience: null };

/** The pinned trials: every optimiser path of every model (plain, momentum, penalties; batch 1 and 10). */
export const GOLDEN_TRIALS: Record<string, TrialConfigInput> = {
  'mlp-plain-batch1': { seed: 3, data: slice, model, finetune: { ...ft, epochs: 2, batchSize: 1, lr: 0.05 } },
  'mlp-momentum-l1-l2': { seed: 4, data: slice, model, finetune: { ...ft, momentum: 0.5, l1: 1e-5, l2: 1e-4, lrDecay: 0.1 } },
  'mlp-l2': { seed: 5, data: slice, model, finetune: { ...ft, l2: 1e-3 } },
  'sdae-tied-masking': {
    seed: 6, data: slice, model,
    pretrain: { kind: 'sdae', epochs: 2, lr: 0.01, batchSize: 10, corruption: 0.25, l2: 1e-4 },
    finetune: ft,
  },
  'sdae-untied-saltpepper-squared-momentum': {
    seed: 7, data: slice, model,
    pretrain: { kind: 'sdae', epochs: 2, lr: 0.01, batchSize: 5, corruption: [0.1, 0.3], noise: 'salt-pepper', tied: false, loss: 'squared', momentum: 0.5, l2: 5e-5 },
    finetune: ft,
  },
  'dbn-cd1': {
    seed: 8, data: slice, model,
    pretrain: { kind: 'dbn', epochs: 2, lr: 0.05, batchSize: 10, l2: 1e-4 },
    finetune: ft,
  },
  'dbn-pcd2-momentum-batch1': {
    seed: 9, data: slice, model: { depth: 1, hidden: 30 },
    pretrain: { kind: 'dbn', epochs: 1, lr: 0.01, batchSize: 1, cdK: 2, persistent: true, momentum: 0.5, l2: 5e-5 },
    finetune: { ...ft, epochs: 2 },
  },
};

type Pinned = Record<string, { train: number; valid: number; test: number; testError: number }>;

/**
 * Runs every golden trial on `backend` and compares with the values pinned under `variant`.
 * With `GOLDEN_UPDATE=1` it writes them instead.
 */
export function goldenSuite(variant: string, makeBackend: () => Promise<Backend | string>): void {
  const all: Record<string, Pinned> = existsSync(VALUES) ? JSON.parse(readFileSync(VALUES, 'utf8')) : {};
  const update = process.env['GOLDEN_UPDATE'] === '1';
  let backend: Backend | string | undefined;
  const got: Pinned = {};
  for (const [name, config] of Object.entries(GOLDEN_TRIALS)) {
    test(`golden ${variant}: ${name} reproduces its pinned NLLs to the last digit`, async (t) => {
      backend ??= await makeBackend();
      if (typeof backend === 'string') {
        if (process.env['CI']) assert.fail(`golden ${variant}: backend unavailable in CI: ${backend}`);
        console.error(`\n*** golden ${variant} NOT CHECKED: ${backend} ***\n`);
        t.skip(backend);
        return;
      }
      const r = await runTrial(config, { backend, evaluateTrain: true });
      const v = { train: r.final.train.nll, valid: r.final.valid.nll, test: r.final.test.nll, testError: r.final.test.error };
      got[name] = v;
      if (update) return;
      const want = all[variant]?.[name];
      assert.ok(want, `no pinned values for ${variant}/${name}; record them with GOLDEN_UPDATE=1`);
      assert.deepEqual(v, want, `${variant}/${name}: numbers changed`);
    });
  }
  if (update) {
    test(`golden ${variant}: write values`, () => {
      const now: Record<string, Pinned> = existsSync(VALUES) ? JSON.parse(readFileSync(VALUES, 'utf8')) : {};
      now[variant] = got;
      writeFileSync(VALUES, JSON.stringify(now, null, 2) + '\n');
    });
  }
}
