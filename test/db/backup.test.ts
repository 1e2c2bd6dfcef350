import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { appendFileSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { test } from 'node:test';
import mongoose from 'mongoose';
import { backupDatabase, collectionHash, pruneBackups, restoreDatabase } from '../../src/db/backup.js';
import { nativeDb } from '../../src/db/connection.js';
import { enqueuePost } from '../../src/notify/outbox.js';
import { DemoProvider } from '../../src/market-data/demo-provider.js';
import { PROJECT_ROOT } from '../../src/paths.js';
import { loadJobs } from '../../src/scheduler/job-registry.js';
import { runJob } from '../../src/scheduler/run-job.js';
import { backtest } from '../../src/strategy/backtest-service.js';
import { setConfig } from '../../src/strategy/config-service.js';
import { testEnv, testUri, useTestDatabase } from '../helpers/db.js';

const source = useTestDatabase('backup');
const run = promisify(execFile);

async function portfolioJson(dbName: string): Promise<unknown> {
  const { stdout } = await run(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'portfolio', '--json', '--date', '2020-03-17'], {
    cwd: PROJECT_ROOT, env: { ...process.env, MONGODB_URI: `${testUri().replace(/\/?$/, '/')}${dbName}`, LOG_LEVEL: 'silent' },
  });
  return JSON.parse(stdout);
}

test('a backup of every kind of document restores into an empty database with the same counts, hashes and portfolio', async () => {
  const env = testEnv({ MARKET_UNIVERSE: 'SPX,SPY' });
  const jobs = await loadJobs(env.SCHEDULE_TIMEZONE);
  for (const [job, date] of [['fetch-market-data', '2020-03-16'], ['generate-signal', '2020-03-16'], ['execute-trades', '2020-03-16'], ['generate-signal', '2020-03-17'], ['execute-trades', '2020-03-17']] as const) {
    assert.equal((await runJob(jobs.get(job)!, env, { date, trigger: 'test' })).status, 'succeeded', `${job} ${date}`);
  }
  await setConfig('main', ['daily_capital=1500'], { id: 't', name: 't', source: 'cli' });
  await backtest({ from: '2019-01-02', to: '2019-03-29', symbols: ['SPX'], actor: { id: 't', name: 't', source: 'cli' }, provider: new DemoProvider() });
  await enqueuePost('backup-probe', { kind: 'ops', title: 'probe' });
  const src = nativeDb();
  const names = (await src.listCollections().toArray()).map((c) => c.name).filter((n) => !n.startsWith('system.'));
  for (const must of ['bar_series', 'trades', 'signals', 'trading_configs', 'outbox', 'job_runs', 'capital_injections', 'backtest_runs', 'leases', 'audit_entries']) {
    assert.ok(names.includes(must), `the source holds ${must}`);
  }

  const out = mkdtempSync(join(tmpdir(), 'sd-backup-'));
  const { dir, manifest } = await backupDatabase(src, out);
  assert.equal(manifest.collections.length, names.length);
  assert.ok(manifest.collections.every((c) => /^[0-9a-f]{64}$/.test(c.sha256)));
  assert.ok(manifest.collections.find((c) => c.name === 'outbox')!.indexes.some((i) => i.unique), 'unique indexes are in the manifest');

  const targetName = `${source.name}_restored`;
  const target = mongoose.connection.getClient().db(targetName);
  try {
    const r = await restoreDatabase(target, dir);
    const restoredFigures: string[] = [];
    for (const c of manifest.collections) {
      const a = await collectionHash(src, c.name);
      const b = await collectionHash(target, c.name);
      assert.deepEqual(b, a, `${c.name}: same documents, byte for byte in canonical Extended JSON`);
      restoredFigures.push(`${c.name} ${b.count} ${b.sha256.slice(0, 12)}`);
    }
    assert.equal(r.collections.reduce((x, c) => x + c.count, 0), manifest.collections.reduce((x, c) => x + c.count, 0));
    const idx = await target.collection('outbox').indexes();
    assert.ok(idx.some((i) => i.unique && JSON.stringify(i.key) === JSON.stringify({ idempotencyKey: 1 })), 'the unique idempotency-key index is restored');
    assert.ok((await target.collection('job_runs').find({}).toArray()).every((d) => typeof d._id === 'string'), 'runs are keyed by "<job>|<runKey>"');
    process.stdout.write(`backup_restore ${restoredFigures.length} collections, ${r.collections.reduce((x, c) => x + c.count, 0)} documents, hashes equal\n`);
    // The same answer from the restored copy, through the real CLI.
    assert.deepEqual(await portfolioJson(targetName), await portfolioJson(source.name));

    // A non-empty target is refused unless --drop; with it, the result is the same.
    await assert.rejects(restoreDatabase(target, dir), /is not empty .* nothing was restored.*--drop/s);
    await restoreDatabase(target, dir, { drop: true });
    assert.deepEqual(await collectionHash(target, 'trades'), await collectionHash(src, 'trades'));
  } finally {
    await target.dropDatabase();
  }

  // A damaged file is caught before anything is written.
  appendFileSync(join(dir, 'trades.ndjson.gz'), 'x');
  const empty = mongoose.connection.getClient().db(`${source.name}_damaged`);
  await assert.rejects(restoreDatabase(empty, dir), /damaged; nothing was restored:\n• trades.ndjson.gz does not match its sha256/);
  assert.equal((await empty.listCollections().toArray()).length, 0);

  // Retention keeps the newest N.
  await backupDatabase(src, out, { now: new Date(Date.now() + 1_000) });
  await backupDatabase(src, out, { now: new Date(Date.now() + 2_000), keep: 2 });
  assert.equal(readdirSync(out).length, 2);
  assert.deepEqual(pruneBackups(out, 2), []);
});
