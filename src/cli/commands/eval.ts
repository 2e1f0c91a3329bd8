/** `pretrain-lab eval <checkpoint>`: error and NLL of a saved network on a data set's split. */
import type { Command } from 'commander';
import { createBackend, type BackendName } from '../../backends/registry.ts';
import { loadData } from '../../data/load.ts';
import { Mlp, type MlpSpec } from '../../models/mlp.ts';
import { Rng } from '../../rng/rng.ts';
import { dataConfigSchema } from '../../data/config.ts';
import { evaluate } from '../../train/evaluate.ts';
import { loadModel } from '../../train/model-checkpoint.ts';
import { readCheckpoint } from '../../train/checkpoint.ts';
import { UsageError } from '../errors.ts';
import { pct } from '../format.ts';
import { jsonLine } from '../output.ts';

export function registerEval(program: Command): void {
  program
    .command('eval')
    .description('evaluate a saved network (final.safetensors of a trial) on a data split')
    .argument('<checkpoint>', 'a checkpoint written by train or run (…/final.safetensors)')
    .option('--data <name>', 'data set: mnist, shapeset, infinite-mnist, idx:<images>,<labels>, csv:<file>', 'mnist')
    .option('--split <split>', 'train, valid or test', 'test')
    .option('--backend <name>', 'auto, reference, reference64, wasm or native', 'auto')
    .option('--json', 'print the result as one JSON line')
    .addHelpText('after', `\nExample:\n  $ pretrain-lab eval runs/depth/checkpoints/<hash>/final.safetensors --data mnist --split test\n`)
    .action(async (file: string, opts: { data: string; split: string; backend: string; json?: boolean }) => {
      if (!['train', 'valid', 'test'].includes(opts.split)) throw new UsageError(`--split must be train, valid or test (got '${opts.split}')`);
      const ck = readCheckpoint(file);
      const specJson = ck.metadata['spec'];
      if (!specJson) throw new UsageError(`${file} has no 'spec' metadata; pass a network checkpoint written by train or run (final.safetensors)`);
      const spec = JSON.parse(specJson) as MlpSpec;
      const backend = await createBackend(opts.backend as BackendName);
      const model = Mlp.create(backend, spec, new Rng(0));
      try {
        loadModel(file, model);
        const data = await loadData(dataConfigSchema.parse({ name: opts.data }), 0);
        const ds = data[opts.split as 'train' | 'valid' | 'test'];
        if (ds.dim !== spec.nIn) throw new UsageError(`${file} expects ${spec.nIn} inputs but ${opts.data} has ${ds.dim}; pass the data set it was trained on`);
        const s = evaluate(model, ds);
        if (opts.json) jsonLine({ event: 'result', checkpoint: file, data: opts.data, split: opts.split, n: ds.n, error: s.error, nll: s.nll });
        else process.stdout.write(`${opts.data}/${opts.split} (${ds.n} examples): error ${pct(s.error)}, nll ${s.nll.toFixed(4)}\n`);
      } finally {
        model.dispose();
      }
    });
}
