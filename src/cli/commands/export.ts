/** `pretrain-lab export <checkpoint> --onnx model.onnx`: a trained network out of the lab, as a standard ONNX model. */
import type { Command } from 'commander';
import { exportOnnx } from '../../export/export-onnx.ts';
import { ONNX_INPUT, ONNX_OPSET, ONNX_OUTPUT } from '../../export/mlp-to-onnx.ts';
import { UsageError } from '../errors.ts';
import { jsonLine } from '../output.ts';

const HELP = `
Writes the fine-tuned classifier of a checkpoint (the final.safetensors of train --checkpoint-dir or
of a run) as a standard ONNX graph (opset ${ONNX_OPSET}): Gemm and the activation per dense layer, Conv /
MaxPool / AveragePool for conv nets (the input row is NHWC; the graph transposes it to NCHW),
BatchNormalization with the running statistics, group/layer norm from primitive ops, dropout
dropped, Softmax at the end. Input '${ONNX_INPUT}': float32 [N, nIn], one example per row, scaled as in
training; output '${ONNX_OUTPUT}': [N, classes]. How to scale and binarise the input is written in the
model's metadata (pretrain-lab.input), with the config, the metrics and the code version.
The file is written atomically (a crash never leaves half a model under its name).

Examples:
  $ pretrain-lab train --config trial.json --checkpoint-dir ck/
  $ pretrain-lab export ck/final.safetensors --onnx model.onnx
  $ pretrain-lab export runs/depth/checkpoints/<hash>/final.safetensors --onnx depth.onnx --json
`;

export function registerExport(program: Command): void {
  program
    .command('export')
    .description('write the network of a checkpoint as an ONNX model (for onnxruntime, PyTorch, the browser)')
    .argument('<checkpoint>', 'a network checkpoint written by train or run (…/final.safetensors)')
    .option('--onnx <file>', 'the .onnx file to write')
    .option('--json', 'print the result as one JSON line')
    .addHelpText('after', HELP)
    .action((file: string, opts: { onnx?: string; json?: boolean }) => {
      if (!opts.onnx) throw new UsageError(`say what to write: pretrain-lab export ${file} --onnx model.onnx`);
      const r = exportOnnx(file, opts.onnx);
      const arch = [r.spec.nIn, ...(r.spec.layers ? [] : r.spec.hidden), r.spec.nClasses].join('-');
      if (opts.json) jsonLine({ event: 'result', checkpoint: file, onnx: r.path, bytes: r.bytes, opset: ONNX_OPSET, input: [null, r.spec.nIn], output: [null, r.spec.nClasses] });
      else process.stdout.write(`wrote ${r.path} (${r.bytes} bytes, ONNX opset ${ONNX_OPSET}, ${r.spec.layers ? `${r.spec.layers.length} layers + softmax` : arch}); input '${ONNX_INPUT}' [N, ${r.spec.nIn}], output '${ONNX_OUTPUT}' [N, ${r.spec.nClasses}]\n`);
    });
}
