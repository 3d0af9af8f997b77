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
import { fileURLToPath } from 'node:url';
import { productionScratch } from '../test/production/scratch.js';

// --test-force-exit: sockets the faults cut leave fetch timers of up to 300 s behind; the report must not wait for them.
if (productionScratch({ name: 'test-production', entry: fileURLToPath(import.meta.url), nodeArgs: ['--test-force-exit'] })) {
  await import('../test/production/run.js');
}
