/**
 * An image input's shape, NHWC: one example is one row of `height * width * channels` numbers,
 * channel fastest (see `ConvGeometry` in `src/tensor/kernels.ts`).
 */
export interface ImageShape {
  height: number;
  width: number;
  channels: number;
}
