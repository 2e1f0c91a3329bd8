/**
 * Argument checks shared by the normalisation layers (`batch-norm.ts`, `group-norm.ts`): each
 * throws a RangeError naming the layer, the key, the value and what is allowed.
 */

/** Throws a RangeError unless `value` is a positive integer. */
export function assertPositiveInteger(layer: string, key: string, value: number): void {
  if (!(Number.isInteger(value) && value >= 1)) throw new RangeError(`${layer}: ${key} is ${value} but must be a positive integer`);
}

/** Throws a RangeError unless `eps` is a finite number >= 0. */
export function assertEps(layer: string, eps: number): void {
  if (!(Number.isFinite(eps) && eps >= 0)) throw new RangeError(`${layer}: eps is ${eps} but must be a finite number >= 0 (default 1e-5)`);
}
