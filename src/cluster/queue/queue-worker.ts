/** `pretrain-lab worker --redis`: serves trials from the Redis queue. STUB until the queue executor lands. */
export interface QueueWorkerOptions {
  redis: string;
  concurrency?: number;
  queue?: string;
  dataDir?: string;
  workDir?: string;
}

/** Runs until stopped; resolves to the process exit code. */
export async function runQueueWorker(opts: QueueWorkerOptions): Promise<number> {
  void opts;
  throw new Error('worker --redis is not available in this build');
}
