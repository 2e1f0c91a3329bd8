// The reproducible native variant: OpenBLAS with its kernels pinned to one core type (Haswell,
// AVX2: any x86-64 machine of the last decade). OpenBLAS reads the variable when the library
// loads, so it is set before the addon is required.
process.env['OPENBLAS_CORETYPE'] = 'Haswell';
import { arch } from 'node:os';
import { createBackend } from '../../src/backends/registry.ts';
import { goldenSuite } from './trials.ts';

goldenSuite('native-openblas-haswell', async () => {
  if (arch() !== 'x64') return `the pinned OpenBLAS core type is x86-64 only (this is ${arch()})`;
  try {
    const be = await createBackend('native');
    if (!/Haswell/i.test(be.description)) return `OpenBLAS did not take OPENBLAS_CORETYPE=Haswell: ${be.description}`;
    return be;
  } catch (e) {
    return (e as Error).message;
  }
});
