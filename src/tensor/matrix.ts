/**
 * A dense row-major matrix of floats, owned by one backend.
 *
 * The numbers live wherever the backend keeps them (a plain typed array for
 * `reference`, WebAssembly linear memory for `wasm`, C heap for `native`); `data`
 * is always a live view of them, so reading or writing `data` never copies.
 * Vectors are matrices of one row (`[1, n]`), e.g. biases.
 */
export type FloatArray = Float32Array | Float64Array;

/** Where a matrix's numbers are kept; supplied by the backend that allocated it. */
export interface Storage {
  /** A live view of the numbers (re-created by the backend if its memory moved). */
  view(): FloatArray;
  /** Returns the memory to the backend; the matrix must not be used afterwards. */
  free(): void;
}

export class Matrix {
  private disposed = false;

  /**
   * @param rows number of rows (>= 0)
   * @param cols number of columns (>= 0)
   * @param storage the backend's storage of `rows * cols` numbers
   * @param backend the name of the backend that owns the storage
   */
  constructor(
    readonly rows: number,
    readonly cols: number,
    private readonly storage: Storage,
    readonly backend: string,
  ) {}

  /** Live view of the `rows * cols` numbers, row-major. */
  get data(): FloatArray {
    if (this.disposed) throw new Error(`Matrix [${this.rows}, ${this.cols}] was used after dispose()`);
    return this.storage.view();
  }

  /** Number of elements, `rows * cols`. */
  get size(): number {
    return this.rows * this.cols;
  }

  /** Shape as `[rows, cols]`. */
  get shape(): [number, number] {
    return [this.rows, this.cols];
  }

  get(i: number, j: number): number {
    return this.data[i * this.cols + j]!;
  }

  set(i: number, j: number, v: number): void {
    this.data[i * this.cols + j] = v;
  }

  /** A copy of the numbers as a plain Float32Array (detached from the backend). */
  toFloat32Array(): Float32Array {
    return Float32Array.from(this.data);
  }

  /** Row `i` as a copy. */
  row(i: number): Float32Array {
    return Float32Array.from(this.data.subarray(i * this.cols, (i + 1) * this.cols));
  }

  /** Frees the backend memory. Safe to call twice. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.storage.free();
  }

  get isDisposed(): boolean {
    return this.disposed;
  }

  toString(): string {
    return `Matrix[${this.rows}, ${this.cols}] (${this.backend})`;
  }
}

/** `"[rows, cols]"`, for error messages. */
export function shapeOf(m: Matrix): string {
  return `[${m.rows}, ${m.cols}]`;
}
