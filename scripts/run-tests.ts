// `npm test`: start one real MongoDB wire-protocol server for the whole run (TEST_MONGODB_URI if
// set, else the embedded FerretDB in memory), then run every test/**/*.test.ts with Node's test
// runner. Each test file uses its own database on that server.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { resolveDatabase } from '../src/db/local-server.js';
import { waitForServerExit } from '../src/db/shared-server.js';
import { PROJECT_ROOT } from '../src/paths.js';

function findTests(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return findTests(p);
    return name.endsWith('.test.ts') ? [p] : [];
  });
}

const filter = process.argv.slice(2);
const files = findTests(join(PROJECT_ROOT, 'test'))
  .filter((f) => filter.length === 0 || filter.some((x) => f.includes(x)))
  .sort();
if (files.length === 0) {
  console.error('no test files matched');
  process.exit(1);
}

// A fresh folder per run, in RAM where the machine has /dev/shm. Not FerretDB's SQLite mode=memory:
// there findAndModify deadlocks (its transaction needs a second connection to the in-memory database).
const dataDir = mkdtempSync(join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), 'signaldesk-test-'));
const db = await resolveDatabase({ mongodbUri: process.env.TEST_MONGODB_URI, dataDir, preferEmbedded: true, idleGraceMs: 500 });
console.log(`test database: ${db.kind} at ${db.uri} (${files.length} test files)`);

// Most files run two at a time; the reliability suite (test/reliability: many processes, timing that
// matters) runs after them, alone.
const isReliability = (f: string) => f.includes(`${join('test', 'reliability')}`);
const batches = [files.filter((f) => !isReliability(f)), files.filter(isReliability)].filter((b) => b.length > 0);
let code = 0;
for (const [i, batch] of batches.entries()) {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', '--test', '--test-reporter=spec', `--test-concurrency=${isReliability(batch[0]!) ? 1 : 2}`,
      // A limit per test only where asked (the mutation script: a fault may make a test hang).
      ...(process.env.TEST_TIMEOUT_MS ? [`--test-timeout=${process.env.TEST_TIMEOUT_MS}`] : []), ...batch.map((f) => relative(PROJECT_ROOT, f))],
    {
      cwd: PROJECT_ROOT,
      stdio: 'inherit',
      env: { ...process.env, MONGODB_URI: db.uri, TEST_DB_KIND: db.kind, LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent', NODE_ENV: 'test' },
    },
  );
  const c: number = await new Promise((res) => child.on('exit', (x, s) => res(x ?? (s ? 1 : 0))));
  if (i < batches.length - 1) console.log('');
  code ||= c;
}
await db.stop();
if (db.kind === 'ferretdb') await waitForServerExit(join(dataDir, 'ferretdb'));
rmSync(dataDir, { recursive: true, force: true });
process.exit(code);
