/**
 * The page's training worker: loads the data, creates the wasm backend (kernels fetched from
 * `wasm/` beside the page) and trains one pair per seed (`train-pair.ts`), posting what the page
 * draws. The page stops it by terminating the worker, so nothing here checks for a stop.
 */
import { createWasmBackend, setWasmLocation } from '../../src/backends/wasm/index.ts';
import type { Backend } from '../../src/tensor/kernels.ts';
import { makeDataset, type DataSplits } from '../../src/data/dataset.ts';
import { generateShapeset } from '../../src/data/shapeset.ts';
import { resolveTrialConfig, type TrialConfig } from '../../src/train/config.ts';
import type { LayerLearner } from '../../src/train/layer-learner.ts';
import { encodeModel } from '../../src/train/model-tensors.ts';
import { variantMetadata } from '../../src/train/checkpoint-variant.ts';
import { onnxFromModel } from '../../src/export/mlp-to-onnx.ts';
import { decodeMnistSubset, gunzipIfNeeded, MNIST_SUBSET_FILE } from './mnist-subset.ts';
import { gibbsSamples, reconstruct } from './reconstruct.ts';
import { imageGrid, pictureShape } from './image-grid.ts';
import { trainPair, type TwinResult } from './train-pair.ts';
import { rbmEpochSeconds } from './rbm-epoch.ts';
import type { BenchMessage, DataChoice, ModelChoice, StartMessage, Twin, WorkerMessage } from './protocol.ts';

const scope = self as unknown as { postMessage(m: WorkerMessage, transfer?: Transferable[]): void; onmessage: ((e: MessageEvent<StartMessage | BenchMessage>) => void) | null };
const post = (m: WorkerMessage, transfer: Transferable[] = []): void => scope.postMessage(m, transfer);

/** Filters shown: the first this many hidden units of layer 1. */
const MAX_FILTERS = 100;
/** Inputs reconstructed. */
const RECONSTRUCTED = 8;
/** At most one filter update per this many milliseconds. */
const FILTER_EVERY_MS = 150;

scope.onmessage = (e) => {
  const job = e.data.type === 'start' ? run(e.data) : bench(e.data);
  job.catch((err: unknown) => post({ type: 'error', message: err instanceof Error ? err.message : String(err) }));
};

/** Times one RBM epoch (see `rbm-epoch.ts`) and posts the seconds. */
async function bench(msg: BenchMessage): Promise<void> {
  setWasmLocation(new URL('wasm/', msg.baseUrl));
  const [backend, data] = await Promise.all([createWasmBackend(), loadData({ kind: 'mnist', trainSize: msg.n }, msg.baseUrl)]);
  const seconds = await rbmEpochSeconds(backend, data.train, msg);
  post({ type: 'bench', seconds, backend: backend.description });
}

async function run(msg: StartMessage): Promise<void> {
  const t0 = performance.now();
  setWasmLocation(new URL('wasm/', msg.baseUrl));
  post({ type: 'status', text: 'loading the data and the wasm kernels' });
  const [backend, data] = await Promise.all([createWasmBackend(), loadData(msg.data, msg.baseUrl)]);
  const { train, valid, test } = data;
  post({ type: 'data', name: train.name.split('/')[0]!, nTrain: train.n, nValid: valid.n, nTest: test.n, dim: train.dim, nClasses: train.nClasses, image: train.image ?? null });
  for (let s = 0; s < msg.model.seeds; s++) {
    const seed = msg.model.seed + s;
    const cfg = trialConfig(msg.model, msg.data, seed);
    post({ type: 'status', text: `${msg.model.seeds > 1 ? `seed ${seed} (${s + 1} of ${msg.model.seeds}): ` : ''}${cfg.pretrain.kind === 'none' ? 'training' : 'pre-training'} on ${backend.description}` });
    const prefix = msg.model.seeds > 1 ? `seed ${seed} (${s + 1} of ${msg.model.seeds}): ` : '';
    const results = await trainPair(backend, data, cfg, listener(seed, data, cfg.pretrain.epochs, cfg.pretrain.cdK, prefix));
    for (const r of results) post({ type: 'result', seed, twin: r.twin, testError: r.result.final.test.error, validError: r.result.final.valid.error, bestEpoch: r.result.bestEpoch, confusion: r.confusion });
    if (s === 0) for (const r of results) exportModel(r, cfg, backend);
    for (const r of results) r.model.dispose();
  }
  post({ type: 'done', seconds: (performance.now() - t0) / 1000 });
}

/** The resolved trial config the CLI would run for these choices (stored in the exported checkpoint). */
function trialConfig(m: ModelChoice, d: DataChoice, seed: number): TrialConfig {
  const data = d.kind === 'mnist' ? { name: 'mnist', trainSize: d.trainSize } : d.kind === 'shapeset' ? { name: 'shapeset' } : { name: `csv:${d.name}` };
  return resolveTrialConfig({
    seed,
    backend: 'wasm',
    data,
    model: { depth: m.depth, hidden: m.width },
    pretrain: { kind: m.pretrain, epochs: m.pretrainEpochs, lr: m.pretrainLr, batchSize: m.batchSize, corruption: m.corruption, cdK: m.cdK },
    finetune: { epochs: m.finetuneEpochs, lr: m.finetuneLr, batchSize: m.batchSize },
  });
}

async function loadData(d: DataChoice, baseUrl: string): Promise<DataSplits> {
  if (d.kind === 'shapeset') return generateShapeset({ variant: 'triangle-square', sizes: [5000, 1000, 1000] });
  if (d.kind === 'user') {
    const image = d.image ?? undefined;
    const part = (split: string, e: { x: Float32Array; y: Int32Array; dim: number }) => makeDataset(`${d.name}/${split}`, e.x, e.y, e.dim, d.nClasses, image);
    return { train: part('train', d.train), valid: part('valid', d.valid), test: part('test', d.test) };
  }
  const res = await fetch(new URL(MNIST_SUBSET_FILE, baseUrl));
  if (!res.ok) throw new Error(`cannot load ${MNIST_SUBSET_FILE} (HTTP ${res.status}); serve the built page (npm run build, then pretrain-lab serve)`);
  return decodeMnistSubset(await gunzipIfNeeded(new Uint8Array(await res.arrayBuffer())), d.trainSize);
}

/** Posts the first layer's filters and reconstructions at the start and end of each epoch and at most every FILTER_EVERY_MS between, and the epochs as they end. */
function listener(seed: number, data: DataSplits, epochs: number, steps: number, prefix: string) {
  let last = -Infinity;
  const inputs = data.valid.x.slice(0, Math.min(RECONSTRUCTED, data.valid.n) * data.valid.dim);
  const [height, width] = pictureShape(data.valid.dim, data.valid.image);
  return {
    firstLayer(learner: LayerLearner, epoch: number, epochEnd: boolean): void {
      const now = performance.now();
      if (!epochEnd && now - last < FILTER_EVERY_MS) return;
      last = now;
      const { W } = learner.encoder; // [nIn, nHidden]
      const count = Math.min(MAX_FILTERS, W.cols), nIn = W.rows;
      const w = new Float32Array(count * nIn); // [count, nIn]: one filter per row
      for (let i = 0; i < nIn; i++) for (let j = 0; j < count; j++) w[j * nIn + i] = W.data[i * W.cols + j]!;
      const nShown = inputs.length / nIn, kind = learner.model.kind;
      const row = (x: Float32Array) => createImageBitmap(imageGrid(x, nShown, height, width, nShown, true));
      const samples = kind === 'rbm' ? gibbsSamples(learner.model, inputs, nIn, steps, seed) : null;
      const filters = createImageBitmap(imageGrid(w, count, height, width, Math.ceil(Math.sqrt(count))));
      const pictures = Promise.all([row(inputs), row(reconstruct(learner.model, inputs, nIn)), samples ? row(samples) : null]);
      void filters.then((picture) => post({ type: 'filters', seed, layer: 0, epoch, count, picture }, [picture]));
      void pictures.then(([i, o, s]) => post({ type: 'reconstructions', kind, count: nShown, inputs: i, outputs: o, samples: s, steps }, s ? [i, o, s] : [i, o]));
    },
    pretrainEpoch(layer: number, epoch: number, reconstruction: number, seconds: number): void {
      post({ type: 'pretrain-epoch', seed, layer, epoch, epochs, reconstruction, seconds });
    },
    finetuneStart(twins: readonly Twin[]): void {
      post({ type: 'status', text: `${prefix}fine-tuning ${twins.length === 2 ? 'the pre-trained network and its random twin side by side' : 'the randomly initialised network'}` });
    },
    finetuneEpoch(twin: Twin, epoch: number, validError: number, trainNll: number): void {
      post({ type: 'finetune-epoch', seed, twin, epoch, validError, trainNll });
    },
  };
}

/** Posts the kept network as safetensors bytes, with the metadata `runTrial` writes to final.safetensors, and as ONNX (`onnxFromModel`, the CLI's export). */
function exportModel(r: TwinResult, cfg: TrialConfig, backend: Backend): void {
  const config = r.twin === 'random' ? { ...cfg, pretrain: { ...cfg.pretrain, kind: 'none' as const } } : cfg;
  const metrics = JSON.stringify({ final: r.result.final, bestEpoch: r.result.bestEpoch, epochsRun: r.result.epochsRun });
  const parts = encodeModel(r.model, { config: JSON.stringify(config), ...variantMetadata(backend.variant), metrics });
  const onnx = onnxFromModel(r.model, { config: JSON.stringify(config), metrics }).slice();
  const bytes = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  let at = 0;
  for (const p of parts) {
    bytes.set(p, at);
    at += p.length;
  }
  post({ type: 'model', twin: r.twin, bytes: bytes.buffer, onnx: onnx.buffer }, [bytes.buffer, onnx.buffer]);
}
