// The reproducible wasm variant: the plain SIMD128 build (IEEE-deterministic; relaxed_madd may or
// may not fuse, so the relaxed build is not pinned). Must be set before the module is loaded.
process.env['PRETRAIN_LAB_WASM_SIMD'] = 'simd128';
import { createBackend } from '../../src/backends/registry.ts';
import { goldenSuite } from './trials.ts';

goldenSuite('wasm-simd128', async () => {
  try {
    return await createBackend('wasm');
  } catch (e) {
    return (e as Error).message;
  }
});
