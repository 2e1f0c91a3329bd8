import assert from 'node:assert/strict';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { admitJob, JobRefusedError } from '../../../src/cluster/queue/job-guard.ts';
import type { QueueJobData } from '../../../src/cluster/queue/queue-job.ts';
import type { CodeVersion } from '../../../src/experiments/code-version.ts';
import { trialHash } from '../../../src/experiments/hash.ts';
import { resolveTrialConfig } from '../../../src/train/config.ts';
import { tempDir } from '../../helpers/temp-dir.ts';

const code: CodeVersion = { package: 'pretrain-lab@0.1.0', git: 'a'.repeat(40), dirty: false };

function job(configInput: unknown, extra: Record<string, unknown> = {}): { data: QueueJobData & Record<string, unknown>; id: string } {
  const config = resolveTrialConfig(configInput);
  const hash = trialHash(config);
  return { data: { hash, config, code, experiment: 'smoke', keepNetwork: true, ...extra }, id: hash };
}

const refused = (pattern: RegExp) => (e: Error) => e instanceof JobRefusedError && pattern.test(e.message);

test('admitJob admits a schema-valid trial of the same code version and returns its resolved config', () => {
  const j = job({ seed: 3, data: { trainSize: 100 } });
  const d = admitJob(j.data, j.id, { dataDir: null, code });
  assert.equal(d.hash, j.id);
  assert.equal(d.config.data.trainSize, 100);
  // the same package with an unknown commit on one side is comparable
  admitJob({ ...j.data, code: { ...code, git: null } }, j.id, { dataDir: null, code });
});

test('a job that carries a module, or any field besides the trial, is refused: a job is data, never code', () => {
  const j = job({});
  assert.throws(() => admitJob({ ...j.data, trialModule: { module: '/tmp/evil.js' } }, j.id, { dataDir: null, code }), refused(/data, never code.*trialModule|trialModule.*never code/));
  assert.throws(() => admitJob({ ...j.data, extra: 1 }, j.id, { dataDir: null, code }), refused(/not a pretrain-lab trial/));
  assert.throws(() => admitJob('rm -rf /', j.id, { dataDir: null, code }), refused(/not a pretrain-lab trial/));
});

test('a config that fails the schema, or does not hash to the job id, is refused', () => {
  const j = job({});
  const bad = { ...j.data, config: { ...j.data.config, model: { ...j.data.config.model, module: 'x' } } };
  assert.throws(() => admitJob(bad, j.id, { dataDir: null, code }), refused(/invalid trial config.*model\.module|model/s));
  const other = job({ seed: 9 });
  assert.throws(() => admitJob({ ...j.data, config: other.data.config }, j.id, { dataDir: null, code }), refused(/hashes to/));
  assert.throws(() => admitJob(j.data, other.id, { dataDir: null, code }), refused(/hashes to/));
});

test('a job queued by another code version is refused with a message naming both versions', () => {
  const j = job({});
  const theirs = { package: 'pretrain-lab@0.0.9', git: 'b'.repeat(40), dirty: false };
  assert.throws(() => admitJob({ ...j.data, code: theirs }, j.id, { dataDir: null, code }), refused(/pretrain-lab@0\.0\.9 \(git bbbbbbbbbbbb\).*pretrain-lab@0\.1\.0 \(git aaaaaaaaaaaa\)/));
  assert.throws(() => admitJob({ ...j.data, code: { ...code, git: 'c'.repeat(40) } }, j.id, { dataDir: null, code }), refused(/not comparable/));
});

test('a user data file is admitted only inside --data-dir: no data dir, an absolute path outside, .. and a symlink out are refused', () => {
  const root = tempDir();
  const dataDir = join(root, 'data');
  mkdirSync(dataDir);
  writeFileSync(join(dataDir, 'mine.csv'), 'label,a\n0,1\n');
  writeFileSync(join(root, 'secret.csv'), 'label,a\n0,1\n');
  symlinkSync(join(root, 'secret.csv'), join(dataDir, 'link.csv'));
  const inside = job({ data: { name: 'csv:mine.csv?label=label' } });
  assert.equal(admitJob(inside.data, inside.id, { dataDir, code }).config.data.name, 'csv:mine.csv?label=label');
  const abs = job({ data: { name: `csv:${join(dataDir, 'mine.csv')}` } });
  admitJob(abs.data, abs.id, { dataDir, code });
  assert.throws(() => admitJob(inside.data, inside.id, { dataDir: null, code }), refused(/data\.name names the file mine\.csv, and this worker has no --data-dir/));
  for (const name of [`csv:${join(root, 'secret.csv')}`, 'csv:../secret.csv', 'csv:link.csv', `idx:mine.csv,${join(root, 'secret.csv')}`, 'csv:/etc/passwd']) {
    const j = job({ data: { name } });
    assert.throws(() => admitJob(j.data, j.id, { dataDir, code }), refused(/outside this worker's data directory/), name);
  }
  const source = job({ pretrain: { kind: 'supervised', source: { name: 'csv:/etc/passwd' } } });
  assert.throws(() => admitJob(source.data, source.id, { dataDir, code }), refused(/pretrain\.source\.name names the file \/etc\/passwd/));
});
