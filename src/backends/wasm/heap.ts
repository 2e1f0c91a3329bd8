/**
 * Matrices whose numbers live in WebAssembly linear memory. `zeros`/`fromArray` allocate
 * there; `data` is a Float32Array over the memory, re-created when the memory has grown
 * (growth detaches the old ArrayBuffer); `dispose()` returns the block to the allocator, and
 * a FinalizationRegistry frees blocks of matrices that were dropped without `dispose()`.
 */
import { Matrix, type Storage } from '../../tensor/matrix.ts';
import { ShapeError } from '../../tensor/shapes.ts';
import type { WasmKernelExports } from './exports.ts';

/**
 * A matrix in wasm memory: `ptr` is the byte offset of element [0, 0]. A view made by `reshape`
 * has an `owner` (the matrix whose block it shares): it frees nothing and is unusable once the
 * owner is disposed.
 */
export class WasmMatrix extends Matrix {
  constructor(
    rows: number,
    cols: number,
    storage: Storage,
    readonly ptr: number,
    readonly heap: WasmHeap,
    readonly owner: WasmMatrix | null = null,
  ) {
    super(rows, cols, storage, heap.name);
  }
}

export class WasmHeap {
  private readonly finalizer: FinalizationRegistry<number>;
  private scratchPtr = 0;
  private scratchBytes = 0;
  /** Int32Array views of the scratch block by length, valid for `int32Buffer` (see `int32`). */
  private readonly int32Views = new Map<number, Int32Array>();
  private int32Buffer: ArrayBuffer | null = null;

  constructor(readonly wasm: WasmKernelExports, readonly name: string) {
    this.finalizer = new FinalizationRegistry((ptr) => wasm.release(ptr));
  }

  /** A new `[rows, cols]` matrix in wasm memory (zero-filled when `zero`); the shape was checked by `checkedKernels`. */
  allocate(rows: number, cols: number, zero: boolean): WasmMatrix {
    const n = rows * cols;
    if (n * 4 > 0x3fff_fff0) {
      throw new RangeError(`zeros: [${rows}, ${cols}] needs ${n * 4} bytes; one wasm matrix holds at most 1 GiB, split it`);
    }
    const wasm = this.wasm;
    const ptr = wasm.alloc(n * 4, zero ? 1 : 0);
    let view = new Float32Array(wasm.memory.buffer, ptr, n);
    let freed = false;
    const storage: Storage = {
      view: () => {
        // A grown memory detaches the old buffer (byteLength 0): make a new view.
        if (view.buffer.byteLength === 0) view = new Float32Array(wasm.memory.buffer, ptr, n);
        return view;
      },
      free: () => {
        if (freed) return;
        freed = true;
        this.finalizer.unregister(storage);
        wasm.release(ptr);
      },
    };
    const m = new WasmMatrix(rows, cols, storage, ptr, this);
    this.finalizer.register(m, ptr, storage);
    return m;
  }

  /** The pointer of a matrix owned by this heap; throws naming the op when it is foreign or disposed. */
  ptr(op: string, m: Matrix): number {
    if (!(m instanceof WasmMatrix) || m.heap !== this) {
      throw new ShapeError(
        `${op}: a matrix of backend '${m.backend}' was passed to backend '${this.name}'; create it with this backend (backend.fromArray(rows, cols, other.data))`,
      );
    }
    if (m.isDisposed) throw new Error(`${op}: Matrix [${m.rows}, ${m.cols}] was used after dispose()`);
    if (m.owner?.isDisposed) {
      throw new Error(`${op}: a [${m.rows}, ${m.cols}] view of Matrix [${m.owner.rows}, ${m.owner.cols}] was used after that matrix's dispose()`);
    }
    return m.ptr;
  }

  /**
   * A `[rows, cols]` view of `x`'s block (same pointer, same numbers; the size was checked by
   * `checkedKernels`). It reads through `x` and frees nothing, and it keeps `x` reachable, so the
   * finalizer cannot free the block while the view is in use.
   */
  view(x: WasmMatrix, rows: number, cols: number): WasmMatrix {
    const owner = x.owner ?? x;
    return new WasmMatrix(rows, cols, { view: () => owner.data, free: () => {} }, x.ptr, this, owner);
  }

  /** A reusable scratch block of at least `bytes` bytes (labels in, argmax out). */
  scratch(bytes: number): number {
    if (bytes > this.scratchBytes) {
      if (this.scratchPtr) this.wasm.release(this.scratchPtr);
      this.scratchBytes = Math.max(bytes, 2 * this.scratchBytes, 1024);
      this.scratchPtr = this.wasm.alloc(this.scratchBytes, 0);
      this.int32Views.clear();
    }
    return this.scratchPtr;
  }

  /**
   * An Int32Array over the first `n` i32 of the scratch block (call `scratch(4 n)` first). Views
   * are kept per length until the memory grows or the block moves, so steady-state calls (the
   * same pooling sizes every batch) allocate nothing.
   */
  int32(n: number): Int32Array {
    const buffer = this.wasm.memory.buffer;
    if (this.int32Buffer !== buffer) {
      this.int32Views.clear();
      this.int32Buffer = buffer;
    }
    let v = this.int32Views.get(n);
    if (!v || v.byteOffset !== this.scratchPtr) {
      v = new Int32Array(buffer, this.scratchPtr, n);
      this.int32Views.set(n, v);
    }
    return v;
  }
}
