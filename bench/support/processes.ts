import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, closeSync, cpSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { projectRoot } from '../../dev/infra/tools.js';

/** A Node child process of a benchmark, in its own process group, with its output in a log file. */
export interface Child {
  name: string;
  pid: number;
  logFile: string;
  exited: Promise<void>;
  exitCode(): { code: number | null; signal: NodeJS.Signals | null } | undefined;
  /** SIGTERM to the group, then SIGKILL after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
  logTail(lines?: number): string;
}

/** Every child spawned so far (for keeping their logs, or printing them after a failure). */
export const children: Child[] = [];
// A benchmark that dies must not leave its api, worker or servers running.
process.on('exit', () => {
  for (const c of children) {
    try {
      process.kill(-c.pid, 'SIGKILL');
    } catch {
      // gone
    }
  }
});

/**
 * Starts a child Node process with only `env` (and PATH): the service's children see what its config
 * parsed, nothing of the shell's. BENCH_CHILD_NODE_OPTIONS is the exception, passed on as NODE_OPTIONS
 * so that a run can profile its children (e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`).
 */
export function spawnNode(name: string, args: string[], env: Record<string, string>, logFile: string, defaultGraceMs = 10_000): Child {
  const fd = openSync(logFile, 'a');
  const nodeOptions = process.env.BENCH_CHILD_NODE_OPTIONS ? { NODE_OPTIONS: process.env.BENCH_CHILD_NODE_OPTIONS } : {};
  const child = spawn(process.execPath, args, { env: { PATH: process.env.PATH ?? '', ...nodeOptions, ...env }, stdio: ['ignore', fd, fd], detached: true, cwd: projectRoot() });
  closeSync(fd);
  let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  const exited = new Promise<void>((resolve) => {
    child.on('exit', (code, signal) => {
      exit = { code, signal };
      resolve();
    });
    child.on('error', () => {
      exit ??= { code: null, signal: null };
      resolve();
    });
  });
  const handle: Child = {
    name,
    pid: child.pid!,
    logFile,
    exited,
    exitCode: () => exit,
    async stop(graceMs = defaultGraceMs) {
      if (exit) return;
      try {
        process.kill(-handle.pid, 'SIGTERM');
      } catch {
        return;
      }
      const graceful = await Promise.race([exited.then(() => true), sleep(graceMs, false, { ref: false })]);
      if (!graceful) {
        try {
          process.kill(-handle.pid, 'SIGKILL');
        } catch {
          // gone
        }
        await exited;
      }
    },
    logTail(lines = 20) {
      try {
        return readFileSync(logFile, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
      } catch {
        return '(no output)';
      }
    },
  };
  children.push(handle);
  return handle;
}

/** Polls `ready` until it holds; fails early, with the child's last output, if the child exits. */
export async function waitUntil(what: string, child: Child | undefined, timeoutMs: number, ready: () => Promise<boolean>, pollMs = 100): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await ready().catch(() => false)) return;
    const exit = child?.exitCode();
    if (child && exit) throw new Error(`${child.name} exited (code ${exit.code}, signal ${exit.signal}) before ${what}:\n${child.logTail()}`);
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${child ? `:\n${child.logTail()}` : ''}`);
    await sleep(pollMs);
  }
}

/** The first line a command prints for its version, or `?`. */
export function version(cmd: string, args: string[]): string {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim().split('\n')[0] ?? '?';
  } catch {
    return '?';
  }
}

/**
 * Teardown steps run in reverse order, once, also on SIGINT/SIGTERM (then the process exits 130), so
 * an interrupted benchmark leaves no server or temporary directory behind.
 */
export function teardownOnExit(): { add(step: () => Promise<void>): void; run(): Promise<void> } {
  const steps: Array<() => Promise<void>> = [];
  const run = async () => {
    for (const step of steps.reverse()) await step().catch((err: unknown) => process.stderr.write(`teardown step failed: ${String(err)}\n`));
    steps.length = 0;
  };
  let interrupted = false;
  const onSignal = () => {
    if (interrupted) return;
    interrupted = true;
    process.stderr.write('interrupted: tearing down\n');
    void run().then(() => process.exit(130));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return { add: (step) => void steps.push(step), run };
}

/**
 * A scratch directory for a benchmark's servers and logs, removed at teardown (its children's logs
 * copied elsewhere first with `keepLogs`). As root the PostgreSQL server runs as the postgres OS user,
 * which must traverse (not list) mkdtemp's 0700 directory.
 */
export function scratchDir(prefix: string, keepLogs: boolean, teardown: { add(step: () => Promise<void>): void }): string {
  const tmp = mkdtempSync(path.join(os.tmpdir(), `${prefix}-`));
  teardown.add(async () => {
    if (keepLogs) {
      const kept = mkdtempSync(path.join(os.tmpdir(), `${prefix}-logs-`));
      for (const c of children) if (existsSync(c.logFile)) cpSync(c.logFile, path.join(kept, path.basename(c.logFile)));
      process.stderr.write(`logs kept in ${kept}\n`);
    }
    rmSync(tmp, { recursive: true, force: true });
  });
  chmodSync(tmp, 0o711);
  return tmp;
}
