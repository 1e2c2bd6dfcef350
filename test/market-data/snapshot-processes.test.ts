import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { PROJECT_ROOT } from '../../src/paths.js';
import { testUri, useTestDatabase } from '../helpers/db.js';
import { useReplayServer } from '../helpers/use-replay-server.js';

const run = promisify(execFile);
const db = useTestDatabase('snapshot_procs');
const server = useReplayServer();

for (const n of [2, 4]) {
  test(`${n} processes asking for the same slot at once: one provider request, one stored snapshot, the same rows for all`, async () => {
    // The provider answers slowly, so every process asks while the first is still waiting for it.
    server.on('GET', '/v2/snapshot/locale/us/markets/stocks/tickers', { fixture: 'polygon-snapshot-tickers.json', delayMs: 3000 });
    const slot = n === 2 ? '09:45' : '10:00';
    const env = { ...process.env, SNAP_URI: testUri(), SNAP_DB: db.name, SNAP_BASE: server.url, SNAP_DATE: '2020-11-12', SNAP_SLOT: slot, LOG_LEVEL: 'silent' };
    const outs = await Promise.all(Array.from({ length: n }, () => run(process.execPath, ['--import', 'tsx', join('test', 'helpers', 'snapshot-child.ts')], { cwd: PROJECT_ROOT, env })));
    const answers = outs.map((o) => JSON.parse(o.stdout.trim().split('\n').at(-1)!) as { taken?: boolean; rows?: number; aapl?: number; refused?: string });
    assert.equal(server.requests.length, 1, `provider requests: ${server.requests.length}`);
    assert.equal(answers.filter((a) => a.taken).length, 1, JSON.stringify(answers));
    assert.ok(answers.every((a) => a.rows === 2 && a.aapl === 119.205), JSON.stringify(answers));
  });
}
