/**
 * The files a finished trial leaves in its checkpoint directory (`final.safetensors`, the analyses'
 * side files; resume and pre-training checkpoints are deleted by the trial when it completes),
 * carried from a worker's disk to the coordinator's store through a Redis hash (`filesKey`).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Redis } from 'ioredis';
import { FINAL_FILE } from '../../train/trial-options.ts';
import { FILES_TTL_SECONDS } from './queue-job.ts';

/**
 * Stores the files of `dir` under `key` (the final network only when `keepNetwork`); returns their names.
 * @param key `filesKey(queue, hash)`
 */
export async function putTrialFiles(redis: Redis, key: string, dir: string, keepNetwork: boolean): Promise<string[]> {
  let names: string[];
  try {
    names = fs.readdirSync(dir).filter((n) => fs.statSync(path.join(dir, n)).isFile() && (keepNetwork || n !== FINAL_FILE) && !n.startsWith('.'));
  } catch {
    return [];
  }
  if (names.length === 0) return [];
  const m = redis.multi().del(key);
  for (const n of names) m.hset(key, n, fs.readFileSync(path.join(dir, n)));
  await m.expire(key, FILES_TTL_SECONDS).exec();
  return names.sort();
}

/**
 * Takes the files stored under `key` (reads, then deletes them), or null when any of `names` is
 * missing (expired, or taken by an earlier coordinator that stopped before writing them).
 */
export async function takeTrialFiles(redis: Redis, key: string, names: readonly string[]): Promise<Record<string, Uint8Array> | null> {
  if (names.length === 0) return {};
  const stored = await redis.hgetallBuffer(key);
  const out: Record<string, Uint8Array> = {};
  for (const n of names) {
    const b = stored[n];
    if (!b) return null;
    out[n] = new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
  }
  await redis.del(key);
  return out;
}
