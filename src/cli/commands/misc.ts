/** `pretrain-lab report | list | data show | bench`. */
import type { Command } from 'commander';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { PACKAGE_ROOT } from '../../experiments/code-version.ts';
import { listExperiments } from '../../experiments/registry.ts';
import { UsageError } from '../errors.ts';
import { jsonLine } from '../output.ts';

export function registerReport(program: Command): void {
  program
    .command('report')
    .description('write report.html (box plots, histograms, curves, t-tests, filters) for a run store')
    .argument('<runs-dir>', "an experiment's run store, e.g. runs/depth")
    .option('--json', 'print the result as one JSON line')
    .addHelpText('after', `\nExample:\n  $ pretrain-lab report runs/depth   # then open runs/depth/report.html\n`)
    .action(async (dir: string, opts: { json?: boolean }) => {
      const warn = (m: string): void => void process.stderr.write(`warning: ${m}\n`);
      const { writeReport } = await import('../../report/build-report.ts'); // loaded on use: the plot library is most of start-up
      const r = writeReport(dir, { warn });
      if (opts.json) jsonLine({ event: 'result', report: r.path, planned: r.planned, found: r.found, charts: r.charts.map((c) => ({ id: c.id, marks: c.marks })), images: r.images });
      else process.stdout.write(`${r.found}/${r.planned} trials; wrote ${r.path}\n`);
    });
}

export function registerList(program: Command): void {
  program
    .command('list')
    .description('list the built-in experiments with one-line descriptions')
    .option('--json', 'print one JSON line per experiment')
    .addHelpText('after', `\nExample:\n  $ pretrain-lab list\n`)
    .action(async (opts: { json?: boolean }) => {
      const exps = await listExperiments();
      const w = Math.max(...exps.map((e) => e.id.length), 2);
      for (const e of exps) {
        const presets = Object.keys((e.input as { presets?: Record<string, unknown> }).presets ?? {});
        if (opts.json) jsonLine({ id: e.id, paper: e.paper, description: e.description, presets });
        else process.stdout.write(`${e.id.padEnd(w)}  ${e.description}  [${e.paper}; presets: ${presets.join(', ') || 'none'}]\n`);
      }
    });
}

export function registerData(program: Command): void {
  const data = program.command('data').description('inspect data sets');
  data
    .command('show')
    .description('write a PNG grid of examples of a data set')
    .argument('<dataset>', 'mnist, mnist/test, shapeset, infinite-mnist, idx:..., csv:...')
    .option('--out <file>', 'PNG file to write', 'grid.png')
    .option('--seed <n>', 'seed for generated data sets', '0')
    .addHelpText('after', `\nExample:\n  $ pretrain-lab data show mnist --out grid.png\n`)
    .action(async (name: string, opts: { out: string; seed: string }) => {
      const spec = '../../data/show.ts';
      const show = (await import(spec)) as {
        resolveDataSource(n: string, seed: number): Promise<unknown>;
        writeExampleGrid(s: unknown, out: string): Promise<void>;
      };
      const src = await show.resolveDataSource(name, Number(opts.seed));
      await show.writeExampleGrid(src, opts.out);
      process.stdout.write(`wrote ${path.resolve(opts.out)}\n`);
    });
}

export function registerBench(program: Command): void {
  program
    .command('bench')
    .description('run the kernel and end-to-end benchmarks (bench/run.ts); extra arguments are passed on')
    .allowUnknownOption()
    .allowExcessArguments()
    .addHelpText('after', `\nExample:\n  $ pretrain-lab bench\n`)
    .action(async (_opts: unknown, cmd: Command) => {
      const file = path.join(PACKAGE_ROOT, 'bench', 'run.ts');
      if (!fs.existsSync(file)) throw new UsageError(`${file} is missing; benchmarks ship with the source checkout`);
      const code = await new Promise<number>((resolve) => {
        const child = spawn(process.execPath, ['--import', import.meta.resolve('tsx'), file, ...cmd.args], { stdio: 'inherit' });
        child.on('exit', (c) => resolve(c ?? 1));
      });
      if (code !== 0) process.exitCode = code;
    });
}
