import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolveExperiment, type Experiment } from '../../src/experiments/define.ts';
import { expandExperiment } from '../../src/experiments/expand.ts';

interface Pinned {
  n: number;
  sha256: string;
  specHash: string;
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
      const hashes = expandExperiment(r).map((t) => t.hash);
      if (want.hashes) assert.deepEqual(hashes, want.hashes, label);
      assert.equal(hashes.length, want.n, `${label}: trial count`);
      assert.equal(createHash('sha256').update(hashes.join('\n')).digest('hex'), want.sha256, `${label}: trial hashes`);
      assert.equal(r.specHash, want.specHash, `${label}: spec hash`);
    }
  });
}
