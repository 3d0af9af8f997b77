import { spawn } from 'node:child_process';
import path from 'node:path';
import proto from '@temporalio/proto';
import { projectRoot } from '../../dev/infra/tools.js';
import type { TestService } from './service.js';

const WORKER_ENTRY = path.join(projectRoot(), 'dist', 'src', 'main-worker.js');
const { TaskQueueType } = proto.temporal.api.enums.v1;

/** `node dist/src/main-worker.js` in a process group of its own, so one signal reaches all of it. */
export interface WorkerProcess {
  pid: number;
  /** SIGKILL to the whole group; resolves once the process is gone. */
  kill(): Promise<void>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** The last lines the worker wrote, for failure messages. */
  output(): string;
}

/**
 * Worker processes of a test service: the real entry point with the service's configuration, each
 * started once it polls both sides of the task queue. `killAll` also runs on process exit, so a
 * crashed test run never leaves a detached worker polling.
 */
export function workerProcesses(service: () => TestService) {
  const workers: WorkerProcess[] = [];
  const killAll = () => {
    for (const w of workers) {
      try {
        process.kill(-w.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  };
  process.on('exit', killAll);

  async function polling(pid: number): Promise<boolean> {
    const { client, config } = service();
    const types = [TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW, TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY];
    const answers = await Promise.all(
      types.map((taskQueueType) => client.workflowService.describeTaskQueue({ namespace: config.temporal.namespace, taskQueue: { name: config.temporal.taskQueue }, taskQueueType })),
    );
    return answers.every((a) => (a.pollers ?? []).some((p) => p.identity?.startsWith(`${pid}@`)));
  }

  return {
    async start(): Promise<WorkerProcess> {
      const child = spawn(process.execPath, [WORKER_ENTRY], {
        env: { PATH: process.env.PATH ?? '', ...service().env, LOG_LEVEL: 'warn' },
        stdio: ['ignore', 'pipe', 'pipe'],
        detached: true,
      });
      const lines: string[] = [];
      const keep = (chunk: Buffer) => {
        lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
        lines.splice(0, Math.max(0, lines.length - 40));
      };
      child.stdout!.on('data', keep);
      child.stderr!.on('data', keep);
      let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
      const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
        child.on('exit', (code, signal) => resolve((exit = { code, signal })));
        child.on('error', () => resolve((exit ??= { code: null, signal: null })));
      });
      const pid = child.pid!;
      const worker: WorkerProcess = {
        pid,
        exited,
        output: () => lines.join('\n'),
        async kill() {
          if (!exit) process.kill(-pid, 'SIGKILL');
          await exited;
        },
      };
      workers.push(worker);

      const deadline = Date.now() + 60_000;
      while (!(await polling(pid))) {
        if (exit) throw new Error(`worker exited before polling (code ${exit.code}, signal ${exit.signal}):\n${worker.output()}`);
        if (Date.now() > deadline) throw new Error(`worker ${pid} did not poll the task queue within 60 s:\n${worker.output()}`);
        await new Promise((r) => setTimeout(r, 200));
      }
      return worker;
    },

    /** Kills every worker started here and waits for them to be gone. */
    async stopAll(): Promise<void> {
      killAll();
      await Promise.all(workers.map((w) => w.exited));
      process.off('exit', killAll);
    },
  };
}
