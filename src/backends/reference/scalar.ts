import type { Activation } from '../../tensor/kernels.ts';

/** Logistic sigmoid `1 / (1 + exp(-a))`, evaluated without overflow for large |a|. */
export function sigmoid(a: number): number {
  if (a >= 0) return 1 / (1 + Math.exp(-a));
  const e = Math.exp(a);
  return e / (1 + e);
}

/** `log(1 + exp(a))` without overflow: `max(a, 0) + log1p(exp(-|a|))`. */
export function softplus(a: number): number {
  return Math.max(a, 0) + Math.log1p(Math.exp(-Math.abs(a)));
}

/** `f(a)` for an activation name. */
export function activate(f: Activation, a: number): number {
  switch (f) {
    case 'identity':
      return a;
    case 'sigmoid':
      return sigmoid(a);
    case 'tanh':
      return Math.tanh(a);
    case 'relu':
      return a > 0 ? a : 0;
  }
}

/** `f'(a)` written in terms of the output `y = f(a)`. */
export function activateGrad(f: Activation, y: number): number {
  switch (f) {
    case 'identity':
      return 1;
    case 'sigmoid':
      return y * (1 - y);
    case 'tanh':
      return 1 - y * y;
    case 'relu':
      return y > 0 ? 1 : 0;
  }
}
