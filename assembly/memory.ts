/**
 * Linear-memory allocation for matrices (the runtime's TLSF allocator: `heap.alloc` /
 * `heap.free`, 16-byte aligned) and growable scratch buffers for the kernels.
 */

/** Allocates `bytes` (16-byte aligned); zero-filled when `zero` != 0. Returns the pointer. */
export function alloc(bytes: usize, zero: i32): usize {
  const ptr = heap.alloc(bytes < 16 ? 16 : bytes);
  if (zero) memory.fill(ptr, 0, bytes);
  return ptr;
}

/** Returns a block from `alloc` to the allocator. */
export function release(ptr: usize): void {
  heap.free(ptr);
}

/**
 * A scratch buffer of at least `bytes`, kept and grown across calls. Slots: 0, 1, 2 packed
 * GEMM (A, B, edge tile), 3 gathers in the GEMM dispatcher, 4 small-K GEMM (packed B).
 */
const scratchPtr = new StaticArray<usize>(5);
const scratchSize = new StaticArray<usize>(5);

export function scratch(slot: i32, bytes: usize): usize {
  if (unchecked(scratchSize[slot]) < bytes) {
    if (unchecked(scratchPtr[slot]) != 0) heap.free(unchecked(scratchPtr[slot]));
    const size = bytes + (bytes >> 2) + 64;
    unchecked((scratchPtr[slot] = heap.alloc(size)));
    unchecked((scratchSize[slot] = size));
  }
  return unchecked(scratchPtr[slot]);
}

/** dst <- src, `bytes` bytes (memmove semantics). */
export function copyBytes(src: usize, dst: usize, bytes: usize): void {
  memory.copy(dst, src, bytes);
}

let touchSink: i32 = 0;

/**
 * Reads one word per 64-byte line of `rows` row segments of `rowBytes` (row stride `strideBytes`),
 * in address order. A software prefetch: kernels that then walk the block column-wise find it in
 * cache instead of issuing scattered misses that the hardware prefetcher cannot follow.
 */
export function touchRows(base: usize, rows: i32, rowBytes: usize, strideBytes: usize): void {
  let s0: i32 = 0, s1: i32 = 0;
  for (let r = 0; r < rows; r++) {
    const row = base + <usize>r * strideBytes;
    let o: usize = 0;
    for (; o + 128 <= rowBytes; o += 128) {
      s0 ^= load<i32>(row + o);
      s1 ^= load<i32>(row + o, 64);
    }
    if (o < rowBytes) s0 ^= load<i32>(row + o);
    s0 ^= load<i32>(row + rowBytes - 4);
  }
  touchSink ^= s0 ^ s1;
}
