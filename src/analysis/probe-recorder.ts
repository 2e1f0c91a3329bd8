/**
 * Probe outputs for function-space trajectories (Erhan et al. 2010, Section 6.3, Figs. 5-6): the
 * network's softmax outputs on a fixed probe set (e.g. the first N test examples), recorded before
 * training (epoch 0) and after every fine-tuning epoch (or every block of online updates), so that
 * each (trial, epoch) becomes one point `[nProbe * nClasses]` in function space for t-SNE / Isomap.
 *
 * Side file format (`PROBE_FORMAT`): a safetensors file (see `src/train/checkpoint.ts`; readable
 * from Python with `safetensors.numpy.load_file`) holding
 * - `outputs`: F32 `[nRecords, nProbe, nClasses]`, record r = softmax outputs after epoch `epochs[r]`;
 * - `labels`: F32 `[nProbe]`, the probe examples' labels (integers stored exactly);
 * and string metadata `kind` = 'probe-outputs', `probeFormat` = PROBE_FORMAT, `probe` (the probe
 * set's name), `epochs` (JSON `number[]`), `values` (JSON, each record's epoch metrics, e.g.
 * `testError` or `examplesSeen`), plus the caller's metadata. The whole file is rewritten
 * atomically at every flush (`atomicWriteFile`), so a reader never sees a partial record;
 * 50 epochs x 1,000 probes x 10 classes is 2 MB. Keep the trial record small: put the file in
 * the trial's checkpoint directory (`probe.safetensors`), which the store keys by trial hash.
 */
import { existsSync } from 'node:fs';
import type { Dataset } from '../data/dataset.ts';
import type { Mlp } from '../models/mlp.ts';
import { checkpointTensor, CheckpointError, readCheckpoint, writeCheckpoint } from '../train/checkpoint.ts';
import type { EpochContext, EpochMetrics, TrainingHooks } from '../train/hooks.ts';
import { predict } from '../train/evaluate.ts';

/** Version string stored under metadata `probeFormat`. */
export const PROBE_FORMAT = 'pretrain-lab-probe/1';
/** Conventional file name inside a trial's checkpoint directory. */
export const PROBE_FILE = 'probe.safetensors';

export interface ProbeRecorderOptions {
  /** The side file, e.g. `join(checkpointDir, PROBE_FILE)`. */
  path: string;
  /** The fixed probe set, e.g. `headExamples(data.test, 1000)`. */
  probe: Dataset;
  /** Write the file after every this many records (default 1); call `flush()` at the end otherwise. */
  flushEvery?: number;
  /**
   * Continue an existing file (default true): its records are kept, and recording epoch e later
   * drops any kept record of epoch >= e (what a resumed trial recomputes). False starts afresh.
   */
  resume?: boolean;
  /** Examples per `predict` batch (default 500). */
  batchSize?: number;
  /** Extra string metadata (e.g. the trial config JSON). */
  metadata?: Record<string, string>;
}

/** The hooks plus direct access; `onEpoch` records fine-tuning epochs (those whose context has a model). */
export interface ProbeRecorder extends TrainingHooks {
  readonly path: string;
  /** Records held (written or not). */
  readonly count: number;
  /** Records `model`'s outputs as epoch `epoch` (0 = before training), with optional metrics. */
  record(model: Mlp, epoch: number, values?: Record<string, number>): void;
  /** Writes every record held to `path` (atomic). */
  flush(): void;
}

/** What `readProbeOutputs` returns. */
export interface ProbeOutputs {
  epochs: number[];
  nProbe: number;
  nClasses: number;
  /** `[epochs.length, nProbe, nClasses]` row-major. */
  outputs: Float32Array;
  /** `[nProbe]` labels of the probe examples. */
  labels: Int32Array;
  /** Each record's metrics (empty objects when none were given). */
  values: Record<string, number>[];
  metadata: Record<string, string>;
}

/**
 * A probe recorder (see the module comment). Use as `hooks` of `finetune` / `trainOnline`
 * (alone or through `combineHooks`); both call `onStart`, which records epoch 0.
 */
export function createProbeRecorder(opts: ProbeRecorderOptions): ProbeRecorder {
  const { path, probe } = opts;
  const flushEvery = opts.flushEvery ?? 1;
  if (!(Number.isInteger(flushEvery) && flushEvery >= 1)) throw new RangeError(`createProbeRecorder: flushEvery must be an integer >= 1, got ${flushEvery}`);
  if (probe.n === 0) throw new RangeError(`createProbeRecorder: the probe set ${probe.name} is empty; give at least one example`);
  const nProbe = probe.n;
  let nClasses = 0; // known at the first record (the model's output width)
  let epochs: number[] = [];
  let values: Record<string, number>[] = [];
  let buf: Float32Array = new Float32Array(0);
  let unflushed = 0;

  if ((opts.resume ?? true) && existsSync(path)) {
    const old = readProbeOutputs(path);
    if (old.nProbe !== nProbe || old.labels.some((y, i) => y !== probe.y[i])) {
      throw new CheckpointError(`${path} holds outputs on another probe set (${old.metadata['probe']}, ${old.nProbe} examples); delete it or pass resume: false`);
    }
    nClasses = old.nClasses;
    epochs = old.epochs;
    values = old.values;
    buf = old.outputs;
  }

  const recordSize = (): number => nProbe * nClasses;
  const ensure = (records: number): void => {
    const need = records * recordSize();
    if (buf.length >= need) return;
    const grown = new Float32Array(Math.max(need, 2 * buf.length));
    grown.set(buf);
    buf = grown;
  };

  const rec: ProbeRecorder = {
    path,
    get count() {
      return epochs.length;
    },
    record(model, epoch, vals = {}) {
      if (!(Number.isInteger(epoch) && epoch >= 0)) throw new RangeError(`ProbeRecorder.record: epoch must be an integer >= 0, got ${epoch}`);
      const out = predict(model, probe, opts.batchSize ?? 500); // [nProbe, nClasses]
      const k = out.length / nProbe;
      if (nClasses === 0) nClasses = k;
      else if (k !== nClasses) throw new RangeError(`ProbeRecorder.record: the model outputs ${k} classes but ${path} holds ${nClasses}`);
      let keep = epochs.findIndex((e) => e >= epoch);
      if (keep < 0) keep = epochs.length;
      epochs = epochs.slice(0, keep);
      values = values.slice(0, keep);
      ensure(keep + 1);
      buf.set(out, keep * recordSize());
      epochs.push(epoch);
      values.push({ ...vals });
      if (++unflushed >= flushEvery) rec.flush();
    },
    flush() {
      if (epochs.length === 0) return;
      const n = epochs.length;
      writeCheckpoint(
        path,
        {
          outputs: { shape: [n, nProbe, nClasses], data: buf.subarray(0, n * recordSize()) },
          labels: { shape: [nProbe], data: Float32Array.from(probe.y) },
        },
        {
          ...opts.metadata,
          kind: 'probe-outputs',
          probeFormat: PROBE_FORMAT,
          probe: probe.name,
          epochs: JSON.stringify(epochs),
          values: JSON.stringify(values),
        },
      );
      unflushed = 0;
    },
    onStart(ctx: EpochContext) {
      if (ctx.model) rec.record(ctx.model, 0);
    },
    onEpoch(m: EpochMetrics, ctx?: EpochContext) {
      if (m.phase === 'finetune' && ctx?.model) rec.record(ctx.model, m.epoch, m.values);
    },
  };
  return rec;
}

/** Reads a probe side file written by a `ProbeRecorder`; throws CheckpointError naming the file and the problem. */
export function readProbeOutputs(path: string): ProbeOutputs {
  const ck = readCheckpoint(path);
  const md = ck.metadata;
  if (md['kind'] !== 'probe-outputs' || md['probeFormat'] !== PROBE_FORMAT) {
    throw new CheckpointError(`${path} is not a probe-outputs file of format ${PROBE_FORMAT} (kind '${md['kind']}', format '${md['probeFormat']}')`);
  }
  const shape = ck.tensors.get('outputs')?.shape;
  if (!shape || shape.length !== 3) throw new CheckpointError(`${path}: tensor 'outputs' must be [nRecords, nProbe, nClasses]`);
  const [n, nProbe, nClasses] = shape as [number, number, number];
  const outputs = Float32Array.from(checkpointTensor(ck, 'outputs', shape, path));
  const labels = Int32Array.from(checkpointTensor(ck, 'labels', [nProbe], path));
  const epochs = JSON.parse(md['epochs'] ?? '[]') as number[];
  const values = JSON.parse(md['values'] ?? '[]') as Record<string, number>[];
  if (epochs.length !== n || values.length !== n) throw new CheckpointError(`${path}: ${n} records but ${epochs.length} epochs and ${values.length} value sets in the metadata`);
  return { epochs, nProbe, nClasses, outputs, labels, values, metadata: md };
}

/** Record r's outputs as one function-space vector `[nProbe * nClasses]` (a view, no copy). */
export function probeVector(p: ProbeOutputs, r: number): Float32Array {
  if (!(Number.isInteger(r) && r >= 0 && r < p.epochs.length)) throw new RangeError(`probeVector: record ${r} outside [0, ${p.epochs.length})`);
  const size = p.nProbe * p.nClasses;
  return p.outputs.subarray(r * size, (r + 1) * size);
}
