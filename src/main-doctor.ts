import { startProcess } from './entry.js';
import { createPool, databaseReachable } from './db/pool.js';
import { diagnoseMeta, formatFindings, type Finding } from './meta/doctor.js';
import { ALL_SEARCH_ATTRIBUTES } from './shared/search-attributes.js';
import { connectTemporal } from './temporal/connect.js';

/**
 * `npm run doctor` (`node dist/src/main-doctor.js`, in production `docker compose run --rm api node
 * dist/src/main-doctor.js`): checks this configuration against Meta (src/meta/doctor.ts), PostgreSQL
 * and Temporal, and prints what is missing. Exit code 1 when anything must be fixed.
 */
startProcess('doctor', async (config) => {
  const findings: Finding[] = await diagnoseMeta(config);

  const pool = createPool({ url: config.database.url, poolMax: 1, applicationName: 'meta-integration-doctor' });
  findings.push(
    (await databaseReachable(pool))
      ? { level: 'ok', check: 'PostgreSQL', detail: 'reachable' }
      : { level: 'error', check: 'PostgreSQL', detail: 'DATABASE_URL does not answer' },
  );
  await pool.end();

  const namespace = config.temporal.namespace;
  try {
    const connection = await connectTemporal(config.temporal);
    try {
      const ns = await connection.workflowService.describeNamespace({ namespace });
      const hours = Number(ns.config?.workflowExecutionRetentionTtl?.seconds ?? 0) / 3600;
      findings.push(
        hours >= 192
          ? { level: 'ok', check: 'Temporal namespace', detail: `${namespace}, retention ${hours} h` }
          : { level: 'error', check: 'Temporal namespace', detail: `${namespace} keeps closed workflows ${hours} h; at least 192 h: run npm run temporal:setup` },
      );
      const { customAttributes } = await connection.operatorService.listSearchAttributes({ namespace });
      const missing = ALL_SEARCH_ATTRIBUTES.map((k) => k.name).filter((name) => customAttributes?.[name] === undefined);
      findings.push(
        missing.length
          ? { level: 'error', check: 'Temporal search attributes', detail: `missing ${missing.join(', ')}: run npm run temporal:setup` }
          : { level: 'ok', check: 'Temporal search attributes', detail: 'all registered' },
      );
    } finally {
      await connection.close();
    }
  } catch (err) {
    const reason = err instanceof Error ? err.message.split('\n')[0] : String(err);
    findings.push({ level: 'error', check: 'Temporal', detail: `${config.temporal.address} namespace ${namespace}: ${reason} (TEMPORAL_* variables; npm run temporal:setup creates the namespace)` });
  }

  process.stdout.write(`${formatFindings(findings)}\n`);
  const errors = findings.filter((f) => f.level === 'error').length;
  process.stdout.write(errors ? `doctor: ${errors} problem(s) to fix\n` : 'doctor: nothing to fix (check the → lines in the App Dashboard)\n');
  process.exitCode = errors ? 1 : 0;
});
