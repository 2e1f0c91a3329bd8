export { Matrix, shapeOf, type FloatArray, type Storage } from './matrix.ts';
export { ACTIVATIONS, type Activation, type Backend, type ConvGeometry, type Kernels, type ModernKernels } from './kernels.ts';
export type { BlasVariant, CpuInfo, NativeBuild, NumericVariant, WasmBuild } from './numeric-variant.ts';
export { ShapeError } from './shapes.ts';
export { checkedKernels, isChecked } from './checked-kernels.ts';
