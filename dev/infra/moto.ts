import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './local-temporal.js';
import { projectRoot } from './tools.js';

/**
 * A real S3-compatible server for the tests of the S3 media store: moto's standalone server mode
 * (PyPI `moto[server]`, Apache-2.0), which speaks the S3 REST API. Installed only when a test needs
 * it, like bootstrap.sh installs the Temporal wheels: `pip install --target` into `.tools/moto-<v>`
 * (or `$MOTO_DIR`), never into the system's Python. Started on a free loopback port, stopped by the test.
 */

export const MOTO_VERSION = '5.2.5';
const run = promisify(execFile);

function motoDir(env: NodeJS.ProcessEnv): string {
  return env.MOTO_DIR ? path.resolve(env.MOTO_DIR) : path.join(projectRoot(), '.tools', `moto-${MOTO_VERSION}`);
}

/** Installs moto into its own directory when it is not there yet; returns that directory. */
export async function ensureMoto(env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const dir = motoDir(env);
  if (existsSync(path.join(dir, 'moto', '__init__.py'))) return dir;
  mkdirSync(dir, { recursive: true });
  await run('python3', ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', '--no-input', '--target', dir, `moto[server]==${MOTO_VERSION}`], {
    env: { ...env, PIP_NO_WARN_SCRIPT_LOCATION: '1' },
    maxBuffer: 16 * 1024 * 1024,
  });
  return dir;
}

export interface RunningMoto {
  /** e.g. `http://127.0.0.1:45123`: the S3 endpoint (path-style). */
  endpoint: string;
  stop(): Promise<void>;
}

/** Starts `python3 -m moto.server` on a free loopback port and waits until it answers. */
export async function startMoto(env: NodeJS.ProcessEnv = process.env): Promise<RunningMoto> {
  const dir = await ensureMoto(env);
  const port = await freePort();
  const child: ChildProcess = spawn('python3', ['-m', 'moto.server', '-H', '127.0.0.1', '-p', String(port)], {
    env: { ...env, PYTHONPATH: dir, PYTHONDONTWRITEBYTECODE: '1' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString('utf8')).slice(-4000);
  });
  const endpoint = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`moto server exited with ${child.exitCode}: ${stderr}`);
    try {
      const res = await fetch(`${endpoint}/moto-api/`, { signal: AbortSignal.timeout(1000) });
      await res.body?.cancel();
      break;
    } catch {
      if (Date.now() > deadline) {
        child.kill('SIGKILL');
        throw new Error(`moto server did not answer within 60 s: ${stderr}`);
      }
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  return {
    endpoint,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
