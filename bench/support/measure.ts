import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';

// ---------------------------------------------------------------------------------------------
// Statistics

export const ms = (ns: bigint | number) => Number(ns) / 1e6;

/** Nearest-rank percentile of an ascending array; NaN when empty. */
export function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

/** A typed array sorts numerically; a plain array would sort as strings. */
export function sortedMs(values: number[]): Float64Array {
  return Float64Array.from(values).sort();
}

export const f1 = (n: number) => (Number.isFinite(n) ? n.toFixed(1) : 'n/a');
export const f0 = (n: number) => (Number.isFinite(n) ? n.toFixed(0) : 'n/a');

// ---------------------------------------------------------------------------------------------
// Where the CPU goes: per process group, from /proc (Linux)

export const CLK_TCK = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

function procStat(pid: number): { ppid: number; ownTicks: number; ticks: number } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // After the command: state(0) ppid(1) … utime(11) stime(12) cutime(13) cstime(14); the last two
    // hold children already reaped, e.g. PostgreSQL backends of connections a pool closed.
    const ownTicks = Number(fields[11]) + Number(fields[12]);
    return { ppid: Number(fields[1]), ownTicks, ticks: ownTicks + Number(fields[13]) + Number(fields[14]) };
  } catch {
    return undefined;
  }
}

/** User + system CPU seconds of one process so far, its reaped children not included. */
export function cpuSecondsOf(pid: number): number {
  const stat = procStat(pid);
  if (!stat) throw new Error(`no /proc/${pid}/stat`);
  return stat.ownTicks / CLK_TCK;
}

export function childrenOf(parent: number): number[] {
  if (!existsSync('/proc')) return [];
  return readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .map(Number)
    .filter((pid) => procStat(pid)?.ppid === parent);
}

/** Named groups of processes whose CPU time is summed; the pids are read at each snapshot. */
export type CpuGroups = Record<string, () => number[]>;

/** CPU µs so far per group, plus this process as `selfName`. */
export function cpuSnapshot(groups: CpuGroups, selfName = 'bench (client + DSK fake)'): Record<string, number> {
  const self = process.cpuUsage();
  const out: Record<string, number> = { [selfName]: self.user + self.system };
  for (const [name, pids] of Object.entries(groups)) {
    out[name] = pids().reduce((sum, pid) => sum + (procStat(pid)?.ticks ?? 0), 0) * (1e6 / CLK_TCK);
  }
  return out;
}

/** Each group's share of one core between two snapshots `wallNs` apart. */
export function cpuLine(before: Record<string, number>, after: Record<string, number>, wallNs: bigint): string {
  const seconds = ms(wallNs) * 1000; // µs
  return Object.keys(after)
    .map((name) => `${name} ${f0((100 * ((after[name] ?? 0) - (before[name] ?? 0))) / seconds)}%`)
    .join(', ');
}

/** Each group's CPU time between two snapshots per unit of work (e.g. per send), in ms. */
export function cpuPerUnit(before: Record<string, number>, after: Record<string, number>, units: number): string {
  return Object.keys(after)
    .map((name) => `${name} ${f1(((after[name] ?? 0) - (before[name] ?? 0)) / 1000 / units)} ms`)
    .join(', ');
}

/** Sum and count of one Prometheus histogram (all label sets together) in a scrape's text. */
export interface HistogramReading {
  sum: number;
  count: number;
}

/** Reads histograms' `_sum` and `_count` from a process's /metrics (loopback needs no token). */
export async function scrapeHistograms(port: number, names: readonly string[]): Promise<Record<string, HistogramReading>> {
  const res = await fetch(`http://127.0.0.1:${port}/metrics`);
  const text = await res.text();
  const out: Record<string, HistogramReading> = {};
  for (const name of names) {
    const total = (suffix: string) =>
      text
        .split('\n')
        .filter((l) => l.startsWith(`${name}_${suffix}`) && (l[name.length + suffix.length + 1] === ' ' || l[name.length + suffix.length + 1] === '{'))
        .reduce((acc, l) => acc + Number(l.slice(l.lastIndexOf(' ') + 1)), 0);
    out[name] = { sum: total('sum'), count: total('count') };
  }
  return out;
}

/** The mean of a histogram between two readings (NaN when nothing was observed). */
export const histogramMean = (before: HistogramReading, after: HistogramReading) => (after.sum - before.sum) / (after.count - before.count);
