/**
 * `npm run test:production`: the production topology on this machine, without Docker, and traffic
 * through it while it is being broken.
 *
 *   PostgreSQL (fsync on) ─ Temporal server 1.32 built from its Go module (persistence + visibility on
 *   PostgreSQL, frontend and internode mTLS) ─ migrate, temporal:setup (twice: idempotent) ─ 2 workers
 *   and 2 api replicas (NODE_ENV=production, payload keys, native TLS) behind a TCP balancer ─ the Meta
 *   emulator over https and an https DSK fake.
 *
 * It connects a WhatsApp number and an Instagram account in Chromium, then runs inbound webhooks
 * (Meta's retries included) and sends (DSK's retries included) while a worker is SIGKILLed, the
 * Temporal server restarted and PostgreSQL restarted, and asserts: every event delivered to DSK once,
 * no duplicates, every send made at Meta exactly once and answered. Commands and variables are those
 * of docker-compose.yml (test/production/topology.ts; test/unit/production-parity.test.ts compares).
 *
 * The script runs itself twice: the outer run makes a scratch directory and the test CA, the inner one
 * (NODE_EXTRA_CA_CERTS set, so fetch trusts the test CA) runs the test. PROD_TEST_KEEP=1 keeps logs.
 */
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { projectRoot } from '../dev/infra/tools.js';

const root = projectRoot();

if (!process.env.PROD_TEST_DIR) {
  const started = Date.now();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'mis-production-'));
  // As root PostgreSQL runs as the postgres OS user, which must traverse (not list) the directory.
  chmodSync(dir, 0o711);
  const certDir = path.join(dir, 'certs');
  const gen = spawnSync('sh', [path.join(root, 'deploy/gen-certs.sh'), certDir, 'temporal=DNS:temporal,DNS:localhost,IP:127.0.0.1', 'client=DNS:meta-integration-service', 'api=DNS:localhost,IP:127.0.0.1', 'meta=DNS:localhost,IP:127.0.0.1', 'dsk=DNS:localhost,IP:127.0.0.1'], { encoding: 'utf8' });
  if (gen.status !== 0) {
    process.stderr.write(`test-production: deploy/gen-certs.sh failed:\n${gen.stderr}\n`);
    process.exit(1);
  }
  // --test-force-exit: sockets the faults cut leave fetch timers of up to 300 s behind; the report must not wait for them.
  const child = spawn(process.execPath, ['--test-force-exit', fileURLToPath(import.meta.url), ...process.argv.slice(2)], {
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
      if (existsSync(path.join(dir, "logs"))) cpSync(path.join(dir, "logs"), kept, { recursive: true, force: true });
      process.stderr.write(`test-production: logs kept in ${kept}\n`);
    }
    rmSync(dir, { recursive: true, force: true });
    process.stderr.write(`test-production: took ${((Date.now() - started) / 1000).toFixed(0)} s\n`);
    process.exit(code ?? (signal ? 128 + (os.constants.signals[signal] ?? 0) : 1));
  });
} else {
  await import('../test/production/run.js');
}
