import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import { TrialClaims } from '../../src/experiments/claim.ts';

const tmp = (): string => fs.mkdtempSync(path.join(os.tmpdir(), 'pl-claims-'));
const H = 'a'.repeat(64);
const H2 = 'b'.repeat(64);

test('a claim is exclusive while live, and free again once released', () => {
  const dir = tmp();
  const claims = new TrialClaims(dir);
  const c = claims.tryClaim(H, { executor: 'slurm', job: '7_3' });
  assert.ok(c);
  const h = claims.holder(H)!;
  assert.equal(h.live, true);
  assert.equal(h.owner.pid, process.pid);
  assert.equal(h.owner.job, '7_3');
  assert.equal(claims.tryClaim(H, { executor: 'local' }), null, 'a second claimant is refused while the claim is live');
  assert.deepEqual([...claims.live().keys()], [H]);
  c.release();
  c.release();
  assert.equal(claims.holder(H), null);
  const again = claims.tryClaim(H, { executor: 'local' });
  assert.ok(again);
  again.release();
});

test("a claim whose owner died on this host is stale and taken over", () => {
  const dir = tmp();
  const claims = new TrialClaims(dir);
  // A process that exits at once leaves a dead pid behind.
  const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']).stdout.toString();
  fs.mkdirSync(claims.dir, { recursive: true });
  fs.writeFileSync(claims.pathOf(H), JSON.stringify({ pid: Number(dead), host: os.hostname(), startedAt: 'x', command: '', hash: H, executor: 'slurm', leaseMs: 120_000 }));
  assert.equal(claims.holder(H)!.live, false);
  assert.equal(claims.live().size, 0);
  const c = claims.tryClaim(H, { executor: 'local' });
  assert.ok(c, 'the stale claim is taken over');
  assert.equal(claims.holder(H)!.owner.pid, process.pid);
  c.release();
});

test("a claim from another host is live until its lease lapses, then taken over", () => {
  const dir = tmp();
  const claims = new TrialClaims(dir, { leaseMs: 60_000 });
  fs.mkdirSync(claims.dir, { recursive: true });
  const file = claims.pathOf(H);
  fs.writeFileSync(file, JSON.stringify({ pid: 1, host: 'node-17.cluster', startedAt: 'x', command: '', hash: H, executor: 'slurm', leaseMs: 60_000 }));
  assert.equal(claims.holder(H)!.live, true, 'a fresh claim of another host is live (its pid cannot be checked)');
  assert.equal(claims.tryClaim(H, { executor: 'local' }), null);
  const old = new Date(Date.now() - 61_000);
  fs.utimesSync(file, old, old);
  assert.equal(claims.holder(H)!.live, false, 'not renewed for longer than its lease');
  const c = claims.tryClaim(H, { executor: 'local' });
  assert.ok(c);
  c.release();
});

test('the holder renews its lease while it holds the claim', async () => {
  const dir = tmp();
  const claims = new TrialClaims(dir, { leaseMs: 400 });
  const c = claims.tryClaim(H2, { executor: 'local' })!;
  const old = new Date(Date.now() - 10_000);
  fs.utimesSync(claims.pathOf(H2), old, old);
  await new Promise((r) => setTimeout(r, 250));
  assert.ok(claims.holder(H2)!.ageMs < 400, 'the renewal touched the file again');
  assert.equal(claims.holder(H2)!.live, true);
  c.release();
});

test('two processes racing for the same trials never both hold one', async () => {
  const dir = tmp();
  const script = `
    import { TrialClaims } from ${JSON.stringify(path.resolve('src/experiments/claim.ts'))};
    const claims = new TrialClaims(${JSON.stringify(dir)});
    const got = [];
    for (let i = 0; i < 300; i++) { const h = i.toString(16).padStart(64, '0'); if (claims.tryClaim(h, { executor: 'local' })) got.push(h); }
    process.stdout.write(JSON.stringify(got));
    setTimeout(() => {}, 1500); // hold every claim (live: this pid is alive) while the other process tries`;
  const file = path.join(dir, 'race.ts');
  fs.writeFileSync(file, script);
  const run = (): Promise<string[]> =>
    new Promise((resolve, reject) => {
      const child = spawn(process.execPath, ['--import', 'tsx', file], { stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '', err = '';
      child.stdout.on('data', (d) => (out += d));
      child.stderr.on('data', (d) => (err += d));
      child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out) as string[]) : reject(new Error(err))));
    });
  const [a, b] = await Promise.all([run(), run()]);
  const both = a!.filter((h) => b!.includes(h));
  assert.deepEqual(both, [], 'no trial was claimed by both processes');
  assert.equal(new Set([...a!, ...b!]).size, 300, 'every trial was claimed by one of them');
});
