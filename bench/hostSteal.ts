/**
 * CPU time the host took from this machine while the benchmark ran ("steal": a virtual CPU that
 * was ready to run but the hypervisor ran another guest). On a shared host it moves every
 * figure: 10–31% steal was seen here during one latency section (vmstat), with that section's
 * p99 at 10k tokens/s swinging 50–328 ms across runs of the same code while no commit took over
 * 100 ms. Printed per section so a reader can tell a slow host from slow code.
 */
import fs from 'node:fs';

export interface CpuTimes {
  steal: number;
  total: number;
}

/** The aggregate `cpu` line of /proc/stat: user nice system idle iowait irq softirq steal … (in ticks). */
export function parseProcStat(text: string): CpuTimes | null {
  const line = text.split('\n').find((l) => l.startsWith('cpu '));
  if (!line) return null;
  const ticks = line.trim().split(/\s+/).slice(1, 9).map(Number);
  if (ticks.length < 8 || ticks.some((t) => !Number.isFinite(t))) return null;
  return { steal: ticks[7], total: ticks.reduce((a, b) => a + b, 0) };
}

/** Null where /proc/stat is not there (not Linux). */
export function readCpuTimes(): CpuTimes | null {
  try {
    return parseProcStat(fs.readFileSync('/proc/stat', 'utf8'));
  } catch {
    return null;
  }
}

/** Steal as a percentage of all CPU time between two reads, one decimal; null when unknown. */
export function stealPercent(from: CpuTimes | null, to: CpuTimes | null): number | null {
  if (!from || !to || to.total <= from.total) return null;
  return Math.round((1000 * (to.steal - from.steal)) / (to.total - from.total)) / 10;
}
