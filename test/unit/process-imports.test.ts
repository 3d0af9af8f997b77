import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, it } from 'node:test';
import { projectRoot } from '../../src/project-root.js';
import { cycles, layerOf, reach, readGraph, upwardImports } from '../../scripts/import-graph.js';

/**
 * What each process loads, read from the compiled import graph (dist/src, what runs): the api never
 * loads activity code or the send rate limiter, and the worker never loads Koa or the HTTP API. The
 * composition of each lives in its own module (src/runtime-api.ts, src/runtime-worker.ts) on top of
 * what both share (src/runtime.ts).
 */
describe('the compiled import graph of each process', () => {
  const graph = readGraph(path.join(projectRoot(), 'dist', 'src'), '.js');

  it('the api process (main-api.js) loads no activity module and not the send rate limiter', () => {
    const api = reach(graph, 'main-api.js');
    assert.ok(api.files.has('runtime-api.js') && api.files.has('temporal/client.js'), 'the walk follows the api composition');
    assert.deepEqual([...api.files].filter((f) => f.startsWith('activities/')), []);
    assert.equal(api.files.has('db/send-rate-slots.js'), false);
  });

  it('the worker process (main-worker.js) loads neither Koa nor any module of the api', () => {
    const worker = reach(graph, 'main-worker.js');
    assert.ok(worker.files.has('runtime-worker.js') && worker.files.has('activities/index.js'), 'the walk follows the worker composition');
    assert.deepEqual([...worker.files].filter((f) => layerOf(f) === 'api'), []);
    assert.deepEqual([...worker.packages].filter((p) => p === 'koa' || p === '@koa/router'), []);
  });
});

describe('the layers of src/ (scripts/import-graph.ts states the rules)', () => {
  const graph = readGraph(path.join(projectRoot(), 'src'));

  it('has no import that points up a layer', () => {
    assert.deepEqual(upwardImports(graph).map((e) => `${e.from} → ${e.to}`), []);
  });

  it('has no import cycle between files', () => {
    assert.deepEqual(cycles(graph), []);
  });
});
