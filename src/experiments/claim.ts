/**
 * Per-trial claims, so that many writers (the local pool, Slurm array tasks on several nodes, a
 * queue coordinator) can share one run store on a shared filesystem without running a trial twice.
 *
 * A claim is the file `<store>/claims/<hash>.json`, created exclusively (`O_CREAT | O_EXCL`, which
 * NFSv3 and later honour; no `flock`, whose semantics network filesystems do not keep). It holds
 * its owner (host, pid, start time, executor, job) and its lease. The holder renews the lease by
 * touching the file (utimes) every quarter lease on an unref'd timer, so the holding process must
 * keep its event loop free (trials run in child processes). A claim is live while its file's mtime
 * is younger than the lease and, when the owner is on this host, its pid is alive; otherwise it is
 * stale and may be taken over, under an exclusive guard file and only if it still names the owner
 * judged stale (as `removeStaleLock` does for the store's `.lock`).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { hashFiles } from './hash-files.ts';
import { pidAlive, removeStaleLock, type LockInfo } from './lock.ts';

/** Default lease: a claim untouched for this long (its holder died on another node) is stale. */
export const DEFAULT_LEASE_MS = 120_000;

/** Who holds a claim. */
export interface ClaimOwner {
  host: string;
  pid: number;
  startedAt: string;
  executor: 'local' | 'slurm' | 'queue';
  /** The scheduler's job id (Slurm: `<array job>_<task>`), when there is one. */
  job?: string;
}

/** A held claim; `release()` removes it (idempotent) and stops its renewal. */
export interface Claim {
  readonly hash: string;
  readonly path: string;
  release(): void;
}

/** The file's layout: a lock file's fields (so `removeStaleLock` reads it) plus the claim's. */
interface ClaimFile extends LockInfo {
  hash: string;
  executor: ClaimOwner['executor'];
  job?: string;
  leaseMs: number;
}

function readClaim(file: string): ClaimFile | null {
  try {
    const c = JSON.parse(fs.readFileSync(file, 'utf8')) as ClaimFile;
    return c && typeof c.pid === 'number' && typeof c.host === 'string' ? c : null;
  } catch {
    return null;
  }
}

const ownerOf = (c: ClaimFile): ClaimOwner => ({ host: c.host, pid: c.pid, startedAt: c.startedAt, executor: c.executor, ...(c.job ? { job: c.job } : {}) });
const sameOwner = (c: ClaimFile | null, o: ClaimOwner): boolean => c !== null && c.pid === o.pid && c.host === o.host && c.startedAt === o.startedAt;

/** The claims of one run store. */
export class TrialClaims {
  readonly dir: string;
  readonly leaseMs: number;

  /** @param storeDir the experiment's store, e.g. `runs/depth`; claims live in its `claims/` */
  constructor(storeDir: string, opts: { leaseMs?: number } = {}) {
    this.dir = path.join(storeDir, 'claims');
    this.leaseMs = opts.leaseMs ?? DEFAULT_LEASE_MS;
  }

  /** The claim file of trial `hash`. */
  pathOf(hash: string): string {
    return path.join(this.dir, `${hash}.json`);
  }

  /**
   * Claims trial `hash` for this process, taking over a stale claim. Returns null when another
   * owner's live claim exists (leave the trial to it).
   */
  tryClaim(hash: string, who: { executor: ClaimOwner['executor']; job?: string }): Claim | null {
    fs.mkdirSync(this.dir, { recursive: true });
    const file = this.pathOf(hash);
    const owner: ClaimOwner = { host: os.hostname(), pid: process.pid, startedAt: new Date().toISOString(), executor: who.executor, ...(who.job ? { job: who.job } : {}) };
    for (let attempt = 0; attempt < 20; attempt++) {
      try {
        const fd = fs.openSync(file, 'wx');
        try {
          const body: ClaimFile = { pid: owner.pid, host: owner.host, startedAt: owner.startedAt, command: process.argv.slice(1).join(' '), hash, executor: owner.executor, ...(owner.job ? { job: owner.job } : {}), leaseMs: this.leaseMs };
          fs.writeSync(fd, JSON.stringify(body));
          fs.fsyncSync(fd);
        } finally {
          fs.closeSync(fd);
        }
        return this.held(hash, file, owner);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      }
      const h = this.holder(hash);
      if (h === null) continue; // vanished between open and read: try again
      if (h.live) return null;
      // Stale: remove it only if it still names the owner judged stale (see removeStaleLock).
      const seen: LockInfo | null = h.owner.pid >= 0 ? { pid: h.owner.pid, host: h.owner.host, startedAt: h.owner.startedAt, command: '' } : null;
      removeStaleLock(file, seen);
    }
    return null;
  }

  private held(hash: string, file: string, owner: ClaimOwner): Claim {
    const timer = setInterval(() => {
      if (!sameOwner(readClaim(file), owner)) return;
      const now = new Date();
      try {
        fs.utimesSync(file, now, now);
      } catch {
        /* removed under us: nothing to renew */
      }
    }, Math.max(50, Math.floor(this.leaseMs / 4)));
    timer.unref();
    let released = false;
    return {
      hash,
      path: file,
      release() {
        if (released) return;
        released = true;
        clearInterval(timer);
        if (sameOwner(readClaim(file), owner)) fs.rmSync(file, { force: true });
      },
    };
  }

  /**
   * Who claims trial `hash`, how long since the lease was renewed, and whether the claim is live;
   * null when unclaimed. An unreadable claim file (being written) counts as live until it is older
   * than the lease; its owner then reads as pid -1.
   */
  holder(hash: string): { owner: ClaimOwner; ageMs: number; live: boolean } | null {
    const file = this.pathOf(hash);
    let mtime: number;
    try {
      mtime = fs.statSync(file).mtimeMs;
    } catch {
      return null;
    }
    const c = readClaim(file);
    const ageMs = Math.max(0, Date.now() - mtime);
    const lease = c?.leaseMs ?? this.leaseMs;
    const owner: ClaimOwner = c ? ownerOf(c) : { host: '?', pid: -1, startedAt: '', executor: 'local' };
    const deadHere = c !== null && owner.host === os.hostname() && !pidAlive(owner.pid);
    return { owner, ageMs, live: ageMs <= lease && !deadHere };
  }

  /** Every live claim of the store, by trial hash. */
  live(): Map<string, ClaimOwner> {
    const out = new Map<string, ClaimOwner>();
    for (const hash of hashFiles(this.dir)) {
      const h = this.holder(hash);
      if (h?.live) out.set(hash, h.owner);
    }
    return out;
  }

}
