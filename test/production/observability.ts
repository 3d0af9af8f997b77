import { readFileSync } from 'node:fs';
import path from 'node:path';
import { projectRoot } from '../../dev/infra/tools.js';

/** Where operators' queries live: the Grafana dashboard and the Prometheus alert rules. */
export const QUERY_FILES = ['deploy/grafana/dashboard.json', 'deploy/prometheus/alerts.yml'];
/** The prefix compose and the test give every metric of the service (METRICS_PREFIX). */
export const PREFIX = 'mis_';

/** Every `mis_…` series name the dashboard and the alert rules query. */
export function queriedMetrics(): string[] {
  const names = new Set<string>();
  for (const file of QUERY_FILES) {
    const text = readFileSync(path.join(projectRoot(), file), 'utf8');
    for (const m of text.matchAll(new RegExp(`\\b(${PREFIX}[a-zA-Z0-9_:]+)`, 'g'))) names.add(m[1]!);
  }
  return [...names].sort();
}

/** Sample names in Prometheus text exposition (histograms' _bucket/_sum/_count included). */
export function exportedSamples(texts: string[]): Set<string> {
  const names = new Set<string>();
  for (const text of texts) {
    for (const line of text.split('\n')) {
      if (!line || line.startsWith('#')) continue;
      names.add(/^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(line)![0]);
    }
  }
  return names;
}

/** Queried names no scraped process exports. */
export function checkObservedMetrics(texts: string[]): string[] {
  const exported = exportedSamples(texts);
  return queriedMetrics().filter((name) => !exported.has(name));
}
