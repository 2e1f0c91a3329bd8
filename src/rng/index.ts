export { Rng, type RngState, type StreamName } from './rng.ts';
export { philox4x32, hash32 } from './philox.ts';
