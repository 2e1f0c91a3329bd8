import { test } from 'node:test';
import assert from 'node:assert/strict';
import { canonicalKey, configKeys, configPaths, getPath, KEY_ALIASES, setPath, UnknownKeyError } from '../../src/train/config-keys.ts';
import { resolveTrialConfig, trialConfigSchema } from '../../src/train/config.ts';

/** Dotted paths of the leaves of a plain object, in key order. */
function leaves(x: unknown, prefix = ''): string[] {
  if (x === null || typeof x !== 'object' || Array.isArray(x)) return [prefix];
  return Object.entries(x).flatMap(([k, v]) => leaves(v, prefix ? `${prefix}.${k}` : k));
}

/** The optional sections absent from a default config; their keys' defaults apply once they are set. */
const OPTIONAL_SECTIONS = ['online.', 'pretrain.source.'];
const inOptionalSection = (p: string): boolean => OPTIONAL_SECTIONS.some((s) => p.startsWith(s));

test('configPaths() lists exactly the leaves of a default TrialConfig, the optional keys without a default and the optional online section, in schema order', () => {
  const optional = configKeys().filter((k) => k.default === undefined).map((k) => k.path);
  assert.deepEqual(
    optional,
    ['data.classes', 'data.labels', 'pretrain.source.classes', 'pretrain.source.labels', 'analysis.probe.examples', 'online.resample.blocks', 'online.resample.block', 'online.resample.draw'],
    'keys absent from a resolved config (and its hash) unless set',
  );
  const rest = [...configPaths()].filter((p) => !optional.includes(p) && !inOptionalSection(p));
  assert.deepEqual(rest, leaves(trialConfigSchema.parse({})));
});

test('each config key carries the default a trial gets when nothing sets it (for the online section: when the section is set)', () => {
  const defaults = trialConfigSchema.parse({}), withSections = trialConfigSchema.parse({ online: {}, pretrain: { source: {} } });
  for (const k of configKeys()) {
    const inSection = inOptionalSection(k.path);
    if (inSection && k.default === undefined) continue; // online.resample.*, pretrain.source.labels: absent unless set
    assert.deepEqual(k.default, getPath(inSection ? withSections : defaults, k.path), k.path);
  }
});

test('an enum key lists exactly the values the schema accepts, and the schema refuses others', () => {
  const kind = configKeys().find((k) => k.path === 'pretrain.kind')!;
  assert.deepEqual(kind.values, ['none', 'sdae', 'dbn', 'supervised']);
  for (const k of configKeys()) {
    if (!k.values) continue;
    for (const v of k.values) {
      const input: Record<string, unknown> = {};
      setPath(input, k.path, v);
      assert.doesNotThrow(() => resolveTrialConfig(input), `${k.path}=${String(v)}`);
    }
    const input: Record<string, unknown> = {};
    setPath(input, k.path, 'not-a-value');
    assert.throws(() => resolveTrialConfig(input), new RegExp(k.path.replace('.', '\\.')));
  }
});

test('config key types come from the schema: integer, number, boolean, string, nullable and list types', () => {
  const type = (p: string): string => configKeys().find((k) => k.path === p)!.type;
  assert.equal(type('model.depth'), 'integer');
  assert.equal(type('finetune.lr'), 'number');
  assert.equal(type('pretrain.tied'), 'boolean');
  assert.equal(type('data.name'), 'string');
  assert.equal(type('finetune.patience'), 'integer | null');
  assert.equal(type('model.hidden'), 'integer | integer[]');
});

test('every alias names a config key, and canonicalKey resolves aliases and paths alike', () => {
  for (const [alias, p] of Object.entries(KEY_ALIASES)) {
    assert.ok(configPaths().includes(p), `${alias} -> ${p}`);
    assert.equal(canonicalKey(alias), p);
    assert.equal(canonicalKey(p), p);
  }
});

test('an unknown key is an UnknownKeyError suggesting the closest valid key', () => {
  assert.throws(() => canonicalKey('finetune.lrr', 'the flags'), (e: Error) => e instanceof UnknownKeyError && /unknown key 'finetune\.lrr' in the flags; did you mean 'finetune\.lr'\?/.test(e.message));
  assert.throws(() => canonicalKey('modle.depth'), (e: Error) => e instanceof UnknownKeyError && e.suggestion === 'model.depth');
});
