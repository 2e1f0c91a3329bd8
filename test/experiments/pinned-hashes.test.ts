import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolveExperiment, type Experiment } from '../../src/experiments/define.ts';
import { expandExperiment, product, settingKey, type Setting } from '../../src/experiments/expand.ts';

interface Pinned {
  n: number;
  sha256: string;
  specHash: string;
  /** The expansion under the behaviour before the protocol: same seeds choose and report, data drawn with the trial seed. */
  legacySha256: string;
  hashes?: string[];
}
const pinned = JSON.parse(readFileSync(new URL('../fixtures/experiments/pinned-trial-hashes.json', import.meta.url), 'utf8')) as Record<string, Pinned>;

for (const name of ['depth', 'marginals', 'smoke']) {
  test(`experiments/${name}.ts expands, with and without each preset, to exactly the pinned trial hashes`, async () => {
    const exp = (await import(`../../experiments/${name}.ts`)).default as Experiment;
    const presets = [null, ...Object.keys(exp.input.presets ?? {})];
    for (const preset of presets) {
      const label = `${name}${preset ? ` --preset ${preset}` : ''}`;
      const want = pinned[label];
      assert.ok(want, `nothing pinned for '${label}'`);
      const r = resolveExperiment(exp, { preset });
      // Both phases of the fresh-seeds protocol: the selection trials, then the evaluation trials as
      // if every cell chose its first nuisance setting (without a selection phase: every trial).
      const first = product(r.nuisance)[0]!;
      const chosen = new Map<string, Setting>(product(r.scientific).map((c) => [settingKey(c), first]));
      const hashes = expandExperiment(r, chosen).map((t) => t.hash);
      if (want.hashes) assert.deepEqual(hashes, want.hashes, label);
      assert.equal(hashes.length, want.n, `${label}: trial count`);
      assert.equal(createHash('sha256').update(hashes.join('\n')).digest('hex'), want.sha256, `${label}: trial hashes`);
      assert.equal(r.specHash, want.specHash, `${label}: spec hash`);
      const legacy = expandExperiment(resolveExperiment(exp, { preset, protocol: { selection: 'same-seeds', dataSeed: 'per-seed' } })).map((t) => t.hash);
      assert.equal(createHash('sha256').update(legacy.join('\n')).digest('hex'), want.legacySha256, `${label}: same-seeds, per-seed data: the trials as before the protocol`);
    }
  });
}
