// `npm run test:mutate` (not part of `npm test`): does the suite catch the faults we most fear? Each
// fault is a small edit to the product; the named suites run against it and must fail. The file is
// restored after each fault (also on Ctrl-C). First the same suites run unmutated: they must pass, or a
// "caught" fault would prove nothing. Prints one table row per fault: the fault, the suites, caught or
// MISSED, and the tests that failed.
//   npm run test:mutate                 every fault
//   npm run test:mutate -- claim date   only faults whose name contains one of the words
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../src/paths.js';
import { FAULTS } from './mutation-faults.js';

const only = process.argv.slice(2);
const faults = FAULTS.filter((f) => only.length === 0 || only.some((w) => f.name.includes(w)));
/** Generous: a fault that makes a test hang (a sleeping deliverer) is caught by this limit, per test. */
const TEST_TIMEOUT_MS = 120_000;

function runSuites(suites: string[]): Promise<{ code: number; failed: string[] }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/run-tests.ts', ...suites], {
      cwd: PROJECT_ROOT, env: { ...process.env, TEST_TIMEOUT_MS: String(TEST_TIMEOUT_MS) }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('exit', (code) => {
      const failed = [...new Set(out.split('\n').filter((l) => /^\s*✖ /.test(l) && !/failing tests/.test(l)).map((l) => l.trim().replace(/^✖ /, '').replace(/ \([\d.]+ms\)$/, '')))];
      resolve({ code: code ?? 1, failed });
    });
  });
}

let restore: (() => void) | undefined;
process.on('SIGINT', () => {
  restore?.();
  process.exit(130);
});

const suites = [...new Set(faults.flatMap((f) => f.suites))];
process.stdout.write(`baseline: ${suites.join(', ')}\n`);
const base = await runSuites(suites);
if (base.code !== 0) {
  process.stdout.write(`the unmutated suites fail (${base.failed.join('; ')}): fix them first\n`);
  process.exit(1);
}
const rows: string[] = [];
let missed = 0;
for (const f of faults) {
  const path = join(PROJECT_ROOT, f.file);
  const original = readFileSync(path, 'utf8');
  if (!original.includes(f.find)) throw new Error(`fault "${f.name}": its anchor is no longer in ${f.file}; update scripts/mutation-faults.ts`);
  restore = () => writeFileSync(path, original);
  writeFileSync(path, original.replace(f.find, f.replace));
  try {
    const r = await runSuites(f.suites);
    const caught = r.code !== 0;
    if (!caught) missed++;
    rows.push(`| ${f.name} | ${f.suites.map((s) => s.replace(/^test\//, '')).join(', ')} | ${caught ? 'caught' : 'MISSED'} | ${r.failed.slice(0, 4).join('; ') || '—'} |`);
    process.stdout.write(`${caught ? 'caught' : 'MISSED'}: ${f.name}\n`);
  } finally {
    restore();
    restore = undefined;
  }
}
process.stdout.write(`\n| fault | suites | result | failing tests |\n| --- | --- | --- | --- |\n${rows.join('\n')}\n\nmutants_caught ${faults.length - missed} of ${faults.length}\n`);
process.exit(missed ? 1 : 0);
