/**
 * What an exported network expects as input, written down from the trial config it was trained
 * with (`src/data/load.ts` and the loaders it calls): how raw pixels or features were scaled, how
 * they were binarised, how an image is laid out in a row, and which original label each output
 * class stands for. The ONNX graph itself starts at the network's input row, as our `Mlp.forward`
 * does; this record (in the model's `metadata_props`) tells a user what to do before calling it.
 *
 * Pure: no Node API.
 */
import type { MlpSpec } from '../models/mlp.ts';

/** The input contract of an exported network (JSON in `pretrain-lab.input-normalization`). */
export interface InputNormalization {
  /** The data set's name in the config (`mnist`, `shapeset`, `idx:...`, `csv:...`), or null when the checkpoint has no config. */
  data: string | null;
  /** How raw values become the network's features, before binarisation. */
  scale: string;
  /** `none`, `threshold` or `stochastic`, and what it means. */
  binarize: string;
  /** The row layout: `[N, nIn]` float32, and the image shape (NHWC, channel fastest) when there is one. */
  layout: string;
  /** Output class i is original label `labels[i]` (a `data.labels` subset), or null: class i is label i. */
  labels: number[] | null;
}

/** The fields of a trial config this reads (a resolved `TrialConfig` has them all). */
interface ConfigData {
  data?: { name?: unknown; binarize?: unknown; labels?: unknown };
}

function scaleOf(name: string): string {
  if (name === 'mnist' || name === 'infinite-mnist') return 'x = pixel / 255: 8-bit grey levels into [0, 1], 0 the background, as in the MNIST files';
  if (name.startsWith('shapeset')) return 'grey levels in [0, 1] as the Shapeset generator draws them (no scaling)';
  if (name.startsWith('idx:')) return 'uint8 IDX pixels / 255 into [0, 1]; IDX files of other types were taken as stored';
  if (name.startsWith('csv:')) {
    const scale = /[?&]scale=(auto|none|255)/.exec(name)?.[1] ?? 'auto';
    if (scale === '255') return 'CSV values / 255';
    if (scale === 'none') return 'CSV values as stored (no scaling)';
    return 'CSV values / 255 when every value of the training file was in [0, 255] and some exceeded 1 (8-bit pixels), else as stored';
  }
  return `as the '${name}' data set stores them`;
}

function binarizeOf(mode: unknown): string {
  if (mode === 'threshold') return 'threshold: then x = (x >= 0.5 ? 1 : 0), applied before the network (not in the graph)';
  if (mode === 'stochastic') {
    return 'stochastic: the network was trained and tested on one Bernoulli sample per value (x = (x > u ? 1 : 0), u ~ U[0, 1)); feed such a sample, applied before the network (not in the graph)';
  }
  return 'none';
}

/**
 * The input contract of a network of architecture `spec` trained with `configJson` (a trial
 * config as JSON, e.g. a checkpoint's `config` metadata; null or unreadable: only the layout is known).
 */
export function inputNormalization(spec: MlpSpec, configJson: string | null): InputNormalization {
  let cfg: ConfigData = {};
  try {
    if (configJson !== null) cfg = JSON.parse(configJson) as ConfigData;
  } catch {
    cfg = {};
  }
  const d = cfg.data ?? {};
  const name = typeof d.name === 'string' ? d.name : null;
  const im = spec.image;
  const layout = im
    ? `float32 [N, ${spec.nIn}]: one example per row, an image of height ${im.height}, width ${im.width} and ${im.channels} channel(s) ` +
      `flattened row-major in NHWC order (channel fastest: index (y * ${im.width} + x) * ${im.channels} + c)`
    : `float32 [N, ${spec.nIn}]: one example per row`;
  return {
    data: name,
    scale: name === null ? 'unknown: the checkpoint holds no readable config' : scaleOf(name),
    binarize: binarizeOf(d.binarize),
    layout,
    labels: Array.isArray(d.labels) ? (d.labels as number[]) : null,
  };
}

/** One paragraph for people: the normalisation as the model's doc string says it. */
export function describeInput(n: InputNormalization, nClasses: number): string {
  const classes = n.labels ? `output class i is original label [${n.labels.join(', ')}][i]` : `output class i is label i (0..${nClasses - 1})`;
  return `Input: ${n.layout}. Scaling: ${n.scale}. Binarisation: ${n.binarize}. Output 'probabilities' [N, ${nClasses}]: softmax; ${classes}.`;
}
