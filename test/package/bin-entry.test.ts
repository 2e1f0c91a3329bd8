/**
 * `bin/pretrain-lab.js` picks what to run: compiled dist/ in an installed package, dist/ in a checkout
 * while it is at least as new as src/ and experiments/, and the TypeScript sources through tsx after
 * an edit (a stale build never answers for the code you read). Checked on a staged copy of bin/ with
 * stand-in entry modules that say which one ran.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

function stage(): { dir: string; dist: string; src: string; experiment: string } {
  const dir = mkdtempSync(join(tmpdir(), 'pretrain-lab-bin-'));
  cpSync(join(ROOT, 'bin'), join(dir, 'bin'), { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'pretrain-lab', type: 'module' }));
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
  const dist = join(dir, 'dist', 'src', 'cli', 'main.js');
  const src = join(dir, 'src', 'cli', 'main.ts');
  const experiment = join(dir, 'experiments', 'x.ts');
  for (const f of [dist, src, experiment]) mkdirSync(join(f, '..'), { recursive: true });
  writeFileSync(dist, `export async function main() { process.stdout.write('dist'); return 0; }\n`);
  writeFileSync(src, `export async function main(): Promise<number> { process.stdout.write('src'); return 0; }\n`);
  writeFileSync(experiment, 'export default {};\n');
  return { dir, dist, src, experiment };
}

function ran(dir: string): string {
  const r = spawnSync(process.execPath, [join(dir, 'bin', 'pretrain-lab.js'), '--version'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
}

function age(file: string, secondsAgo: number): void {
  const t = new Date(Date.now() - secondsAgo * 1000);
  utimesSync(file, t, t);
}

test('bin runs dist/ when it is newer than every source, and the sources through tsx after an edit', (t) => {
  const s = stage();
  t.after(() => rmSync(s.dir, { recursive: true, force: true }));
  age(s.src, 60);
  age(s.experiment, 60);
  assert.equal(ran(s.dir), 'dist');
  age(s.dist, 120); // src/ edited since the build
  assert.equal(ran(s.dir), 'src');
  age(s.dist, 30);
  age(s.experiment, 0); // an experiment file edited since the build
  assert.equal(ran(s.dir), 'src');
});

test('bin in an installed package (no src/) always runs dist/', (t) => {
  const s = stage();
  t.after(() => rmSync(s.dir, { recursive: true, force: true }));
  rmSync(join(s.dir, 'src'), { recursive: true });
  age(s.dist, 3600);
  assert.equal(ran(s.dir), 'dist');
});
