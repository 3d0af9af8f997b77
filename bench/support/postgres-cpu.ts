import { readFileSync } from 'node:fs';
import path from 'node:path';
import { childrenOf, type CpuGroups } from './measure.js';

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

function title(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ').trim();
  } catch {
    return '';
  }
}

/**
 * PostgreSQL's CPU split by whom it serves: one group per `groups` entry (backends of the databases
 * its predicate accepts), and `otherName` for the postmaster and the background processes. The
 * postmaster's figure includes its reaped children: a backend that ends during a window moves its
 * whole life's CPU from its database's group to `otherName` (the sum stays right; pools that keep
 * their connections make this rare).
 */
export function postgresCpuGroups(dataDir: string, groups: Record<string, (database: string) => boolean>, otherName: string): CpuGroups {
  // postmaster.pid's first line; the cluster is not restarted while a benchmark measures it.
  const postmaster = Number(readFileSync(path.join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
  const groupOf = (pid: number) => {
    const db = databaseOfTitle(title(pid));
    if (db === undefined) return otherName;
    return Object.keys(groups).find((name) => groups[name]!(db)) ?? otherName;
  };
  const members = (name: string) => () => [...(name === otherName ? [postmaster] : []), ...childrenOf(postmaster).filter((pid) => groupOf(pid) === name)];
  return Object.fromEntries([...Object.keys(groups), otherName].map((name) => [name, members(name)]));
}
