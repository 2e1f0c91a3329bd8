/**
 * How commands talk while they work: a progress bar with ETA on a TTY (cli-progress), plain log
 * lines otherwise, or JSON lines with `--json` (the last line is always the result).
 */
import cliProgress from 'cli-progress';
import type { PlannedTrial } from '../experiments/expand.ts';
import { expandExperiment, settingLabel } from '../experiments/expand.ts';
import type { ResolvedExperiment } from '../experiments/define.ts';
import type { DataConfig } from '../data/config.ts';
import type { OnlineConfig } from '../train/config.ts';
import { MNIST_TEST } from '../data/mnist.ts';
import { describeSplits, formatSplits } from '../data/split-summary.ts';
import type { RunEvents } from '../experiments/runner.ts';
import type { TrialFailure, TrialRecord } from '../experiments/store.ts';
import { gbText } from '../train/memory-estimate.ts';
import type { EpochMetrics, Progress } from '../train/hooks.ts';
import { duration, pct } from './format.ts';

export type OutputMode = 'tty' | 'plain' | 'json';

/** `json` when asked, `tty` when stderr is a terminal, else `plain`. */
export function outputMode(json: boolean | undefined): OutputMode {
  if (json) return 'json';
  return process.stderr.isTTY ? 'tty' : 'plain';
}

/** Writes one JSON line to stdout. */
export function jsonLine(obj: unknown): void {
  process.stdout.write(JSON.stringify(obj) + '\n');
}

/**
 * Prints the data splits a run uses, where each comes from (`describeSplits`): one line on
 * stderr, or a `{"event":"data", ...}` line with `--json`.
 */
export function splitsLine(mode: OutputMode, data: DataConfig, online?: OnlineConfig): void {
  if (online) return streamLine(mode, data, online);
  const s = describeSplits(data);
  if (mode === 'json') jsonLine({ event: 'data', ...s });
  else process.stderr.write(formatSplits(s) + '\n');
}

/** The data of an online trial (Section 8): how many stream examples, and the held-out test digits. */
function streamLine(mode: OutputMode, data: DataConfig, online: OnlineConfig): void {
  const test = data.testSize ?? MNIST_TEST;
  if (mode === 'json') jsonLine({ event: 'data', name: data.name, online: { examples: online.examples }, test: { n: test } });
  else process.stderr.write(`data ${data.name} (online): ${online.examples} stream examples, each seen once, from the first deformed digit; test ${test} held-out MNIST test digits\n`);
}

/** The distinct data sections of an experiment's trials (with the online section that streams them, when set), in order of first use. */
export function distinctDataConfigs(exp: ResolvedExperiment): { data: DataConfig; online?: OnlineConfig }[] {
  const seen = new Map<string, { data: DataConfig; online?: OnlineConfig }>();
  for (const t of expandExperiment(exp)) {
    const { data, online } = t.config;
    const stream = online ? { examples: online.examples } : null; // what the data line shows of it
    seen.set(JSON.stringify([data, stream]), online ? { data, online } : { data });
  }
  return [...seen.values()];
}

/** Fraction of a trial done, from a Progress report (pre-training epochs of all layers, then fine-tuning). */
export function trialFraction(t: { config: PlannedTrial['config'] }, p: Progress): number {
  const c = t.config;
  if (c.online) return onlineFraction(c, p);
  const pre = c.pretrain.kind === 'none' ? 0 : (c.pretrain.layers ?? c.model.depth) * c.pretrain.epochs;
  const total = pre + c.finetune.epochs;
  const within = p.total > 0 ? p.done / p.total : 0;
  const units = p.phase === 'pretrain' ? (p.layer ?? 0) * c.pretrain.epochs + (p.epoch - 1) + within : pre + (p.epoch - 1) + within;
  return Math.min(1, Math.max(0, units / Math.max(1, total)));
}

/** An online trial's fraction: its blocks (`p.epoch` of `p.epochs`) within the phase's share of the stream (`online.pretrainFraction`). */
function onlineFraction(c: PlannedTrial['config'], p: Progress): number {
  const share = c.pretrain.kind === 'none' || c.pretrain.layers === 0 ? 0 : (c.online?.pretrainFraction ?? 0);
  const within = p.epochs > 0 ? (p.epoch - 1 + (p.total > 0 ? p.done / p.total : 0)) / p.epochs : 0;
  const depth = c.pretrain.layers ?? c.model.depth;
  const f = p.phase === 'pretrain' ? (share * ((p.layer ?? 0) + within)) / Math.max(1, depth) : share + (1 - share) * within;
  return Math.min(1, Math.max(0, f));
}

function describe(p: Progress): string {
  return p.phase === 'pretrain' ? `pretrain L${(p.layer ?? 0) + 1} ep ${p.epoch}/${p.epochs}` : `finetune ep ${p.epoch}/${p.epochs}`;
}

/** Progress reporting for `run`: RunEvents plus `close()`. */
export function sweepReporter(mode: OutputMode): RunEvents & { close(): void } {
  const running = new Map<string, { t: PlannedTrial; frac: number; status: string }>();
  let toRun = 0;
  let done = 0;
  let bar: cliProgress.SingleBar | null = null;
  let started = Date.now();
  const log = (s: string): void => {
    if (bar) bar.stop();
    process.stderr.write(s + '\n');
    if (bar) {
      bar = null;
      startBar();
    }
  };
  const startBar = (): void => {
    if (mode !== 'tty' || toRun === 0) return;
    bar = new cliProgress.SingleBar(
      { format: ' {bar} {trials} trials | ETA {etaText} | {status}', hideCursor: true, clearOnComplete: true, barsize: 24, etaBuffer: 50 },
      cliProgress.Presets.shades_classic,
    );
    bar.start(toRun * 1000, 0, { trials: `${done}/${toRun}`, etaText: '?', status: 'starting' });
  };
  const update = (): void => {
    if (!bar) return;
    let partial = 0;
    for (const r of running.values()) partial += r.frac;
    const value = done + partial;
    const elapsed = (Date.now() - started) / 1000;
    const eta = value > 0.05 ? (elapsed * (toRun - value)) / value : NaN;
    const status = [...running.values()].map((r) => `${[...Object.values(r.t.cell), `s${r.t.seed}`].join('/')} ${r.status}`).join(' | ');
    bar.update(Math.round(value * 1000), { trials: `${done}/${toRun}`, etaText: duration(eta), status: status.slice(0, Math.max(20, (process.stderr.columns ?? 120) - 60)) });
  };
  return {
    onPlan(info) {
      // Under the fresh-seeds protocol a second plan (the evaluation trials) follows the selection phase.
      if (bar) bar.stop();
      bar = null;
      toRun = info.toRun;
      done = 0;
      started = Date.now();
      const disk = info.diskBytes !== undefined && info.keepNetworks ? `; kept networks (${info.keepNetworks}): ~${gbText(info.diskBytes)} on disk for this phase's ${info.unique} trials` : '';
      const then = info.evaluationTrials !== undefined ? `; then the evaluation phase: about ${info.evaluationTrials} trials` : '';
      const msg = `${info.phase === 'selection' ? 'selection phase: ' : ''}${info.total} trials (${info.unique} distinct), ${info.skipped} already in ${info.storeDir}, ${info.toRun} to run on ${info.workers} worker(s)${disk}${then}`;
      if (mode === 'json') jsonLine({ event: 'plan', ...info });
      else process.stderr.write(msg + '\n');
      startBar();
    },
    onTrialStart(t) {
      running.set(t.hash, { t, frac: 0, status: 'loading' });
      update();
    },
    onProgress(t: PlannedTrial, p: Progress) {
      const r = running.get(t.hash);
      if (!r) return;
      r.frac = trialFraction(t, p);
      r.status = describe(p);
      update();
    },
    onEpoch(t: PlannedTrial, m: EpochMetrics) {
      const r = running.get(t.hash);
      if (!r) return;
      const v = m.values.validError ?? m.values.reconstruction;
      r.status = `${m.phase === 'pretrain' ? `pretrain L${(m.layer ?? 0) + 1}` : 'finetune'} ep ${m.epoch}${v !== undefined ? ` ${m.values.validError !== undefined ? 'valid ' + pct(v) : 'rec ' + v.toFixed(3)}` : ''}`;
      update();
    },
    onTrialDone(t: PlannedTrial, rec: TrialRecord, n: number, total: number) {
      running.delete(t.hash);
      done = n;
      const label = settingLabel({ ...t.cell, ...t.nuisance, seed: t.seed });
      const f = rec.result?.final;
      const reused = rec.result?.pretrainCache?.layers ?? 0;
      if (mode === 'json') {
        jsonLine({ event: 'trial', done: n, total, hash: t.hash, cell: t.cell, nuisance: t.nuisance, seed: t.seed, status: rec.status, testError: f?.test.error ?? null, validError: f?.valid.error ?? null, seconds: rec.seconds, pretrainedLayersReused: reused });
      } else if (mode === 'plain') {
        const note = reused > 0 ? ` (${reused} pre-trained layer${reused > 1 ? 's' : ''} reused)` : '';
        process.stderr.write(`[${n}/${total}] ${label}: ${f ? `test ${pct(f.test.error)} valid ${pct(f.valid.error)}` : `diverged`} in ${duration(rec.seconds)}${note}\n`);
      } else {
        if (rec.status !== 'done') log(`${label}: diverged (${rec.error?.split('.')[0]})`);
        update();
      }
    },
    onTrialFailed(t: PlannedTrial, f: TrialFailure) {
      running.delete(t.hash);
      const label = settingLabel({ ...t.cell, ...t.nuisance, seed: t.seed });
      if (mode === 'json') jsonLine({ event: 'trial-failed', hash: t.hash, cell: t.cell, nuisance: t.nuisance, seed: t.seed, attempts: f.attempts, message: f.message });
      else log(`${label}: FAILED after ${f.attempts} attempt(s): ${f.message.split('\n')[0]} (failed/${t.hash.slice(0, 12)}….json)`);
      update();
    },
    onWarn(message) {
      if (mode === 'json') jsonLine({ event: 'warning', message });
      else log(`warning: ${message}`);
    },
    close() {
      bar?.stop();
      bar = null;
    },
  };
}
