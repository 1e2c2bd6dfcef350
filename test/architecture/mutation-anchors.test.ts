import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { PROJECT_ROOT } from '../../src/paths.js';
import { FAULTS } from '../../scripts/mutation-faults.js';

test('every fault of npm run test:mutate still finds its anchor, exactly once, and names suites that exist', () => {
  assert.ok(FAULTS.length >= 6);
  const problems: string[] = [];
  for (const f of FAULTS) {
    const path = join(PROJECT_ROOT, f.file);
    if (!existsSync(path)) {
      problems.push(`${f.name}: ${f.file} does not exist`);
      continue;
    }
    const text = readFileSync(path, 'utf8');
    const count = text.split(f.find).length - 1;
    if (count !== 1) problems.push(`${f.name}: its anchor occurs ${count} times in ${f.file} (must be once)`);
    if (f.find === f.replace) problems.push(`${f.name}: the fault changes nothing`);
    for (const s of f.suites) if (!existsSync(join(PROJECT_ROOT, s))) problems.push(`${f.name}: suite ${s} does not exist`);
  }
  assert.deepEqual(problems, []);
});
