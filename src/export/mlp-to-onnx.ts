/**
 * An `Mlp` (the fine-tuned classifier, `src/models/mlp.ts`) as a standard ONNX graph, opset 17,
 * computing exactly its test-mode forward pass followed by the softmax:
 *
 *   input [N, nIn] float32 (the rows our data sets hold; `input-normalization.ts`)
 *   dense l:       Gemm(h, W [n_{l-1}, n_l], b [n_l]), then Sigmoid / Tanh / Relu (none: linear)
 *   conv c:        Conv(x NCHW, W' [F, C, kh, kw], b [F]; strides, pads), then the activation.
 *                  Our rows are NHWC (channel fastest) and our W is [(ky, kx, c), F]; ONNX's Conv
 *                  wants NCHW and [F, C, kh, kw]: the graph reshapes the input row to
 *                  [N, H, W, C] and transposes it to NCHW once (perm 0,3,1,2), and transposes back
 *                  (perm 0,2,3,1) and flattens where the image ends (a dense layer or `flatten`),
 *                  so the dense weights keep our NHWC row order. W' = W permuted, same numbers.
 *   pool:          MaxPool (padding never wins, as ours skips it) / AveragePool with
 *                  count_include_pad = 1 (ours counts padding as zeros)
 *   batch norm:    BatchNormalization in inference mode with the running mean and variance
 *                  (per channel: on NCHW images, or per feature on [N, C] rows)
 *   group / layer norm: Reshape to [N, G, -1], mean and biased variance by ReduceMean over the
 *                  last axis, (x - mean) / sqrt(var + eps), Reshape back, then gamma and beta per
 *                  channel (Mul, Add); layer norm is one group (ONNX's GroupNormalization op
 *                  arrived in opset 18 and changed its scale's shape in opset 21, so primitives it is)
 *   dropout:       nothing (identity at test time)
 *   output:        Gemm, then Softmax over the classes: output `probabilities` [N, nClasses]
 *
 * Float64 networks (the reference64 backend) are written as float32. Every layer kind of
 * `LayerSpec` is supported; a kind or activation this file does not know (a spec from a newer
 * version) is refused with an OnnxExportError naming it.
 *
 * Pure: no Node API (the browser page calls `onnxFromModel` on the network it trained).
 */
import type { Activation } from '../tensor/kernels.ts';
import type { Matrix } from '../tensor/matrix.ts';
import type { Mlp, MlpSpec } from '../models/mlp.ts';
import type { LayerSpec } from '../models/layer-spec.ts';
import type { ImageShape } from '../nn/image-shape.ts';
import type { Layer } from '../nn/layer.ts';
import { Dense } from '../nn/dense.ts';
import { Conv2d } from '../nn/conv2d.ts';
import { Pool2d } from '../nn/pool2d.ts';
import { BatchNorm } from '../nn/batch-norm.ts';
import { GroupNorm } from '../nn/group-norm.ts';
import { Dropout } from '../nn/dropout.ts';
import { ActivationLayer } from '../nn/activation-layer.ts';
import { OnnxGraphBuilder } from './onnx-graph-builder.ts';
import { encodeOnnxModel, type OnnxModel } from './onnx-proto.ts';
import { describeInput, inputNormalization } from './input-normalization.ts';
import { OnnxExportError } from './onnx-export-error.ts';

/** The opset the graph is written for (ReduceMean still takes `axes` as an attribute here). */
export const ONNX_OPSET = 17;
/** ONNX IR version 8 (ONNX 1.10+), which opset 17 requires at least. */
export const ONNX_IR_VERSION = 8;
/** The graph's input and output names. */
export const ONNX_INPUT = 'input';
export const ONNX_OUTPUT = 'probabilities';

/** What the exported model records besides the weights (all optional). */
export interface OnnxExportInfo {
  /** The trial config as JSON (a checkpoint's `config` metadata): gives the input normalisation. */
  config?: string;
  /** The final metrics as JSON (a checkpoint's `metrics` metadata). */
  metrics?: string;
  /** The exporting code's version, e.g. JSON of `codeVersion()`; `pretrain-lab@<version>` for the producer. */
  codeVersion?: string;
  /** The producer version (`0.1.0`); default `unknown`. */
  producerVersion?: string;
  /** Where the network came from (a checkpoint path), for the doc string. */
  source?: string;
}

const KINDS: ReadonlySet<string> = new Set(['dense', 'conv', 'pool', 'dropout', 'batchnorm', 'groupnorm', 'layernorm', 'activation', 'flatten']);
const ONNX_ACTIVATION: Readonly<Record<Activation, string | null>> = { identity: null, sigmoid: 'Sigmoid', tanh: 'Tanh', relu: 'Relu' };

/** The layer specs of a network (the paper's dense stack when `spec.layers` is absent). */
function layerSpecs(spec: MlpSpec): readonly LayerSpec[] {
  return spec.layers ?? spec.hidden.map((units): LayerSpec => ({ kind: 'dense', units, activation: spec.activation }));
}

/**
 * Throws an OnnxExportError unless every layer of `spec` can be written as ONNX (a known kind
 * with a known activation). Call it before building a network from a spec read from a file.
 */
export function assertExportable(spec: MlpSpec): void {
  const known = Object.keys(ONNX_ACTIVATION).join(', ');
  layerSpecs(spec).forEach((l, i) => {
    const kind = (l as { kind: unknown }).kind;
    if (typeof kind !== 'string' || !KINDS.has(kind)) {
      throw new OnnxExportError(
        `layer ${i + 1} is of kind '${String(kind)}', which the ONNX export does not support (it writes ${[...KINDS].join(', ')}); ` +
          `export a network made of those, or update pretrain-lab`,
      );
    }
    const act = (l as { activation?: unknown }).activation;
    if (act !== undefined && !(typeof act === 'string' && act in ONNX_ACTIVATION)) {
      throw new OnnxExportError(`layer ${i + 1} (${kind}) has activation '${String(act)}', which the ONNX export does not support (it writes ${known})`);
    }
  });
}

/** The value flowing between layers: its name, layout and, while it is an image, its NHWC shape. */
interface Flow {
  value: string;
  /** `flat`: [N, features] (an image row in NHWC order when `image` is set); `nchw`: [N, C, H, W]. */
  layout: 'flat' | 'nchw';
  image: ImageShape | undefined;
}

/** Float32 copy of a matrix's values (float64 rounded). */
function values(m: Matrix): Float32Array {
  return Float32Array.from(m.data);
}

/** Our conv weights `[(ky*kw + kx)*C + c, F]` as ONNX's `[F, C, kh, kw]`. */
function convWeights(conv: Conv2d): Float32Array {
  const { kernelH: kh, kernelW: kw } = conv.window;
  const C = conv.input.channels, F = conv.output.channels, W = conv.W.data;
  const out = new Float32Array(F * C * kh * kw);
  for (let f = 0; f < F; f++) {
    for (let c = 0; c < C; c++) {
      for (let ky = 0; ky < kh; ky++) {
        for (let kx = 0; kx < kw; kx++) out[((f * C + c) * kh + ky) * kw + kx] = W[((ky * kw + kx) * C + c) * F + f]!;
      }
    }
  }
  return out;
}

/** Writes the layers onto `g`, keeping track of the layout (module comment). */
class LayerWriter {
  constructor(
    private readonly g: OnnxGraphBuilder,
    private flow: Flow,
  ) {}

  /** The value as NCHW (reshaping and transposing the NHWC row the first time). */
  private nchw(name: string): string {
    if (this.flow.layout === 'nchw') return this.flow.value;
    const im = this.flow.image!;
    const shape = this.g.ints(`${name}/nhwc_shape`, [-1, im.height, im.width, im.channels]);
    const nhwc = this.g.op('Reshape', [this.flow.value, shape], `${name}/to_nhwc`);
    const v = this.g.op('Transpose', [nhwc], `${name}/to_nchw`, [{ name: 'perm', ints: [0, 3, 1, 2] }]);
    this.flow = { ...this.flow, value: v, layout: 'nchw' };
    return v;
  }

  /** The value as [N, features] rows in our NHWC order (transposing back from NCHW when needed). */
  private flat(name: string): string {
    if (this.flow.layout === 'flat') return this.flow.value;
    const im = this.flow.image!;
    const nhwc = this.g.op('Transpose', [this.flow.value], `${name}/to_nhwc`, [{ name: 'perm', ints: [0, 2, 3, 1] }]);
    const shape = this.g.ints(`${name}/flat_shape`, [-1, im.height * im.width * im.channels]);
    const v = this.g.op('Reshape', [nhwc, shape], `${name}/flatten`);
    this.flow = { ...this.flow, value: v, layout: 'flat' };
    return v;
  }

  /** The next value, same layout; `image` the image it now is (default: unchanged). */
  private set(value: string, image?: ImageShape): void {
    this.flow = { ...this.flow, value, ...(image ? { image } : {}) };
  }

  private activation(act: Activation, name: string): void {
    const op = ONNX_ACTIVATION[act];
    if (op) this.set(this.g.op(op, [this.flow.value], `${name}/${op.toLowerCase()}`));
  }

  dense(layer: Dense, name: string): void {
    const x = this.flat(name);
    const W = this.g.floats(`${name}.W`, [layer.W.rows, layer.W.cols], values(layer.W));
    const b = this.g.floats(`${name}.b`, [layer.b.cols], values(layer.b));
    this.flow = { value: this.g.op('Gemm', [x, W, b], `${name}/gemm`), layout: 'flat', image: undefined };
    this.activation(layer.activation, name);
  }

  conv(layer: Conv2d, name: string): void {
    const x = this.nchw(name);
    const { kernelH, kernelW, stride, pad } = layer.window;
    const W = this.g.floats(`${name}.W`, [layer.output.channels, layer.input.channels, kernelH, kernelW], convWeights(layer));
    const b = this.g.floats(`${name}.b`, [layer.b.cols], values(layer.b));
    const y = this.g.op('Conv', [x, W, b], `${name}/conv`, [
      { name: 'kernel_shape', ints: [kernelH, kernelW] },
      { name: 'strides', ints: [stride, stride] },
      { name: 'pads', ints: [pad, pad, pad, pad] },
    ]);
    this.set(y, layer.output);
    this.activation(layer.activation, name);
  }

  pool(layer: Pool2d, name: string): void {
    const x = this.nchw(name);
    const { size, stride, pad } = layer.window;
    const attrs = [
      { name: 'kernel_shape', ints: [size, size] },
      { name: 'strides', ints: [stride, stride] },
      { name: 'pads', ints: [pad, pad, pad, pad] },
    ];
    const y = layer.kind === 'max' ? this.g.op('MaxPool', [x], `${name}/maxpool`, attrs) : this.g.op('AveragePool', [x], `${name}/avgpool`, [...attrs, { name: 'count_include_pad', i: 1 }]);
    this.set(y, layer.output);
  }

  /** Per channel on an image (NCHW), per feature on rows. */
  private normInput(name: string): string {
    return this.flow.image ? this.nchw(name) : this.flat(name);
  }

  /** A `[C]` per-channel vector shaped to broadcast over the current layout (`[C, 1, 1]` on NCHW). */
  private channelVector(name: string, m: Matrix): string {
    return this.flow.layout === 'nchw' ? this.g.floats(name, [m.cols, 1, 1], values(m)) : this.g.floats(name, [m.cols], values(m));
  }

  batchNorm(layer: BatchNorm, name: string): void {
    const x = this.normInput(name);
    const ins = [x, ...(['gamma', 'beta', 'runningMean', 'runningVar'] as const).map((k) => this.g.floats(`${name}.${k}`, [layer.channels], values(layer[k])))];
    this.set(this.g.op('BatchNormalization', ins, `${name}/batchnorm`, [{ name: 'epsilon', f: layer.eps }]));
  }

  groupNorm(layer: GroupNorm, name: string): void {
    const x = this.normInput(name);
    const im = this.flow.image;
    const g = this.g;
    const grouped = g.op('Reshape', [x, g.ints(`${name}/group_shape`, [0, layer.groups, -1])], `${name}/groups`);
    const mean = g.op('ReduceMean', [grouped], `${name}/mean`, [{ name: 'axes', ints: [2] }, { name: 'keepdims', i: 1 }]);
    const d = g.op('Sub', [grouped, mean], `${name}/centred`);
    const v = g.op('ReduceMean', [g.op('Mul', [d, d], `${name}/squares`)], `${name}/var`, [{ name: 'axes', ints: [2] }, { name: 'keepdims', i: 1 }]);
    const std = g.op('Sqrt', [g.op('Add', [v, g.floats(`${name}.eps`, [], Float32Array.of(layer.eps))], `${name}/var_eps`)], `${name}/std`);
    const xh = g.op('Div', [d, std], `${name}/normalised`);
    const back = g.ints(`${name}/shape`, im ? [0, im.channels, im.height, im.width] : [0, layer.channels]);
    const y = g.op('Reshape', [xh, back], `${name}/ungroup`);
    const scaled = g.op('Mul', [y, this.channelVector(`${name}.gamma`, layer.gamma)], `${name}/gamma`);
    this.set(g.op('Add', [scaled, this.channelVector(`${name}.beta`, layer.beta)], `${name}/beta`));
  }

  activationLayer(layer: ActivationLayer, name: string): void {
    this.activation(layer.activation, name);
  }

  flatten(name: string): void {
    this.flat(name);
    this.flow.image = undefined;
  }

  /** The softmax output layer: Gemm then Softmax into the graph output. */
  output(layer: Dense): void {
    const x = this.flat('output');
    const W = this.g.floats('output.W', [layer.W.rows, layer.W.cols], values(layer.W));
    const b = this.g.floats('output.b', [layer.b.cols], values(layer.b));
    const logits = this.g.op('Gemm', [x, W, b], 'output/logits');
    this.set(this.g.op('Softmax', [logits], 'output/softmax', [{ name: 'axis', i: 1 }], ONNX_OUTPUT));
  }
}

/** The body layer `layer` as the class a spec kind builds, or an OnnxExportError (a model whose layers do not match its spec). */
function expectLayer<T extends Layer>(layer: Layer | undefined, cls: abstract new (...args: never[]) => T, where: string): T {
  if (layer instanceof cls) return layer;
  throw new OnnxExportError(`${where}: the network's layer is not a ${cls.name}; its layers do not match its spec`);
}

/**
 * The ONNX model (as data) of `model`'s test-mode network and softmax, with its input
 * normalisation, architecture, config and code version in `metadata_props`.
 * @throws OnnxExportError for a layer kind or activation the export does not know
 */
export function onnxModelOf(model: Mlp, info: OnnxExportInfo = {}): OnnxModel {
  const spec = model.spec;
  assertExportable(spec);
  const g = new OnnxGraphBuilder();
  const w = new LayerWriter(g, { value: g.reserve(ONNX_INPUT), layout: 'flat', image: spec.image });
  let next = 0, dense = 0, conv = 0, norm = 0;
  layerSpecs(spec).forEach((s, i) => {
    const where = `layer ${i + 1} (${s.kind})`;
    if (s.kind === 'flatten') return w.flatten(`flatten.${i}`);
    const layer = model.body[next++];
    switch (s.kind) {
      case 'dense':
        return w.dense(expectLayer(layer, Dense, where), `hidden.${dense++}`);
      case 'conv':
        return w.conv(expectLayer(layer, Conv2d, where), `conv.${conv++}`);
      case 'pool':
        return w.pool(expectLayer(layer, Pool2d, where), `pool.${i}`);
      case 'batchnorm':
        return w.batchNorm(expectLayer(layer, BatchNorm, where), `norm.${norm++}`);
      case 'groupnorm':
      case 'layernorm':
        return w.groupNorm(expectLayer(layer, GroupNorm, where), `norm.${norm++}`);
      case 'dropout':
        return void expectLayer(layer, Dropout, where);
      case 'activation':
        return w.activationLayer(expectLayer(layer, ActivationLayer, where), `act.${i}`);
    }
  });
  if (next !== model.body.length) throw new OnnxExportError(`the network has ${model.body.length} layers below its output but its spec describes ${next}`);
  w.output(model.output);

  const input = inputNormalization(spec, info.config ?? null);
  const doc = describeInput(input, spec.nClasses);
  const metadata: Record<string, string> = {
    'pretrain-lab.input': doc,
    'pretrain-lab.input-normalization': JSON.stringify(input),
    'pretrain-lab.spec': JSON.stringify(spec),
    ...(info.config !== undefined ? { 'pretrain-lab.config': info.config } : {}),
    ...(info.metrics !== undefined ? { 'pretrain-lab.metrics': info.metrics } : {}),
    ...(info.codeVersion !== undefined ? { 'pretrain-lab.code-version': info.codeVersion } : {}),
  };
  return {
    irVersion: ONNX_IR_VERSION,
    opsetVersion: ONNX_OPSET,
    producerName: 'pretrain-lab',
    producerVersion: info.producerVersion ?? 'unknown',
    docString: `A pretrain-lab classifier${info.source ? ` (${info.source})` : ''}. ${doc}`,
    graph: {
      name: 'pretrain-lab-classifier',
      docString: doc,
      nodes: g.nodes,
      initializers: g.initializers,
      inputs: [{ name: ONNX_INPUT, shape: ['N', spec.nIn] }],
      outputs: [{ name: ONNX_OUTPUT, shape: ['N', spec.nClasses] }],
    },
    metadata,
  };
}

/** The bytes of an `.onnx` file holding `model` (see `onnxModelOf`). */
export function onnxFromModel(model: Mlp, info: OnnxExportInfo = {}): Uint8Array {
  return encodeOnnxModel(onnxModelOf(model, info));
}
