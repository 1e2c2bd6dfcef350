import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { HOLDER_ID, oneWriterAtATime, pruneLeases } from '../../src/db/lease.js';
import { WriterLock } from '../../src/db/models/lease.js';
import { JobHistory, JobStatus } from '../../src/db/models/job-status.js';
import { inChildProcess } from '../helpers/child-script.js';
import { clearCollections, useTestDatabase } from '../helpers/db.js';

/**
 * One writer at a time for a document read, merged and written back (the embedded FerretDB keeps one of two
 * simultaneous updates to a document): a job's summary and history folded by several processes at once, by
 * the hundred, lose no run; a turn whose writer died is cleared; a turn held too long is a clear refusal.
 */
const db = useTestDatabase('one-writer');

/** `count` finished runs of one job noted at once from this process: run keys "<tag>-<i>". */
const noteBody = (tag: string, count: number) => `
  const { noteRun } = await import('./src/scheduler/run-store.ts');
  const now = new Date();
  await Promise.all(Array.from({ length: ${count} }, (_, i) => noteRun({
    job: 'fold-race', runKey: '${tag}-' + i, status: 'succeeded', tradingDate: null, trigger: 'test', attempt: 1, worker: '${tag}',
    startedAt: new Date(now.getTime() - 1000 + i), leaseUntil: now, finishedAt: new Date(now.getTime() + i), durationMs: 1, error: null, summary: null, dueAt: null,
  }, now)));
  process.stdout.write('done\\n');
`;

describe('one writer at a time', () => {
  for (const n of [2, 4]) {
    test(`${n} processes fold 100 runs of one job into its summary and history at once: none is lost`, async () => {
      await clearCollections();
      const each = 100 / n;
      const out = await Promise.all(Array.from({ length: n }, (_, p) => inChildProcess(db.name, noteBody(`p${p}`, each))));
      assert.deepEqual(out, Array(n).fill('done'));
      const history = await JobHistory.findById('fold-race').lean();
      const keys = new Set((history?.runs ?? []).map((r) => r.runKey));
      const missing = Array.from({ length: n }, (_, p) => Array.from({ length: each }, (_, i) => `p${p}-${i}`)).flat().filter((k) => !keys.has(k));
      assert.deepEqual(missing, [], 'every run in the history');
      const status = await JobStatus.findById('fold-race').lean();
      const counted = (status?.buckets ?? []).reduce((a, b) => a + b.finished, 0);
      assert.equal(counted, 100, 'every finished run counted once in the summary');
      assert.equal(await WriterLock.countDocuments({}), 0, 'every turn given back');
    });
  }

  test('a turn whose writer died (older than its TTL) is cleared; the next writer goes on', async () => {
    await clearCollections();
    await WriterLock.create({ _id: 'test|dead', token: 'killed-writer', holder: 'elsewhere:1', at: new Date(Date.now() - 5_000), ttlMs: 1_000 });
    const got = await oneWriterAtATime('test', 'dead', async () => (await WriterLock.findById('test|dead').lean())?.holder, { waitMs: 2_000, ttlMs: 1_000 });
    assert.equal(got, HOLDER_ID, 'the turn is ours while we write');
    assert.equal(await WriterLock.countDocuments({}), 0);
  });

  test('the nightly cleanup drops turns older than a week (a dead writer nobody followed), never a live one', async () => {
    await clearCollections();
    const now = Date.now();
    await WriterLock.create({ _id: 'test|old', token: 'a', holder: 'gone:1', at: new Date(now - 8 * 86_400_000), ttlMs: 90_000 });
    await WriterLock.create({ _id: 'test|live', token: 'b', holder: 'here:2', at: new Date(now), ttlMs: 90_000 });
    assert.equal(await pruneLeases(new Date(now - 7 * 86_400_000)), 1);
    assert.deepEqual((await WriterLock.find({}).lean()).map((d) => d._id), ['test|live']);
  });

  test('a live turn held past the wait: the caller gets the busy error, the holder keeps its turn, nothing was written', async () => {
    await clearCollections();
    await WriterLock.create({ _id: 'test|held', token: 'other', holder: 'elsewhere:2', at: new Date(), ttlMs: 60_000 });
    let ran = false;
    await assert.rejects(
      oneWriterAtATime('test', 'held', async () => { ran = true; }, { waitMs: 300, busy: () => new Error('the test store is busy; try again shortly') }),
      /the test store is busy/,
    );
    assert.equal(ran, false);
    assert.equal((await WriterLock.findById('test|held').lean())?.token, 'other');
  });
});
