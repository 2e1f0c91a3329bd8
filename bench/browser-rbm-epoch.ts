/**
 * A 784-500 RBM pre-training epoch (CD-1, the lab's `pretrainStack` path, pseudo-likelihood monitor
 * included) on the first 10,000 MNIST training digits, on the wasm backend, in Chromium (in the live
 * lab's Web Worker, served by `pretrain-lab serve`'s static server) and under Node, side by side in
 * one run: the same function (`web/src/rbm-epoch.ts`), the same digits, seed and settings. Each side
 * runs one untimed warm-up epoch, then `--repeats` epochs alternating browser and Node; prints each
 * side's median and the ratio browser / Node (issue 17's bar: within 1.5x).
 *
 *   npm run build   # the page in dist/web
 *   node --import tsx bench/browser-rbm-epoch.ts [--examples 10000] [--hidden 500] [--batch 10] [--repeats 3] [--json]
 */
import { parseArgs } from 'node:util';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createBackend } from '../src/backends/index.ts';
import { loadMnistAll } from '../src/data/mnist.ts';
import { makeDataset } from '../src/data/dataset.ts';
import { serveStatic } from '../src/cli/static-server.ts';
import { WEB_DIR } from '../src/cli/commands/serve.ts';
import { rbmEpochSeconds, type RbmEpochOptions } from '../web/src/rbm-epoch.ts';

const { values: opts } = parseArgs({
  options: {
    examples: { type: 'string', default: '10000' },
    hidden: { type: 'string', default: '500' },
    batch: { type: 'string', default: '10' },
    repeats: { type: 'string', default: '3' },
    json: { type: 'boolean', default: false },
  },
});
/** The Chromium the tests use (`CHROMIUM_PATH` overrides). */
const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';
const n = Number(opts.examples), repeats = Number(opts.repeats);
const epoch: RbmEpochOptions = { nHidden: Number(opts.hidden), batchSize: Number(opts.batch), lr: 0.01, seed: 1 };
if (!fs.existsSync(path.join(WEB_DIR, 'index.html'))) throw new Error(`the page is not built (${WEB_DIR}); run: npm run build`);
if (!fs.existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH)`);

// Node: the same digits the page's subset holds (the first n of MNIST's training file).
const all = loadMnistAll();
const train = makeDataset('mnist/train', all.x.subarray(0, n * 784), all.y.subarray(0, n), 784, 10, { height: 28, width: 28 });
const backend = await createBackend('wasm');

// Chromium: the live lab's page and worker.
const server = await serveStatic(WEB_DIR, 0, '127.0.0.1');
const { chromium } = await import('playwright-core');
const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'pl-chromium-'));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: CHROMIUM,
  headless: true,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
const times = { browser: [] as number[], node: [] as number[] };
let browserBackend = '', userAgent = '';
try {
  const page = await context.newPage();
  await page.goto(server.url);
  userAgent = await page.evaluate(() => navigator.userAgent);
  const inBrowser = async (): Promise<number> => {
    const r = await page.evaluate((o) => (window as unknown as { pretrainLab: { benchRbmEpoch(o: unknown): Promise<{ seconds: number; backend: string }> } }).pretrainLab.benchRbmEpoch(o), { n, ...epoch });
    browserBackend = r.backend;
    return r.seconds;
  };
  const inNode = () => rbmEpochSeconds(backend, train, epoch);
  await inBrowser();
  await inNode();
  for (let i = 0; i < repeats; i++) {
    times.browser.push(await inBrowser());
    times.node.push(await inNode());
    if (!opts.json) process.stdout.write(`epoch ${i + 1}: browser ${times.browser.at(-1)!.toFixed(2)} s, node ${times.node.at(-1)!.toFixed(2)} s\n`);
  }
} finally {
  await context.close();
  fs.rmSync(profile, { recursive: true, force: true });
  await server.close();
}

const median = (v: number[]): number => {
  const s = [...v].sort((a, b) => a - b), m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const browser = median(times.browser), node = median(times.node), ratio = browser / node;
const setting = `${n} digits, 784-${epoch.nHidden} RBM, CD-1, batch ${epoch.batchSize}`;
if (opts.json) {
  process.stdout.write(`${JSON.stringify({ setting, browser, node, ratio, times, browserBackend, nodeBackend: backend.description, userAgent, nodeVersion: process.version })}\n`);
} else {
  process.stdout.write(`${setting}: one epoch, median of ${repeats}\n  Chromium worker (${/Chrome\/[\d.]+/.exec(userAgent)?.[0] ?? userAgent}; ${browserBackend}): ${browser.toFixed(2)} s\n  Node ${process.version} (${backend.description}): ${node.toFixed(2)} s\n  ratio browser / node: ${ratio.toFixed(2)}x (bar: 1.5x)\n`);
}
