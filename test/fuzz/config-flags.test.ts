/**
 * Fuzzing the `--key=value` flags as `train` and `run` read them: any arguments, keys and values
 * give a valid resolved config (or experiment), or one of our typed errors naming the argument or
 * key; never another exception, never a hang.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { keyValueArgs } from '../../src/cli/key-flags.ts';
import { UsageError } from '../../src/cli/errors.ts';
import { configFromFlags } from '../../src/cli/commands/train.ts';
import { ConfigError, hiddenSizes, resolveTrialConfig, trialConfigSchema, type TrialConfig } from '../../src/train/config.ts';
import { KEY_ALIASES, UnknownKeyError, configPaths } from '../../src/train/config-keys.ts';
import { ExperimentError, MAX_SEEDS, resolveExperiment } from '../../src/experiments/define.ts';
import { expandExperiment } from '../../src/experiments/expand.ts';
import toy from '../fixtures/experiments/toy-experiment.ts';
import { fuzzParams, memoryBound, validOrTyped } from './fuzz-check.ts';

const KEYS = [...configPaths(), ...Object.keys(KEY_ALIASES)];

/** Keys: real paths and aliases, near misses, object-ish names, and anything. */
const key = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...KEYS) },
  { weight: 1, arbitrary: fc.constantFrom('seeds', 'model', 'pretrain.kind.x', 'Depth', 'lr ', '__proto__', 'constructor', 'toString', 'hasOwnProperty', '', '=', '-') },
  { weight: 1, arbitrary: fc.string({ maxLength: 12 }) },
);

/** Values as written on a command line: numbers of every size, enums, JSON, junk. */
const value = fc.oneof(
  fc.constantFrom('1', '0', '-1', '1.5', '1e9', '2000000', '1e400', 'NaN', 'Infinity', 'true', 'false', 'null', '[]', '[1,2]', '[1,"a"]', '{}', '{"a":1}', '"x"', '', 'abc', 'sdae', 'dbn', 'none', 'relu', 'mnist', 'idx:a,b', '[0.1,0.01]', '[[1]]'),
  fc.double().map(String),
  fc.integer().map(String),
  fc.json({ maxDepth: 2 }),
  fc.string({ maxLength: 10 }),
);

/** Arguments as typed: `--key=value`, `--key value`, bare `--key`, and stray operands. */
const args = fc.array(
  fc.oneof(
    { weight: 6, arbitrary: fc.tuple(key, value).map(([k, v]) => [`--${k}=${v}`]) },
    { weight: 1, arbitrary: fc.tuple(key, value).map(([k, v]) => [`--${k}`, v]) },
    { weight: 1, arbitrary: key.map((k) => [`--${k}`]) },
    { weight: 1, arbitrary: fc.string({ maxLength: 8 }).map((s) => [s]) },
  ),
  { maxLength: 5 },
).map((xs) => xs.flat());

/** The names an error may quote: every argument, and every key written in it (as given, or its path). */
function namesIn(argv: readonly string[]): string[] {
  const out = new Set<string>();
  for (const a of argv) {
    out.add(`'${a}'`);
    if (!a.startsWith('--')) continue;
    const k = a.slice(2).split('=')[0]!;
    out.add(`--${k}`);
    if (k !== '') out.add(KEY_ALIASES[k] ?? k);
  }
  return [...out];
}

/** What a resolved config promises to the code that trains it. */
function checkConfig(c: TrialConfig): void {
  assert.ok(trialConfigSchema.safeParse(c).success, 'the resolved config passes its own schema');
  assert.ok(Number.isInteger(c.model.depth) && c.model.depth >= 1);
  assert.ok(c.finetune.lr > 0 && Number.isFinite(c.finetune.lr));
}

test('train flags: keyValueArgs -> configFromFlags -> resolveTrialConfig(any arguments) is a valid config or a UsageError / ExperimentError / ConfigError naming the argument or key', () => {
  fc.assert(
    fc.property(args, (argv) => {
      const names = namesIn(argv);
      const c = validOrTyped(
        () => resolveTrialConfig(configFromFlags(keyValueArgs(argv, 0))),
        [UsageError, ExperimentError, ConfigError, UnknownKeyError],
        names.length ? [names] : [],
        memoryBound(0),
      );
      if (!c) return;
      checkConfig(c);
      const hidden = validOrTyped(() => hiddenSizes(c.model), [ConfigError], ['model.hidden'], memoryBound(0));
      if (hidden) assert.equal(hidden.length, c.model.depth);
    }),
    fuzzParams(500),
  );
});

test('run flags: resolveExperiment(toy, any overrides) is an experiment whose trials all have valid configs, or an ExperimentError / ConfigError naming the key', () => {
  fc.assert(
    fc.property(args, fc.constantFrom(null, 'quick'), (argv, preset) => {
      const names = namesIn(argv);
      const exp = validOrTyped(
        () => resolveExperiment(toy, { preset, overrides: keyValueArgs(argv, 0) }),
        [UsageError, ExperimentError, ConfigError, UnknownKeyError],
        names.length ? [names] : [],
        memoryBound(0),
      );
      if (!exp) return;
      assert.ok(exp.seeds.length >= 1 && exp.seeds.every((s) => Number.isInteger(s) && s >= 0), `seeds ${JSON.stringify(exp.seeds)}`);
      for (const t of expandExperiment(exp)) checkConfig(t.config);
    }),
    fuzzParams(300),
  );
});

test('a --seeds override that is not a count or a list (true, "abc", -1, 1.5) is an ExperimentError naming --seeds, not a TypeError (found by fuzzing)', () => {
  for (const seeds of [true, 'abc', -1, 1.5, null, [], [1, -2]]) {
    assert.throws(() => resolveExperiment(toy, { overrides: { seeds } }), (e: Error) => e instanceof ExperimentError && /--seeds: seeds are a count/.test(e.message), JSON.stringify(seeds));
  }
});

test('a seed count beyond MAX_SEEDS (--seeds 1e9) is refused at once, not expanded into a billion trials', () => {
  const t0 = performance.now();
  assert.throws(() => resolveExperiment(toy, { seeds: 1e9 }), (e: Error) => e instanceof ExperimentError && e.message.includes(`1..${MAX_SEEDS}`) && e.message.includes('--seeds'));
  assert.ok(performance.now() - t0 < 1000);
});

test('--seed beyond 2^53-1 is refused when the experiment is resolved, naming --seed (found by fuzzing: it passed and failed later in expansion)', () => {
  assert.throws(() => resolveExperiment(toy, { overrides: { seed: 2 ** 53 } }), (e: Error) => e instanceof ExperimentError && /--seed: seeds are integers 0\.\.2\^53-1/.test(e.message));
});
