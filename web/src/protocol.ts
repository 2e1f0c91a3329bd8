/**
 * The messages between the page (`main.ts`) and the training worker (`worker.ts`). Arrays travel
 * as transferred buffers; nothing here leaves the browser.
 */

/** Examples as the worker receives them: `x` `[n, dim]` in [0, 1] (or as the user's file had them), labels `[n]`. */
export interface ExamplesMessage {
  x: Float32Array;
  y: Int32Array;
  n: number;
  dim: number;
}

/** Which data the worker trains on. */
export type DataChoice =
  | { kind: 'mnist'; trainSize: number }
  | { kind: 'shapeset' }
  | {
      kind: 'user';
      name: string;
      nClasses: number;
      image: { height: number; width: number } | null;
      train: ExamplesMessage;
      valid: ExamplesMessage;
      test: ExamplesMessage;
    };

/** What the user picked in the form. */
export interface ModelChoice {
  depth: number;
  width: number;
  pretrain: 'dbn' | 'sdae' | 'none';
  corruption: number;
  cdK: number;
  pretrainEpochs: number;
  finetuneEpochs: number;
  pretrainLr: number;
  finetuneLr: number;
  batchSize: number;
  seed: number;
  /** 1, or 5 for the "5 seeds" race (seeds `seed` .. `seed + 4`). */
  seeds: number;
}

export interface StartMessage {
  type: 'start';
  /** The page's URL: the worker fetches `wasm/` and `data/` relative to it. */
  baseUrl: string;
  data: DataChoice;
  model: ModelChoice;
}

/** Times one RBM pre-training epoch on the first `n` subset digits (`bench/browser-rbm-epoch.ts`). */
export interface BenchMessage {
  type: 'bench-rbm-epoch';
  baseUrl: string;
  n: number;
  nHidden: number;
  batchSize: number;
  lr: number;
  seed: number;
}

/** The two networks of a pair: pre-trained, and its randomly initialised twin. */
export type Twin = 'pretrained' | 'random';

export type WorkerMessage =
  | { type: 'status'; text: string }
  | { type: 'data'; name: string; nTrain: number; nValid: number; nTest: number; dim: number; nClasses: number; image: { height: number; width: number } | null }
  /** First-layer filters (the first `count` hidden units) as a grid picture. */
  | { type: 'filters'; seed: number; layer: number; epoch: number; count: number; picture: ImageBitmap }
  /** A few inputs, their reconstructions and (RBM) Gibbs samples after `steps` steps, each row as a picture. */
  | { type: 'reconstructions'; kind: 'dae' | 'rbm'; count: number; inputs: ImageBitmap; outputs: ImageBitmap; samples: ImageBitmap | null; steps: number }
  | { type: 'pretrain-epoch'; seed: number; layer: number; epoch: number; epochs: number; reconstruction: number; seconds: number }
  | { type: 'finetune-epoch'; seed: number; twin: Twin; epoch: number; validError: number; trainNll: number }
  | { type: 'result'; seed: number; twin: Twin; testError: number; validError: number; bestEpoch: number; confusion: number[][] }
  /** The kept network of the first seed's `twin` as safetensors bytes (the CLI's format) and as an ONNX model. */
  | { type: 'model'; twin: Twin; bytes: ArrayBuffer; onnx: ArrayBuffer }
  | { type: 'done'; seconds: number }
  | { type: 'bench'; seconds: number; backend: string }
  | { type: 'error'; message: string };
