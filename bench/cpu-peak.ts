/**
 * The single-core fp32 peak of this CPU, for reference next to measured GFLOP/s:
 * peak = clock (MHz from /proc/cpuinfo) x fp32 FLOP per cycle (from the ISA flags).
 * FLOP/cycle assumes two FMA pipes: 32 with avx2+fma (2 x 8 lanes x 2), 16 with avx
 * (one add + one mul pipe of 8 lanes), 8 with sse (4 lanes x 2 pipes). The reported MHz is
 * usually the base clock; turbo can be higher, so this is an estimate.
 */
import { readFileSync } from 'node:fs';

export interface CpuPeak {
  model: string;
  mhz: number | null;
  flopPerCycle: number;
  gflops: number | null;
  formula: string;
}

export function cpuPeak(): CpuPeak {
  let text = '';
  try {
    text = readFileSync('/proc/cpuinfo', 'utf8');
  } catch {
    // not Linux: no figure
  }
  const field = (name: string): string | undefined => text.match(new RegExp(`^${name}\\s*:\\s*(.*)$`, 'm'))?.[1];
  const mhz = field('cpu MHz') ? Number(field('cpu MHz')) : null;
  const flags = new Set((field('flags') ?? '').split(/\s+/));
  const flopPerCycle = flags.has('avx2') && flags.has('fma') ? 32 : flags.has('avx') ? 16 : 8;
  const isa = flopPerCycle === 32 ? 'avx2+fma: 2 FMA pipes x 8 lanes x 2' : flopPerCycle === 16 ? 'avx: 8 lanes x (add + mul)' : 'sse: 4 lanes x 2';
  const gflops = mhz ? (mhz * flopPerCycle) / 1000 : null;
  return {
    model: field('model name') ?? 'unknown CPU',
    mhz,
    flopPerCycle,
    gflops,
    formula: `${mhz ?? '?'} MHz x ${flopPerCycle} FLOP/cycle (${isa}) = ${gflops?.toFixed(1) ?? '?'} GFLOP/s per core (assumes the listed clock, no turbo)`,
  };
}
