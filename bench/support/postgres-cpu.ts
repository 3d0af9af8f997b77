import { readFileSync } from 'node:fs';
import path from 'node:path';
import { CLK_TCK } from './measure.js';

/**
 * A backend's title is `postgres: <user> <database> <host>(<port>) <state>` (or `[local]`); an
 * autovacuum worker's `postgres: autovacuum worker <database>`. Anything else (checkpointer, WAL
 * writer, launcher…) serves no one database.
 */
export function databaseOfTitle(title: string): string | undefined {
  const backend = /^postgres: \S+ (\S+) (?:\S+\(\d+\)|\[local\])/.exec(title);
  if (backend) return backend[1];
  return /^postgres: autovacuum worker (\S+)/.exec(title)?.[1];
}

function readTitle(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ').trim();
  } catch {
    return '';
  }
}

/** utime + stime, cutime + cstime (reaped children) and the start time, from /proc/<pid>/stat. */
function readStat(pid: number): { own: number; reaped: number; start: string } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { own: Number(f[11]) + Number(f[12]), reaped: Number(f[13]) + Number(f[14]), start: f[19]! };
  } catch {
    return undefined;
  }
}

function childPids(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/**
 * PostgreSQL's CPU split by whom it serves, as cumulative µs per group: `groups` take the backends
 * (and autovacuum workers) of the databases their predicate accepts; `other` the postmaster and the
 * background processes. Connections come and go (pools close idle ones, Temporal's closes those beyond
 * its idle limit at once), and an ended backend's CPU moves into the postmaster's reaped-children
 * time: so the children are sampled every `sampleMs`, each keeps its group with the CPU last seen,
 * and what the postmaster reaped beyond that — the last moments of ended backends and connections
 * shorter than a sample — is `unattributed`. The groups always sum to the cluster's CPU.
 */
export function postgresCpuTracker(dataDir: string, groups: Record<string, (database: string) => boolean>, names: { other: string; unattributed: string }, sampleMs = 250) {
  // postmaster.pid's first line; the cluster is not restarted while a benchmark measures it.
  const postmaster = Number(readFileSync(path.join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
  const groupOf = (pid: number) => {
    const db = databaseOfTitle(readTitle(pid));
    return (db === undefined ? undefined : Object.keys(groups).find((name) => groups[name]!(db))) ?? names.other;
  };
  const children = new Map<string, { pid: number; group: string; ticks: number; ended: boolean }>();
  const sample = () => {
    const seen = new Set<string>();
    for (const pid of childPids(postmaster)) {
      const stat = readStat(pid);
      if (!stat) continue;
      const key = `${pid}:${stat.start}`;
      seen.add(key);
      const known = children.get(key);
      if (known) {
        known.ticks = stat.own;
        // A new backend's title names its database only once it has read the startup packet.
        if (known.group === names.other) known.group = groupOf(pid);
      } else children.set(key, { pid, group: groupOf(pid), ticks: stat.own, ended: false });
    }
    for (const [key, child] of children) if (!seen.has(key)) child.ended = true;
  };
  sample();
  const timer = setInterval(sample, sampleMs);
  timer.unref();
  return {
    /** Cumulative CPU µs per group (differences between two readings are what counts). */
    read(): Record<string, number> {
      sample();
      const ticks: Record<string, number> = Object.fromEntries([...Object.keys(groups), names.other, names.unattributed].map((name) => [name, 0]));
      let endedSeen = 0;
      for (const child of children.values()) {
        ticks[child.group]! += child.ticks;
        if (child.ended) endedSeen += child.ticks;
      }
      const main = readStat(postmaster);
      ticks[names.other]! += main?.own ?? 0;
      ticks[names.unattributed]! += (main?.reaped ?? 0) - endedSeen;
      return Object.fromEntries(Object.entries(ticks).map(([name, t]) => [name, t * (1e6 / CLK_TCK)]));
    },
    stop: () => clearInterval(timer),
  };
}
