/** `pretrain-lab run <experiment|file>`: run (or resume) a sweep, then write its report. */
import type { Command } from 'commander';
import * as path from 'node:path';
import { resolveExperiment } from '../../experiments/define.ts';
import { loadExperiment } from '../../experiments/registry.ts';
import { defaultWorkers, runExperiment, type KeepNetworks } from '../../experiments/runner.ts';
import { resolveThreads, threadsArg, THREADS_HELP } from '../threads-flag.ts';
import { addSlurmOptions } from '../slurm-flags.ts';
import { addQueueOptions, queueExecutor } from '../queue-flags.ts';
import { settingLabel, variedNuisanceKeys } from '../../experiments/expand.ts';
import { UsageError } from '../errors.ts';
import { reproducibleFlag, REPRODUCIBLE_HELP } from '../reproducible-flag.ts';
import { memoryLimitFlag, MEMORY_LIMIT_HELP } from '../memory-limit-flag.ts';
import { duration, pct, pValue, table } from '../format.ts';

const signed = (x: number): string => `${x > 0 ? '+' : ''}${pct(x)}`;
const effect = (v: number, name: string): string => (Number.isFinite(v) ? `${name} ${v.toFixed(2)}` : '');
import { keysHelp, keyValueArgs } from '../key-flags.ts';
import { distinctDataConfigs, jsonLine, outputMode, splitsLine, sweepReporter } from '../output.ts';

/** `--selection-seeds`: a count N (seeds 100001..100000+N) or a list `[s1,s2]` / `s1,s2`. */
function seedCountOrList(v: string): number | number[] {
  const t = v.trim().replace(/^\[|\]$/g, '');
  const parts = t.split(',').map((x) => x.trim());
  const nums = parts.map(Number);
  if (parts.some((x) => x === '') || !nums.every((n) => Number.isSafeInteger(n) && n >= 0)) {
    throw new UsageError(`--selection-seeds must be a count N >= 1 (seeds 100001..100000+N) or a list of seeds such as [100001,100002] (got '${v}')`);
  }
  if (!v.includes(',') && !v.includes('[')) {
    if (nums[0]! < 1) throw new UsageError(`--selection-seeds count must be >= 1 (got '${v}')`);
    return nums[0]!;
  }
  return nums;
}

/** `--data-seed`: an integer >= 0 or `per-seed`. */
function dataSeedArg(v: string): number | 'per-seed' {
  if (v === 'per-seed') return v;
  const n = Number(v);
  if (v.trim() === '' || !Number.isSafeInteger(n) || n < 0) throw new UsageError(`--data-seed must be an integer >= 0 or per-seed (got '${v}')`);
  return n;
}

/** `--selection`: fresh-seeds or same-seeds. */
function selectionArg(v: string): 'fresh-seeds' | 'same-seeds' {
  if (v === 'fresh-seeds' || v === 'same-seeds') return v;
  throw new UsageError(`--selection must be fresh-seeds or same-seeds (got '${v}')`);
}

function positiveInt(name: string) {
  return (v: string): number => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 1) throw new UsageError(`${name} must be an integer >= 1 (got '${v}')`);
    return n;
  };
}

/** `--executor`: local, slurm or queue. */
function executorArg(v: string): 'local' | 'slurm' | 'queue' {
  if (v === 'local' || v === 'slurm' || v === 'queue') return v;
  throw new UsageError(`--executor must be local, slurm or queue (got '${v}')`);
}

/** `--keep-networks`: all, selected or none. */
function keepArg(v: string): KeepNetworks {
  if (v === 'all' || v === 'selected' || v === 'none') return v;
  throw new UsageError(`--keep-networks must be all, selected or none (got '${v}')`);
}

export function registerRun(program: Command): void {
  const cmd = program
    .command('run')
    .description('run an experiment (resumes: finished trials are skipped), then write its HTML report')
    .argument('<experiment>', 'a built-in experiment id (see `pretrain-lab list`) or a path to an experiment file')
    .option('--preset <name>', "preset to apply: quick (minutes) or full (the paper's scale); default quick when the experiment has it")
    .option('--seeds <n>', 'number of evaluation seeds (seeds 1..n): the seeds whose test errors are reported', positiveInt('--seeds'))
    .option('--selection <mode>', "how each cell's nuisance setting is chosen: fresh-seeds (on separate selection seeds, then only the chosen setting runs on the evaluation seeds; the default) or same-seeds (chosen and reported on the same seeds)", selectionArg)
    .option('--selection-seeds <n|list>', 'selection seeds under fresh-seeds: a count N (seeds 100001..100000+N; default 3) or a list [s1,s2,...]; must not overlap --seeds', seedCountOrList)
    .option('--data-seed <n|per-seed>', "seed of the training subset and stochastic binarisation (TrialConfig data.seed): a fixed integer (default 0: one subset for all seeds, the spread is initialisation only) or per-seed (varies with the seed)", dataSeedArg)
    .option('--workers <n>', 'worker processes (default: one per core)', positiveInt('--workers'))
    .option('--backend <name>', 'auto, reference, reference64, wasm or native')
    .option('--threads <n|auto>', `${THREADS_HELP.replace('all cores', 'the cores divided among --workers')}, per worker; default 1, so that a trial's numbers never depend on how many trials ran beside it`, threadsArg)
    .option('--runs-dir <dir>', 'root of the run stores', 'runs')
    .option('--reproducible', REPRODUCIBLE_HELP)
    .option('--memory-limit <GB>', MEMORY_LIMIT_HELP)
    .option('--allow-mixed-variants', "admit trials computed by another numeric variant than the study's records (each such record is marked mixedVariant)")
    .option('--json', 'print JSON lines (the last one is the result) instead of a progress bar')
    .option('--no-report', 'do not write report.html')
    .option('--trial-module <file>', 'module exporting runTrial to use instead of the real one (testing, plug-ins)')
    .option('--executor <name>', 'where trials run: local (a pool of worker processes on this machine; the default), slurm (a Slurm job array, see --slurm.*) or queue (a Redis-backed queue served by `pretrain-lab worker --redis`, see --redis)', executorArg, 'local')
    .option('--no-pretrain-cache', "train every trial's pre-trained stack itself instead of sharing stacks between trials through the store's pretrained/ (the numbers are the same either way; the cache saves the time)")
    .option('--keep-networks <which>', "which trials keep their final network (checkpoints/<hash>/final.safetensors): all (default), selected (each cell's chosen setting only, pruned when the study is complete) or none; records are always kept", keepArg)
    .allowUnknownOption()
    .allowExcessArguments()
    .addHelpText(
      'after',
      `\nExamples:\n  $ pretrain-lab run depth --preset quick\n  $ pretrain-lab run depth --preset quick --depth=[1,2] --finetune.epochs=10 --workers 2\n  $ pretrain-lab run ./my-study.ts --json\n` +
        `\nFlags --key=value set config keys; a key that is a factor of the experiment replaces its levels.\n` +
        `Your own data: --data.name=csv:<file> or idx:<images>,<labels> replaces the data set of every trial, e.g. the transfer study:\n` +
        `  $ pretrain-lab run transfer-modes --preset user --data.name=csv:my.csv\n` +
        `\nProtocol (Erhan et al. 2010, Section 5.3): by default each cell's nuisance setting is chosen on validation error over\n` +
        `selection seeds 100001.. (--selection-seeds), then only the chosen setting runs on the evaluation seeds (--seeds),\n` +
        `whose test errors alone are reported; the training subset uses data seed 0 for every seed (--data-seed).\n` +
        `  $ pretrain-lab run marginals --preset quick --selection-seeds 2 --data-seed per-seed\n` +
        `\nOn a cluster (see README, "Running on a cluster"):\n` +
        `  $ pretrain-lab run marginals --preset full --executor slurm --slurm.partition=cpu --slurm.max-parallel=100\n` +
        `  $ pretrain-lab run depth --preset full --executor queue --redis redis://:PASSWORD@host:6379   # and on each machine: pretrain-lab worker --redis ...\n` +
        keysHelp(),
    );
  addSlurmOptions(cmd);
  addQueueOptions(cmd);
  cmd.action(async (name: string, opts: Record<string, unknown>, cmd: Command) => {
      const mode = outputMode(opts.json as boolean | undefined);
      reproducibleFlag(opts.reproducible);
      memoryLimitFlag(opts.memoryLimit);
      const overrides = keyValueArgs(cmd.args, 1);
      const exp = await loadExperiment(name);
      const presets = Object.keys((exp.input as { presets?: Record<string, unknown> }).presets ?? {});
      const preset = (opts.preset as string | undefined) ?? (presets.includes('quick') ? 'quick' : null);
      const resolved = resolveExperiment(exp, {
        preset,
        overrides,
        ...(opts.seeds !== undefined ? { seeds: opts.seeds as number } : {}),
        ...(opts.backend !== undefined ? { backend: opts.backend as string } : {}),
        ...(opts.selection !== undefined || opts.selectionSeeds !== undefined || opts.dataSeed !== undefined
          ? {
              protocol: {
                ...(opts.selection !== undefined ? { selection: opts.selection as 'fresh-seeds' | 'same-seeds' } : {}),
                ...(opts.selectionSeeds !== undefined ? { selectionSeeds: opts.selectionSeeds as number | number[] } : {}),
                ...(opts.dataSeed !== undefined ? { dataSeed: opts.dataSeed as number | 'per-seed' } : {}),
              },
            }
          : {}),
      });
      if (opts.executor !== 'queue') {
        const stray = (['redis', 'queue', 'attempts'] as const).filter((k) => opts[k] !== undefined);
        if (stray.length > 0) throw new UsageError(`${stray.map((k) => `--${k}`).join(', ')} only apply with --executor queue (this run would go to the ${String(opts.executor)} executor); add --executor queue, or drop them`);
      }
      if (opts.executor === 'slurm') {
        const { runOnSlurm } = await import('../slurm-flags.ts');
        await runOnSlurm(resolved, opts, process.argv.slice(2), mode);
        return;
      }
      if (mode !== 'json') process.stderr.write(`${resolved.id}: ${resolved.description}\npreset ${preset ?? '(none)'}${preset === 'quick' && presets.includes('full') ? " (use --preset full for the paper's scale)" : ''}\n`);
      for (const d of distinctDataConfigs(resolved)) splitsLine(mode, d.data, d.online);
      const reporter = sweepReporter(mode);
      const controller = new AbortController();
      const onSigint = (): void => {
        if (controller.signal.aborted) process.exit(130);
        controller.abort();
      };
      process.on('SIGINT', onSigint);
      const t0 = Date.now();
      let summary;
      try {
        summary = await runExperiment(resolved, {
          runsDir: opts.runsDir as string,
          ...(opts.workers !== undefined ? { workers: opts.workers as number } : {}),
          ...(opts.trialModule ? { trial: { module: path.resolve(opts.trialModule as string), export: 'runTrial' } } : {}),
          ...(opts.allowMixedVariants ? { allowMixedVariants: true } : {}),
          ...(opts.keepNetworks !== undefined ? { keepNetworks: opts.keepNetworks as KeepNetworks } : {}),
          ...(opts.pretrainCache === false ? { pretrainCache: false } : {}),
          ...(opts.threads !== undefined ? { threads: resolveThreads(opts.threads as number | 'auto', (opts.workers as number | undefined) ?? defaultWorkers()) } : {}),
          ...(opts.executor === 'queue' ? { executor: await queueExecutor(opts, reporter.onWarn ?? (() => {})) } : {}),
          events: reporter,
          signal: controller.signal,
        });
      } finally {
        reporter.close();
        process.off('SIGINT', onSigint);
      }
      const seconds = (Date.now() - t0) / 1000;
      const { writeReport } = await import('../../report/build-report.ts'); // loaded on use (start-up)
      const report = opts.report === false ? null : writeReport(summary.storeDir, { warn: reporter.onWarn ?? (() => {}) }).path;
      const { protocolSummary } = await import('../../report/protocol-section.ts');
      const protocol = protocolSummary(resolved, summary.cells);
      const rows = summary.cells.map((c) => {
        const cmp = summary.comparisons.find((k) => k.cell === c);
        return {
          cell: c.cell,
          label: c.label,
          chosen: c.chosen,
          testError: { mean: c.test.mean, std: c.test.std, n: c.test.n },
          validError: c.valid.mean,
          diverged: c.nDiverged,
          ...(cmp
            ? {
                vsBaseline: {
                  design: cmp.design,
                  difference: cmp.difference,
                  ci95: [cmp.ci.lo, cmp.ci.hi],
                  test: cmp.paired ? 'paired-t' : 'welch',
                  p: cmp.p,
                  ...(cmp.paired ? { wilcoxonP: cmp.paired.wilcoxon.p, nPairs: cmp.paired.seeds.length, dz: cmp.paired.dz } : {}),
                  pHolm: cmp.pHolm,
                  cohensD: cmp.cohensD,
                },
              }
            : {}),
        };
      });
      if (mode === 'json') {
        const { lines, ...proto } = protocol;
        jsonLine({ event: 'result', experiment: resolved.id, preset, storeDir: summary.storeDir, report, ran: summary.ran, skipped: summary.skipped, failed: summary.failed.map((f) => ({ hash: f.hash, attempts: f.attempts, message: f.message })), claimed: summary.claimed, seconds, protocol: { ...proto, summary: lines.join(' ') }, cells: rows });
        return;
      }
      const varied = new Set(variedNuisanceKeys(resolved));
      const hasNuisance = varied.size > 0;
      const out = table(
        ['cell', 'test error (mean ± std)', 'n', ...(hasNuisance ? ['chosen'] : []), 'vs baseline [95% CI]', 'p (paired t, or Welch)', 'Holm p', 'effect (d_z or d)'],
        rows.map((r) => [
          r.label,
          `${pct(r.testError.mean)} ± ${pct(r.testError.std)}`,
          String(r.testError.n) + (r.diverged ? ` (+${r.diverged} diverged)` : ''),
          ...(hasNuisance ? [settingLabel(Object.fromEntries(Object.entries(r.chosen).filter(([k]) => varied.has(k))))] : []),
          r.vsBaseline ? `${signed(r.vsBaseline.difference)} [${signed(r.vsBaseline.ci95[0]!)}, ${signed(r.vsBaseline.ci95[1]!)}]` : '',
          r.vsBaseline ? `${pValue(r.vsBaseline.p)}${r.vsBaseline.test === 'welch' ? ' (Welch)' : ''}` : '',
          r.vsBaseline ? pValue(r.vsBaseline.pHolm) : '',
          r.vsBaseline ? effect(r.vsBaseline.dz ?? r.vsBaseline.cohensD, r.vsBaseline.dz !== undefined ? 'd_z' : 'd') : '',
        ]),
      );
      const failedLine = summary.failed.length > 0 ? `${summary.failed.length} trial(s) FAILED (their messages and logs: ${summary.storeDir}/failed/; the report lists them); re-run the same command to retry them.\n` : '';
      const claimedLine = summary.claimed > 0 ? `${summary.claimed} trial(s) were being run by another owner (a Slurm task?) and were left to it; \`pretrain-lab status ${summary.storeDir}\` follows them.\n` : '';
      process.stdout.write(`\n${out}\n\n${protocol.lines.join('\n')}\n\n${summary.ran} trial(s) run, ${summary.skipped} reused, in ${duration(seconds)}. Store: ${summary.storeDir}\n${failedLine}${claimedLine}${report ? `Report: ${report}\n` : ''}`);
      if (summary.failed.length > 0) process.exitCode = 1;
    });
}

