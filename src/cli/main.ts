/**
 * The `pretrain-lab` command line (commander): run, train, eval, report, list, data show, bench.
 * `bin/pretrain-lab.js` calls `main(process.argv)` (compiled from dist/, or the sources through tsx).
 * Start-up: the report (plot library, DOM) is imported only by the commands that write one.
 */
import { Command, CommanderError } from 'commander';
import { packageId } from '../experiments/code-version.ts';
import { registerEval } from './commands/eval.ts';
import { registerBench, registerData, registerList, registerReport } from './commands/misc.ts';
import { registerRun } from './commands/run.ts';
import { registerTrain } from './commands/train.ts';
import { exitCodeFor } from './errors.ts';

/** The program with every command registered. */
export function buildProgram(): Command {
  const program = new Command('pretrain-lab');
  program
    .description('A laboratory for unsupervised pre-training vs training from scratch (Erhan et al., JMLR 2010)')
    .version(packageId().split('@')[1] ?? '0.0.0')
    .showSuggestionAfterError()
    .exitOverride()
    .addHelpText('after', `\nExamples:\n  $ pretrain-lab list\n  $ pretrain-lab run depth --preset quick\n  $ pretrain-lab report runs/depth\n`);
  registerRun(program);
  registerTrain(program);
  registerEval(program);
  registerReport(program);
  registerList(program);
  registerData(program);
  registerBench(program);
  for (const c of program.commands) c.exitOverride();
  return program;
}

/** Runs the command line; resolves to the exit code (0 ok, 1 failure, 2 usage). */
export async function main(argv: string[]): Promise<number> {
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
