/**
 * Shared settings and the one property of the fuzz suite: an input either yields valid data or
 * throws one of our typed errors naming the input; never another exception, never a slow case,
 * never a large allocation.
 *
 * Run length: `FUZZ_RUNS` (cases per property; default: the short count each test passes, so the
 * whole folder stays under ~20 s in `npm test`). Reproduce a failure with `FUZZ_SEED=<seed>` (and
 * `FUZZ_PATH=<path>`), both printed by fast-check when a property fails.
 */
import assert from 'node:assert/strict';
import type { Parameters } from 'fast-check';

/** fast-check parameters: `short` runs unless FUZZ_RUNS says otherwise; FUZZ_SEED / FUZZ_PATH replay a failure. */
export function fuzzParams<T>(short: number): Parameters<T> {
  const runs = Number(process.env.FUZZ_RUNS ?? short);
  const p: Parameters<T> = { numRuns: Number.isInteger(runs) && runs > 0 ? runs : short, includeErrorInReport: true };
  if (process.env.FUZZ_SEED !== undefined) p.seed = Number(process.env.FUZZ_SEED);
  if (process.env.FUZZ_PATH !== undefined) p.path = process.env.FUZZ_PATH;
  return p;
}

/** The longest one case may take (ms); parsers are linear, so a slow case means a hang or a blow-up. */
export const CASE_MS = 2_000;

/** Extra array-buffer memory one case may hold: `perByte` times its input size plus a fixed slack. */
export function memoryBound(inputBytes: number, perByte = 16): number {
  return 32 * 2 ** 20 + perByte * inputBytes;
}

/** A string the error message must contain, or a list of which it must contain one. */
export type Name = string | readonly string[];

type ErrorClass = abstract new (...args: never[]) => Error;

/**
 * Runs `fn` on one fuzz case. Returns its value, or undefined when it threw one of `allowed`
 * with a message containing every name of `names` (the file, spec or key; a list: one of them). Any other exception,
 * a case slower than CASE_MS, or array-buffer growth above `maxBytes` fails the property.
 */
export function validOrTyped<T>(fn: () => T, allowed: readonly ErrorClass[], names: readonly Name[], maxBytes: number): T | undefined {
  const before = process.memoryUsage().arrayBuffers;
  const t0 = performance.now();
  let value: T | undefined;
  try {
    value = fn();
  } catch (e) {
    checkTyped(e, allowed, names);
  }
  checkBounds(t0, before, maxBytes);
  return value;
}

/** `validOrTyped` for an async `fn` (the time bound then includes waiting for I/O). */
export async function validOrTypedAsync<T>(fn: () => Promise<T>, allowed: readonly ErrorClass[], names: readonly Name[], maxBytes: number): Promise<T | undefined> {
  const before = process.memoryUsage().arrayBuffers;
  const t0 = performance.now();
  let value: T | undefined;
  try {
    value = await fn();
  } catch (e) {
    checkTyped(e, allowed, names);
  }
  checkBounds(t0, before, maxBytes);
  return value;
}

function checkTyped(e: unknown, allowed: readonly ErrorClass[], names: readonly Name[]): void {
  if (!allowed.some((C) => e instanceof C)) {
    throw new Error(`expected a value or ${allowed.map((C) => C.name).join(' / ')}, got ${(e as Error)?.name}: ${(e as Error)?.message}`, { cause: e });
  }
  const m = (e as Error).message;
  for (const n of names) {
    const any = typeof n === 'string' ? [n] : n;
    assert.ok(any.some((x) => m.includes(x)), `the ${(e as Error).name} names ${any.map((x) => `"${x}"`).join(' or ')}: ${m}`);
  }
}

function checkBounds(t0: number, before: number, maxBytes: number): void {
  const ms = performance.now() - t0;
  assert.ok(ms < CASE_MS, `one case took ${ms.toFixed(0)} ms (bound ${CASE_MS} ms)`);
  const grown = process.memoryUsage().arrayBuffers - before;
  assert.ok(grown < maxBytes, `one case grew array buffers by ${grown} bytes (bound ${maxBytes})`);
}

/** Asserts every element of `a` is finite (and in [lo, hi] when given). */
export function assertFiniteIn(a: ArrayLike<number>, what: string, lo = -Infinity, hi = Infinity): void {
  for (let i = 0; i < a.length; i++) {
    const v = a[i]!;
    if (!(Number.isFinite(v) && v >= lo && v <= hi)) assert.fail(`${what}[${i}] = ${v}, expected a finite number in [${lo}, ${hi}]`);
  }
}

/** Asserts every element of `a` is an integer >= 0. */
export function assertLabels(a: ArrayLike<number>, what: string): void {
  for (let i = 0; i < a.length; i++) {
    const v = a[i]!;
    if (!(Number.isInteger(v) && v >= 0)) assert.fail(`${what}[${i}] = ${v}, expected an integer label >= 0`);
  }
}
