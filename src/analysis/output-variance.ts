/**
 * Variance of a trained network's function across draws of its training data (Erhan et al. 2010,
 * Section 8.2, Experiment 7, Fig. 13): networks that differ only in one resampled block of their
 * training sequence (same initialisation, every other block the same) are compared through their
 * softmax outputs on a fixed test set. For each test example and class, the sample variance across
 * draws (denominator draws - 1); the measure is its mean over examples and classes.
 */
import { checkpointTensor, readCheckpoint } from '../train/checkpoint.ts';

/** The tensor an online trial's `saveTestOutputs` side file holds (contract C2): `[testN, nClasses]` float32. */
export const TEST_OUTPUTS_TENSOR = 'outputs';

/** A trial's saved test-set outputs: `data` is `[testN, nClasses]` row-major. */
export interface TestOutputs {
  testN: number;
  nClasses: number;
  data: Float32Array | Float64Array;
}

/** Reads the `outputs` tensor of a side file written with `online.saveTestOutputs`; throws CheckpointError naming the file. */
export function readTestOutputs(file: string): TestOutputs {
  const ck = readCheckpoint(file);
  const shape = ck.tensors.get(TEST_OUTPUTS_TENSOR)?.shape ?? [];
  const data = checkpointTensor(ck, TEST_OUTPUTS_TENSOR, shape.length === 2 ? shape : [0, 0], file);
  return { testN: shape[0]!, nClasses: shape[1]!, data };
}

/**
 * Mean over test examples and classes of the variance across draws of the outputs.
 * @param draws one output matrix per draw, all `[testN, nClasses]` (at least two)
 * @returns the mean sample variance (unbiased, n - 1 denominator)
 * @throws RangeError for fewer than two draws or matrices of different shapes
 */
export function meanOutputVariance(draws: readonly TestOutputs[]): number {
  const n = draws.length;
  if (n < 2) throw new RangeError(`meanOutputVariance: a variance across draws needs at least 2 draws, got ${n}`);
  const first = draws[0]!;
  for (const d of draws) {
    if (d.testN !== first.testN || d.nClasses !== first.nClasses || d.data.length !== first.testN * first.nClasses) {
      throw new RangeError(`meanOutputVariance: draws have different shapes ([${first.testN}, ${first.nClasses}] and [${d.testN}, ${d.nClasses}]): the same test set is needed`);
    }
  }
  const m = first.data.length;
  let total = 0;
  for (let j = 0; j < m; j++) {
    let mean = 0;
    for (const d of draws) mean += d.data[j]!;
    mean /= n;
    let ss = 0;
    for (const d of draws) ss += (d.data[j]! - mean) ** 2;
    total += ss / (n - 1);
  }
  return m ? total / m : NaN;
}
