import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The project (or image) root: where `docs/` and `migrations/` live beside `dist/`. This file compiles
 * to `dist/src/project-root.js`, two levels below the root; a loader running the `.ts` source walks up
 * to the nearest package.json instead.
 */
export function projectRoot(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const compiled = path.resolve(here, '../..');
  if (existsSync(path.join(compiled, 'package.json'))) return compiled;
  for (let dir = here; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'package.json'))) return dir;
    if (path.dirname(dir) === dir) return compiled;
  }
}
