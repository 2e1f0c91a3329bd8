/**
 * TEMPORARY scaffolding while the modern kernels land group by group (conv/pool, norm/dropout,
 * adam): every kernel of {@link ModernKernels} that a backend does not define yet throws. Each
 * backend spreads this object before its own definitions, which override it. This file is
 * deleted once every backend defines every kernel.
 */
import type { ModernKernels } from './kernels.ts';

export function pendingKernels(backend: string): ModernKernels {
  const no = (op: string) => (): never => {
    throw new Error(`${op} is not implemented on backend '${backend}' yet`);
  };
  return {
    reshape: no('reshape'),
    im2col: no('im2col'),
    col2im: no('col2im'),
    maxPool: no('maxPool'),
    maxPoolBackward: no('maxPoolBackward'),
    avgPool: no('avgPool'),
    avgPoolBackward: no('avgPoolBackward'),
    batchNormForward: no('batchNormForward'),
    channelAffine: no('channelAffine'),
    batchNormBackward: no('batchNormBackward'),
    groupNormForward: no('groupNormForward'),
    groupNormBackward: no('groupNormBackward'),
    dropoutMask: no('dropoutMask'),
    adamUpdate: no('adamUpdate'),
  };
}
