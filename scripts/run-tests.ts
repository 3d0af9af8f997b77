/**
 * `npm test` (after bootstrap + build): starts a throwaway stack, runs node's test runner over the
 * compiled tests, tears the stack down whatever happens, and exits with the runner's exit code.
 *
 *   node dist/scripts/run-tests.js [files|dirs|substrings...] [--node-test-flags...]
 *
 * Stack: a PostgreSQL cluster in a temporary directory on a free port with fsync off (or, with
 * DATABASE_URL, a uniquely named database on that server) and an in-memory headless Temporal dev
 * server on a free port with our search attributes. Tests receive TEST_DATABASE_URL (an empty
 * database: migrations are the tests' business), TEST_TEMPORAL_ADDRESS, TEST_TEMPORAL_NAMESPACE,
 * TEMPORAL_TEST_SERVER_PATH and TEMPORAL_CLI_PATH.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createLogger } from '../src/logger.js';
import { createDatabaseIfMissing, databaseUrl, dropDatabaseIfExists, startLocalPostgres, type LocalPostgres } from '../dev/infra/local-postgres.js';
import { freePort, startLocalTemporal, type LocalTemporal } from '../dev/infra/local-temporal.js';
import { findPostgresBinDir, findTemporalCli, findTemporalTestServer, projectRoot } from '../dev/infra/tools.js';
import { searchAttributeFlags } from '../src/shared/search-attributes.js';

const env = process.env;
const root = projectRoot();
// Infra progress is noise in a test report: TEST_INFRA_LOG_LEVEL=info shows it, =debug adds the servers' output.
const log = createLogger({ level: env.TEST_INFRA_LOG_LEVEL ?? 'warn', name: 'run-tests', destination: process.stderr });

function walk(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    return entry.isDirectory() ? walk(full) : entry.name.endsWith('.test.js') ? [full] : [];
  });
}

/**
 * Compiled tests whose TypeScript source still exists: tsc never deletes outputs, so a renamed or
 * deleted test would otherwise keep running from a stale dist/.
 */
function discoverTests(): string[] {
  const distTest = path.join(root, 'dist', 'test');
  return walk(distTest)
    .filter((file) => existsSync(path.join(root, 'test', path.relative(distTest, file).replace(/\.js$/, '.ts'))))
    .sort();
}

/** Arguments: `-…` go to node --test; existing files/dirs are taken as is; anything else filters by substring. */
function selectTests(argv: string[]): { files: string[]; nodeFlags: string[] } {
  const nodeFlags = argv.filter((a) => a.startsWith('-'));
  const selectors = argv.filter((a) => !a.startsWith('-'));
  if (!selectors.length) return { files: discoverTests(), nodeFlags };
  const all = discoverTests();
  const files = new Set<string>();
  for (const sel of selectors) {
    const abs = path.resolve(sel);
    if (existsSync(abs) && statSync(abs).isDirectory()) walk(abs).forEach((f) => files.add(f));
    else if (existsSync(abs)) files.add(abs);
    else {
      const matches = all.filter((f) => path.relative(root, f).includes(sel));
      if (!matches.length) throw new Error(`no test file matches ${JSON.stringify(sel)}`);
      matches.forEach((f) => files.add(f));
    }
  }
  return { files: [...files].sort(), nodeFlags };
}

function version(cmd: string, args: string[]): string {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim().split('\n')[0] ?? '?';
  } catch {
    return '?';
  }
}

function redactUrl(url: string): string {
  const u = new URL(url);
  if (u.password) u.password = '***';
  return u.toString();
}

interface Stack {
  databaseUrl: string;
  temporal: LocalTemporal;
  describe: string[];
  teardown(): Promise<void>;
}

async function startStack(temporalCli: string): Promise<Stack> {
  const cleanups: Array<() => Promise<void>> = [];
  const teardown = async () => {
    for (const fn of cleanups.reverse()) await fn().catch((err) => log.error({ err }, 'teardown step failed'));
    cleanups.length = 0;
  };
  const describe: string[] = [];
  try {
    const database = `test_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
    const startDb = async (): Promise<string> => {
      if (env.DATABASE_URL) {
        const url = await createDatabaseIfMissing(databaseUrl(env.DATABASE_URL, 'postgres'), database).catch(() =>
          // No access to the maintenance database: create it from the given one.
          createDatabaseIfMissing(env.DATABASE_URL!, database),
        );
        cleanups.push(() => dropDatabaseIfExists(databaseUrl(env.DATABASE_URL!, 'postgres'), database).catch(() => dropDatabaseIfExists(env.DATABASE_URL!, database)));
        describe.push(`postgres  external server (DATABASE_URL), database ${database}`);
        return url;
      }
      const tmp = mkdtempSync(path.join(os.tmpdir(), 'meta-int-test-pg-'));
      cleanups.push(async () => rmSync(tmp, { recursive: true, force: true }));
      // As root the server runs as the postgres OS user, which must traverse (not list) mkdtemp's 0700 dir.
      chmodSync(tmp, 0o711);
      const pg: LocalPostgres = await onAFreePort((port) => startLocalPostgres({ dataDir: path.join(tmp, 'data'), port, database, fsync: false, log }));
      cleanups.push(() => pg.stop());
      describe.push(`postgres  ${version(path.join(findPostgresBinDir(), 'postgres'), ['--version'])} at 127.0.0.1:${pg.port} (fsync off), database ${database}`);
      return pg.url;
    };
    const startTemporal = async (): Promise<LocalTemporal> => {
      const t = await onAFreePort((port) => startLocalTemporal({ binary: temporalCli, port, headless: true, searchAttributes: searchAttributeFlags(), log }));
      cleanups.push(() => t.stop());
      describe.push(`temporal  ${version(temporalCli, ['--version'])} at ${t.address} (in memory, headless)`);
      return t;
    };
    // Both start in parallel; if one fails, the other is torn down by the catch below.
    const [db, temporal] = await Promise.allSettled([startDb(), startTemporal()]);
    if (db.status === 'rejected') throw db.reason;
    if (temporal.status === 'rejected') throw temporal.reason;
    return { databaseUrl: db.value, temporal: temporal.value, describe, teardown };
  } catch (err) {
    await teardown();
    throw err;
  }
}

async function main(): Promise<number> {
  const { files, nodeFlags } = selectTests(process.argv.slice(2));
  if (!files.length) {
    process.stderr.write('run-tests: no compiled tests under dist/test (did `npm run build` run?)\n');
    return 1;
  }
  const temporalCli = findTemporalCli(env);
  const testServer = findTemporalTestServer(env);

  const t0 = Date.now();
  let stack: Stack | undefined;
  let child: ChildProcess | undefined;
  let signalled: NodeJS.Signals | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    signalled ??= signal;
    // The runner usually got the same signal from the terminal; forwarding covers `kill <pid>`.
    if (child && child.exitCode === null) child.kill(signal);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  try {
    stack = await startStack(temporalCli);
    if (signalled) return 128 + os.constants.signals[signalled];
    const lines = [
      `node      ${process.version}`,
      ...stack.describe.sort(),
      `tts       ${testServer}`,
      `stack up in ${((Date.now() - t0) / 1000).toFixed(1)} s; ${files.length} test file(s)`,
    ];
    process.stdout.write(`${lines.map((l) => `# ${l}`).join('\n')}\n`);

    const testEnv: NodeJS.ProcessEnv = {
      ...env,
      TEST_DATABASE_URL: stack.databaseUrl,
      TEST_TEMPORAL_ADDRESS: stack.temporal.address,
      TEST_TEMPORAL_NAMESPACE: 'default',
      TEMPORAL_TEST_SERVER_PATH: testServer,
      TEMPORAL_CLI_PATH: temporalCli,
    };
    log.info({ database: redactUrl(stack.databaseUrl), temporal: stack.temporal.address }, 'test stack ready');
    const runner = spawn(process.execPath, ['--test', '--test-concurrency=2', ...nodeFlags, ...files], { stdio: 'inherit', env: testEnv, cwd: root });
    child = runner;
    const code = await new Promise<number>((resolve) => {
      runner.on('error', (err) => {
        log.error({ err }, 'could not start the test runner');
        resolve(1);
      });
      runner.on('exit', (c, signal) => resolve(c ?? 128 + (signal ? os.constants.signals[signal] : 0)));
    });
    return signalled ? 128 + os.constants.signals[signalled] : code;
  } finally {
    await stack?.teardown();
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`run-tests: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);

/**
 * A port found free can be taken by another process before the server binds it (other test stacks
 * on the machine pick ports the same way): try again on a new port, a few times.
 */
async function onAFreePort<T>(start: (port: number) => Promise<T>, attempts = 3): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await start(await freePort());
    } catch (err) {
      if (attempt >= attempts || !/in use|EADDRINUSE|could not create any TCP\/IP sockets|bind/i.test(String((err as Error)?.message))) throw err;
    }
  }
}
