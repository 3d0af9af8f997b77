import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { projectRoot } from '../../dev/infra/tools.js';

/** A child process of the production test, in its own process group, its output appended to a log file. */
export interface Proc {
  name: string;
  pid: number;
  logFile: string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  running(): boolean;
  /** SIGTERM to the group, SIGKILL after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
  /** SIGKILL to the group: a crash, nothing flushed, nothing drained. */
  kill(): Promise<void>;
  tail(lines?: number): string;
}

const live = new Set<Proc>();
// Whatever happens to the test, none of its servers outlive it.
process.on('exit', () => {
  for (const p of live) {
    try {
      process.kill(-p.pid, 'SIGKILL');
    } catch {
      // gone
    }
  }
});

export function start(name: string, command: string, args: string[], env: Record<string, string>, logFile: string): Proc {
  const fd = openSync(logFile, 'a');
  const child = spawn(command, args, { env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/tmp', ...env }, stdio: ['ignore', fd, fd], detached: true, cwd: projectRoot() });
  closeSync(fd);
  let done = false;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on('exit', (code, signal) => {
      done = true;
      live.delete(proc);
      resolve({ code, signal });
    });
    child.on('error', () => {
      done = true;
      live.delete(proc);
      resolve({ code: null, signal: null });
    });
  });
  const signal = (sig: NodeJS.Signals) => {
    try {
      process.kill(-child.pid!, sig);
    } catch {
      // already gone
    }
  };
  const proc: Proc = {
    name,
    pid: child.pid!,
    logFile,
    exited,
    running: () => !done,
    async stop(graceMs = 30_000) {
      if (done) return;
      signal('SIGTERM');
      const graceful = await Promise.race([exited.then(() => true), sleep(graceMs, false)]);
      if (!graceful) {
        signal('SIGKILL');
        await exited;
      }
    },
    async kill() {
      if (done) return;
      signal('SIGKILL');
      await exited;
    },
    tail(lines = 30) {
      try {
        return readFileSync(logFile, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
      } catch {
        return '(no output)';
      }
    },
  };
  live.add(proc);
  return proc;
}

/** Runs a command to completion; rejects with its output's tail when it fails. */
export async function run(name: string, command: string, args: string[], env: Record<string, string>, logFile: string, timeoutMs = 120_000): Promise<void> {
  const p = start(name, command, args, env, logFile);
  const result = await Promise.race([p.exited, sleep(timeoutMs).then(() => undefined)]);
  if (!result) {
    await p.kill();
    throw new Error(`${name} did not finish within ${timeoutMs} ms:\n${p.tail()}`);
  }
  if (result.code !== 0) throw new Error(`${name} failed (code ${result.code}, signal ${result.signal}):\n${p.tail()}`);
}

/** Polls until `ready` holds; fails early with the process's output if it exits. */
export async function waitFor(what: string, ready: () => Promise<boolean>, timeoutMs: number, proc?: Proc, pollMs = 250): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await ready().catch(() => false)) return;
    if (proc && !proc.running()) throw new Error(`${proc.name} exited before ${what}:\n${proc.tail()}`);
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${proc ? `:\n${proc.tail()}` : ''}`);
    await sleep(pollMs);
  }
}
