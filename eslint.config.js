// @ts-check
import { builtinModules } from 'node:module';
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/*
 * What the code review would otherwise have to catch, as build errors:
 * - promises that nobody awaits (a lost rejection is a lost event or an unlogged failure);
 * - `any`, which switches the type checker off at exactly the boundaries we parse;
 * - workflow code that could break determinism on replay (Temporal's rule: no Node built-ins, no
 *   I/O modules, only type imports of activities);
 * - imports against the layering (workflows ↛ runtime/db/meta/api/activities, api ↛ activities,
 *   activities ↛ api, production ↛ dev tree), which the README's layout section describes.
 */

const NODE_BUILTINS = [...builtinModules, ...builtinModules.map((m) => `node:${m}`)];

/** Modules that do I/O or are non-deterministic: never in workflow code, whatever the path. */
const IO_PACKAGES = ['pg', 'koa', '@koa/router', 'pino', 'prom-client', 'jose', 'raw-body', 'node-pg-migrate', '@temporalio/client', '@temporalio/worker', '@temporalio/activity', '@temporalio/testing', 'fernet', 'playwright-core'];

/** The dev tree, tests and benchmarks never ship: production code must not reach them. */
const DEV_TREE = ['**/dev/**', '**/test/**', '**/bench/**', '**/scripts/**'];

/** @param {string[]} groups @param {string} message @param {boolean} [allowTypeImports] */
const forbid = (groups, message, allowTypeImports = false) => ({ group: groups, message, allowTypeImports });

export default tseslint.config(
  { ignores: ['dist/**', 'clients/*/dist/**', 'clients/dsk-node/src/api.ts', 'node_modules/**', '.tools/**', '.data/**', 'test-results/**', 'docs/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: {
      parserOptions: { project: './dev/tsconfig.json', tsconfigRootDir: import.meta.dirname },
      globals: { ...globals.node },
    },
    rules: {
      // node:test's describe/it return promises the runner itself awaits.
      '@typescript-eslint/no-floating-promises': ['error', { allowForKnownSafeCalls: [{ from: 'package', package: 'node:test', name: ['describe', 'it', 'test', 'suite', 'before', 'after', 'beforeEach', 'afterEach'] }] }],
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false, attributes: false } }],
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports', disallowTypeAnnotations: false }],
    },
  },
  {
    // Everything that ships: no console (the logger redacts; console does not), no dev tree.
    files: ['src/**/*.ts'],
    rules: {
      'no-console': 'error',
      '@typescript-eslint/no-restricted-imports': ['error', { patterns: [forbid(DEV_TREE, 'Production code never imports the dev tree, tests or benchmarks.')] }],
    },
  },
  {
    // Workflow code is replayed: deterministic, no I/O. shared/ is imported by workflows, so the same rule.
    files: ['src/workflows/**/*.ts', 'src/shared/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: [...NODE_BUILTINS, ...IO_PACKAGES].map((name) => ({ name, message: 'Workflow code is replayed: no Node built-ins or I/O modules here.' })),
          patterns: [
            forbid(DEV_TREE, 'Production code never imports the dev tree, tests or benchmarks.'),
            forbid(['node:*'], 'Workflow code is replayed: no Node built-ins here.'),
            forbid(['**/activities', '**/activities/*'], 'Workflows see activities as types only: `import type`.', true),
            forbid(['**/api/**', '**/db/**', '**/meta/**', '**/dsk/**', '**/vault/**', '**/crypto/**', '**/temporal/**', '**/inbound/**', '**/runtime*', '**/main-*', '**/config.js', '**/logger.js', '**/metrics.js'], 'Workflow code reaches runtime modules only through activities.', true),
          ],
        },
      ],
    },
  },
  {
    // shared/ is the bottom layer: plain data and pure functions, importing nothing above it.
    files: ['src/shared/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: [...NODE_BUILTINS, ...IO_PACKAGES].map((name) => ({ name, message: 'shared/ is workflow-safe: no Node built-ins or I/O modules.' })),
          patterns: [forbid(['../*', '!../shared/*'], 'shared/ imports only other shared modules.')],
        },
      ],
    },
  },
  {
    // The API starts and signals workflows; it never runs activities (the worker does).
    files: ['src/api/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        { patterns: [forbid(DEV_TREE, 'Production code never imports the dev tree, tests or benchmarks.'), forbid(['**/activities', '**/activities/**'], 'The API process never loads activities.')] },
      ],
    },
  },
  {
    // Activities are called by workflows, never by HTTP; they know nothing of Koa or the routes.
    files: ['src/activities/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: ['koa', '@koa/router'].map((name) => ({ name, message: 'The worker never loads Koa.' })),
          patterns: [
            forbid(DEV_TREE, 'Production code never imports the dev tree, tests or benchmarks.'),
            forbid(['**/api/**'], 'Activities never import the HTTP layer.'),
            forbid(['**/workflows/**'], 'Activities do not signal workflows; workflows signal each other (getExternalWorkflowHandle).'),
          ],
        },
      ],
    },
  },
  {
    // The worker process's composition never loads the HTTP layer (the import-graph test checks the compiled result too).
    files: ['src/main-worker.ts', 'src/runtime-worker.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: ['koa', '@koa/router'].map((name) => ({ name, message: 'The worker never loads Koa.' })),
          patterns: [forbid(DEV_TREE, 'Production code never imports the dev tree, tests or benchmarks.'), forbid(['**/api/**', '**/runtime-api*'], 'The worker never loads the HTTP layer.')],
        },
      ],
    },
  },
  {
    // The api process's composition never loads activities or the worker's composition.
    files: ['src/main-api.ts', 'src/runtime-api.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        { patterns: [forbid(DEV_TREE, 'Production code never imports the dev tree, tests or benchmarks.'), forbid(['**/activities', '**/activities/**', '**/runtime-worker*'], 'The API process never loads activities.')] },
      ],
    },
  },
  {
    // Scripts, benches, the dev tree and tests print to the terminal on purpose.
    files: ['dev/**/*.ts', 'test/**/*.ts', 'bench/**/*.ts', 'scripts/**/*.ts'],
    rules: { 'no-console': 'off' },
  },
  {
    files: ['eslint.config.js'],
    ...tseslint.configs.disableTypeChecked,
  },
);
