import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createReferenceBackend } from '../../src/backends/reference/index.ts';
import { CheckpointError, readCheckpoint } from '../../src/train/checkpoint.ts';
import { assertResumableVariant, checkpointVariant, variantMetadata } from '../../src/train/checkpoint-variant.ts';
import { runTrial } from '../../src/train/trial.ts';
import type { NumericVariant } from '../../src/tensor/numeric-variant.ts';
import { toySplits } from '../helpers/toy-data.ts';

const be = createReferenceBackend('float32');
const haswell: NumericVariant = {
  backend: 'native', precision: 'float32',
  blas: { library: 'OpenBLAS', version: '0.3.21', coreType: 'Haswell', threads: 1, config: 'OpenBLAS 0.3.21 Haswell' },
  nativeBuild: { compiler: 'gcc 12.2.0', isa: 'x86-64+sse4.2' },
  cpu: { model: 'AMD EPYC', arch: 'x64' }, runtime: 'node v20.20.2', reproducible: true,
};

test('final.safetensors and the trial result name the numeric variant that computed them, as fields', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ck-variant-'));
  try {
    const r = await runTrial({ seed: 1, model: { depth: 1, hidden: 8 }, finetune: { epochs: 2, lr: 0.3, batchSize: 10, patience: null } }, { backend: be, data: toySplits(1), checkpointDir: dir });
    assert.deepEqual(r.variant, be.variant);
    assert.deepEqual(checkpointVariant(readCheckpoint(r.checkpoint!).metadata), be.variant);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('resuming from a checkpoint of another OpenBLAS core type is refused, naming both; the same numerics on another CPU resume', () => {
  const md = variantMetadata(haswell);
  const cooperlake = { ...haswell, blas: { ...haswell.blas!, coreType: 'Cooperlake' } };
  assert.throws(() => assertResumableVariant(md, cooperlake, 'resume.safetensors'), (e: Error) => e instanceof CheckpointError && /core Haswell/.test(e.message) && /core Cooperlake/.test(e.message));
  assertResumableVariant(md, { ...haswell, cpu: { model: 'Intel Xeon', arch: 'x64' } }, 'resume.safetensors');
});

test('a checkpoint written before variants were recorded resumes (nothing to compare)', () => {
  assert.equal(checkpointVariant({ config: '{}' }), null);
  assertResumableVariant({ config: '{}' }, haswell, 'old.safetensors');
});
