/**
 * The live lab in a real browser: the built page (dist/web) loaded from `pretrain-lab serve` in the
 * system Chromium (as the report tests do). One browser session, to keep it well under a minute:
 * a user CSV with a bad row shows a message naming the row and the problem; dropped trial records
 * become a table of cells and a dropped report.html opens in a new tab; then a tiny DBN
 * (784-100, 3 epochs of CD-1) trains on 1,000 MNIST digits in the worker and is fine-tuned beside
 * its random twin; the filters canvas changes while it pre-trains; the displayed test error is
 * below 30% (chance is 90%; about 21% is typical); the safetensors export downloads, parses and
 * `pretrain-lab eval` reads it, and the ONNX export computes the same outputs in onnxruntime-node; no request leaves the page's origin; and the main thread has no
 * long task over 100 ms while the network trains.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { skipWithoutChromium, withBrowserPage } from '../helpers/chromium.ts';
import { BIN, cli } from '../helpers/run-cli.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { WEB_DIR } from '../../src/cli/commands/serve.ts';
import { serveStatic } from '../../src/cli/static-server.ts';
import { readCheckpoint } from '../../src/train/checkpoint.ts';
import { predict } from '../../src/train/evaluate.ts';
import { loadMnistAll } from '../../src/data/mnist.ts';
import { makeDataset } from '../../src/data/dataset.ts';
import { networkFromCheckpoint } from '../../src/export/export-onnx.ts';
import { ONNX_INPUT, ONNX_OUTPUT } from '../../src/export/mlp-to-onnx.ts';
import { skipIfMissing } from '../helpers/skip-if-missing.ts';

type Ort = typeof import('onnxruntime-node');
let ort: Ort | null = null;
let ortMissing: string | undefined;
try {
  ort = await import('onnxruntime-node');
} catch (e) {
  ortMissing = `onnxruntime-node cannot be loaded (${(e as Error).message.split('\n')[0]}); run npm ci (it is a dev dependency)`;
}

/** Where the first test saves the page's exports, for the ONNX check. */
const EXPORTS = tempDir('pl-live-lab-');

/** The displayed test error the tiny DBN must beat. */
const TEST_ERROR_BOUND = 0.3;
/** The longest main-thread task allowed while training (ms). */
const LONG_TASK_MS = 100;

/** A long animation frame as the page records it: its span and the scripts that ran in it. */
interface LongFrame {
  start: number;
  duration: number;
  scripts: { duration: number; source: string }[];
}

/** Starts `pretrain-lab serve --port 0` on the built page; resolves to its URL. */
function startServe(t: { after(fn: () => void): void }): Promise<string> {
  const child: ChildProcess = spawn(process.execPath, [BIN, 'serve', '--port', '0', '--json'], { stdio: ['ignore', 'pipe', 'pipe'] });
  t.after(() => child.kill());
  return new Promise((resolve, reject) => {
    let out = '', err = '';
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      if (out.includes('\n')) resolve((JSON.parse(out.split('\n')[0]!) as { url: string }).url);
    });
    child.stderr!.on('data', (c: Buffer) => (err += c.toString()));
    child.on('exit', (code) => reject(new Error(`pretrain-lab serve exited with ${code}: ${err}`)));
  });
}

test('the live lab trains a tiny DBN in a worker beside its random twin: filters change, test error < 30%, the export is read by eval, nothing leaves the origin, no long task; a bad CSV row is named; a study is tabled', { skip: skipWithoutChromium(), timeout: 120_000 }, async (t) => {
  assert.ok(fs.existsSync(path.join(WEB_DIR, 'index.html')), `the page is not built (${WEB_DIR}); run: npm run build`);
  const url = await startServe(t);
  const origin = new URL(url).origin;
  const dir = EXPORTS;
  const sameOrigin = new RegExp(`^(${origin.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/|blob:${origin.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/|data:)`);
  const exported = path.join(dir, 'model.safetensors');

  await withBrowserPage(url, sameOrigin, async (page, problems) => {
    // A user CSV whose third data line has a word where a number belongs.
    await page.setInputFiles('#data-file', { name: 'digits.csv', mimeType: 'text/csv', buffer: Buffer.from('label,a,b\n1,0.5,0.2\n0,0.1,0.3\n1,0.1,oops\n0,0.2,0.4\n') });
    await page.waitForFunction(() => document.getElementById('data-message')!.textContent !== '');
    const message = await page.textContent('#data-message');
    assert.match(message ?? '', /digits\.csv: line 4, column 3 \(b\): expected a number .*found "oops"/, `the page names the file, the row and the problem: ${message}`);
    assert.equal(await page.getAttribute('#data-message', 'class'), 'error');

    // A study's trial records become a table of cells; a report opens in a new tab.
    const rec = (cell: object, error: number) => Buffer.from(JSON.stringify({ experiment: 'depth', status: 'done', cell, result: { final: { test: { error } } } }));
    await page.setInputFiles('#study-files', [
      { name: 'a.json', mimeType: 'application/json', buffer: rec({ depth: 1 }, 0.02) },
      { name: 'b.json', mimeType: 'application/json', buffer: rec({ depth: 1 }, 0.04) },
      { name: 'c.json', mimeType: 'application/json', buffer: rec({ depth: 2 }, 0.03) },
    ]);
    await page.waitForSelector('#trials table');
    assert.deepEqual(await page.locator('#trials tr').allInnerTexts(), ['experiment\tcell\ttrials\tdiverged\ttest error (mean ± std)', 'depth\tdepth=1\t2\t0\t3.00% ± 1.41%', 'depth\tdepth=2\t1\t0\t3.00% ± –']);
    const [report] = await Promise.all([
      page.context().waitForEvent('page'),
      page.setInputFiles('#study-files', { name: 'report.html', mimeType: 'text/html', buffer: Buffer.from('<!doctype html><title>study report</title><h1>depth</h1>') }),
    ]);
    await report.waitForLoadState();
    assert.equal(await report.title(), 'study report', 'the dropped report opens in a new tab');
    await report.close();

    // The tiny DBN on 1,000 MNIST digits.
    await page.check('input[name=data][value=mnist]');
    await page.fill('#train-size', '1000');
    await page.selectOption('#pretrain', 'dbn');
    await page.fill('#depth', '1');
    await page.fill('#width', '100');
    await page.fill('#pretrain-epochs', '3');
    await page.fill('#pretrain-lr', '0.05');
    await page.fill('#finetune-epochs', '8');
    await page.fill('#batch-size', '10');
    const started = await page.evaluate(() => performance.now());
    await page.click('#start');

    // A fingerprint of every picture the filters canvas shows, taken as it is drawn (cheap: a hash of its pixels).
    await page.evaluate(() => {
      const canvas = document.getElementById('filters') as HTMLCanvasElement;
      const frames: string[] = ((window as unknown as { filterFrames: string[] }).filterFrames = []);
      new MutationObserver(() => {
        const px = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
        let h = 2166136261;
        for (let i = 0; i < px.length; i++) h = Math.imul(h ^ px[i]!, 16777619);
        frames.push((h >>> 0).toString(16));
      }).observe(canvas, { attributes: true, attributeFilter: ['data-updates'] });
    });

    await page.waitForFunction(() => /^done/.test(document.getElementById('status')!.textContent ?? '') || document.getElementById('status')!.className === 'error', null, { timeout: 60_000 });
    assert.match((await page.textContent('#status')) ?? '', /^done/, 'training finished without an error');
    const frames = await page.evaluate(() => (window as unknown as { filterFrames: string[] }).filterFrames);
    assert.ok(new Set(frames).size >= 4, `the canvas shows the initial filters and new ones after each of the 3 epochs (${new Set(frames).size} different pictures in ${frames.length} drawings)`);
    assert.notEqual(frames.at(-1), frames[0], 'the last filters differ from the initial ones');
    const ended = await page.evaluate(() => performance.now());
    const testError = Number(await page.getAttribute('#test-error-pretrained', 'data-value'));
    const twinError = Number(await page.getAttribute('#test-error-random', 'data-value'));
    assert.ok(testError < TEST_ERROR_BOUND, `the pre-trained network's displayed test error ${testError} < ${TEST_ERROR_BOUND}`);
    assert.ok(twinError < 0.5, `the random twin trained too (test error ${twinError})`);
    assert.equal(await page.locator('#confusion td').count(), 11 * 11, 'a 10-class confusion matrix with its headers');

    // No main-thread task over 100 ms while it trains. A long task in which the page's own scripts
    // ran for less than 50 ms is the machine's (the renderer starved by other processes: the test
    // machine has 2 shared cores), reported but not held against the page; one in which its scripts
    // ran longer fails, and so does any frame in which they ran over 100 ms.
    const seen = await page.evaluate(() => {
      const w = window as unknown as { longTasks: { start: number; duration: number }[]; frames: LongFrame[] };
      return { longTasks: w.longTasks, frames: w.frames };
    });
    const during = <T extends { start: number }>(v: T[]) => v.filter((l) => l.start >= started && l.start <= ended);
    const ours = (f: LongFrame) => f.scripts.filter((x) => x.source.startsWith(origin)).reduce((a, x) => a + x.duration, 0);
    const framesOver = (l: { start: number; duration: number }) => seen.frames.filter((f) => f.start < l.start + l.duration && l.start < f.start + f.duration);
    const longTasks = during(seen.longTasks).filter((l) => l.duration > LONG_TASK_MS).map((l) => ({ ...l, ours: framesOver(l).reduce((a, f) => a + ours(f), 0) }));
    t.diagnostic(`test error: pre-trained ${testError}, random twin ${twinError}; long tasks over ${LONG_TASK_MS} ms while training: ${longTasks.map((l) => `${Math.round(l.duration)} ms with ${Math.round(l.ours)} ms of the page's scripts`).join(', ') || 'none'}; longest script time in a frame: ${Math.round(Math.max(0, ...during(seen.frames).map(ours)))} ms`);
    assert.deepEqual(longTasks.filter((l) => l.ours >= 50), [], `no main-thread task over ${LONG_TASK_MS} ms of the page's own work while training`);
    assert.deepEqual(during(seen.frames).filter((f) => ours(f) > LONG_TASK_MS), [], `no frame with over ${LONG_TASK_MS} ms of the page's scripts while training`);

    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#export-pretrained')]);
    await download.saveAs(exported);
    const [onnx] = await Promise.all([page.waitForEvent('download'), page.click('#export-onnx')]);
    assert.equal(onnx.suggestedFilename(), 'pretrained.onnx');
    await onnx.saveAs(path.join(dir, 'model.onnx'));
    assert.deepEqual(problems, [], 'no console error, no page error, no request outside the page\'s origin');
  }, { width: 1200, height: 1000 }, async (page) => {
    await page.addInitScript(() => {
      const w = window as unknown as { longTasks: { start: number; duration: number }[]; frames: LongFrame[] };
      w.longTasks = [];
      w.frames = [];
      new PerformanceObserver((list) => {
        for (const e of list.getEntries()) w.longTasks.push({ start: e.startTime, duration: e.duration });
      }).observe({ type: 'longtask', buffered: true });
      // Long animation frames say which scripts ran in them (the page's own, or none: rendering, or a busy machine).
      new PerformanceObserver((list) => {
        for (const e of list.getEntries() as unknown as { startTime: number; duration: number; scripts: { duration: number; sourceURL: string }[] }[]) {
          w.frames.push({ start: e.startTime, duration: e.duration, scripts: e.scripts.map((s) => ({ duration: s.duration, source: s.sourceURL })) });
        }
      }).observe({ type: 'long-animation-frame', buffered: true });
    });
  });

  const ck = readCheckpoint(exported);
  assert.deepEqual(ck.tensors.get('hidden.0.W')?.shape, [784, 100]);
  assert.deepEqual(ck.tensors.get('output.W')?.shape, [100, 10]);
  assert.equal(ck.metadata['kind'], 'model');
  assert.equal(ck.metadata['format'], 'pretrain-lab-checkpoint/1');
  const config = JSON.parse(ck.metadata['config']!) as { pretrain: { kind: string; epochs: number }; backend: string };
  assert.equal(config.pretrain.kind, 'dbn');
  assert.equal(config.pretrain.epochs, 3);
  const ev = await cli('eval', exported, '--data', 'mnist', '--split', 'test', '--backend', 'wasm', '--json');
  assert.equal(ev.code, 0, ev.stderr);
  const result = JSON.parse(ev.stdout.trim().split('\n').at(-1)!) as { n: number; error: number };
  assert.equal(result.n, 10000);
  t.diagnostic(`eval of the export on MNIST's 10,000 test digits: error ${result.error}`);
  assert.ok(result.error < TEST_ERROR_BOUND, `eval of the exported network on MNIST's 10,000 test digits: error ${result.error} < ${TEST_ERROR_BOUND}`);
});

test("the page's ONNX export computes in onnxruntime-node what its safetensors export computes (1,000 test digits, within 1e-5)", { skip: skipWithoutChromium() || skipIfMissing('onnxruntime-node', ortMissing), timeout: 60_000 }, async (t) => {
  const file = path.join(EXPORTS, 'model.safetensors');
  const model = networkFromCheckpoint(readCheckpoint(file), file);
  const all = loadMnistAll(), n = 1000, d = 784, k = 10;
  const test = makeDataset('mnist/test', all.x.subarray(60000 * d, (60000 + n) * d), all.y.subarray(60000, 60000 + n), d, k);
  let ours: Float32Array;
  try {
    ours = predict(model, test);
  } finally {
    model.dispose();
  }
  const session = await ort!.InferenceSession.create(path.join(EXPORTS, 'model.onnx'));
  const out = await session.run({ [ONNX_INPUT]: new ort!.Tensor('float32', test.x, [n, d]) });
  const probs = out[ONNX_OUTPUT]!.data as Float32Array;
  assert.equal(probs.length, n * k);
  let maxDiff = 0;
  for (let i = 0; i < probs.length; i++) maxDiff = Math.max(maxDiff, Math.abs(probs[i]! - ours[i]!));
  t.diagnostic(`max |onnxruntime - ours| on ${n} test digits: ${maxDiff}`);
  assert.ok(maxDiff < 1e-5, `max |onnxruntime - ours| = ${maxDiff}`);
});

test('the built page works from a sub-directory of any static host: every path in it is relative', { skip: skipWithoutChromium(), timeout: 60_000 }, async (t) => {
  assert.ok(fs.existsSync(path.join(WEB_DIR, 'index.html')), `the page is not built (${WEB_DIR}); run: npm run build`);
  // A host whose own root holds other pages, with the lab copied into lab/.
  const site = tempDir();
  fs.writeFileSync(path.join(site, 'index.html'), '<!doctype html><title>another site</title>');
  fs.cpSync(WEB_DIR, path.join(site, 'lab'), { recursive: true });
  const host = await serveStatic(site, 0, '127.0.0.1');
  t.after(() => host.close());
  const url = new URL('lab/', host.url).href;
  await withBrowserPage(url, new RegExp(`^${url.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`), async (page, problems) => {
    await page.fill('#train-size', '100');
    await page.fill('#width', '10');
    await page.fill('#pretrain-epochs', '1');
    await page.fill('#finetune-epochs', '1');
    await page.click('#start');
    await page.waitForFunction(() => /^done/.test(document.getElementById('status')!.textContent ?? '') || document.getElementById('status')!.className === 'error', null, { timeout: 30_000 });
    assert.match((await page.textContent('#status')) ?? '', /^done/);
    assert.deepEqual(problems, [], `every request stays under ${url}`);
  });
});
