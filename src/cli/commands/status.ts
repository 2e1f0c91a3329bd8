/** `pretrain-lab status <store-or-runs-dir>`: where a study stands, for any executor. */
import type { Command } from 'commander';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { findStores, studyStatus, type StudyStatus } from '../../experiments/study-status.ts';
import type { SlurmJobState } from '../../cluster/slurm/slurm-status.ts';
import { UsageError } from '../errors.ts';
import { duration } from '../format.ts';
import { jsonLine } from '../output.ts';

/** The Slurm part, when the store was submitted to Slurm (`<store>/slurm/` exists). */
async function slurmPart(storeDir: string): Promise<{ jobs: SlurmJobState[]; note: string | null } | null> {
  if (!fs.existsSync(path.join(storeDir, 'slurm'))) return null;
  const { slurmStatus } = await import('../../cluster/slurm/slurm-status.ts');
  return slurmStatus(storeDir);
}

function text(s: StudyStatus, slurm: { jobs: SlurmJobState[]; note: string | null } | null): string {
  const lines = [
    `${s.experiment}${s.preset ? ` (preset ${s.preset})` : ''}: ${s.storeDir}`,
    `  ${s.phase === 'selection' ? 'selection phase: ' : ''}${s.done}/${s.planned} done${s.diverged ? ` (${s.diverged} diverged)` : ''}, ${s.running.length} running, ${s.failed.length} failed, ${s.remaining - s.failed.length} not started` +
      (s.complete ? ' — complete' : s.etaSeconds !== null ? `; ETA ${duration(s.etaSeconds)} at ${Math.max(1, s.running.length)} at a time (mean trial ${duration(s.meanSeconds ?? 0)})` : '; ETA unknown until a trial finishes'),
  ];
  if (s.next) lines.push(`  then the evaluation phase: about ${s.next.evaluationTrials} trials${s.next.studyEtaSeconds !== null ? `; the whole study about ${duration(s.next.studyEtaSeconds)} from now at the same pace` : ''}`);
  for (const r of s.running) lines.push(`  ${r.owner.executor === 'queue' ? 'queued or running on the queue' : 'running'} ${r.hash.slice(0, 12)}: ${r.owner.executor}${r.owner.job ? ` job ${r.owner.job}` : ''}, claimed by pid ${r.owner.pid} on ${r.owner.host} since ${r.owner.startedAt}`);
  for (const f of s.failed) lines.push(`  FAILED  ${f.hash.slice(0, 12)} (${f.executor}${f.job ? ` job ${f.job}` : ''}, ${f.attempts} attempt(s), ${f.failedAt}): ${f.message.split('\n')[0]}`);
  if (s.failed.length > 0) lines.push(`  failure files with logs: ${path.join(s.storeDir, 'failed')}/; re-running the study retries them`);
  if (slurm) {
    for (const j of slurm.jobs) {
      const other = Object.entries(j.other).map(([k, v]) => `${v} ${k}`).join(', ');
      lines.push(`  slurm job ${j.jobId}: ${j.tasks} task(s): ${j.pending} pending, ${j.running} running, ${j.done} done${other ? `, ${other}` : ''} (from ${j.source})`);
    }
    if (slurm.note) lines.push(`  slurm: ${slurm.note}`);
  }
  if (s.done > 0 && s.complete) lines.push(`  report: pretrain-lab report ${s.storeDir}`);
  return lines.join('\n');
}

export function registerStatus(program: Command): void {
  program
    .command('status')
    .description('where a study stands: trials done / running / failed / remaining and an ETA, for any executor (local, Slurm, queue)')
    .argument('[dir]', "an experiment's run store (runs/depth) or a --runs-dir holding several", 'runs')
    .option('--json', 'print one JSON line per study')
    .addHelpText('after', `\nExamples:\n  $ pretrain-lab status runs/marginals\n  $ pretrain-lab status runs --json\n\nRunning trials are the store's live claims (claims/); failed ones have a failure file with their log (failed/).\n`)
    .action(async (dir: string, opts: { json?: boolean }) => {
      const stores = findStores(dir);
      if (stores.length === 0) throw new UsageError(`${dir} is neither a run store (it has no manifest.json) nor a directory of run stores; pass e.g. runs/depth or runs`);
      const out: string[] = [];
      for (const d of stores) {
        const s = studyStatus(d);
        if (!s) continue;
        const slurm = await slurmPart(d);
        if (opts.json) jsonLine({ event: 'status', ...s, ...(slurm ? { slurm } : {}) });
        else out.push(text(s, slurm));
      }
      if (!opts.json) process.stdout.write(out.join('\n\n') + '\n');
    });
}
