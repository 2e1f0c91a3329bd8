/**
 * A real single-node Slurm on loopback for integration tests, written entirely into a temp dir:
 * a munge key and munged (socket, pid, log and seed file given on its command line), a minimal
 * slurm.conf (`AuthInfo=socket=...`, free ports, spool/state/log dirs, no cgroup plugins), then
 * slurmctld and slurmd in the foreground as children of the test process. Clients find it through
 * `SLURM_CONF` (pass `cluster.env` to child processes; sbatch hands it on to the jobs). Nothing is
 * read from or written to /etc. Started once per test file: about 1 s until the node is idle.
 *
 * What this machine taught us (Debian 12, slurm-wlm 22.05, munge 0.5.15, as root):
 * - munged runs as root without `--force` provided the directory of its socket is world-searchable
 *   (0755 all the way up); the key stays in a 0700 directory, readable by its owner only.
 * - slurmctld refuses to start unless `SlurmctldHost` is this host's short name; the node can have
 *   any name if slurmd is told it with `-N` and reached at `NodeAddr=127.0.0.1`.
 * - `ProctrackType=proctrack/linuxproc`, `TaskPlugin=task/none`, `JobAcctGatherType=jobacct_gather/none`:
 *   no cgroup plugin, so nothing needs a cgroup hierarchy or systemd.
 * - slurmd launches jobs as their user, so the harness needs root; without it the tests skip.
 * - `sacct` fails ("accounting storage is disabled"): state comes from squeue / scontrol.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { skipIfMissing } from './skip-if-missing.ts';

/** The programs the harness starts or the tests call. */
const DAEMONS = ['munged', 'slurmctld', 'slurmd'] as const;
const CLIENTS = ['sbatch', 'squeue', 'sinfo', 'scontrol', 'scancel'] as const;

/** The absolute path of `name` on PATH or in the sbin directories (daemons live there), or null. */
export function findProgram(name: string): string | null {
  const dirs = [...(process.env['PATH'] ?? '').split(path.delimiter), '/usr/sbin', '/sbin', '/usr/local/sbin'];
  for (const d of dirs) {
    if (!d) continue;
    const p = path.join(d, name);
    try {
      fs.accessSync(p, fs.constants.X_OK);
      return p;
    } catch {
      /* not here */
    }
  }
  return null;
}

/** Why the loopback Slurm cannot run here (with what to do), or undefined when it can. */
export function slurmMissing(): string | undefined {
  const absent = [...DAEMONS, ...CLIENTS].filter((p) => !findProgram(p));
  if (absent.length > 0) return `${absent.join(', ')} not found (apt-get install slurm-wlm munge)`;
  if (process.getuid?.() !== 0) return 'the loopback Slurm needs root (slurmd starts jobs as their user); run the tests as root';
  return undefined;
}

/** The `skip` option for tests on the loopback Slurm (loud skip outside CI, a failure under CI). */
export function skipWithoutSlurm(): string | false {
  return skipIfMissing('Slurm (slurmctld, slurmd, munged)', slurmMissing());
}

/** A running loopback cluster. */
export interface SlurmCluster {
  /** Its temp dir (conf, munge socket, spool, logs). */
  dir: string;
  /** Path of its slurm.conf. */
  conf: string;
  /** `process.env` plus `SLURM_CONF`: the environment for every client and CLI child. */
  env: NodeJS.ProcessEnv;
  /** The one partition (the default). */
  partition: string;
  /** Runs a Slurm client (`sinfo`, `squeue`, ...) against this cluster; throws on a non-zero exit. */
  client(cmd: string, ...args: string[]): string;
  /** The daemons' logs, for a failing test's message. */
  logs(): string;
  /** Cancels every job, stops the daemons by pid and removes the dir (idempotent). */
  stop(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.unref();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function slurmConf(dir: string, host: string, node: string, ports: [number, number]): string {
  const cpus = os.availableParallelism();
  return [
    'ClusterName=plabtest',
    `SlurmctldHost=${host}(127.0.0.1)`,
    `SlurmctldPort=${ports[0]}`,
    `SlurmdPort=${ports[1]}`,
    'AuthType=auth/munge',
    `AuthInfo=socket=${dir}/run/munge.sock`,
    'CredType=cred/munge',
    'ProctrackType=proctrack/linuxproc',
    'TaskPlugin=task/none',
    'SwitchType=switch/none',
    'MpiDefault=none',
    'JobAcctGatherType=jobacct_gather/none',
    'SchedulerType=sched/backfill',
    'SelectType=select/cons_tres',
    'SelectTypeParameters=CR_Core',
    'ReturnToService=2',
    // Finished jobs stay visible to squeue/scontrol for 5 minutes (the test reads them).
    'MinJobAge=300',
    'KillWait=5',
    `SlurmctldPidFile=${dir}/run/slurmctld.pid`,
    `SlurmdPidFile=${dir}/run/slurmd.pid`,
    `SlurmdSpoolDir=${dir}/spool/slurmd`,
    `StateSaveLocation=${dir}/spool/slurmctld`,
    `SlurmctldLogFile=${dir}/log/slurmctld.log`,
    `SlurmdLogFile=${dir}/log/slurmd.log`,
    `NodeName=${node} NodeAddr=127.0.0.1 CPUs=${cpus} RealMemory=2000 State=UNKNOWN`,
    `PartitionName=debug Nodes=${node} Default=YES MaxTime=INFINITE State=UP`,
    '',
  ].join('\n');
}

/**
 * Starts the cluster and waits (up to 30 s) until `sinfo` shows its node idle. The daemons are
 * stopped by `stop()` and, failing that, when this process exits.
 */
export async function startSlurmCluster(): Promise<SlurmCluster> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pl-slurm-'));
  fs.chmodSync(dir, 0o755); // munged wants its socket's directories searchable by all
  for (const d of ['run', 'log', 'spool/slurmd', 'spool/slurmctld']) fs.mkdirSync(path.join(dir, d), { recursive: true, mode: 0o755 });
  fs.mkdirSync(path.join(dir, 'key'), { mode: 0o700 });
  fs.writeFileSync(path.join(dir, 'key', 'munge.key'), randomBytes(1024), { mode: 0o400 });
  const host = os.hostname().split('.')[0]!;
  const node = 'plab-node';
  const conf = path.join(dir, 'slurm.conf');
  fs.writeFileSync(conf, slurmConf(dir, host, node, [await freePort(), await freePort()]));
  const env = { ...process.env, SLURM_CONF: conf };
  const children: ChildProcess[] = [];
  const start = (name: string, args: string[]): void => {
    const child = spawn(findProgram(name)!, args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    child.on('exit', (code) => {
      if (!stopped && code !== 0) died.push(`${name} exited with ${code}: ${err.trim()}`);
    });
    children.push(child);
  };
  let stopped = false;
  const died: string[] = [];
  const killAll = (): void => {
    for (const c of children.reverse()) if (c.exitCode === null && c.pid) c.kill('SIGTERM');
  };
  // Daemons must not outlive the test process: stopped at exit, and on SIGINT/SIGTERM (the test
  // runner cancelling the file) before the process dies of it. A SIGKILL leaves them running.
  const onSignal = (sig: NodeJS.Signals): void => {
    killAll();
    process.kill(process.pid, sig);
  };
  process.once('exit', killAll);
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  const client = (cmd: string, ...args: string[]): string => {
    const r = spawnSync(findProgram(cmd)!, args, { env, encoding: 'utf8', timeout: 20_000 });
    if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited with ${r.status}: ${r.stderr || r.error?.message}`);
    return r.stdout;
  };
  const logs = (): string =>
    fs.readdirSync(path.join(dir, 'log')).map((f) => `== ${f}\n${fs.readFileSync(path.join(dir, 'log', f), 'utf8').split('\n').slice(-30).join('\n')}`).join('\n');

  start('munged', ['-F', `--socket=${dir}/run/munge.sock`, `--key-file=${dir}/key/munge.key`, `--log-file=${dir}/log/munged.log`, `--pid-file=${dir}/run/munged.pid`, `--seed-file=${dir}/key/munged.seed`]);
  for (let i = 0; i < 100 && !fs.existsSync(`${dir}/run/munge.sock`); i++) await sleep(50);
  start('slurmctld', ['-D', '-i']);
  start('slurmd', ['-D', '-N', node]);

  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    try {
      client('scancel', '--quiet', '--full', `--user=${os.userInfo().username}`);
      for (let i = 0; i < 50; i++) {
        if (client('squeue', '-h', '-o', '%i').trim() === '') break;
        await sleep(100);
      }
    } catch {
      /* the controller is already gone */
    }
    killAll();
    await Promise.all(children.map((c) => (c.exitCode !== null || c.signalCode !== null ? null : new Promise((r) => c.once('exit', r)))));
    process.off('exit', killAll);
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    fs.rmSync(dir, { recursive: true, force: true });
  };

  const deadline = Date.now() + 30_000;
  for (;;) {
    if (died.length > 0 || Date.now() > deadline) {
      const why = died.length > 0 ? died.join('; ') : 'the node did not become idle within 30 s';
      const l = logs();
      await stop();
      throw new Error(`the loopback Slurm did not start: ${why}\n${l}`);
    }
    try {
      if (client('sinfo', '-h', '-p', 'debug', '-o', '%t').trim() === 'idle') break;
    } catch {
      /* controller not answering yet */
    }
    await sleep(200);
  }
  return { dir, conf, env, partition: 'debug', client, logs, stop };
}

