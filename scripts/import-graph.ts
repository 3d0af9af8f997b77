import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import ts from 'typescript';
import { projectRoot } from '../src/project-root.js';

/**
 * The shape of src/ as numbers the lead can compare before and after a change: imports that point
 * "up" across layers, import cycles, the largest files, what each process loads, and where workflows
 * are started, signalled, updated or queried.
 *
 *   npm run build && node dist/scripts/import-graph.js [src-dir] [--json]
 *
 * Layers (an import may only point to its own layer or one listed as below it):
 *   shared      workflow-safe plain data                       → shared
 *   infra       db, meta, dsk, vault, crypto, outbound, config, logger, metrics
 *                                                              → shared, infra
 *   workflows   deterministic orchestration                    → shared, workflows (+ `import type` of activities)
 *   temporal    client/worker plumbing                         → shared, infra, workflows, temporal
 *   activities  thin wrappers around infrastructure            → shared, infra, workflows, activities
 *   api         Koa app and the inbound intake (api/, inbound/) → shared, infra, workflows, temporal, api
 *   root        main-*.ts, entry.ts, runtime*.ts (composition) → anything
 * Type-only imports count too (a type is a dependency); the only exception is the Temporal idiom of
 * workflows importing activity *types* for proxyActivities.
 */

export type Layer = 'shared' | 'infra' | 'workflows' | 'temporal' | 'activities' | 'api' | 'root';

const ALLOWED: Record<Layer, readonly Layer[]> = {
  shared: ['shared'],
  infra: ['shared', 'infra'],
  workflows: ['shared', 'workflows'],
  temporal: ['shared', 'infra', 'workflows', 'temporal'],
  activities: ['shared', 'infra', 'workflows', 'activities'],
  api: ['shared', 'infra', 'workflows', 'temporal', 'api'],
  root: ['shared', 'infra', 'workflows', 'temporal', 'activities', 'api', 'root'],
};

export function layerOf(file: string): Layer {
  const [top] = file.split('/');
  if (file.includes('/')) {
    switch (top) {
      case 'shared':
        return 'shared';
      case 'workflows':
        return 'workflows';
      case 'activities':
        return 'activities';
      case 'api':
      case 'inbound':
        return 'api';
      case 'temporal':
        return 'temporal';
      default:
        return 'infra';
    }
  }
  return /^(main-.*|entry|runtime.*)\.(ts|js)$/.test(file) ? 'root' : 'infra';
}

export interface Edge {
  from: string;
  to: string;
  typeOnly: boolean;
}

export interface Graph {
  files: Map<string, { lines: number; source: ts.SourceFile }>;
  edges: Edge[];
  /** Bare specifiers (packages) each file imports at runtime. */
  packages: Map<string, Set<string>>;
}

function walk(dir: string, base: string, extension: '.ts' | '.js', out: string[]): void {
  for (const name of readdirSync(dir)) {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) walk(full, base, extension, out);
    else if (name.endsWith(extension) && !name.endsWith('.d.ts')) out.push(path.relative(base, full).split(path.sep).join('/'));
  }
}

function isTypeOnly(node: ts.ImportDeclaration | ts.ExportDeclaration): boolean {
  if (ts.isExportDeclaration(node)) return node.isTypeOnly;
  const clause = node.importClause;
  if (!clause) return false; // side-effect import
  if (clause.isTypeOnly) return true;
  if (clause.name) return false;
  const bindings = clause.namedBindings;
  return bindings !== undefined && ts.isNamedImports(bindings) && bindings.elements.length > 0 && bindings.elements.every((e) => e.isTypeOnly);
}

/**
 * Reads every `.ts` file under `srcDir` (or every `.js` file, for the compiled tree in dist/src) and
 * its static imports and re-exports; dynamic imports count as value edges.
 */
export function readGraph(srcDir: string, extension: '.ts' | '.js' = '.ts'): Graph {
  const names: string[] = [];
  walk(srcDir, srcDir, extension, names);
  const files: Graph['files'] = new Map();
  const edges: Edge[] = [];
  const packages: Graph['packages'] = new Map();
  for (const name of names.sort()) {
    const text = readFileSync(path.join(srcDir, name), 'utf8');
    const source = ts.createSourceFile(name, text, ts.ScriptTarget.ES2022, true);
    files.set(name, { lines: text.split('\n').length - (text.endsWith('\n') ? 1 : 0), source });
    const add = (specifier: string, typeOnly: boolean) => {
      if (specifier.startsWith('.')) {
        const target = path.posix.normalize(path.posix.join(path.posix.dirname(name), specifier)).replace(/\.js$/, extension);
        edges.push({ from: name, to: target, typeOnly });
      } else if (!typeOnly) {
        const pkg = specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : specifier.split('/')[0]!;
        if (!packages.has(name)) packages.set(name, new Set());
        packages.get(name)!.add(pkg);
      }
    };
    const visit = (node: ts.Node) => {
      if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
        add(node.moduleSpecifier.text, isTypeOnly(node));
      } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword && node.arguments[0] && ts.isStringLiteral(node.arguments[0])) {
        add(node.arguments[0].text, false);
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
  return { files, edges, packages };
}

export function upwardImports(graph: Graph): Edge[] {
  return graph.edges.filter((e) => {
    const from = layerOf(e.from);
    const to = layerOf(e.to);
    if (ALLOWED[from].includes(to)) return false;
    return !(from === 'workflows' && to === 'activities' && e.typeOnly);
  });
}

/** Strongly connected components of more than one file (Tarjan), each sorted; type-only edges included. */
export function cycles(graph: Graph): string[][] {
  const adjacency = new Map<string, string[]>();
  for (const e of graph.edges) {
    if (!adjacency.has(e.from)) adjacency.set(e.from, []);
    adjacency.get(e.from)!.push(e.to);
  }
  let index = 0;
  const indices = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const connect = (v: string) => {
    indices.set(v, index);
    low.set(v, index);
    index += 1;
    stack.push(v);
    onStack.add(v);
    for (const w of adjacency.get(v) ?? []) {
      if (!indices.has(w)) {
        connect(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v)!, indices.get(w)!));
      }
    }
    if (low.get(v) === indices.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1) found.push(component.sort());
    }
  };
  for (const file of graph.files.keys()) if (!indices.has(file)) connect(file);
  return found;
}

/** The module a file belongs to: its top-level directory under src/, or the file itself at the top. */
export function moduleOf(file: string): string {
  return file.includes('/') ? `${file.split('/')[0]}/` : file;
}

/** Cycles between modules (top-level directories): `outbound/` → `api/` → `outbound/` is one even when no file cycle exists. */
export function moduleCycles(graph: Graph): string[][] {
  const edges = new Map<string, Edge>();
  for (const e of graph.edges) {
    const from = moduleOf(e.from);
    const to = moduleOf(e.to);
    if (from !== to) edges.set(`${from}→${to}`, { from, to, typeOnly: e.typeOnly && (edges.get(`${from}→${to}`)?.typeOnly ?? true) });
  }
  const modules = new Map([...new Set([...graph.files.keys()].map(moduleOf))].map((m) => [m, { lines: 0, source: undefined as unknown as ts.SourceFile }]));
  return cycles({ files: modules, edges: [...edges.values()], packages: new Map() });
}

/** Files a process loads at runtime from its entry module (value imports only: types are erased). */
export function reach(graph: Graph, entry: string): { files: Set<string>; packages: Set<string> } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const pending = [entry];
  while (pending.length > 0) {
    const file = pending.pop()!;
    if (files.has(file)) continue;
    files.add(file);
    for (const pkg of graph.packages.get(file) ?? []) packages.add(pkg);
    for (const e of graph.edges) if (e.from === file && !e.typeOnly) pending.push(e.to);
  }
  return { files, packages };
}

const WORKFLOW_OPERATIONS = new Set(['start', 'execute', 'signal', 'signalWithStart', 'executeUpdate', 'executeUpdateWithStart', 'startUpdate', 'query', 'getHandle']);

/**
 * Calls that start, signal, update, query or look up a workflow from outside it: `<x>.workflow(s).start(…)`,
 * `handle.signal(…)`, `getHandle(…)` and the like, found by name (a `pool.query` is told apart by its
 * receiver: `query` counts only with a Query definition as first argument). Workflow code's own
 * `getExternalWorkflowHandle` is listed separately.
 */
export function workflowCallSites(graph: Graph): Array<{ file: string; line: number; call: string }> {
  const sites: Array<{ file: string; line: number; call: string }> = [];
  for (const [file, { source }] of graph.files) {
    const visit = (node: ts.Node) => {
      if (ts.isCallExpression(node)) {
        const callee = node.expression;
        const name = ts.isPropertyAccessExpression(callee) ? callee.name.text : ts.isIdentifier(callee) ? callee.text : undefined;
        const receiver = ts.isPropertyAccessExpression(callee) ? callee.expression.getText(source) : '';
        const first = node.arguments[0]?.getText(source) ?? '';
        const temporalish =
          name === 'getExternalWorkflowHandle' ||
          (name !== undefined &&
            WORKFLOW_OPERATIONS.has(name) &&
            ts.isPropertyAccessExpression(callee) &&
            (name === 'query' ? /Query$/.test(first) : name === 'start' || name === 'execute' ? /workflow/i.test(receiver) : !/schedule/i.test(receiver)));
        if (temporalish) {
          const { line } = source.getLineAndCharacterOfPosition(node.getStart(source));
          sites.push({ file, line: line + 1, call: name! });
        }
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
  return sites;
}

export function report(srcDir: string) {
  const graph = readGraph(srcDir);
  const upward = upwardImports(graph);
  const api = graph.files.has('main-api.ts') ? reach(graph, 'main-api.ts') : undefined;
  const worker = graph.files.has('main-worker.ts') ? reach(graph, 'main-worker.ts') : undefined;
  const sites = workflowCallSites(graph);
  const outside = sites.filter((s) => layerOf(s.file) !== 'workflows');
  const filesWith = (calls: readonly string[]) => [...new Set(outside.filter((s) => calls.includes(s.call)).map((s) => s.file))];
  return {
    files: graph.files.size,
    imports: graph.edges.length,
    upward: upward.map((e) => ({ ...e, fromLayer: layerOf(e.from), toLayer: layerOf(e.to) })),
    cycles: cycles(graph),
    moduleCycles: moduleCycles(graph),
    largest: [...graph.files].map(([file, f]) => ({ file, lines: f.lines })).sort((a, b) => b.lines - a.lines).slice(0, 10),
    processes: {
      api: api && { files: api.files.size, activities: [...api.files].filter((f) => f.startsWith('activities/')), rateLimiter: api.files.has('db/send-rate-slots.ts') || api.files.has('db/send-rate-limiter.ts') },
      worker: worker && { files: worker.files.size, api: [...worker.files].filter((f) => layerOf(f) === 'api'), koa: [...worker.packages].filter((p) => p === 'koa' || p === '@koa/router') },
    },
    workflowCalls: {
      sites: outside.length,
      files: filesWith([...WORKFLOW_OPERATIONS]),
      startFiles: filesWith(['start', 'execute', 'signalWithStart', 'executeUpdateWithStart']),
      signalFiles: filesWith(['signal', 'signalWithStart']),
      byFile: Object.fromEntries(filesWith([...WORKFLOW_OPERATIONS]).map((f) => [f, outside.filter((s) => s.file === f).map((s) => `${s.call}:${s.line}`)])),
      fromWorkflows: sites.filter((s) => layerOf(s.file) === 'workflows').map((s) => `${s.file}:${s.line} ${s.call}`),
    },
  };
}

function print(r: ReturnType<typeof report>): void {
  const out: string[] = [];
  out.push(`src/: ${r.files} files, ${r.imports} relative imports`);
  out.push(`upward imports: ${r.upward.length}`);
  for (const e of r.upward) out.push(`  ${e.fromLayer} → ${e.toLayer}${e.typeOnly ? ' (type only)' : ''}: ${e.from} → ${e.to}`);
  out.push(`cycles: ${r.cycles.length}`);
  for (const c of r.cycles) out.push(`  ${c.join(' ↔ ')}`);
  out.push(`cycles between modules (top-level directories): ${r.moduleCycles.length}`);
  for (const c of r.moduleCycles) out.push(`  ${c.join(' ↔ ')}`);
  out.push('largest files:');
  for (const f of r.largest) out.push(`  ${String(f.lines).padStart(5)}  ${f.file}`);
  if (r.processes.api) {
    out.push(`api process (main-api.ts) loads ${r.processes.api.files} src files; activities: ${r.processes.api.activities.length}${r.processes.api.rateLimiter ? ', the send rate limiter' : ''}`);
  }
  if (r.processes.worker) {
    out.push(`worker process (main-worker.ts) loads ${r.processes.worker.files} src files; api/inbound: ${r.processes.worker.api.length}; koa packages: ${r.processes.worker.koa.join(', ') || 'none'}`);
  }
  const calls = r.workflowCalls;
  out.push(`places that start/signal/update/query workflows (outside workflows/): ${calls.sites} calls in ${calls.files.length} files (starts in ${calls.startFiles.length}, signals in ${calls.signalFiles.length})`);
  for (const [file, list] of Object.entries(calls.byFile)) out.push(`  ${file}: ${list.join(', ')}`);
  out.push(`workflow-to-workflow calls inside workflows/: ${calls.fromWorkflows.length}`);
  for (const s of calls.fromWorkflows) out.push(`  ${s}`);
  process.stdout.write(`${out.join('\n')}\n`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  // Another tree can be measured too, e.g. an older commit: git archive <commit> src | tar -x -C /tmp/before
  const srcDir = process.argv.slice(2).find((a) => !a.startsWith('--')) ?? path.join(projectRoot(), 'src');
  const result = report(srcDir);
  if (process.argv.includes('--json')) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  else print(result);
}
