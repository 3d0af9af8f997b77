import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { projectRoot } from '../../dev/infra/tools.js';

/** What the inner run gets: a scratch directory and the test CA's certificates in it. */
export interface ProductionScratch {
  dir: string;
  certDir: string;
}

/**
 * The production topology needs a test CA that Node's fetch trusts, and NODE_EXTRA_CA_CERTS is read
 * only at start-up: so a script runs itself twice. The outer run (this returns undefined) makes a
 * scratch directory and the CA (deploy/gen-certs.sh), re-runs `entry` with the variables set, keeps
 * the logs if it failed or `PROD_TEST_KEEP=1`, removes the directory and exits with the child's
 * status; the inner run gets the directory. `npm run test:production` and `bench:production` share it.
 */
export function productionScratch(o: { name: string; entry: string; nodeArgs?: string[] }): ProductionScratch | undefined {
  if (process.env.PROD_TEST_DIR && process.env.PROD_TEST_CERTS) return { dir: process.env.PROD_TEST_DIR, certDir: process.env.PROD_TEST_CERTS };
  const root = projectRoot();
  const started = Date.now();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'mis-production-'));
  // As root PostgreSQL runs as the postgres OS user, which must traverse (not list) the directory.
  chmodSync(dir, 0o711);
  const certDir = path.join(dir, 'certs');
  const gen = spawnSync('sh', [path.join(root, 'deploy/gen-certs.sh'), certDir, 'temporal=DNS:temporal,DNS:localhost,IP:127.0.0.1', 'client=DNS:meta-integration-service', 'api=DNS:localhost,IP:127.0.0.1', 'meta=DNS:localhost,IP:127.0.0.1', 'dsk=DNS:localhost,IP:127.0.0.1'], { encoding: 'utf8' });
  if (gen.status !== 0) {
    process.stderr.write(`${o.name}: deploy/gen-certs.sh failed:\n${gen.stderr}\n`);
    process.exit(1);
  }
  const child = spawn(process.execPath, [...(o.nodeArgs ?? []), o.entry, ...process.argv.slice(2)], {
    stdio: 'inherit',
    env: { ...process.env, PROD_TEST_DIR: dir, PROD_TEST_CERTS: certDir, NODE_EXTRA_CA_CERTS: path.join(certDir, 'ca.pem') },
  });
  const forward = (signal: NodeJS.Signals) => child.kill(signal);
  process.on('SIGINT', forward);
  process.on('SIGTERM', forward);
  child.on('exit', (code, signal) => {
    const keep = process.env.PROD_TEST_KEEP === '1' || code !== 0;
    if (keep) {
      const kept = mkdtempSync(path.join(os.tmpdir(), 'mis-production-logs-'));
      if (existsSync(path.join(dir, 'logs'))) cpSync(path.join(dir, 'logs'), kept, { recursive: true, force: true });
      process.stderr.write(`${o.name}: logs kept in ${kept}\n`);
    }
    rmSync(dir, { recursive: true, force: true });
    process.stderr.write(`${o.name}: took ${((Date.now() - started) / 1000).toFixed(0)} s\n`);
    process.exit(code ?? (signal ? 128 + (os.constants.signals[signal] ?? 0) : 1));
  });
  return undefined;
}
