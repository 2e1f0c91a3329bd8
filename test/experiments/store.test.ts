import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { atomicWriteFile, nodeIo, type WriteIo } from '../../src/io/atomic-write.ts';
import { StoreError } from '../../src/experiments/store.ts';
import { acquireLock, LockError, removeStaleLock } from '../../src/experiments/lock.ts';
import { RunStore, RECORD_FORMAT, type TrialRecord } from '../../src/experiments/store.ts';
import { resolveTrialConfig } from '../../src/train/config.ts';
import { trialHash } from '../../src/experiments/hash.ts';
import { createReferenceBackend } from '../../src/backends/index.ts';

const tmp = (): string => fs.mkdtempSync(path.join(os.tmpdir(), 'pl-store-'));

test('atomicWriteFile replaces the file and leaves no temp file', () => {
  const d = tmp();
  const f = path.join(d, 'a.json');
  atomicWriteFile(f, 'one');
  atomicWriteFile(f, 'two');
  assert.equal(fs.readFileSync(f, 'utf8'), 'two');
  assert.deepEqual(fs.readdirSync(d), ['a.json']);
});

test('a full disk (ENOSPC) while writing leaves the previous contents intact and says so', () => {
  const d = tmp();
  const f = path.join(d, 'a.json');
  atomicWriteFile(f, 'previous');
  let written = 0;
  const fullDisk: WriteIo = {
    ...nodeIo,
    writeSync: (fd, data) => {
      if (written > 0) throw Object.assign(new Error('no space left on device'), { code: 'ENOSPC' });
      written = nodeIo.writeSync(fd, data.subarray(0, 3));
      return written;
    },
  };
  assert.throws(() => atomicWriteFile(f, 'a much longer new content', fullDisk), (e: Error) => e instanceof StoreError && /disk full/.test(e.message) && /intact/.test(e.message));
  assert.equal(fs.readFileSync(f, 'utf8'), 'previous');
  assert.deepEqual(fs.readdirSync(d), ['a.json']);
});

test('a second lock on the same store is refused with a message naming the holder', () => {
  const d = tmp();
  const lock = acquireLock(path.join(d, '.lock'), 'the run store X');
  assert.throws(() => acquireLock(path.join(d, '.lock'), 'the run store X'), (e: Error) => e instanceof LockError && e.message.includes(`pid ${process.pid}`) && e.message.includes('the run store X is in use'));
  lock.release();
  acquireLock(path.join(d, '.lock'), 'the run store X').release();
});

test('a lock left by a dead process (e.g. after SIGKILL) is stale and taken over', () => {
  const d = tmp();
  const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']).stdout.toString();
  fs.writeFileSync(path.join(d, '.lock'), JSON.stringify({ pid: Number(dead), host: os.hostname(), startedAt: 'then', command: 'x' }));
  const lock = acquireLock(path.join(d, '.lock'), 'store');
  assert.equal(JSON.parse(fs.readFileSync(path.join(d, '.lock'), 'utf8')).pid, process.pid);
  lock.release();
  assert.equal(fs.existsSync(path.join(d, '.lock')), false);
});

test('taking over a stale lock never removes a lock another run has just taken, and waits for a takeover in progress', () => {
  const d = tmp();
  const file = path.join(d, '.lock');
  const stale = { pid: 999_999_999, host: os.hostname(), startedAt: 'then', command: 'killed run' };
  const fresh = { pid: process.pid, host: os.hostname(), startedAt: 'now', command: 'the run that took it first' };
  // Another run removed the stale lock and took the lock between our read and our removal:
  fs.writeFileSync(file, JSON.stringify(fresh));
  assert.equal(removeStaleLock(file, stale), true);
  assert.deepEqual(JSON.parse(fs.readFileSync(file, 'utf8')), fresh, 'the fresh lock is left alone');
  // While another run holds the takeover guard, nothing is removed.
  fs.writeFileSync(file, JSON.stringify(stale));
  fs.writeFileSync(`${file}.takeover`, '');
  assert.equal(removeStaleLock(file, stale), false);
  assert.ok(fs.existsSync(file));
  // A guard abandoned long ago (its run died while taking over) is cleared, then the takeover proceeds.
  const old = new Date(Date.now() - 60_000);
  fs.utimesSync(`${file}.takeover`, old, old);
  assert.equal(removeStaleLock(file, stale), false);
  assert.equal(removeStaleLock(file, stale), true);
  assert.equal(fs.existsSync(file), false);
  assert.deepEqual(fs.readdirSync(d), []);
});

function record(seed: number): TrialRecord {
  const config = resolveTrialConfig({ seed });
  return {
    format: RECORD_FORMAT, experiment: 'x', hash: trialHash(config), status: 'diverged', config, seed, cell: {}, nuisance: {},
    code: { package: 'p@0', git: null, dirty: null }, result: null, error: 'diverged (a record without a result)', startedAt: '', finishedAt: '', seconds: 0, command: '',
    variant: createReferenceBackend().variant,
  };
}

test('a record whose config does not hash to its name (another config version) is ignored with a warning', () => {
  const store = new RunStore(tmp());
  store.init();
  const r = record(1);
  store.write(r);
  assert.deepEqual(store.read(r.hash)?.config, r.config);
  const forged = { ...r, config: resolveTrialConfig({ seed: 2 }) };
  fs.writeFileSync(store.recordPath(r.hash), JSON.stringify(forged));
  const warnings: string[] = [];
  assert.equal(store.read(r.hash, (m) => warnings.push(m)), null);
  assert.match(warnings[0]!, /no longer hashes/);
});

test('a record written before later keys existed (a partial analysis section, no finetune.convergeWindow) still names its trial: those keys take their defaults', () => {
  const store = new RunStore(tmp());
  store.init();
  const r = record(3);
  const older = JSON.parse(JSON.stringify(r.config)) as Record<string, Record<string, unknown>>;
  older['analysis'] = { landscape: older['analysis']!['landscape'] }; // the section as it first shipped
  delete older['finetune']!['convergeWindow'];
  delete older['finetune']!['convergeTol'];
  fs.writeFileSync(store.recordPath(r.hash), JSON.stringify({ ...r, config: older }));
  const warnings: string[] = [];
  assert.notEqual(store.read(r.hash, (m) => warnings.push(m)), null, warnings.join('; '));
  assert.deepEqual(warnings, []);
});

test('temp files of dead processes are removed when the store is opened', () => {
  const store = new RunStore(tmp());
  store.init();
  const stale = path.join(store.trialsDir, 'abc.json.tmp-999999999-0');
  fs.writeFileSync(stale, 'half');
  store.init();
  assert.equal(fs.existsSync(stale), false);
});

test('a record of format 1 (no numeric variant) is reported as not reusable and treated as absent, never mixed in', () => {
  const store = new RunStore(tmp());
  store.init();
  const { variant: _v, ...r } = record(3);
  fs.writeFileSync(store.recordPath(r.hash), JSON.stringify({ ...r, format: 1 }));
  const warnings: string[] = [];
  assert.equal(store.read(r.hash, (m) => warnings.push(m)), null);
  assert.match(warnings.join('\n'), /record format 1, this version writes 2: the trial will run again/);
});
