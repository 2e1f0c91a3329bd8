/**
 * The checks `trainOnline` runs before its first update (its options come from code as well as
 * from a schema-checked trial config, so they are checked here once): integer sizes, rates,
 * model/stream/test-set shapes, the length of a given order, and that no held-out test example
 * of the stream is presented for training unless the caller opts in.
 */
import type { OnlineOptions } from './online-options.ts';
import { ConfigError } from './config.ts';
import { checkNoTestExamples } from './held-out-examples.ts';

const isInt = (v: unknown, min: number): boolean => typeof v === 'number' && Number.isInteger(v) && v >= min;

/** Throws a ConfigError naming the first bad option of `opts` (B: batch size, total: examples to train on). */
export function checkOnline(opts: OnlineOptions, B: number, window: number, selectWindow: number): void {
  if (!isInt(opts.updates, 1)) throw new ConfigError(`trainOnline: updates must be an integer >= 1, got ${opts.updates}`);
  if (!isInt(B, 1)) throw new ConfigError(`trainOnline: batchSize must be an integer >= 1, got ${B}`);
  if (!isInt(opts.blockSize, 1) || opts.blockSize % B !== 0) {
    throw new ConfigError(`trainOnline: blockSize must be a positive multiple of batchSize ${B}, got ${opts.blockSize}`);
  }
  if (!isInt(window, 1)) throw new ConfigError(`trainOnline: window must be an integer >= 1, got ${window}`);
  if (!isInt(selectWindow, 1) || selectWindow % B !== 0) {
    throw new ConfigError(`trainOnline: selectWindow must be a positive multiple of batchSize ${B}, got ${selectWindow}`);
  }
  for (const [k, v, min] of [['first', opts.first, 0], ['testEvery', opts.testEvery, 0], ['checkpointEvery', opts.checkpointEvery, 1]] as const) {
    if (v !== undefined && !isInt(v, min)) throw new ConfigError(`trainOnline: ${k} must be an integer >= ${min}, got ${v}`);
  }
  if (opts.resume && !opts.checkpointPath) throw new ConfigError('trainOnline: resume needs checkpointPath (the file to continue from)');
  if (!(opts.lr > 0 && Number.isFinite(opts.lr))) throw new ConfigError(`trainOnline: lr must be a finite number > 0, got ${opts.lr}`);
  const m = opts.momentum ?? 0;
  if (!(m >= 0 && m < 1)) throw new ConfigError(`trainOnline: momentum must be in [0, 1), got ${m}`);
  for (const [k, v] of [['l1', opts.l1 ?? 0], ['l2', opts.l2 ?? 0]] as const) {
    if (!(v >= 0 && Number.isFinite(v))) throw new ConfigError(`trainOnline: ${k} must be a finite number >= 0, got ${v}`);
  }
  if (opts.stream.dim !== opts.model.spec.nIn) {
    throw new ConfigError(`trainOnline: the stream ${opts.stream.name} has ${opts.stream.dim} features but the model takes ${opts.model.spec.nIn}`);
  }
  if (opts.stream.nClasses > opts.model.spec.nClasses) {
    throw new ConfigError(`trainOnline: the stream has ${opts.stream.nClasses} classes but the model outputs ${opts.model.spec.nClasses}`);
  }
  const first = opts.first ?? 0, total = opts.updates * B;
  if (opts.order && opts.order.length < first + total) {
    throw new ConfigError(`trainOnline: order has ${opts.order.length} indices but positions ${first}..${first + total - 1} (${opts.updates} updates of ${B} from first ${first}) need ${first + total}`);
  }
  if (opts.start !== undefined && !isInt(opts.start, 0)) throw new ConfigError(`trainOnline: start must be an integer >= 0, got ${opts.start}`);
  checkNoTestExamples('trainOnline', {
    stream: opts.stream, start: opts.start ?? opts.stream.firstTrainIndex ?? 0, order: opts.order, first, total,
    allowTestExamples: opts.allowTestExamples, startHasDefault: true,
  });
  if (opts.test && opts.test.dim !== opts.model.spec.nIn) {
    throw new ConfigError(`trainOnline: the test set ${opts.test.name} has ${opts.test.dim} features but the model takes ${opts.model.spec.nIn}`);
  }
}
