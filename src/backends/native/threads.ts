/**
 * OpenBLAS threads of the native backend. The addon starts single-threaded so a sweep can
 * run one trial per core; `setThreads(n)` opts in to a multi-threaded GEMM for one big job.
 * (Only GEMM is threaded; the element-wise kernels always run on the calling thread.)
 */
import { requireNativeAddon } from './native-backend.ts';

/** Sets the number of OpenBLAS threads (an integer >= 1) for this process. */
export function setThreads(n: number): void {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`setThreads: n must be an integer >= 1, got ${n}`);
  requireNativeAddon().setThreads(n);
}

/** The number of OpenBLAS threads GEMM uses now (1 unless `setThreads` raised it). */
export function getThreads(): number {
  return requireNativeAddon().getThreads();
}
