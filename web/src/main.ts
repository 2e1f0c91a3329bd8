/**
 * The live lab's page: reads the form, starts the training worker (`worker.ts`) and draws what it
 * posts; parses dropped data files and study files in the page. Every message the worker sends
 * is handled in a few milliseconds, so the page stays responsive while it trains.
 */
import type { DataSplits } from '../../src/data/dataset.ts';
import { confusionTable, drawCurves, drawPicture, drawSpread, type Series } from './draw.ts';
import type { BenchMessage, DataChoice, ModelChoice, StartMessage, Twin, WorkerMessage } from './protocol.ts';
import { parseDroppedFiles } from './user-file.ts';
import { summariseTrials, trialsTable } from './trials-view.ts';

const $ = <T extends HTMLElement>(id: string): T => {
  const el = document.getElementById(id);
  if (!el) throw new Error(`the page has no #${id}`);
  return el as T;
};
const input = (id: string) => $<HTMLInputElement>(id);
const num = (id: string) => Number(input(id).value);

const COLORS: Record<Twin, string> = { pretrained: '#2a5ac8', random: '#d2691e' };
const LABELS: Record<Twin, string> = { pretrained: 'pre-trained', random: 'random init' };

let worker: Worker | null = null;
let userData: { name: string; splits: DataSplits } | null = null;
const models: Partial<Record<Twin, ArrayBuffer>> = {};
const onnxModels: Partial<Record<Twin, ArrayBuffer>> = {};
/** Validation error curves by seed and twin. */
let curves = new Map<string, { seed: number; twin: Twin; points: [number, number][] }>();
let firstSeed = 1;
let testErrors: Record<Twin, number[]> = { pretrained: [], random: [] };

function setStatus(text: string, error = false): void {
  const s = $('status');
  s.textContent = text;
  s.className = error ? 'error' : '';
}

function modelChoice(): ModelChoice {
  return {
    depth: num('depth'),
    width: num('width'),
    pretrain: $<HTMLSelectElement>('pretrain').value as ModelChoice['pretrain'],
    corruption: num('corruption'),
    cdK: num('cdk'),
    pretrainEpochs: num('pretrain-epochs'),
    finetuneEpochs: num('finetune-epochs'),
    pretrainLr: num('pretrain-lr'),
    finetuneLr: num('finetune-lr'),
    batchSize: num('batch-size'),
    seed: num('seed'),
    seeds: input('five-seeds').checked ? 5 : 1,
  };
}

function dataChoice(): DataChoice | null {
  const kind = document.querySelector<HTMLInputElement>('input[name=data]:checked')?.value;
  if (kind === 'shapeset') return { kind: 'shapeset' };
  if (kind === 'user') {
    if (!userData) return null;
    const { train, valid, test } = userData.splits;
    const ex = (d: typeof train) => ({ x: d.x.slice(), y: d.y.slice(), n: d.n, dim: d.dim });
    return { kind: 'user', name: userData.name, nClasses: train.nClasses, image: train.image ?? null, train: ex(train), valid: ex(valid), test: ex(test) };
  }
  return { kind: 'mnist', trainSize: num('train-size') };
}

function resetViews(): void {
  curves = new Map();
  testErrors = { pretrained: [], random: [] };
  for (const t of ['pretrained', 'random'] as const) {
    delete models[t];
    delete onnxModels[t];
    $(`test-error-${t}`).textContent = '–';
    $<HTMLButtonElement>(`export-${t}`).disabled = true;
  }
  $<HTMLButtonElement>('export-onnx').disabled = true;
  $('confusion').replaceChildren();
  $('pretrain-log').textContent = '';
  drawCurves($<HTMLCanvasElement>('curves'), [], 'epoch', 'valid error');
}

function start(): void {
  const data = dataChoice();
  if (!data) {
    setStatus('drop your data file first (or pick MNIST or Shapeset)', true);
    return;
  }
  stop();
  resetViews();
  const model = modelChoice();
  firstSeed = model.seed;
  $('spread-panel').hidden = model.seeds === 1;
  worker = new Worker(new URL('./worker.ts', import.meta.url), { type: 'module' });
  worker.onmessage = (e: MessageEvent<WorkerMessage>) => onMessage(e.data);
  worker.onerror = (e) => {
    setStatus(`the training worker failed: ${e.message}`, true);
    stop();
  };
  const msg: StartMessage = { type: 'start', baseUrl: new URL('./', location.href).href, data, model };
  worker.postMessage(msg);
  $<HTMLButtonElement>('start').disabled = true;
  $<HTMLButtonElement>('stop').disabled = false;
  setStatus('starting');
}

function stop(): void {
  worker?.terminate();
  worker = null;
  $<HTMLButtonElement>('start').disabled = false;
  $<HTMLButtonElement>('stop').disabled = true;
}

function onMessage(m: WorkerMessage): void {
  switch (m.type) {
    case 'status':
      setStatus(m.text);
      break;
    case 'data':
      $('pretrain-log').textContent = `${m.name}: ${m.nTrain} train, ${m.nValid} valid, ${m.nTest} test examples of ${m.dim} values, ${m.nClasses} classes`;
      break;
    case 'filters':
      drawPicture($<HTMLCanvasElement>('filters'), m.picture);
      $('filters').dataset['updates'] = String(Number($('filters').dataset['updates'] ?? 0) + 1);
      break;
    case 'reconstructions':
      $('recon-title').textContent = m.kind === 'rbm' ? `Inputs, RBM reconstructions and samples (${m.steps} Gibbs step${m.steps > 1 ? 's' : ''})` : 'Inputs and DAE reconstructions';
      drawPicture($<HTMLCanvasElement>('inputs'), m.inputs);
      drawPicture($<HTMLCanvasElement>('reconstructions'), m.outputs);
      $('samples').hidden = !m.samples;
      if (m.samples) drawPicture($<HTMLCanvasElement>('samples'), m.samples);
      break;
    case 'pretrain-epoch':
      $('pretrain-log').textContent = `seed ${m.seed}, layer ${m.layer + 1}, epoch ${m.epoch}/${m.epochs}: reconstruction ${m.reconstruction.toFixed(3)} (${m.seconds.toFixed(2)} s)`;
      break;
    case 'finetune-epoch': {
      const key = `${m.seed}/${m.twin}`;
      const c = curves.get(key) ?? { seed: m.seed, twin: m.twin, points: [] };
      c.points.push([m.epoch, m.validError]);
      curves.set(key, c);
      drawCurves($<HTMLCanvasElement>('curves'), [...curves.values()].map((c): Series => ({
        points: c.points,
        color: COLORS[c.twin],
        faint: c.seed !== firstSeed,
        ...(c.seed === firstSeed ? { label: LABELS[c.twin] } : {}),
      })), 'epoch', 'valid error');
      break;
    }
    case 'result':
      testErrors[m.twin].push(m.testError);
      if (m.seed === firstSeed) {
        $(`test-error-${m.twin}`).textContent = `${(100 * m.testError).toFixed(2)}%`;
        $(`test-error-${m.twin}`).dataset['value'] = String(m.testError);
        if (m.twin === 'pretrained' || !$('confusion').hasChildNodes()) $('confusion').replaceChildren(confusionTable(m.confusion));
      }
      drawSpread($<HTMLCanvasElement>('spread'), (['pretrained', 'random'] as const).map((t) => ({ label: LABELS[t], color: COLORS[t], values: testErrors[t] })));
      break;
    case 'model':
      models[m.twin] = m.bytes;
      onnxModels[m.twin] = m.onnx;
      $<HTMLButtonElement>(`export-${m.twin}`).disabled = false;
      $<HTMLButtonElement>('export-onnx').disabled = false;
      break;
    case 'done':
      setStatus(`done in ${m.seconds.toFixed(1)} s`);
      stop();
      break;
    case 'error':
      setStatus(m.message, true);
      stop();
      break;
    case 'bench':
      break;
  }
}

/**
 * Times one RBM pre-training epoch in a fresh worker (the page's own worker and backend); used by
 * `bench/browser-rbm-epoch.ts` through `window.pretrainLab`.
 */
function benchRbmEpoch(o: Omit<BenchMessage, 'type' | 'baseUrl'>): Promise<{ seconds: number; backend: string }> {
  const w = new Worker(new URL('./worker.ts', import.meta.url), { type: 'module' });
  return new Promise<{ seconds: number; backend: string }>((resolve, reject) => {
    w.onmessage = (e: MessageEvent<WorkerMessage>) => {
      if (e.data.type === 'bench') resolve({ seconds: e.data.seconds, backend: e.data.backend });
      else if (e.data.type === 'error') reject(new Error(e.data.message));
    };
    w.onerror = (e) => reject(new Error(e.message));
    const msg: BenchMessage = { type: 'bench-rbm-epoch', baseUrl: new URL('./', location.href).href, ...o };
    w.postMessage(msg);
  }).finally(() => w.terminate());
}
(window as unknown as { pretrainLab: unknown }).pretrainLab = { benchRbmEpoch };

function download(bytes: ArrayBuffer, name: string): void {
  const url = URL.createObjectURL(new Blob([bytes], { type: 'application/octet-stream' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

async function readFiles(list: FileList | null): Promise<{ name: string; bytes: Uint8Array }[]> {
  return Promise.all([...(list ?? [])].map(async (f) => ({ name: f.name, bytes: new Uint8Array(await f.arrayBuffer()) })));
}

async function onDataFiles(list: FileList | null): Promise<void> {
  const msg = $('data-message');
  const files = await readFiles(list);
  if (!files.length) return;
  userData = null;
  try {
    const splits = await parseDroppedFiles(files);
    const name = splits.train.name.split('/')[0]!;
    userData = { name, splits };
    input('data-file').closest('fieldset')!.querySelector<HTMLInputElement>('input[value=user]')!.checked = true;
    msg.className = '';
    msg.textContent = `${files.map((f) => f.name).join(' + ')}: ${splits.train.n} train, ${splits.valid.n} valid, ${splits.test.n} test examples of ${splits.train.dim} features, ${splits.train.nClasses} classes`;
  } catch (e) {
    msg.className = 'error';
    msg.textContent = `cannot use this data: ${(e as Error).message}`;
  }
}

async function onStudyFiles(list: FileList | null): Promise<void> {
  const msg = $('study-message');
  const files = [...(list ?? [])];
  if (!files.length) return;
  try {
    const report = files.find((f) => /\.html?$/i.test(f.name));
    if (report) {
      const url = URL.createObjectURL(new Blob([await report.arrayBuffer()], { type: 'text/html' }));
      window.open(url, '_blank', 'noopener');
      msg.className = '';
      msg.textContent = `opened ${report.name} in a new tab`;
      return;
    }
    const rows = summariseTrials(await Promise.all(files.map(async (f) => ({ name: f.name, text: await f.text() }))));
    $('trials').replaceChildren(trialsTable(rows));
    msg.className = '';
    msg.textContent = `${files.length} trial records in ${rows.length} cells`;
  } catch (e) {
    msg.className = 'error';
    msg.textContent = (e as Error).message;
  }
}

function dropZone(zone: HTMLElement, onFiles: (l: FileList | null) => Promise<void>): void {
  zone.addEventListener('dragover', (e) => {
    e.preventDefault();
    zone.classList.add('over');
  });
  zone.addEventListener('dragleave', () => zone.classList.remove('over'));
  zone.addEventListener('drop', (e) => {
    e.preventDefault();
    zone.classList.remove('over');
    void onFiles(e.dataTransfer?.files ?? null);
  });
}

$('start').addEventListener('click', start);
$('stop').addEventListener('click', () => {
  stop();
  setStatus('stopped');
});
for (const t of ['pretrained', 'random'] as const) {
  $(`export-${t}`).addEventListener('click', () => {
    const bytes = models[t];
    if (bytes) download(bytes, `${t}.safetensors`);
  });
}
$('export-onnx').addEventListener('click', () => {
  const twin: Twin = onnxModels.pretrained ? 'pretrained' : 'random';
  const bytes = onnxModels[twin];
  if (bytes) download(bytes, `${twin}.onnx`);
});
input('data-file').addEventListener('change', () => void onDataFiles(input('data-file').files));
input('study-files').addEventListener('change', () => void onStudyFiles(input('study-files').files));
dropZone($('drop-data'), onDataFiles);
dropZone($('drop-study'), onStudyFiles);
resetViews();
