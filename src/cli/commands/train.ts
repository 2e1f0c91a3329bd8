/** `pretrain-lab train`: train one model from flags (same dotted keys as experiments). */
import type { Command } from 'commander';
import cliProgress from 'cli-progress';
import * as path from 'node:path';
import { canonicalKey, setPath } from '../../train/config-keys.ts';
import { ExperimentError } from '../../experiments/define.ts';
import { DEFAULT_TRIAL_MODULE, loadTrialFunction } from '../../experiments/trial-function.ts';
import { createBackend } from '../../backends/registry.ts';
import { formatVariant } from '../../backends/variant.ts';
import { reproducibleFlag, REPRODUCIBLE_HELP } from '../reproducible-flag.ts';
import { memoryLimitFlag, MEMORY_LIMIT_HELP } from '../memory-limit-flag.ts';
import { resolveTrialConfig } from '../../train/config.ts';
import type { EpochMetrics, Progress } from '../../train/hooks.ts';
import { UsageError } from '../errors.ts';
import { resolveThreads, threadsArg, THREADS_HELP } from '../threads-flag.ts';
import { duration, pct } from '../format.ts';
import { keysHelp, keyValueArgs } from '../key-flags.ts';
import { jsonLine, outputMode, splitsLine, trialFraction } from '../output.ts';

/** Builds a TrialConfig input from `--key=value` flags; unknown keys name the closest valid one. */
export function configFromFlags(flags: Record<string, unknown>): Record<string, unknown> {
  const input: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(flags)) {
    try {
      setPath(input, canonicalKey(k, 'the --key=value flags'), v);
    } catch (e) {
      throw new ExperimentError(`invalid flag --${k}: ${(e as Error).message}`);
    }
  }
  return input;
}

function epochLine(m: EpochMetrics): string {
  const v = m.values;
  const parts = Object.entries(v)
    .filter(([k]) => k !== 'lr')
    .map(([k, x]) => `${k} ${k.endsWith('Error') ? pct(x) : Number.isInteger(x) ? String(x) : x.toFixed(4)}`);
  const unit = 'streamPosition' in v ? 'block' : 'epoch'; // an online trial reports blocks of stream examples
  return `${m.phase}${m.layer !== undefined ? ` layer ${m.layer + 1}` : ''} ${unit} ${m.epoch}: ${parts.join(', ')} (${m.seconds.toFixed(1)}s)`;
}

export function registerTrain(program: Command): void {
  program
    .command('train')
    .description('train one model from --key=value flags and print its final errors')
    .option('--backend <name>', 'auto, reference, reference64, wasm or native')
    .option('--checkpoint-dir <dir>', 'write final.safetensors (and the resume state: pre-trained layers, fine-tuning epochs) here')
    .option('--resume', 'continue an interrupted run from --checkpoint-dir: from its last fine-tuning epoch, else its finished pre-trained layers (same flags needed)')
    .option('--reproducible', REPRODUCIBLE_HELP)
    .option('--threads <n|auto>', `${THREADS_HELP}; default auto`, threadsArg)
    .option('--memory-limit <GB>', MEMORY_LIMIT_HELP)
    .option('--json', 'print JSON lines (one per epoch; the last one is the result)')
    .option('--trial-module <file>', 'module exporting runTrial to use instead of the real one')
    .allowUnknownOption()
    .allowExcessArguments()
    .addHelpText(
      'after',
      `\nExamples:\n  $ pretrain-lab train --depth=2 --pretrain=sdae --data.trainSize=5000 --hidden=200 --epochs=10 --batchSize=10\n  $ pretrain-lab train --model.depth=1 --finetune.lr=0.05 --checkpoint-dir ckpt --json\n  $ pretrain-lab train --depth=3 --pretrain=dbn --pretrainEpochs=100 --checkpoint-dir ckpt --resume   # after an interruption\n  $ pretrain-lab train --layers='conv 32 5x5, pool 2, conv 64 5x5, pool 2, dense 256' --activation=relu --init=he --optimizer=adam --lr=0.001 --batchSize=32\n  $ pretrain-lab train --depth=3 --hidden=500 --activation=relu --norm=batch --dropout=0.2 --pretrain=sdae --batchSize=32\n` + keysHelp(),
    )
    .action(async (opts: Record<string, unknown>, cmd: Command) => {
      const mode = outputMode(opts.json as boolean | undefined);
      if (opts.resume && !opts.checkpointDir) throw new UsageError('--resume needs --checkpoint-dir <dir>: the directory the interrupted run wrote its checkpoints to');
      reproducibleFlag(opts.reproducible);
      memoryLimitFlag(opts.memoryLimit);
      const input = configFromFlags(keyValueArgs(cmd.args, 0));
      if (opts.backend) input.backend = opts.backend;
      const config = resolveTrialConfig(input);
      const run = await loadTrialFunction(opts.trialModule ? { module: path.resolve(opts.trialModule as string) } : DEFAULT_TRIAL_MODULE);
      const backend = await createBackend(config.backend);
      if (backend.name === 'native') {
        (await import('../../backends/native/threads.ts')).setThreads(resolveThreads(opts.threads as number | 'auto' | undefined));
      }
      let bar: cliProgress.SingleBar | null = null;
      if (mode === 'tty') {
        bar = new cliProgress.SingleBar({ format: ' {bar} {percentage}% | ETA {eta_formatted} | {status}', hideCursor: true, clearOnComplete: true, barsize: 30 }, cliProgress.Presets.shades_classic);
        bar.start(1000, 0, { status: 'loading data' });
      }
      if (mode !== 'json') process.stderr.write(`backend ${backend.name}: ${backend.description}\nnumeric variant: ${formatVariant(backend.variant)}\n`);
      splitsLine(mode, config.data, config.online);
      const say = (s: string): void => {
        if (bar) bar.stop();
        process.stderr.write(s + '\n');
        if (bar) bar.start(1000, bar.getProgress() * 1000, {});
      };
      let last = '';
      const t0 = Date.now();
      const result = await run(config, {
        backend,
        ...(opts.checkpointDir ? { checkpointDir: path.resolve(opts.checkpointDir as string) } : {}),
        ...(opts.resume ? { resume: true } : {}),
        hooks: {
          onProgress(p: Progress) {
            last = p.phase === 'pretrain' ? `pretrain layer ${(p.layer ?? 0) + 1} epoch ${p.epoch}/${p.epochs}` : `finetune epoch ${p.epoch}/${p.epochs}`;
            bar?.update(Math.round(1000 * trialFraction({ config }, p)), { status: last });
          },
          onEpoch(m: EpochMetrics) {
            if (mode === 'json') jsonLine({ event: 'epoch', ...m });
            else say(epochLine(m));
          },
        },
      });
      bar?.stop();
      const seconds = (Date.now() - t0) / 1000;
      const f = result.final;
      if (mode === 'json') {
        jsonLine({ event: 'result', train: f.train, valid: f.valid, test: f.test, epochs: result.epochsRun, bestEpoch: result.bestEpoch, seconds, backend: result.backend, variant: result.variant, checkpoint: result.checkpoint, config, ...(result.analysis ? { analysis: result.analysis } : {}) });
        return;
      }
      const line = (what: string, sc: { error: number; nll: number }): string => `${what} error ${pct(sc.error)} nll ${sc.nll.toFixed(4)}\n`;
      const o = config.online;
      process.stdout.write(
        '\n' +
          (o
            ? line('online (every supervised example, before its update):', f.train) +
              line(`online (the last ${Math.min(o.selectWindow, result.analysis?.online?.supervisedExamples ?? o.selectWindow)}, the selection criterion):`, f.valid) +
              line('test', f.test) +
              `${result.epochsRun} supervised blocks in ${duration(seconds)} on ${result.backend}${result.checkpoint ? `; checkpoint ${result.checkpoint}` : ''}\n`
            : line('train', f.train) + line('valid', f.valid) + line('test ', f.test) +
              `${result.epochsRun} fine-tuning epochs (kept epoch ${result.bestEpoch}) in ${duration(seconds)} on ${result.backend}${result.checkpoint ? `; checkpoint ${result.checkpoint}` : ''}\n`) +
          `numeric variant: ${formatVariant(result.variant)}\n`,
      );
    });
}
