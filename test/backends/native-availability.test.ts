/**
 * The native backend is optional: without the addon (simulated by pointing
 * PRETRAIN_LAB_NATIVE_PATH at a missing or broken file) it reports itself unavailable with
 * the command that enables it, and `auto` falls back to another backend.
 */
import { afterEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BackendUnavailableError, createBackend } from '../../src/backends/registry.ts';
import { nativeAvailability, setThreads } from '../../src/backends/native/index.ts';
import { tempDir } from '../helpers/temp-dir.ts';

const saved = process.env['PRETRAIN_LAB_NATIVE_PATH'];
afterEach(() => {
  if (saved === undefined) delete process.env['PRETRAIN_LAB_NATIVE_PATH'];
  else process.env['PRETRAIN_LAB_NATIVE_PATH'] = saved;
});

const missing = join(tmpdir(), 'pretrain-lab-no-such-dir', 'pretrain_lab_native.node');

test('nativeAvailability() without the addon is unavailable and names the apt-get and build commands', () => {
  process.env['PRETRAIN_LAB_NATIVE_PATH'] = missing;
  const a = nativeAvailability();
  assert.equal(a.name, 'native');
  assert.equal(a.available, false);
  assert.match(a.reason ?? '', /apt-get install libopenblas-dev/);
  assert.match(a.reason ?? '', /node scripts\/build-native\.mjs/);
  assert.ok(a.reason?.includes(missing), 'the reason names the path that was looked for');
});

test("createBackend('native') without the addon throws BackendUnavailableError with the apt-get command", async () => {
  process.env['PRETRAIN_LAB_NATIVE_PATH'] = missing;
  await assert.rejects(createBackend('native'), (e: unknown) => {
    assert.ok(e instanceof BackendUnavailableError, `expected BackendUnavailableError, got ${String(e)}`);
    assert.match(e.message, /apt-get install libopenblas-dev/);
    return true;
  });
  assert.throws(() => setThreads(2), BackendUnavailableError);
});

test("createBackend('auto') without the addon falls back to another backend", async () => {
  process.env['PRETRAIN_LAB_NATIVE_PATH'] = missing;
  const be = await createBackend('auto');
  assert.notEqual(be.name, 'native');
});

test('a .node file that fails to load makes the backend unavailable, not the process crash', () => {
  const broken = join(tempDir('pretrain-lab-native-'), 'broken.node');
  writeFileSync(broken, 'not a shared library');
  process.env['PRETRAIN_LAB_NATIVE_PATH'] = broken;
  const a = nativeAvailability();
  assert.equal(a.available, false);
  assert.match(a.reason ?? '', /failed to load/);
  assert.match(a.reason ?? '', /apt-get install libopenblas-dev/);
});
