/**
 * Collects the nodes and initializers of an ONNX graph in topological order, naming every value
 * uniquely (`<prefix>/<what>`), so the code that maps layers to operators reads as a list of
 * operator calls: `const y = g.op('Relu', [x], 'hidden.0/relu')`.
 *
 * Pure: no Node API.
 */
import type { FloatArray } from '../tensor/matrix.ts';
import type { OnnxAttribute, OnnxInitializer, OnnxNode } from './onnx-proto.ts';

export class OnnxGraphBuilder {
  readonly nodes: OnnxNode[] = [];
  readonly initializers: OnnxInitializer[] = [];
  private readonly used = new Set<string>();

  /** `name`, or `name_2`, `name_3`, ... when taken. */
  private unique(name: string): string {
    let n = name;
    for (let k = 2; this.used.has(n); k++) n = `${name}_${k}`;
    this.used.add(n);
    return n;
  }

  /** Reserves a name given from outside (the graph's input). */
  reserve(name: string): string {
    if (this.used.has(name)) throw new Error(`OnnxGraphBuilder: '${name}' is already used`);
    this.used.add(name);
    return name;
  }

  /** A float32 constant (weights, biases, statistics; float64 values are rounded to float32); returns its name. */
  floats(name: string, dims: readonly number[], data: FloatArray | Float32Array): string {
    const n = this.unique(name);
    this.initializers.push({ name: n, dims: [...dims], data: data instanceof Float32Array ? data : Float32Array.from(data) });
    return n;
  }

  /** An int64 constant (a Reshape target shape); returns its name. */
  ints(name: string, values: readonly number[]): string {
    const n = this.unique(name);
    this.initializers.push({ name: n, dims: [values.length], data: BigInt64Array.from(values, (v) => BigInt(v)) });
    return n;
  }

  /**
   * Appends `opType(inputs; attributes)` and returns the name of its (single) output,
   * `output` when given (a graph output) or a fresh name from `name`.
   */
  op(opType: string, inputs: readonly string[], name: string, attributes: readonly OnnxAttribute[] = [], output?: string): string {
    const out = output !== undefined ? this.reserve(output) : this.unique(name);
    this.nodes.push({ opType, name: this.unique(`${name}:node`), inputs: [...inputs], outputs: [out], ...(attributes.length ? { attributes } : {}) });
    return out;
  }
}
