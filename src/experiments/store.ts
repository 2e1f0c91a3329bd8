/**
 * The run store: `<runs-dir>/<experiment>/` holding
 * - `trials/<hash>.json`: one record per finished trial (written atomically),
 * - `checkpoints/<hash>/`: the trial's checkpoint files,
 * - `manifest.json`: the resolved experiment and its planned trials (the report reads this),
 * - `manifests/<specHash>.json`: manifests of earlier configurations of the experiment,
 * - `.lock`: held by the coordinating run (one per store: `run`, a Slurm submission).
 * - `claims/<hash>.json`: the trial being run by some writer (see claim.ts), so that many writers
 *   (Slurm tasks on several nodes) share the store without running a trial twice.
 * - `failed/<hash>.json`: trials that failed for good, with their message and log (the trial stays
 *   missing, so a rerun retries it).
 * A record is keyed by the hash of its resolved config, so records of another configuration are
 * never mixed in: they simply do not match any planned trial.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { NumericVariant } from '../tensor/numeric-variant.ts';
import { trialConfigSchema, type TrialConfig } from '../train/config.ts';
import type { TrialResult } from '../train/trial-result.ts';
import { FINAL_FILE } from '../train/trial-options.ts';
import { atomicWriteFile, TEMP_MARK, type WriteIo, AtomicWriteError } from '../io/atomic-write.ts';
import type { CodeVersion } from './code-version.ts';
import type { ResolvedExperiment } from './define.ts';
import type { Setting, TrialPhase } from './expand.ts';
import { acquireLock, pidAlive, type Lock } from './lock.ts';
import { hashFiles } from './hash-files.ts';
import { trialHash } from './hash.ts';

/**
 * Bumped when the record layout changes; records of another format are ignored (and re-run).
 * 2: records name their numeric variant (`variant`), so format-1 records, which do not, are never
 * mixed with them.
 */
export const RECORD_FORMAT = 2;

/** What the store keeps for one trial. */
export interface TrialRecord {
  format: number;
  experiment: string;
  hash: string;
  /** `done`, or `diverged` when training produced NaN/inf (a legitimate outcome, Section 6.1). */
  status: 'done' | 'diverged';
  config: TrialConfig;
  seed: number;
  cell: Setting;
  nuisance: Setting;
  code: CodeVersion;
  /** The trial's result (null when diverged). */
  result: TrialResult | null;
  /** The error message when diverged. */
  error: string | null;
  startedAt: string;
  finishedAt: string;
  /** Wall-clock seconds including data loading. */
  seconds: number;
  /** A command that reproduces this trial alone. */
  command: string;
  /** The exact numeric variant that computed it (format 2 on; for diverged trials too). */
  variant: NumericVariant;
  /** True when its variant differs from the study's and it was admitted by `--allow-mixed-variants`. */
  mixedVariant?: boolean;
}

/**
 * A trial that failed for good (an error other than divergence, after its executor's retries). Kept
 * in `failed/<hash>.json`, never in `trials/`: the trial stays missing, so a rerun retries it, and a
 * later success removes the file. The report lists these with their message and log.
 */
export interface TrialFailure {
  format: number;
  experiment: string;
  hash: string;
  config: TrialConfig;
  seed: number;
  cell: Setting;
  nuisance: Setting;
  code: CodeVersion;
  executor: 'local' | 'slurm' | 'queue';
  /** The scheduler's job id (Slurm `<array>_<task>`, the queue's job id), when there is one. */
  job: string | null;
  attempts: number;
  message: string;
  stack: string;
  /** The last part of the trial's log (at most {@link FAILURE_LOG_BYTES}), when one was kept. */
  log: string | null;
  logPath: string | null;
  failedAt: string;
}

/** How much of a failed trial's log its failure file keeps (the tail). */
export const FAILURE_LOG_BYTES = 64 * 1024;

/** The planned trials of the experiment's current configuration. */
export interface Manifest {
  format: number;
  experiment: ResolvedExperiment;
  /** `phase` absent in stores written before the protocol: `evaluation`. */
  trials: { index: number; phase?: TrialPhase; cell: Setting; nuisance: Setting; seed: number; hash: string }[];
  /** Under the fresh-seeds protocol: each cell's setting chosen on the selection seeds (absent while selection runs). */
  chosen?: { cell: Setting; nuisance: Setting }[];
  createdAt: string;
}

export class RunStore {
  /** @param dir the experiment's directory, e.g. `runs/depth` */
  /** @param io the writer's file-system calls (default: atomicWriteFile's, see withWriteIo) */
  constructor(readonly dir: string, private readonly io?: WriteIo) {}

  get trialsDir(): string {
    return path.join(this.dir, 'trials');
  }

  recordPath(hash: string): string {
    return path.join(this.trialsDir, `${hash}.json`);
  }

  checkpointDir(hash: string): string {
    return path.join(this.dir, 'checkpoints', hash);
  }

  /**
   * The study's cache of pre-trained stacks shared by its trials (`src/train/pretrain-cache.ts`):
   * removed by {@link dropPretrained} once the study is complete.
   */
  get pretrainedDir(): string {
    return path.join(this.dir, 'pretrained');
  }

  /** Removes the cache of pre-trained stacks (a complete study needs it no more; a re-run with a wider grid trains them again). */
  dropPretrained(): void {
    fs.rmSync(this.pretrainedDir, { recursive: true, force: true });
  }

  /** Removes trial `hash`'s kept network (`final.safetensors`, `--keep-networks`); its record stays. */
  dropNetwork(hash: string): void {
    fs.rmSync(path.join(this.checkpointDir(hash), FINAL_FILE), { force: true });
  }

  get failedDir(): string {
    return path.join(this.dir, 'failed');
  }

  /** Writes a failure file atomically (see {@link TrialFailure}). */
  writeFailure(f: TrialFailure): void {
    fs.mkdirSync(this.failedDir, { recursive: true });
    atomicWriteFile(path.join(this.failedDir, `${f.hash}.json`), JSON.stringify(f, null, 1) + '\n', this.io);
  }

  /** Every readable failure file, by hash (unreadable ones are skipped: they are informational). */
  readFailures(): Map<string, TrialFailure> {
    const out = new Map<string, TrialFailure>();
    for (const hash of hashFiles(this.failedDir)) {
      try {
        const r = JSON.parse(fs.readFileSync(path.join(this.failedDir, `${hash}.json`), 'utf8')) as TrialFailure;
        if (isObject(r) && r.hash === hash) out.set(hash, r);
      } catch {
        /* torn by hand or being replaced: skip */
      }
    }
    return out;
  }


  /** Removes trial `hash`'s failure file, if any (it has since succeeded). */
  clearFailure(hash: string): void {
    fs.rmSync(path.join(this.failedDir, `${hash}.json`), { force: true });
  }

  get manifestPath(): string {
    return path.join(this.dir, 'manifest.json');
  }

  /**
   * Creates the directories and removes temp files left by killed processes (in the store, its
   * trials, each trial's checkpoints and the report's figures).
   */
  init(): void {
    fs.mkdirSync(this.trialsDir, { recursive: true });
    const checkpoints = path.join(this.dir, 'checkpoints');
    const perTrial = fs.existsSync(checkpoints) ? fs.readdirSync(checkpoints).map((h) => path.join(checkpoints, h)) : [];
    const figures = path.join(this.dir, 'figures');
    for (const d of [this.dir, this.trialsDir, ...perTrial, ...(fs.existsSync(figures) ? [figures] : [])]) {
      if (!fs.statSync(d).isDirectory()) continue;
      for (const f of fs.readdirSync(d)) {
        const i = f.indexOf(TEMP_MARK);
        if (i < 0) continue;
        const pid = Number(f.slice(i + TEMP_MARK.length).split('-')[0]);
        if (!Number.isFinite(pid) || !pidAlive(pid)) fs.rmSync(path.join(d, f), { force: true });
      }
    }
  }

  /** Takes the store's lock (throws LockError naming the holder). */
  lock(): Lock {
    fs.mkdirSync(this.dir, { recursive: true });
    return acquireLock(path.join(this.dir, '.lock'), `the run store ${this.dir}`);
  }

  /**
   * Reads one record, or null when absent. A record that is unreadable (truncated, not JSON), of
   * another format, whose config does not hash to its name, or that lacks a field the selection and
   * the report read (edited by hand) is reported through `warn`, naming the file, and treated as
   * absent: the trial runs again and its new record replaces the file.
   */
  read(hash: string, warn: (msg: string) => void = () => {}): TrialRecord | null {
    const p = this.recordPath(hash);
    let text: string;
    try {
      text = fs.readFileSync(p, 'utf8');
    } catch {
      return null;
    }
    let r: unknown;
    try {
      r = JSON.parse(text);
    } catch {
      warn(`${p} is not valid JSON (truncated, or edited by hand?): the trial will run again`);
      return null;
    }
    if (!isObject(r)) {
      warn(`${p} is not a trial record (it holds ${r === null ? 'null' : Array.isArray(r) ? 'an array' : `a ${typeof r}`}): the trial will run again`);
      return null;
    }
    if (r.format !== RECORD_FORMAT) {
      warn(`${p} has record format ${String(r.format)}, this version writes ${RECORD_FORMAT}: the trial will run again`);
      return null;
    }
    if (r.hash !== hash || storedConfigHash(r.config) !== hash) {
      warn(`${p} holds a config that no longer hashes to its name (written by another version of the config schema, or edited by hand?): the trial will run again`);
      return null;
    }
    const problem = recordProblem(r);
    if (problem) {
      warn(`${p} is not a whole trial record (${problem}; edited by hand?): the trial will run again`);
      return null;
    }
    return r as unknown as TrialRecord;
  }

  /**
   * All readable records whose hash is in `hashes`. With `expect`, a record written for another
   * experiment or by another package version (`pretrain-lab@x.y.z`: its numbers may not be
   * comparable) is ignored with a warning naming it, and its trial runs again.
   */
  readMany(hashes: Iterable<string>, warn?: (msg: string) => void, expect?: { experiment: string; package: string }): Map<string, TrialRecord> {
    const out = new Map<string, TrialRecord>();
    for (const h of new Set(hashes)) {
      const r = this.read(h, warn);
      if (!r) continue;
      if (expect && r.experiment !== expect.experiment) {
        warn?.(`${this.recordPath(h)} was written by experiment '${r.experiment}', not '${expect.experiment}' (copied in by hand?): ignored, the trial will run again`);
        continue;
      }
      if (expect && r.code?.package !== expect.package) {
        warn?.(`${this.recordPath(h)} was written by ${String(r.code?.package)}, this is ${expect.package}: ignored (its numbers may not be comparable), the trial will run again`);
        continue;
      }
      out.set(h, r);
    }
    return out;
  }

  /** Hashes of every record file present (any configuration). */
  listHashes(): string[] {
    return hashFiles(this.trialsDir);
  }

  /** Writes a record atomically (see atomicWriteFile; throws StoreError on a full disk). */
  write(record: TrialRecord): void {
    atomicWriteFile(this.recordPath(record.hash), JSON.stringify(record, null, 1) + '\n', this.io);
  }

  readManifest(): Manifest | null {
    try {
      return JSON.parse(fs.readFileSync(this.manifestPath, 'utf8')) as Manifest;
    } catch {
      return null;
    }
  }

  /**
   * Makes `m` the current manifest. When the previous one describes another configuration it is
   * kept as `manifests/<specHash>.json` and a message saying so is returned.
   */
  writeManifest(m: Manifest): string | null {
    const prev = this.readManifest();
    let note: string | null = null;
    if (prev && prev.experiment.specHash !== m.experiment.specHash) {
      const keep = path.join(this.dir, 'manifests', `${prev.experiment.specHash}.json`);
      fs.mkdirSync(path.dirname(keep), { recursive: true });
      atomicWriteFile(keep, JSON.stringify(prev, null, 1) + '\n', this.io);
      const shared = new Set(prev.trials.map((t) => t.hash));
      const reused = new Set(m.trials.filter((t) => shared.has(t.hash)).map((t) => t.hash)).size;
      note =
        `${this.dir} held a different configuration of '${m.experiment.id}' (preset ${prev.experiment.preset ?? 'none'}, spec ${prev.experiment.specHash.slice(0, 8)}); ` +
        `its manifest is kept in manifests/. Only trials whose resolved config is identical (${reused}) are reused; nothing else is mixed in.`;
    }
    atomicWriteFile(this.manifestPath, JSON.stringify(m, null, 1) + '\n', this.io);
    return note;
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** What is missing from a record, among the fields the selection, the variant guard and the report read; null when nothing. */
function recordProblem(r: Record<string, unknown>): string | null {
  if (r.status !== 'done' && r.status !== 'diverged') return `status ${JSON.stringify(r.status)}, expected "done" or "diverged"`;
  if (!Number.isInteger(r.seed)) return 'no integer seed';
  if (!isObject(r.cell) || !isObject(r.nuisance)) return 'no cell or nuisance settings';
  if (!isObject(r.variant)) return 'no numeric variant';
  if (r.status === 'diverged') return null;
  const result = r.result;
  if (!isObject(result)) return 'a finished trial without its result';
  if (!Array.isArray(result.history)) return 'no result.history';
  const final = result.final;
  for (const split of ['train', 'valid', 'test']) {
    const m = isObject(final) ? final[split] : undefined;
    if (!isObject(m) || typeof m.error !== 'number') return `no result.final.${split}.error`;
  }
  return null;
}

/** Errors writing the store (full disk, permissions): the previous state is intact. */
export { AtomicWriteError as StoreError };

/**
 * The hash of a stored config as this version resolves it: keys and sub-keys added to the schema
 * since the record was written take their defaults (which change no number, `KEYS_HASHED_ONLY_WHEN_SET`),
 * so a record written before, e.g., an `analysis` sub-key existed still names its trial. A config
 * this schema refuses hashes to nothing (the trial runs again).
 */
function storedConfigHash(config: unknown): string | null {
  const r = trialConfigSchema.safeParse(config);
  return r.success ? trialHash(r.data) : null;
}
