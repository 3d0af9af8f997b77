import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { projectRoot } from '../../dev/infra/tools.js';

export type Ceiling = Partial<Record<'empty' | 'local' | 'local-upsert' | 'activity' | 'update', number>>;

/** mTLS to a production-shaped server: the files the service's TEMPORAL_TLS_* variables name. */
export interface CeilingTls {
  caFile: string;
  certFile: string;
  keyFile: string;
  serverName?: string;
}

/**
 * Temporal's own ceiling on `address`, measured by bench/ceiling/run.ts in a child process (its worker
 * and client share that process, not the benchmark's event loop): workflows completed per second.
 */
export async function measureCeiling(
  address: string,
  opts: { seconds: number; inFlight: number; kinds: ReadonlyArray<keyof Ceiling>; namespace?: string; tls?: CeilingTls },
): Promise<Ceiling> {
  const tls = opts.tls ? ['--tls-ca', opts.tls.caFile, '--tls-cert', opts.tls.certFile, '--tls-key', opts.tls.keyFile, ...(opts.tls.serverName ? ['--tls-server-name', opts.tls.serverName] : [])] : [];
  const { stdout } = await promisify(execFile)(
    process.execPath,
    [
      path.join(projectRoot(), 'dist', 'bench', 'ceiling', 'run.js'),
      ...['--address', address, '--seconds', String(opts.seconds), '--in-flight', String(opts.inFlight), '--kinds', opts.kinds.join(',')],
      ...(opts.namespace ? ['--namespace', opts.namespace] : []),
      ...tls,
    ],
    { maxBuffer: 1 << 20, timeout: (opts.kinds.length * (opts.seconds + 5) + 120) * 1000 },
  );
  return JSON.parse(stdout.trim().split('\n').pop()!) as Ceiling;
}
