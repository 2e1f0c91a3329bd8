/**
 * The `pretrain-lab` program (commander): run, train, eval, export, report, list, data show, bench,
 * status, worker.
 * Start-up: the report (plot library, DOM) is imported only by the commands that write one.
 */
import { Command } from 'commander';
import { packageVersion } from '../experiments/code-version.ts';
import { registerEval } from './commands/eval.ts';
import { registerExport } from './commands/export.ts';
import { registerBench, registerData, registerList, registerReport } from './commands/misc.ts';
import { registerRun } from './commands/run.ts';
import { registerStatus } from './commands/status.ts';
import { registerTrain } from './commands/train.ts';
import { registerWorker } from './commands/worker.ts';

/** The program with every command registered. */
export function buildProgram(): Command {
  const program = new Command('pretrain-lab');
  program
    .description('A laboratory for unsupervised pre-training vs training from scratch (Erhan et al., JMLR 2010)')
    .version(packageVersion())
    .showSuggestionAfterError()
    .exitOverride()
    .addHelpText('after', `\nExamples:\n  $ pretrain-lab list\n  $ pretrain-lab run depth --preset quick\n  $ pretrain-lab report runs/depth\n`);
  registerRun(program);
  registerTrain(program);
  registerEval(program);
  registerExport(program);
  registerReport(program);
  registerList(program);
  registerData(program);
  registerBench(program);
  registerStatus(program);
  registerWorker(program);
  for (const c of program.commands) c.exitOverride();
  return program;
}
