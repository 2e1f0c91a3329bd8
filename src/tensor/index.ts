export { Matrix, shapeOf, type FloatArray, type Storage } from './matrix.ts';
export { ACTIVATIONS, type Activation, type Backend, type Kernels } from './kernels.ts';
export { ShapeError } from './shapes.ts';
export { checkedKernels, isChecked } from './checked-kernels.ts';
