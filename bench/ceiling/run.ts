/**
 * `node dist/bench/ceiling/run.js --address host:port [--namespace default] [--seconds 10] [--in-flight 64]
 *                                  [--kinds empty,local,local-upsert,activity,update]
 *                                  [--tls-ca ca.pem --tls-cert client.pem --tls-key client.key [--tls-server-name temporal]]`
 *
 * Temporal's own ceiling on a server: workflows of bench/ceiling/workflows.ts started and awaited at max
 * rate (closed loop, --in-flight outstanding), worker and client in this one process, after a 2 s
 * warm-up per kind. Prints one JSON object: completed workflows per second per kind. The benchmarks run
 * it as a child process against their own Temporal server, in the same run as the service. With the
 * --tls-* files it connects with mTLS, as the service does (its TEMPORAL_TLS_* files), so it can
 * measure a production-shaped server too.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Client, Connection, WithStartWorkflowOperation } from '@temporalio/client';
import { bundleWorkflowCode, DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { numberOption } from '../support/options.js';
import { ceilingUpdate } from './workflows.js';

export const CEILING_KINDS = ['empty', 'local', 'local-upsert', 'activity', 'update'] as const;
export type CeilingKind = (typeof CEILING_KINDS)[number];
const WORKFLOW_OF: Record<CeilingKind, string> = {
  empty: 'emptyWorkflow',
  local: 'oneLocalActivityWorkflow',
  'local-upsert': 'oneLocalActivityAndUpsertWorkflow',
  activity: 'oneActivityWorkflow',
  update: 'emptyUpdateWithStartWorkflow',
};
const WARMUP_SECONDS = 2;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      address: { type: 'string' },
      namespace: { type: 'string', default: 'default' },
      seconds: { type: 'string', default: '10' },
      'in-flight': { type: 'string', default: '64' },
      kinds: { type: 'string', default: CEILING_KINDS.join(',') },
      'tls-ca': { type: 'string' },
      'tls-cert': { type: 'string' },
      'tls-key': { type: 'string' },
      'tls-server-name': { type: 'string' },
    },
    strict: true,
  });
  if (!values.address) throw new Error('--address is required');
  const seconds = numberOption('seconds', values.seconds, 1);
  const inFlight = numberOption('in-flight', values['in-flight'], 1, true);
  const kinds = values.kinds!.split(',').map((k) => {
    if (!(CEILING_KINDS as readonly string[]).includes(k)) throw new Error(`unknown kind ${k}`);
    return k as CeilingKind;
  });

  const tlsFiles = [values['tls-ca'], values['tls-cert'], values['tls-key']];
  if (tlsFiles.some(Boolean) && !tlsFiles.every(Boolean)) throw new Error('--tls-ca, --tls-cert and --tls-key go together');
  const tls = values['tls-ca']
    ? {
        serverRootCACertificate: readFileSync(values['tls-ca']),
        clientCertPair: { crt: readFileSync(values['tls-cert']!), key: readFileSync(values['tls-key']!) },
        ...(values['tls-server-name'] ? { serverNameOverride: values['tls-server-name'] } : {}),
      }
    : undefined;

  Runtime.install({ logger: new DefaultLogger('ERROR') });
  const taskQueue = `ceiling-${randomUUID()}`;
  const workflowBundle = await bundleWorkflowCode({
    workflowsPath: path.join(path.dirname(fileURLToPath(import.meta.url)), 'workflows.js'),
    logger: new DefaultLogger('ERROR'),
  });
  const nativeConnection = await NativeConnection.connect({ address: values.address, ...(tls ? { tls } : {}) });
  const worker = await Worker.create({ connection: nativeConnection, namespace: values.namespace!, taskQueue, workflowBundle, activities: { noop: async () => undefined } });
  const client = new Client({ connection: await Connection.connect({ address: values.address, ...(tls ? { tls } : {}) }), namespace: values.namespace! });

  const once = async (kind: CeilingKind): Promise<void> => {
    const workflowId = `ceiling-${kind}-${randomUUID()}`;
    if (kind === 'update') {
      const start = new WithStartWorkflowOperation(WORKFLOW_OF.update, { workflowId, taskQueue, workflowIdConflictPolicy: 'USE_EXISTING' });
      await client.workflow.executeUpdateWithStart(ceilingUpdate, { startWorkflowOperation: start });
      return;
    }
    await client.workflow.execute(WORKFLOW_OF[kind], { workflowId, taskQueue });
  };
  /** Completions per second over `forSeconds`, `inFlight` outstanding all along. */
  const drive = async (kind: CeilingKind, forSeconds: number): Promise<number> => {
    const started = process.hrtime.bigint();
    const end = started + BigInt(Math.round(forSeconds * 1e9));
    let done = 0;
    await Promise.all(
      Array.from({ length: inFlight }, async () => {
        while (process.hrtime.bigint() < end) {
          await once(kind);
          done += 1;
        }
      }),
    );
    return done / (Number(process.hrtime.bigint() - started) / 1e9);
  };

  const result: Record<string, number> = {};
  await worker.runUntil(async () => {
    for (const kind of kinds) {
      await drive(kind, WARMUP_SECONDS);
      result[kind] = Math.round((await drive(kind, seconds)) * 10) / 10;
    }
  });
  await client.connection.close();
  await nativeConnection.close();
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`ceiling failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
