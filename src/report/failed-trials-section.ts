/**
 * The report's list of trials that failed for good (failure files in `failed/`): which trial, on
 * which executor and job, after how many attempts, why, and the end of its log. A study run on a
 * cluster never loses a trial silently: it is either recorded, or listed here.
 */
import type { TrialFailure } from '../experiments/store.ts';
import { settingLabel } from '../experiments/expand.ts';
import { html, type Html } from './html.ts';

/** The section, or null when no planned trial has a failure file. */
export function failedTrialsSection(failures: readonly TrialFailure[]): Html | null {
  if (failures.length === 0) return null;
  const rows = failures.map(
    (f) =>
      html`<tr><td><code>${f.hash.slice(0, 12)}</code></td><td>${settingLabel({ ...f.cell, ...f.nuisance, seed: f.seed })}</td><td>${f.executor}${f.job ? ` ${f.job}` : ''}</td><td class="num">${f.attempts}</td><td>${f.failedAt.slice(0, 16).replace('T', ' ')}</td><td>${f.message.split('\n')[0] ?? ''}${
        f.log ? html`<details><summary>log (last lines)</summary><pre>${f.log.split('\n').slice(-40).join('\n')}</pre></details>` : ''
      }</td></tr>`,
  );
  return html`<section id="failed-trials"><h2>Failed trials</h2><p class="warn">${failures.length} trial(s) failed on every attempt and have no record: the statistics above leave them out. Their failure files (message, stack, log) are in <code>failed/</code>; re-running the study retries them.</p><table id="failed-table" data-rows="${failures.length}"><thead><tr><th>trial</th><th>setting</th><th>executor</th><th class="num">attempts</th><th>failed at</th><th>why</th></tr></thead><tbody>${rows}</tbody></table></section>`;
}
