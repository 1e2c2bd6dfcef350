import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

function findRoot(start: string): string {
  let dir = start;
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) return start;
    dir = up;
  }
  return dir;
}

/** The repository root (the folder holding package.json), whether run from src/ or dist/. */
export const PROJECT_ROOT = findRoot(dirname(fileURLToPath(import.meta.url)));
