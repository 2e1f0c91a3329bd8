#!/usr/bin/env node
// The pretrain-lab command. An installed package runs the compiled JavaScript in dist/ (no
// TypeScript at start-up). A source checkout (src/ beside bin/) runs dist/ too while it is at least
// as new as every file in src/ and experiments/; after an edit it runs the sources through tsx, so a
// stale build can never answer for the code you are reading (`npm run build` brings back the fast start).
import { existsSync, readdirSync, statSync } from 'node:fs';

const root = new URL('../', import.meta.url);
const compiled = new URL('dist/src/cli/main.js', root);
const sources = new URL('src/', root);

/** Newest modification time of any file under `dir` (0 when it does not exist). */
function newest(dir) {
  if (!existsSync(dir)) return 0;
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile()) t = Math.max(t, statSync(`${e.parentPath ?? e.path}/${e.name}`).mtimeMs);
  }
  return t;
}

function compiledIsCurrent() {
  if (!existsSync(compiled)) return false;
  if (!existsSync(sources)) return true; // an installed package: dist/ is all there is
  const built = statSync(compiled).mtimeMs;
  return newest(sources) <= built && newest(new URL('experiments/', root)) <= built;
}

let entry = compiled;
if (!compiledIsCurrent()) {
  let tsx;
  try {
    tsx = await import('tsx/esm/api');
  } catch {
    process.stderr.write(
      `error: ${existsSync(compiled) ? 'dist/ is older than src/' : 'dist/ is not built'} and tsx is not installed; ` +
        'in a source checkout run: npm install && npm run build\n',
    );
    process.exit(1);
  }
  tsx.register();
  entry = new URL('src/cli/main.ts', root);
}
const { main } = await import(entry.href);
process.exitCode = await main(process.argv);
