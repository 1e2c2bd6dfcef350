import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { test } from 'node:test';
import mongoose from 'mongoose';
import { restoreDatabase } from '../../src/db/backup.js';
import { nativeDb } from '../../src/db/connection.js';
import { JobRun } from '../../src/db/models/job-run.js';
import { Outbox } from '../../src/db/models/outbox.js';
import { archiveMonth } from '../../src/health/archive.js';
import { enqueuePost } from '../../src/notify/outbox.js';
import { useTestDatabase } from '../helpers/db.js';

const src = useTestDatabase('archive');
const DAY = 86_400_000;

test('the monthly archive moves records past retention to archive/YYYY-MM in the backup format, and only those', async () => {
  const now = new Date('2026-12-01T07:30:00Z');
  const old = new Date(now.getTime() - 500 * DAY);
  const recent = new Date(now.getTime() - 10 * DAY);
  for (const [key, at] of [['old', old], ['recent', recent]] as const) {
    await JobRun.create({ job: 'generate-signal', runKey: key, status: 'succeeded', tradingDate: '2025-01-02', trigger: 'schedule', attempt: 1, worker: 'w', startedAt: at, leaseUntil: at });
    await enqueuePost(`post-${key}`, { kind: 'ops', title: key }, at);
    await Outbox.updateOne({ idempotencyKey: `post-${key}` }, { $set: { status: 'sent', sentAt: at } });
  }
  await JobRun.create({ job: 'x', runKey: 'running-old', status: 'running', tradingDate: null, trigger: 'schedule', attempt: 1, worker: 'w', startedAt: old, leaseUntil: old });
  const r = await archiveMonth(nativeDb(), mkdtempSync(`${tmpdir()}/sd-archive-`), now);
  assert.match(r.dir, /\/2026-12\/archive-/);
  assert.deepEqual(r.moved, [{ name: 'job_runs', count: 1 }, { name: 'outbox', count: 1 }, { name: 'scan_results', count: 0 }]);
  assert.deepEqual((await JobRun.find({}).lean()).map((x) => x.runKey).sort(), ['recent', 'running-old'], 'recent and running runs stay');
  assert.deepEqual((await Outbox.find({}).lean()).map((x) => x.idempotencyKey), ['post-recent']);
  // The archive is a backup: it restores.
  const target = mongoose.connection.getClient().db(`${src.name}_arch`);
  try {
    const back = await restoreDatabase(target, r.dir);
    assert.deepEqual(back.collections.map((c) => `${c.name} ${c.count}`), ['job_runs 1', 'outbox 1', 'scan_results 0']);
    assert.equal((await target.collection('job_runs').findOne({}))?.runKey, 'old');
  } finally {
    await target.dropDatabase();
  }
});
