/**
 * The ONNX writer runs in the browser page too: the modules `onnxFromModel` loads (value imports,
 * followed through every relative import) must not import a Node built-in.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

const SRC = join(import.meta.dirname, '..', '..', 'src');

/** Value imports of a module (not `import type`), as written. */
function valueImports(file: string): string[] {
  const code = readFileSync(file, 'utf8');
  const out: string[] = [];
  for (const m of code.matchAll(/^\s*(import|export)\s+(type\s+)?[^;]*?\bfrom\s+'([^']+)'/gms)) if (!m[2]) out.push(m[3]!);
  for (const m of code.matchAll(/^\s*import\s+'([^']+)'/gm)) out.push(m[1]!);
  return out;
}

function closure(entry: string): { files: Set<string>; builtins: string[] } {
  const files = new Set<string>(), builtins: string[] = [];
  const visit = (f: string): void => {
    if (files.has(f)) return;
    files.add(f);
    for (const spec of valueImports(f)) {
      if (spec.startsWith('.')) visit(resolve(dirname(f), spec));
      else if (spec.startsWith('node:')) builtins.push(`${f.slice(SRC.length + 1)} imports ${spec}`);
    }
  };
  visit(entry);
  return { files, builtins };
}

test('onnxFromModel and the protobuf writer import no Node built-in (the browser page can bundle them)', () => {
  const { files, builtins } = closure(join(SRC, 'export', 'mlp-to-onnx.ts'));
  assert.ok(files.size > 10 && [...files].some((f) => f.endsWith('protobuf-writer.ts')), 'the walk follows the imports');
  assert.deepEqual(builtins, []);
});

test('the walk sees a Node import where there is one (the file-writing layer)', () => {
  const { builtins } = closure(join(SRC, 'export', 'export-onnx.ts'));
  assert.ok(builtins.some((b) => /node:fs/.test(b)), builtins.join('\n'));
});
