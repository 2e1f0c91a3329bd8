/**
 * Matrices whose numbers live in WebAssembly linear memory. `zeros`/`fromArray` allocate
 * there; `data` is a Float32Array over the memory, re-created when the memory has grown
 * (growth detaches the old ArrayBuffer); `dispose()` returns the block to the allocator, and
 * a FinalizationRegistry frees blocks of matrices that were dropped without `dispose()`.
 */
import { Matrix, type Storage } from '../../tensor/matrix.ts';
import { ShapeError } from '../../tensor/shapes.ts';
import type { WasmKernelExports } from './exports.ts';

/** A matrix in wasm memory: `ptr` is the byte offset of element [0, 0]. */
export class WasmMatrix extends Matrix {
  constructor(rows: number, cols: number, storage: Storage, readonly ptr: number, readonly heap: WasmHeap) {
    super(rows, cols, storage, heap.name);
  }
}

export class WasmHeap {
  private readonly finalizer: FinalizationRegistry<number>;
  private scratchPtr = 0;
  private scratchBytes = 0;

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
    return m.ptr;
  }

  /** A reusable scratch block of at least `bytes` bytes (labels in, argmax out). */
  scratch(bytes: number): number {
    if (bytes > this.scratchBytes) {
      if (this.scratchPtr) this.wasm.release(this.scratchPtr);
      this.scratchBytes = Math.max(bytes, 2 * this.scratchBytes, 1024);
      this.scratchPtr = this.wasm.alloc(this.scratchBytes, 0);
    }
    return this.scratchPtr;
  }
}
