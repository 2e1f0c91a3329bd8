/**
 * Weight snapshots at chosen epochs (Erhan et al. 2010, Section 6.2, Figs. 3-4: first-layer filters
 * after pre-training and after fine-tuning; Section 6.3, Fig. 7: final parameters), saved as
 * safetensors side files through `writeCheckpoint` (atomic, F32/F64 exact).
 *
 * Files, in `dir`:
 * - fine-tuning epoch e: `weights-finetune-e<eeee>.safetensors`, tensors named like
 *   `Mlp.parameters()` (`hidden.<l>.W` `[nIn, nOut]`, `hidden.<l>.b` `[1, nOut]`, `output.W`, `output.b`);
 * - pre-training epoch e of layer l: `weights-pretrain-l<l>-e<eeee>.safetensors`, tensors
 *   `hidden.<i>.W` / `hidden.<i>.b` for the frozen layers below and the layer being trained (i <= l).
 * Metadata: `kind` = 'weight-snapshot', `phase`, `epoch`, `layer` (pre-training), `values` (the
 * epoch's metrics JSON) and the caller's metadata.
 */
import { join } from 'node:path';
import type { Mlp } from '../models/mlp.ts';
import { readCheckpoint, writeCheckpoint, type Checkpoint, type Tensor } from '../train/checkpoint.ts';
import type { EpochContext, EpochMetrics, TrainingHooks } from '../train/hooks.ts';
import { modelTensors } from '../train/model-checkpoint.ts';
import { stackTensors } from '../train/pretrain-checkpoint.ts';

export interface WeightSnapshotOptions {
  /** Directory of the snapshot files (e.g. the trial's checkpoint directory). */
  dir: string;
  /** Which epochs to save: a list of epoch numbers (0 = before training, via `onStart`) or a predicate. */
  at: readonly number[] | ((m: Pick<EpochMetrics, 'phase' | 'epoch' | 'layer'>) => boolean);
  /** Phases to save (default both). */
  phases?: readonly ('pretrain' | 'finetune')[];
  /** Parameter names to keep: a list or a pattern (default all), e.g. `/^hidden\.0\.W$/` for filters. */
  names?: readonly string[] | RegExp;
  /** Extra string metadata for every file. */
  metadata?: Record<string, string>;
}

export interface WeightSnapshots extends TrainingHooks {
  /** Paths written so far, in order. */
  readonly written: readonly string[];
  /** Saves the model's parameters now as fine-tuning epoch `epoch`; returns the path. */
  snapshot(model: Mlp, epoch: number, values?: Record<string, number>): string;
}

/** The file of a snapshot (see the module comment). */
export function weightSnapshotPath(dir: string, phase: 'pretrain' | 'finetune', epoch: number, layer?: number): string {
  const e = String(epoch).padStart(4, '0');
  return join(dir, phase === 'pretrain' ? `weights-pretrain-l${layer ?? 0}-e${e}.safetensors` : `weights-finetune-e${e}.safetensors`);
}

/** Weight-snapshot hooks (see the module comment). */
export function createWeightSnapshots(opts: WeightSnapshotOptions): WeightSnapshots {
  const written: string[] = [];
  const phases = opts.phases ?? ['pretrain', 'finetune'];
  const wanted = (m: Pick<EpochMetrics, 'phase' | 'epoch' | 'layer'>): boolean =>
    phases.includes(m.phase) && (typeof opts.at === 'function' ? opts.at(m) : opts.at.includes(m.epoch));
  const keep = (name: string): boolean =>
    opts.names === undefined ? true : opts.names instanceof RegExp ? opts.names.test(name) : opts.names.includes(name);

  const save = (path: string, tensors: Record<string, Tensor>, md: Record<string, string>): string => {
    const chosen = Object.fromEntries(Object.entries(tensors).filter(([n]) => keep(n)));
    if (Object.keys(chosen).length === 0) throw new RangeError(`weight snapshots: no parameter matches ${String(opts.names)} (have: ${Object.keys(tensors).join(', ')})`);
    writeCheckpoint(path, chosen, { ...opts.metadata, kind: 'weight-snapshot', ...md });
    written.push(path);
    return path;
  };

  const snaps: WeightSnapshots = {
    written,
    snapshot(model, epoch, values = {}) {
      return save(weightSnapshotPath(opts.dir, 'finetune', epoch), modelTensors(model), { phase: 'finetune', epoch: String(epoch), values: JSON.stringify(values) });
    },
    onStart(ctx: EpochContext) {
      if (ctx.model && wanted({ phase: 'finetune', epoch: 0 })) snaps.snapshot(ctx.model, 0);
    },
    onEpoch(m: EpochMetrics, ctx?: EpochContext) {
      if (!wanted(m)) return;
      if (m.phase === 'finetune' && ctx?.model) snaps.snapshot(ctx.model, m.epoch, m.values);
      else if (m.phase === 'pretrain' && ctx?.layers) {
        const layer = m.layer ?? ctx.layers.length - 1;
        save(weightSnapshotPath(opts.dir, 'pretrain', m.epoch, layer), stackTensors(ctx.layers, 'hidden.'), {
          phase: 'pretrain', epoch: String(m.epoch), layer: String(layer), values: JSON.stringify(m.values),
        });
      }
    },
  };
  return snaps;
}

/** Reads a snapshot file (tensors by name, metadata); same as `readCheckpoint`. */
export function readWeightSnapshot(path: string): Checkpoint {
  return readCheckpoint(path);
}
