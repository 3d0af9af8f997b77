import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { projectRoot } from '../../dev/infra/tools.js';

export type Ceiling = Partial<Record<'empty' | 'local' | 'local-upsert' | 'activity' | 'update', number>>;

/**
 * Temporal's own ceiling on `address`, measured by bench/ceiling/run.ts in a child process (its worker
 * and client share that process, not the benchmark's event loop): workflows completed per second.
 */
export async function measureCeiling(address: string, opts: { seconds: number; inFlight: number; kinds: ReadonlyArray<keyof Ceiling> }): Promise<Ceiling> {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    [path.join(projectRoot(), 'dist', 'bench', 'ceiling', 'run.js'), '--address', address, '--seconds', String(opts.seconds), '--in-flight', String(opts.inFlight), '--kinds', opts.kinds.join(',')],
    { maxBuffer: 1 << 20, timeout: (opts.kinds.length * (opts.seconds + 5) + 120) * 1000 },
  );
  return JSON.parse(stdout.trim().split('\n').pop()!) as Ceiling;
}
