/**
 * The layers of a network as data, and the few-line text that describes them (the model config's
 * `model.layers`, e.g. `conv 32 5x5, pool 2, conv 64 5x5, pool 2, dense 256`).
 *
 * Grammar: items separated by commas (or new lines), each a kind word and its arguments,
 * case-insensitive:
 * - `dense <units> [act]`: a fully connected layer `f(x W + b)`.
 * - `conv <filters> <k>|<kh>x<kw> [stride <s>] [pad <p>|same] [act]`: a 2-D convolution over NHWC
 *   images (`same`: pad (k - 1) / 2, odd square kernels at stride 1).
 * - `pool <k>` / `maxpool <k>` / `avgpool <k>` `[stride <s>] [pad <p>]`: pooling, stride k by default.
 * - `dropout <rate>`: inverted dropout, rate in [0, 1).
 * - `bn` / `batchnorm`, `gn <groups>` / `groupnorm <groups>`, `ln` / `layernorm`: normalisation of
 *   the layer below's output (per channel for images).
 * - `relu` / `sigmoid` / `tanh`: a non-linearity as a layer of its own (after a `linear` layer and a
 *   normalisation: `conv 32 5x5 linear, bn, relu`).
 * - `flatten`: marks the end of the image layers (a no-op in NHWC: an image row is already flat).
 * `act` is `relu`, `sigmoid`, `tanh` or `linear`; without it a dense or conv layer uses the model's
 * `activation`. The softmax output layer is always added on top and is not written.
 */
import type { Activation } from '../tensor/kernels.ts';
import { ConfigError } from '../data/config-error.ts';

/** One layer of a network, bottom to top (the softmax output layer is implicit). */
export type LayerSpec =
  | { kind: 'dense'; units: number; activation: Activation }
  | { kind: 'conv'; filters: number; kernelH: number; kernelW: number; stride: number; pad: number; activation: Activation }
  | { kind: 'pool'; op: 'max' | 'avg'; size: number; stride: number; pad: number }
  | { kind: 'dropout'; rate: number }
  | { kind: 'batchnorm' }
  | { kind: 'groupnorm'; groups: number }
  | { kind: 'layernorm' }
  | { kind: 'activation'; activation: Activation }
  | { kind: 'flatten' };

/** A layer spec that cannot be read or built; the message names the item and what to write (a ConfigError). */
export class LayerSpecError extends ConfigError {
  override name = 'LayerSpecError';
}

const ACT_WORDS: Record<string, Activation> = { relu: 'relu', sigmoid: 'sigmoid', tanh: 'tanh', linear: 'identity', identity: 'identity' };

const GRAMMAR =
  "items like 'dense 256 [relu|sigmoid|tanh|linear]', 'conv 32 5x5 [stride 2] [pad 2|same] [act]', " +
  "'pool 2' / 'maxpool 2' / 'avgpool 2 [stride s] [pad p]', 'dropout 0.5', 'bn', 'gn 8', 'ln', 'relu', 'flatten'";

/**
 * Reads a layer-spec text (module comment) into specs; `activation` is the default of dense and
 * conv layers that name none. Throws a LayerSpecError naming the offending item.
 */
export function parseLayerSpec(text: string, activation: Activation): LayerSpec[] {
  const items = text
    .split(/[,\n;]/)
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  if (items.length === 0) throw new LayerSpecError(`model.layers is empty; write ${GRAMMAR}`);
  return items.map((item, i) => parseItem(item, i + 1, activation));
}

function parseItem(item: string, pos: number, activation: Activation): LayerSpec {
  const words = item.toLowerCase().split(/\s+/);
  const kind = words[0]!;
  const where = `model.layers item ${pos} '${item}'`;
  const rest = words.slice(1);
  const fail = (why: string): never => {
    throw new LayerSpecError(`${where}: ${why}; write ${GRAMMAR}`);
  };
  const int = (w: string | undefined, what: string, min = 1): number => {
    const v = w === undefined ? NaN : Number(w);
    if (!Number.isInteger(v) || v < min) fail(`${what} must be an integer >= ${min}, got '${w ?? ''}'`);
    return v;
  };
  const options = (allowed: readonly string[]): { opts: Map<string, string>; act: Activation | null } => {
    const opts = new Map<string, string>();
    let act: Activation | null = null;
    for (let j = 0; j < rest.length; j++) {
      const w = rest[j]!;
      if (w in ACT_WORDS && allowed.includes('act')) {
        if (act !== null) fail(`two activations ('${w}')`);
        act = ACT_WORDS[w]!;
      } else if (allowed.includes(w)) {
        const v = rest[j + 1];
        if (v === undefined) fail(`'${w}' needs a value`);
        opts.set(w, v!);
        j++;
      } else {
        fail(`unexpected word '${w}'`);
      }
    }
    return { opts, act };
  };

  switch (kind) {
    case 'dense': {
      const units = int(rest.shift(), 'the number of units');
      const { act } = options(['act']);
      return { kind: 'dense', units, activation: act ?? activation };
    }
    case 'conv': {
      const filters = int(rest.shift(), 'the number of filters');
      const k = rest.shift();
      const m = k === undefined ? null : /^(\d+)(?:x(\d+))?$/.exec(k);
      if (!m) fail(`the kernel size must be like 5 or 5x5 or 3x5, got '${k ?? ''}'`);
      const kernelH = int(m![1], 'the kernel height');
      const kernelW = int(m![2] ?? m![1], 'the kernel width');
      const { opts, act } = options(['stride', 'pad', 'act']);
      const stride = opts.has('stride') ? int(opts.get('stride'), 'stride') : 1;
      let pad = 0;
      const p = opts.get('pad');
      if (p === 'same') {
        if (stride !== 1 || kernelH !== kernelW || kernelH % 2 === 0) fail("pad 'same' needs stride 1 and an odd square kernel (give pad <p> otherwise)");
        pad = (kernelH - 1) / 2;
      } else if (p !== undefined) {
        pad = int(p, 'pad', 0);
      }
      return { kind: 'conv', filters, kernelH, kernelW, stride, pad, activation: act ?? activation };
    }
    case 'pool':
    case 'maxpool':
    case 'avgpool': {
      const size = int(rest.shift(), 'the pooling window');
      const { opts } = options(['stride', 'pad']);
      const stride = opts.has('stride') ? int(opts.get('stride'), 'stride') : size;
      const pad = opts.has('pad') ? int(opts.get('pad'), 'pad', 0) : 0;
      if (pad > Math.floor(size / 2)) fail(`pad ${pad} is too large for a ${size}-wide window (at most ${Math.floor(size / 2)}, so no window lies wholly in the padding)`);
      return { kind: 'pool', op: kind === 'avgpool' ? 'avg' : 'max', size, stride, pad };
    }
    case 'dropout': {
      const w = rest.shift();
      const rate = w === undefined ? NaN : Number(w);
      if (!(rate >= 0 && rate < 1)) fail(`the dropout rate must be in [0, 1), got '${w ?? ''}'`);
      if (rest.length) fail(`unexpected word '${rest[0]}'`);
      return { kind: 'dropout', rate };
    }
    case 'bn':
    case 'batchnorm':
      if (rest.length) fail(`unexpected word '${rest[0]}'`);
      return { kind: 'batchnorm' };
    case 'gn':
    case 'groupnorm': {
      const groups = int(rest.shift(), 'the number of groups');
      if (rest.length) fail(`unexpected word '${rest[0]}'`);
      return { kind: 'groupnorm', groups };
    }
    case 'ln':
    case 'layernorm':
      if (rest.length) fail(`unexpected word '${rest[0]}'`);
      return { kind: 'layernorm' };
    case 'flatten':
      if (rest.length) fail(`unexpected word '${rest[0]}'`);
      return { kind: 'flatten' };
    default:
      if (kind in ACT_WORDS && rest.length === 0) return { kind: 'activation', activation: ACT_WORDS[kind]! };
      return fail(`unknown layer '${kind}'`);
  }
}

/** How the depth/hidden form of a model expands (the shorthands of the model config). */
export interface MlpShorthand {
  hidden: readonly number[];
  activation: Activation;
  /** Normalisation after each hidden layer's affine map, before its non-linearity. */
  norm: 'none' | 'batch' | 'group' | 'layer';
  groups: number;
  /** Dropout rate after each hidden layer (one for all, or one per layer); 0: none. */
  dropout: number | readonly number[];
}

/**
 * The layer specs of a depth/hidden MLP with the modern shorthands: per hidden layer l,
 * `dense n_l act` when there is no normalisation (exactly the paper's layer), else
 * `dense n_l linear, <norm>, act`; then `dropout r_l` when r_l > 0.
 */
export function mlpLayerSpecs(m: MlpShorthand): LayerSpec[] {
  const out: LayerSpec[] = [];
  const rates = typeof m.dropout === 'number' ? m.hidden.map(() => m.dropout as number) : m.dropout;
  if (rates.length !== m.hidden.length) {
    throw new LayerSpecError(`model.dropout lists ${rates.length} rates for ${m.hidden.length} hidden layers; give one rate or one per layer`);
  }
  m.hidden.forEach((units, l) => {
    if (m.norm === 'none') {
      out.push({ kind: 'dense', units, activation: m.activation });
    } else {
      out.push({ kind: 'dense', units, activation: 'identity' });
      out.push(normLayer(m.norm, m.groups));
      out.push({ kind: 'activation', activation: m.activation });
    }
    const r = rates[l]!;
    if (r > 0) out.push({ kind: 'dropout', rate: r });
  });
  return out;
}

/** The normalisation layer of a model's `norm` shorthand (`model.norm`, `model.groups`). */
function normLayer(norm: 'batch' | 'group' | 'layer', groups: number): LayerSpec {
  return norm === 'batch' ? { kind: 'batchnorm' } : norm === 'group' ? { kind: 'groupnorm', groups } : { kind: 'layernorm' };
}

/**
 * The `norm` shorthand on a written network (`model.layers` with `model.norm`): every dense and conv
 * layer `f(affine)` becomes `affine linear, <norm>, f` (a `linear` layer: `affine linear, <norm>`),
 * the same placement as the depth/hidden MLP's shorthand, so one network text serves a batch-norm
 * and a group-norm arm (*Rethinking ImageNet Pre-training*'s GN vs BN). `groups` must divide every
 * layer's channels (checked when the layers are built). The layers must not already normalise.
 * @throws LayerSpecError when `specs` hold a normalisation layer of their own
 */
export function withNormalization(specs: readonly LayerSpec[], norm: 'none' | 'batch' | 'group' | 'layer', groups: number): LayerSpec[] {
  if (norm === 'none') return [...specs];
  if (specs.some((s) => s.kind === 'batchnorm' || s.kind === 'groupnorm' || s.kind === 'layernorm')) {
    throw new LayerSpecError(`model.norm is '${norm}' but model.layers already has normalisation layers (bn, gn, ln); write them in model.layers or set model.norm, not both`);
  }
  return specs.flatMap((s): LayerSpec[] => {
    if (s.kind !== 'dense' && s.kind !== 'conv') return [s];
    const linear: LayerSpec = { ...s, activation: 'identity' };
    return s.activation === 'identity' ? [linear, normLayer(norm, groups)] : [linear, normLayer(norm, groups), { kind: 'activation', activation: s.activation }];
  });
}

/** The layer spec as text that `parseLayerSpec` reads back to the same specs (for logs and reports). */
export function formatLayerSpec(specs: readonly LayerSpec[]): string {
  const act = (a: Activation): string => (a === 'identity' ? 'linear' : a);
  return specs
    .map((s) => {
      switch (s.kind) {
        case 'dense':
          return `dense ${s.units} ${act(s.activation)}`;
        case 'conv':
          return `conv ${s.filters} ${s.kernelH}x${s.kernelW}${s.stride !== 1 ? ` stride ${s.stride}` : ''}${s.pad ? ` pad ${s.pad}` : ''} ${act(s.activation)}`;
        case 'pool':
          return `${s.op}pool ${s.size}${s.stride !== s.size ? ` stride ${s.stride}` : ''}${s.pad ? ` pad ${s.pad}` : ''}`;
        case 'dropout':
          return `dropout ${s.rate}`;
        case 'batchnorm':
          return 'bn';
        case 'groupnorm':
          return `gn ${s.groups}`;
        case 'layernorm':
          return 'ln';
        case 'activation':
          return act(s.activation);
        case 'flatten':
          return 'flatten';
      }
    })
    .join(', ');
}
