/**
 * The `pretrain-lab` command line. `bin/pretrain-lab.js` calls `main(process.argv)` (compiled from
 * dist/, or the sources through tsx). `--version` is answered before any command module loads, so it
 * costs no more than starting Node; everything else builds the program (`program.ts`). A closed
 * stdout or stderr (`| head`) ends any command quietly with status 0 (`closed-pipe.ts`).
 */
import { CommanderError } from 'commander';
import { packageVersion } from '../experiments/code-version.ts';
import { exitQuietlyOnClosedPipe } from './closed-pipe.ts';
import { exitCodeFor } from './errors.ts';

/** Runs the command line; resolves to the exit code (0 ok, 1 failure, 2 usage). */
export async function main(argv: string[]): Promise<number> {
  exitQuietlyOnClosedPipe();
  const args = argv.slice(2);
  if (args.length === 1 && (args[0] === '--version' || args[0] === '-V')) {
    process.stdout.write(`${packageVersion()}\n`);
    return 0;
  }
  const { buildProgram } = await import('./program.ts');
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : 2;
    const err = e as Error;
    process.stderr.write(`error: ${err?.message ?? String(e)}\n`);
    if (process.env.PRETRAIN_LAB_DEBUG) process.stderr.write(`${err?.stack}\n`);
    return exitCodeFor(e);
  }
}
