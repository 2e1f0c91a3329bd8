import { test } from 'node:test';
import assert from 'node:assert/strict';
import { z } from 'zod';
import { execFile } from 'node:child_process';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { configKeys, setPath } from '../../src/train/config-keys.ts';
import { ConfigError, resolveTrialConfig, trialConfigSchema } from '../../src/train/config.ts';

/** The JSON Schema nodes zod writes for the trial config (what the test derives its bad values from). */
interface Node {
  type?: string;
  enum?: unknown[];
  anyOf?: Node[];
  items?: Node;
  properties?: Record<string, Node>;
  minLength?: number;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
}
const root = z.toJSONSchema(trialConfigSchema, { io: 'input' }) as Node;
const nodeOf = (key: string): Node => key.split('.').reduce((n, k) => n.properties![k]!, root);
const forms = (n: Node): Node[] => n.anyOf ?? [n];

type Kind = 'wrong type' | 'below range' | 'above range' | 'non-integer' | 'bad enum' | 'bad list element' | 'empty string';
/** Bad values of every kind that applies to a key, from its schema node. */
function badValues(n: Node): [Kind, unknown][] {
  const out: [Kind, unknown][] = [];
  const fs = forms(n);
  const num = fs.find((f) => f.type === 'integer' || f.type === 'number');
  const list = fs.find((f) => f.type === 'array');
  if (fs.some((f) => f.enum)) out.push(['bad enum', 'not-a-value'], ['wrong type', 5]);
  else if (fs.some((f) => f.type === 'boolean')) out.push(['wrong type', 'yes']);
  else if (fs.some((f) => f.type === 'string')) out.push(['wrong type', 5], ['empty string', '']);
  if (num) {
    out.push(['wrong type', 'abc']);
    const lo = num.minimum ?? num.exclusiveMinimum;
    if (lo !== undefined) out.push(['below range', num.minimum !== undefined ? lo - 1 : lo]);
    const hi = num.maximum !== undefined && num.maximum < Number.MAX_SAFE_INTEGER ? num.maximum : num.exclusiveMaximum;
    if (hi !== undefined) out.push(['above range', num.maximum !== undefined && num.maximum < Number.MAX_SAFE_INTEGER ? hi + 1 : hi]);
    if (num.type === 'integer') out.push(['non-integer', (lo ?? 0) + 1.5]);
  }
  if (list) out.push(['bad list element', [(num?.minimum ?? 0) + 0.5 > 1 ? 1 : 0.5, 'x']]);
  return out;
}

/** What the message must say is allowed: every enum value, the bounds, the types and forms. */
function mustMention(n: Node): RegExp[] {
  const res: RegExp[] = [];
  for (const f of forms(n)) {
    if (f.enum) for (const v of f.enum) res.push(new RegExp(`"${v}"`));
    if (f.type === 'integer') res.push(/integer/);
    if (f.type === 'number') res.push(/number/);
    if (f.type === 'boolean') res.push(/true or false/);
    if (f.type === 'null') res.push(/null/);
    if (f.type === 'array') res.push(/list/);
    if (f.type === 'string' && f.minLength) res.push(/non-empty string/);
    for (const b of [f.minimum, f.maximum, f.exclusiveMinimum, f.exclusiveMaximum]) {
      if (b === undefined || b >= Number.MAX_SAFE_INTEGER || (f.type === 'integer' && b === 1 && f.maximum !== undefined && f.maximum >= Number.MAX_SAFE_INTEGER)) continue;
      res.push(new RegExp(`${b < 0 ? '' : '\\b'}${b}\\b`)); // no word boundary before a minus sign
    }
    if (f.type === 'integer' && f.minimum === 1 && (f.maximum ?? Infinity) >= Number.MAX_SAFE_INTEGER) res.push(/positive integer/);
  }
  if (n.anyOf && n.anyOf.length > 1) res.push(/, or /);
  return res;
}

const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

test('every config key refuses a bad value of each kind with one line naming the key, the value given and what is allowed', () => {
  let cases = 0;
  for (const { path: key } of configKeys()) {
    const node = nodeOf(key);
    const bad = badValues(node);
    assert.ok(bad.length > 0, `${key}: no bad value derived`);
    for (const [kind, value] of bad) {
      const input: Record<string, unknown> = {};
      setPath(input, key, value);
      let msg = '';
      assert.throws(() => resolveTrialConfig(input), (e: Error) => ((msg = e.message), e instanceof ConfigError), `${key} ${kind}`);
      const line = msg.split('\n').find((l) => l.startsWith(`  ${key}: `));
      assert.ok(line, `${key} (${kind}, ${JSON.stringify(value)}): no line naming the key in\n${msg}`);
      assert.match(line, new RegExp(`; got ${escape(typeof value === 'number' ? String(value) : JSON.stringify(value))}`), `${key} ${kind}: the value given`);
      const allowed = line.slice(line.indexOf('; allowed: '));
      assert.ok(allowed.length > '; allowed: '.length, `${key} ${kind}: says what is allowed: ${line}`);
      for (const re of mustMention(node)) assert.match(allowed, re, `${key} ${kind}: ${line}`);
      assert.doesNotMatch(line, /Invalid input;/, `${key} ${kind}: a bare "Invalid input" says nothing`);
      cases++;
    }
  }
  assert.ok(cases >= 80, `${cases} cases`);
});

test('model.hidden = "abc" says: a positive integer, or a non-empty list of positive integers', () => {
  assert.throws(() => resolveTrialConfig({ model: { hidden: 'abc' } }), /model\.hidden: .*got "abc"; allowed: a positive integer, or a non-empty list of positive integers/);
  assert.throws(() => resolveTrialConfig({ pretrain: { corruption: [0.5, 2] } }), /pretrain\.corruption: .*got \[0\.5,2\] \(element 1 is 2\); allowed: a number in \[0, 1\), or a non-empty list of numbers in \[0, 1\)/);
  assert.throws(() => resolveTrialConfig({ model: 5 }), /model: .*got 5; allowed: an object with keys depth, hidden, activation, init/);
});

test('unknown keys keep their message and the renamed-key hint', () => {
  assert.throws(() => resolveTrialConfig({ model: { hiden: 5 } }), /model: Unrecognized key: "hiden"/);
  assert.throws(() => resolveTrialConfig({ pretrain: { weightDecay: 1 } }), /weightDecay is now pretrain\.l2 with half the value/);
});

const BIN = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'bin', 'pretrain-lab.js');

test('pretrain-lab train --hidden=abc exits 2 with one message naming the key, the value and what is allowed, no stack trace', async () => {
  const r = await new Promise<{ code: number; stderr: string }>((resolve) =>
    execFile(process.execPath, [BIN, 'train', '--hidden=abc'], { timeout: 60_000 }, (err, _out, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stderr })),
  );
  assert.equal(r.code, 2);
  assert.match(r.stderr, /model\.hidden: .*got "abc"; allowed: a positive integer, or a non-empty list of positive integers/);
  assert.doesNotMatch(r.stderr, /\n\s+at /);
});

test('run flags and experiment grids say the same: --hidden=abc and a grid level depth 2.5 name the key, the value and what is allowed', async () => {
  const { resolveExperiment } = await import('../../src/experiments/define.ts');
  const { default: toy } = await import('../fixtures/experiments/toy-experiment.ts');
  assert.throws(() => resolveExperiment(toy, { overrides: { hidden: 'abc' } }), /model\.hidden: .*got "abc"; allowed: a positive integer, or a non-empty list of positive integers/);
  assert.throws(() => resolveExperiment(toy, { overrides: { depth: [1, 2.5] } }), /model\.depth: .*got 2\.5; allowed: an integer from 1 to 20/);
});
