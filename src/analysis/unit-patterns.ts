/**
 * What each hidden layer's units respond to, as images (Erhan et al. 2010, Section 6.2, Figs. 3-4):
 * layer 1 by its weights (column j of `hidden.0.W` is unit j's filter), layers 2 and up by
 * activation maximization (`activation-maximization.ts`), for the first `units` units of every
 * layer, from one set of weights: the network before fine-tuning (`pretrained`, Fig. 3 top row)
 * or after it (`finetuned`: Fig. 3 bottom row, and Fig. 4 for a network trained from scratch).
 * The same units and the same random starts are used for both, so the two rows compare unit by unit.
 *
 * Side file `unit-patterns.safetensors` in the trial's checkpoint directory (`UNIT_PATTERNS_FORMAT`):
 * tensors `<phase>.layer<l>` F32 `[units, nIn]` (l 1-based), `<phase>.layer<l>.activation` and
 * `<phase>.layer<l>.agreement` F64 `[units]`; metadata `kind` = 'unit-patterns', `format`,
 * `entries` (JSON list of `{phase, layer, units}`), `norm`, `image` (JSON `{height, width}` or null).
 */
import type { Activation, Backend } from '../tensor/kernels.ts';
import type { DenseParams } from '../nn/dense-params.ts';
import type { Rng } from '../rng/rng.ts';
import { checkpointTensor, CheckpointError, readCheckpoint, writeCheckpoint, type Checkpoint, type Tensor } from '../train/checkpoint.ts';
import { maximizeActivation } from './activation-maximization.ts';

export const UNIT_PATTERNS_FILE = 'unit-patterns.safetensors';
export const UNIT_PATTERNS_FORMAT = 'pretrain-lab-unit-patterns/1';

/** Which weights the patterns come from: before fine-tuning (pre-trained) or after it. */
export type PatternPhase = 'pretrained' | 'finetuned';

/** One layer's unit patterns. */
export interface LayerPatterns {
  phase: PatternPhase;
  /** 1-based hidden layer. */
  layer: number;
  /** The units shown (column indices of the layer's W). */
  units: number[];
  /** `[units, nIn]`, row u = unit `units[u]`'s pattern. */
  patterns: Float32Array;
  /** `[units]`: the pattern's pre-sigmoid activation (layer 1: `rho ||w|| + b`, the closed-form maximum). */
  activation: Float64Array;
  /** `[units]`: mean pairwise cosine of the random starts' solutions (layer 1: 1, no search). */
  agreement: Float64Array;
}

/** Options of `unitPatterns`. */
export interface UnitPatternOptions {
  backend: Backend;
  /** Holds `hidden.<l>.W` `[n_{l-1}, n_l]` and `hidden.<l>.b` `[1, n_l]` for l = 0.. (a checkpoint or weight snapshot). */
  weights: Checkpoint;
  phase: PatternPhase;
  activation: Exclude<Activation, 'identity'>;
  /** Units per layer: the first `units` of each. */
  units: number;
  /** Input norm rho. */
  norm: number;
  starts: number;
  steps: number;
  /** Layer l's starts come from `rng.fork('layer', l)` (pass the same stream for both phases). */
  rng: Rng;
}

/** The hidden layers held by `ck`, bottom first, as backend matrices (dispose them). */
function stackOf(backend: Backend, ck: Checkpoint): DenseParams[] {
  const out: DenseParams[] = [];
  for (let l = 0; ck.tensors.has(`hidden.${l}.W`); l++) {
    const w = ck.tensors.get(`hidden.${l}.W`)!;
    const [rows, cols] = w.shape as [number, number];
    out.push({ W: backend.fromArray(rows, cols, w.data), b: backend.fromArray(1, cols, checkpointTensor(ck, `hidden.${l}.b`, [1, cols])) });
  }
  return out;
}

/** Layer 1's patterns: its filters (weight columns), and the closed-form maximum `rho ||w_j|| + b_j`. */
function firstLayer(p: DenseParams, phase: PatternPhase, units: number[], rho: number): LayerPatterns {
  const W = p.W.data, b = p.b.data, nIn = p.W.rows, nOut = p.W.cols;
  const patterns = new Float32Array(units.length * nIn);
  const activation = new Float64Array(units.length);
  units.forEach((j, u) => {
    let ss = 0;
    for (let i = 0; i < nIn; i++) {
      const w = W[i * nOut + j]!;
      patterns[u * nIn + i] = w;
      ss += w * w;
    }
    activation[u] = rho * Math.sqrt(ss) + b[j]!;
  });
  return { phase, layer: 1, units, patterns, activation, agreement: new Float64Array(units.length).fill(1) };
}

/** Patterns of the first `units` units of every hidden layer in `weights` (see the module comment). */
export function unitPatterns(o: UnitPatternOptions): LayerPatterns[] {
  const stack = stackOf(o.backend, o.weights);
  try {
    return stack.map((p, l) => {
      const units = Array.from({ length: Math.min(o.units, p.W.cols) }, (_, j) => j);
      if (l === 0) return firstLayer(p, o.phase, units, o.norm);
      const r = maximizeActivation({
        backend: o.backend, layers: stack.slice(0, l + 1), activation: o.activation, units, norm: o.norm,
        starts: o.starts, steps: o.steps, rng: o.rng.fork('layer', l),
      });
      return { phase: o.phase, layer: l + 1, units, patterns: r.patterns, activation: r.activation, agreement: r.agreement };
    });
  } finally {
    for (const p of stack) {
      p.W.dispose();
      p.b.dispose();
    }
  }
}

/** Writes the patterns (any phases and layers) to `path` (atomic); `image` is the inputs' height and width, when images. */
export function writeUnitPatterns(path: string, entries: readonly LayerPatterns[], norm: number, image: { height: number; width: number } | null): void {
  const tensors: Record<string, Tensor> = {};
  for (const e of entries) {
    const key = `${e.phase}.layer${e.layer}`;
    tensors[key] = { shape: [e.units.length, e.patterns.length / e.units.length], data: e.patterns };
    tensors[`${key}.activation`] = { shape: [e.units.length], data: e.activation };
    tensors[`${key}.agreement`] = { shape: [e.units.length], data: e.agreement };
  }
  writeCheckpoint(path, tensors, {
    kind: 'unit-patterns',
    format: UNIT_PATTERNS_FORMAT,
    entries: JSON.stringify(entries.map((e) => ({ phase: e.phase, layer: e.layer, units: e.units }))),
    norm: String(norm),
    image: JSON.stringify(image),
  });
}

/** What `readUnitPatterns` returns. */
export interface UnitPatternFile {
  entries: LayerPatterns[];
  norm: number;
  image: { height: number; width: number } | null;
}

/** Reads a side file written by `writeUnitPatterns`; throws CheckpointError naming the file and the problem. */
export function readUnitPatterns(path: string): UnitPatternFile {
  const ck = readCheckpoint(path);
  const md = ck.metadata;
  if (md['kind'] !== 'unit-patterns' || md['format'] !== UNIT_PATTERNS_FORMAT) {
    throw new CheckpointError(`${path} is not a unit-patterns file of format ${UNIT_PATTERNS_FORMAT} (kind '${md['kind']}', format '${md['format']}')`);
  }
  const list = JSON.parse(md['entries'] ?? '[]') as { phase: PatternPhase; layer: number; units: number[] }[];
  const entries = list.map(({ phase, layer, units }) => {
    const key = `${phase}.layer${layer}`;
    const shape = ck.tensors.get(key)?.shape;
    if (!shape || shape.length !== 2 || shape[0] !== units.length) throw new CheckpointError(`${path}: tensor '${key}' must be [${units.length}, nIn]`);
    return {
      phase, layer, units,
      patterns: Float32Array.from(checkpointTensor(ck, key, shape, path)),
      activation: Float64Array.from(checkpointTensor(ck, `${key}.activation`, [units.length], path)),
      agreement: Float64Array.from(checkpointTensor(ck, `${key}.agreement`, [units.length], path)),
    };
  });
  return { entries, norm: Number(md['norm']), image: JSON.parse(md['image'] ?? 'null') as UnitPatternFile['image'] };
}
