import { execFileSync } from 'node:child_process';
import { accessSync, constants, existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { projectRoot } from '../../src/project-root.js';

export { projectRoot };

/**
 * Locates the external binaries the local stack runs (Temporal CLI, time-skipping test server,
 * PostgreSQL). `scripts/bootstrap.sh` installs them and resolves them in the same order, so what it
 * accepted is what we find here.
 */

const BOOTSTRAP_HINT = 'run `bash scripts/bootstrap.sh` from the project root';

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function onPath(name: string, env: NodeJS.ProcessEnv): string | undefined {
  for (const dir of (env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, name);
    if (isExecutable(candidate)) return candidate;
  }
  return undefined;
}

function fromEnv(variable: string, env: NodeJS.ProcessEnv): string | undefined {
  const value = env[variable];
  if (!value) return undefined;
  const resolved = path.resolve(value);
  if (!isExecutable(resolved)) throw new Error(`${variable}=${value} is not an executable file`);
  return resolved;
}

/** `$TEMPORAL_CLI_PATH`, else the pinned `.tools/bin/temporal`, else `temporal` on PATH. */
export function findTemporalCli(env: NodeJS.ProcessEnv = process.env): string {
  const found =
    fromEnv('TEMPORAL_CLI_PATH', env) ??
    [path.join(projectRoot(), '.tools/bin/temporal')].find(isExecutable) ??
    onPath('temporal', env);
  if (!found) {
    throw new Error(`Temporal CLI not found (no TEMPORAL_CLI_PATH, .tools/bin/temporal or temporal on PATH): ${BOOTSTRAP_HINT}`);
  }
  return found;
}

/** `$TEMPORAL_TEST_SERVER_PATH`, else the pinned `.tools/bin/temporal-test-server`. */
export function findTemporalTestServer(env: NodeJS.ProcessEnv = process.env): string {
  const found =
    fromEnv('TEMPORAL_TEST_SERVER_PATH', env) ??
    [path.join(projectRoot(), '.tools/bin/temporal-test-server')].find(isExecutable);
  if (!found) {
    throw new Error(
      `Temporal time-skipping test server not found (no TEMPORAL_TEST_SERVER_PATH or .tools/bin/temporal-test-server): ${BOOTSTRAP_HINT}`,
    );
  }
  return found;
}

const hasServerBinaries = (dir: string) => isExecutable(path.join(dir, 'initdb')) && isExecutable(path.join(dir, 'pg_ctl'));

/** Directory holding `initdb`/`pg_ctl`/`postgres`: from `pg_config --bindir`, else the newest Debian `/usr/lib/postgresql/<v>/bin`. */
export function findPostgresBinDir(env: NodeJS.ProcessEnv = process.env): string {
  try {
    const dir = execFileSync('pg_config', ['--bindir'], { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    if (dir && hasServerBinaries(dir)) return dir;
  } catch {
    // No pg_config (client-only install or none at all): fall through to the Debian layout.
  }
  const base = '/usr/lib/postgresql';
  const versions = existsSync(base)
    ? readdirSync(base)
        .filter((v) => /^\d+(\.\d+)?$/.test(v))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  for (const version of versions) {
    const dir = path.join(base, version, 'bin');
    if (hasServerBinaries(dir)) return dir;
  }
  throw new Error(`PostgreSQL server binaries (initdb, pg_ctl) not found via pg_config or ${base}/*/bin: ${BOOTSTRAP_HINT}`);
}
