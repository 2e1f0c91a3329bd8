/** `pretrain-lab serve`: the live lab's page (dist/web) on a local static server. */
import type { Command } from 'commander';
import * as path from 'node:path';
import { PACKAGE_ROOT } from '../../experiments/code-version.ts';
import { UsageError } from '../errors.ts';
import { jsonLine } from '../output.ts';
import { serveStatic } from '../static-server.ts';

/** Where the build puts the page. */
export const WEB_DIR = path.join(PACKAGE_ROOT, 'dist', 'web');

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('serve the live lab: train a DBN or SDAE and its random twin in the browser (static page, nothing leaves it)')
    .option('--port <n>', 'port to listen on (0: any free port)', '8080')
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--dir <dir>', 'the built page to serve', WEB_DIR)
    .option('--json', 'print the URL as one JSON line')
    .addHelpText('after', `\nExample:\n  $ pretrain-lab serve --port 8080   # then open http://127.0.0.1:8080/\n`)
    .action(async (opts: { port: string; host: string; dir: string; json?: boolean }) => {
      const port = Number(opts.port);
      if (!/^\d+$/.test(opts.port) || port > 65535) throw new UsageError(`--port must be an integer in 0..65535 (got '${opts.port}')`);
      const s = await serveStatic(opts.dir, port, opts.host);
      if (opts.json) jsonLine({ event: 'serving', url: s.url, dir: opts.dir });
      else process.stdout.write(`live lab at ${s.url} (serving ${opts.dir}; Ctrl-C to stop)\n`);
      await new Promise<void>((resolve) => {
        const stop = (): void => void s.close().then(resolve);
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
    });
}
