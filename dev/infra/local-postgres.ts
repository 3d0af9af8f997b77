import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { chmod, chown, mkdir, mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type { Logger } from '../../src/logger.js';
import { findPostgresBinDir, projectRoot } from './tools.js';

/**
 * A PostgreSQL cluster of our own for development and tests: its own data directory, port and
 * socket directory, listening on 127.0.0.1 only, password auth (scram-sha-256) for everyone.
 * It never touches the distribution's default cluster.
 */

export interface LocalPostgresOptions {
  /** Cluster directory; default `.data/postgres` in the project (see `defaultDataDir`). */
  dataDir?: string;
  port: number;
  /** Created when missing; `url` points at it. */
  database: string;
  log: Logger;
  /** `false` turns off fsync/full-page writes/synchronous commit: fast, and unsafe unless the data is throwaway (tests). */
  fsync?: boolean;
  /** Where initdb/pg_ctl live; default `findPostgresBinDir()`. */
  binDir?: string;
}

export interface LocalPostgres {
  /** URL of `database`. */
  url: string;
  /** URL of the `postgres` maintenance database, as the superuser. */
  adminUrl: string;
  dataDir: string;
  port: number;
  /** Creates the database unless it exists; returns its URL. */
  createDatabase(name: string): Promise<string>;
  dropDatabase(name: string): Promise<void>;
  /** Stops the cluster if this call started it; a cluster found running is left running. */
  stop(): Promise<void>;
}

const SUPERUSER = 'postgres';
const OS_USER = 'postgres';
const START_TIMEOUT_S = 60;

interface Runner {
  asRoot: boolean;
  run(file: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }>;
}

/**
 * PostgreSQL refuses to run as root, so as root every server command runs as the `postgres` OS user
 * (Debian's package creates it) via runuser.
 */
function runner(): Runner {
  const asRoot = process.getuid?.() === 0;
  return {
    asRoot,
    run: (file, args) => {
      const [cmd, argv] = asRoot ? ['runuser', ['-u', OS_USER, '--', file, ...args]] : [file, args];
      return new Promise((resolve) => {
        // cwd /: the postgres user may not be allowed into our working directory.
        execFile(cmd, argv, { cwd: '/', encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
          const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
          resolve({ code, stdout, stderr: stderr || (err && typeof err.code !== 'number' ? err.message : '') });
        });
      });
    },
  };
}

/**
 * `.data/postgres` in the project, unless we are root and the `postgres` OS user cannot reach the
 * project (e.g. a checkout under /root): then a directory under /var/lib/postgresql named after a
 * hash of the project path, so each checkout keeps its own cluster.
 */
export async function defaultDataDir(): Promise<string> {
  const inProject = path.join(projectRoot(), '.data', 'postgres');
  const r = runner();
  if (!r.asRoot) return inProject;
  await mkdir(path.dirname(inProject), { recursive: true });
  // The data directory itself gets chowned to postgres; what it needs is to traverse down to it.
  if ((await r.run('test', ['-x', path.dirname(inProject)])).code === 0) return inProject;
  const hash = createHash('sha256').update(projectRoot()).digest('hex').slice(0, 12);
  return path.join('/var/lib/postgresql', `meta-integration-${hash}`, 'postgres');
}

async function exists(file: string): Promise<boolean> {
  return stat(file).then(
    () => true,
    () => false,
  );
}

async function postgresIds(): Promise<{ uid: number; gid: number }> {
  const id = (flag: string) =>
    new Promise<number>((resolve, reject) =>
      execFile('id', [flag, OS_USER], { encoding: 'utf8' }, (err, out) =>
        err ? reject(new Error(`no '${OS_USER}' OS user to run PostgreSQL as (run \`bash scripts/bootstrap.sh\`)`)) : resolve(Number(out.trim())),
      ),
    );
  return { uid: await id('-u'), gid: await id('-g') };
}

/** Creates the data directory (owned by whoever will run the server) and checks that user can write it. */
async function prepareDataDir(r: Runner, dataDir: string): Promise<void> {
  await mkdir(path.dirname(dataDir), { recursive: true });
  const fresh = !(await exists(dataDir));
  if (fresh) await mkdir(dataDir, { mode: 0o700 });
  if (r.asRoot) {
    if (fresh || (await readdir(dataDir)).length === 0) {
      const { uid, gid } = await postgresIds();
      await chown(dataDir, uid, gid);
      await chmod(dataDir, 0o700);
    }
    if ((await r.run('test', ['-w', dataDir])).code !== 0) {
      throw new Error(
        `the '${OS_USER}' OS user cannot write ${dataDir} (a parent directory is not traversable by it?); pass another dataDir`,
      );
    }
  }
}

/** Unix sockets are limited to ~107 bytes of path; fall back to /tmp (the port keeps the name unique). */
function socketDirFor(dataDir: string, port: number): string {
  return Buffer.byteLength(path.join(dataDir, `.s.PGSQL.${port}`)) < 100 ? dataDir : '/tmp';
}

const shellQuote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

function url(password: string, port: number, database: string): string {
  return `postgres://${SUPERUSER}:${encodeURIComponent(password)}@127.0.0.1:${port}/${encodeURIComponent(database)}`;
}

async function tail(file: string, lines = 30): Promise<string> {
  try {
    return (await readFile(file, 'utf8')).trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

/** Initializes (when empty), starts (when not running) and opens a local cluster, and creates `database`. */
export async function startLocalPostgres(opts: LocalPostgresOptions): Promise<LocalPostgres> {
  const { log } = opts;
  const r = runner();
  const binDir = opts.binDir ?? findPostgresBinDir();
  const bin = (name: string) => path.join(binDir, name);
  const dataDir = path.resolve(opts.dataDir ?? (await defaultDataDir()));
  const passwordFile = path.join(path.dirname(dataDir), 'pg-password');
  const logFile = path.join(dataDir, 'server.log');
  const fsync = opts.fsync ?? true;

  await prepareDataDir(r, dataDir);

  if (!(await exists(path.join(dataDir, 'PG_VERSION')))) {
    if ((await readdir(dataDir)).length > 0) {
      throw new Error(`${dataDir} is neither empty nor a PostgreSQL data directory; refusing to initialize it`);
    }
    const password = randomBytes(24).toString('base64url');
    await writeFile(passwordFile, `${password}\n`, { mode: 0o600 });
    // initdb reads the password from a file the server's OS user can read; it is removed right after.
    const pwDir = await mkdtemp(path.join(os.tmpdir(), 'pgpw-'));
    const pwFile = path.join(pwDir, 'pw');
    try {
      await writeFile(pwFile, `${password}\n`, { mode: 0o600 });
      if (r.asRoot) {
        const { uid, gid } = await postgresIds();
        await chown(pwDir, uid, gid);
        await chown(pwFile, uid, gid);
      }
      const args = ['-D', dataDir, '-U', SUPERUSER, `--pwfile=${pwFile}`, '--auth=scram-sha-256', '--encoding=UTF8', '--no-locale', '--no-instructions'];
      if (!fsync) args.push('--no-sync');
      const res = await r.run(bin('initdb'), args);
      if (res.code !== 0) throw new Error(`initdb ${dataDir} failed (exit ${res.code}):\n${(res.stderr || res.stdout).trim()}`);
    } finally {
      await rm(pwDir, { recursive: true, force: true });
    }
    log.info({ dataDir }, 'initialized local postgres cluster');
  }

  let password: string;
  try {
    password = (await readFile(passwordFile, 'utf8')).trim();
  } catch {
    throw new Error(`${dataDir} exists but its password file ${passwordFile} is missing; remove the data directory to re-initialize`);
  }

  let port = opts.port;
  let startedHere = false;
  const running = async () => (await r.run(bin('pg_ctl'), ['status', '-D', dataDir])).code === 0;
  const runningPort = async () => {
    // postmaster.pid line 4 holds the port the running server listens on.
    const pidFile = await readFile(path.join(dataDir, 'postmaster.pid'), 'utf8').catch(() => '');
    const p = Number(pidFile.split('\n')[3]);
    return Number.isInteger(p) && p > 0 ? p : opts.port;
  };

  if (await running()) {
    port = await runningPort();
    log.info({ dataDir, port }, 'reusing running local postgres');
  } else {
    const settings = [
      `-p ${port}`,
      `-c listen_addresses=127.0.0.1`,
      `-c unix_socket_directories=${shellQuote(socketDirFor(dataDir, port))}`,
      ...(fsync ? [] : ['-c fsync=off', '-c full_page_writes=off', '-c synchronous_commit=off']),
    ];
    const res = await r.run(bin('pg_ctl'), ['start', '-D', dataDir, '-w', '-t', String(START_TIMEOUT_S), '-l', logFile, '-o', settings.join(' ')]);
    if (res.code !== 0) {
      // Another process may have started the same cluster a moment ago: then share it.
      if (await running()) {
        port = await runningPort();
        log.info({ dataDir, port }, 'reusing local postgres started concurrently');
      } else {
        throw new Error(`pg_ctl start ${dataDir} on port ${port} failed (exit ${res.code}): ${res.stderr.trim()}\n--- ${logFile} (last lines) ---\n${await tail(logFile)}`);
      }
    } else {
      startedHere = true;
      log.info({ dataDir, port, fsync }, 'started local postgres');
    }
  }

  const adminUrl = url(password, port, 'postgres');
  const createDatabase = (name: string) => createDatabaseIfMissing(adminUrl, name);
  const dropDatabase = (name: string) => dropDatabaseIfExists(adminUrl, name);

  let stopped = false;
  const stop = async () => {
    if (!startedHere || stopped) return;
    stopped = true;
    if (!(await running())) return; // e.g. already stopped by a Ctrl-C reaching its process group
    const res = await r.run(bin('pg_ctl'), ['stop', '-D', dataDir, '-m', 'fast', '-w', '-t', String(START_TIMEOUT_S)]);
    if (res.code !== 0) throw new Error(`pg_ctl stop ${dataDir} failed (exit ${res.code}): ${res.stderr.trim()}`);
    log.info({ dataDir }, 'stopped local postgres');
  };

  try {
    const dbUrl = await createDatabase(opts.database);
    return { url: dbUrl, adminUrl, dataDir, port, createDatabase, dropDatabase, stop };
  } catch (err) {
    await stop().catch(() => undefined);
    throw err;
  }
}

function checkName(name: string): string {
  // Database names go into SQL as quoted identifiers; keeping them simple also keeps URLs simple.
  if (!/^[A-Za-z0-9_][A-Za-z0-9_-]{0,62}$/.test(name)) throw new Error(`invalid database name: ${JSON.stringify(name)}`);
  return `"${name}"`;
}

/** URL of database `name` on the same server and with the same credentials as `serverUrl`. */
export function databaseUrl(serverUrl: string, name: string): string {
  const u = new URL(serverUrl);
  u.pathname = `/${encodeURIComponent(name)}`;
  return u.toString();
}

async function withClient<T>(connectionString: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** Creates database `name` on the server of `adminUrl` unless it exists; returns its URL. */
export async function createDatabaseIfMissing(adminUrl: string, name: string): Promise<string> {
  const ident = checkName(name);
  await withClient(adminUrl, async (client) => {
    const found = await client.query('select 1 from pg_database where datname = $1', [name]);
    if (found.rowCount) return;
    try {
      await client.query(`create database ${ident}`);
    } catch (err) {
      if ((err as { code?: string }).code !== '42P04') throw err; // duplicate_database: created concurrently
    }
  });
  return databaseUrl(adminUrl, name);
}

/** Drops database `name`, disconnecting its sessions (PostgreSQL ≥ 13). */
export async function dropDatabaseIfExists(adminUrl: string, name: string): Promise<void> {
  const ident = checkName(name);
  await withClient(adminUrl, (client) => client.query(`drop database if exists ${ident} with (force)`));
}
