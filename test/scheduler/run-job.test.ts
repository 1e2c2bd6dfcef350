import assert from 'node:assert/strict';
import { beforeEach, describe, test } from 'node:test';
import { JobRun } from '../../src/db/models/job-run.js';
import { openRun } from '../../src/scheduler/run-store.js';
import { Outbox } from '../../src/db/models/outbox.js';
import { nativeDb } from '../../src/db/connection.js';
import { toDefinition, type JobContext, type JobDefinition } from '../../src/scheduler/job-definition.js';
import { runJob } from '../../src/scheduler/run-job.js';
import { startScheduler } from '../../src/scheduler/worker.js';
import { clearCollections, testEnv, useTestDatabase } from '../helpers/db.js';

useTestDatabase('run-job');
const env = () => testEnv();

function counterJob(name: string, body: (ctx: JobContext) => Promise<void> = async () => undefined, opts: Partial<JobDefinition> = {}): { def: JobDefinition; calls: () => number } {
  let calls = 0;
  const def = {
    ...toDefinition({ name, description: 'test job', handler: async (ctx) => { calls++; await body(ctx); return { summary: { calls } }; } }, 'America/New_York'),
    ...opts,
  };
  return { def, calls: () => calls };
}

describe('runJob', () => {
  beforeEach(clearCollections);

  test('an Agenda job defined in a test runs on the real server and writes a JobRun', async () => {
    // Agenda's job-liveness check sleeps lockLifetime/2 on a timer stop() cannot cancel; a short
    // lifetime lets this test process exit promptly.
    const { def, calls } = counterJob('agenda-probe', undefined, { lockLifetimeMs: 2_000 });
    const scheduler = await startScheduler(nativeDb(), new Map([[def.name, def]]), env(), { schedule: false, processEveryMs: 100 });
    try {
      await scheduler.enqueueNow(def.name, { date: '2024-03-15', trigger: 'cli' });
      const deadline = Date.now() + 15_000;
      let run = await JobRun.findOne({ job: 'agenda-probe' }).lean();
      while ((!run || run.status === 'running') && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 100));
        run = await JobRun.findOne({ job: 'agenda-probe' }).lean();
      }
      assert.ok(run, 'a JobRun was written');
      assert.equal(run.status, 'succeeded');
      assert.equal(run.runKey, '2024-03-15');
      assert.equal(run.trigger, 'cli');
      assert.ok(typeof run.durationMs === 'number' && run.durationMs >= 0);
      assert.equal(calls(), 1);
    } finally {
      await scheduler.stop(5_000);
    }
  });

  test('two runs racing for the same key: the handler runs once', async () => {
    // The holder stays in its handler until the other call has returned: no timing assumed.
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const { def, calls } = counterJob('race', () => gate);
    const racing = [runJob(def, env(), { date: '2024-03-15', trigger: 'test' }), runJob(def, env(), { date: '2024-03-15', trigger: 'test' })];
    await Promise.race(racing);
    release();
    const [a, b] = await Promise.all(racing);
    assert.equal(calls(), 1);
    assert.deepEqual([a!.status, b!.status].sort(), ['busy', 'succeeded']);
    assert.equal(await JobRun.countDocuments({ job: 'race' }), 1);
  });

  test('a finished key is not run again unless forced', async () => {
    const { def, calls } = counterJob('once');
    assert.equal((await runJob(def, env(), { date: '2024-03-15', trigger: 'test' })).status, 'succeeded');
    const again = await runJob(def, env(), { date: '2024-03-15', trigger: 'test' });
    assert.equal(again.status, 'duplicate');
    assert.equal(calls(), 1);
    const forced = await runJob(def, env(), { date: '2024-03-15', trigger: 'test', force: true });
    assert.equal(forced.status, 'succeeded');
    assert.equal(forced.attempt, 2);
    assert.equal(calls(), 2);
  });

  test('a run abandoned by a crashed worker is taken over once its lease expires', async () => {
    const { def, calls } = counterJob('crashy');
    const past = new Date(Date.now() - 60_000);
    await JobRun.create({ job: 'crashy', runKey: '2024-03-15', status: 'running', tradingDate: '2024-03-15', trigger: 'schedule', attempt: 1, worker: 'dead:1', startedAt: past, leaseUntil: past });
    const r = await runJob(def, env(), { date: '2024-03-15', trigger: 'test' });
    assert.equal(r.status, 'succeeded');
    assert.equal(r.attempt, 2);
    assert.equal(calls(), 1);
  });

  test('a run under a live lease is left alone (busy)', async () => {
    const { def, calls } = counterJob('leased');
    const now = new Date();
    await JobRun.create({ job: 'leased', runKey: '2024-03-15', status: 'running', tradingDate: '2024-03-15', trigger: 'schedule', attempt: 1, worker: 'other:1', startedAt: now, leaseUntil: new Date(now.getTime() + 60_000) });
    const r = await runJob(def, env(), { date: '2024-03-15', trigger: 'test' });
    assert.equal(r.status, 'busy');
    assert.equal(calls(), 0);
  });

  test('market jobs skip NYSE holidays and weekends, on record', async () => {
    const { def, calls } = counterJob('market');
    const goodFriday = await runJob(def, env(), { date: '2024-03-29', trigger: 'test' });
    assert.equal(goodFriday.status, 'skipped');
    assert.match(goodFriday.reason ?? '', /Good Friday/);
    const saturday = await runJob(def, env(), { date: '2024-03-30', trigger: 'test' });
    assert.equal(saturday.status, 'skipped');
    assert.equal(calls(), 0);
    assert.equal(await JobRun.countDocuments({ job: 'market', status: 'skipped' }), 2);
  });

  test('a failing job is recorded as failed, alerts ops once, and a retry succeeds', async () => {
    let fail = true;
    const { def } = counterJob('flaky', async () => {
      if (fail) throw new Error('provider timed out');
    });
    const r = await runJob(def, env(), { date: '2024-03-15', trigger: 'test' });
    assert.equal(r.status, 'failed');
    assert.equal(r.error, 'provider timed out');
    const run = await JobRun.findOne({ job: 'flaky' }).lean();
    assert.equal(run?.status, 'failed');
    const alerts = await Outbox.find({ channelKey: 'ops' }).lean();
    assert.equal(alerts.length, 1);
    assert.match(String((alerts[0]?.post as { title: string }).title), /flaky/);
    fail = false;
    const retry = await runJob(def, env(), { date: '2024-03-15', trigger: 'test' });
    assert.equal(retry.status, 'succeeded');
    assert.equal(retry.attempt, 2);
  });

  test('ten simultaneous calls, forced or not: one holder at a time, and unforced ones run the key once', async () => {
    let inside = 0;
    let most = 0;
    const { def, calls } = counterJob('ten', async () => {
      inside++;
      most = Math.max(most, inside);
      await new Promise((r) => setTimeout(r, 150));
      inside--;
    });
    const plain = await Promise.all(Array.from({ length: 10 }, () => runJob(def, env(), { date: '2024-03-15', trigger: 'test' })));
    assert.equal(calls(), 1, 'unforced: the handler ran once');
    assert.equal(plain.filter((r) => r.status === 'succeeded').length, 1);
    const forced = await Promise.all(Array.from({ length: 10 }, () => runJob(def, env(), { date: '2024-03-15', trigger: 'test', force: true })));
    assert.equal(most, 1, 'never two holders of the key at once');
    assert.ok(forced.filter((r) => r.status === 'succeeded').length >= 1);
    assert.deepEqual([...new Set(forced.map((r) => r.status))].filter((x) => x !== 'succeeded'), forced.length > forced.filter((r) => r.status === 'succeeded').length ? ['busy'] : []);
    const rec = await JobRun.findOne({ job: 'ten' }).lean();
    assert.equal(rec?.attempt, 1 + forced.filter((r) => r.status === 'succeeded').length, 'one attempt per run that held the key');
  });

  test('a runner whose lease was taken over records nothing and reports the run lost', async () => {
    const { Lease } = await import('../../src/db/models/lease.js');
    const { def } = counterJob('stalled', async (ctx) => {
      // Another worker took the run over (attempt 2) while this one was stalled.
      await Lease.create({ _id: `run:stalled|${ctx.runKey}#2`, scope: 'run', key: `stalled|${ctx.runKey}`, gen: 2, holder: 'taker:1', until: new Date(Date.now() + 30_000), createdAt: new Date() });
    });
    const r = await runJob(def, env(), { date: '2024-03-15', trigger: 'test' });
    assert.equal(r.status, 'lost');
    const rec = await JobRun.findOne({ job: 'stalled' }).lean();
    assert.equal(rec?.status, 'running', 'the stalled runner did not write its outcome over the taker\'s');
  });

  test('the recovery sweep retries a run abandoned by a killed worker, and a failed run with attempts left', async () => {
    const { recoverRuns, findRecoverable } = await import('../../src/scheduler/recovery.js');
    let fail = true;
    const a = counterJob('abandoned');
    const f = counterJob('failing', async () => {
      if (fail) throw new Error('database went away');
    });
    const jobs = new Map([[a.def.name, a.def], [f.def.name, f.def]]);
    const past = new Date(Date.now() - 60_000);
    // What a worker killed mid-run leaves: its open marker and a `running` record whose lease ran out.
    await openRun('abandoned', '2024-03-15', past);
    await JobRun.create({ job: 'abandoned', runKey: '2024-03-15', status: 'running', tradingDate: '2024-03-15', trigger: 'schedule', attempt: 1, worker: 'killed:1', startedAt: past, leaseUntil: past });
    assert.equal((await runJob(f.def, env(), { date: '2024-03-15', trigger: 'schedule' })).status, 'failed');
    assert.deepEqual((await findRecoverable(jobs)).map((r) => `${r.job}:${r.reason}`), ['abandoned:abandoned'], 'the failed run waits for its back-off');
    fail = false;
    const later = new Date(Date.now() + 60_000);
    const results = await recoverRuns(jobs, env(), later);
    assert.deepEqual(results.map((r) => `${r.job}:${r.status}:${r.attempt}`).sort(), ['abandoned:succeeded:2', 'failing:succeeded:2']);
    assert.equal(a.calls(), 1);
    assert.equal((await recoverRuns(jobs, env(), later)).length, 0, 'nothing left to recover');
  });

  test('a failing run is given up after its attempts, with one more ops alert', async () => {
    const { recoverRuns } = await import('../../src/scheduler/recovery.js');
    const { def, calls } = counterJob('hopeless', async () => {
      throw new Error('always broken');
    });
    const jobs = new Map([[def.name, def]]);
    await runJob(def, env(), { date: '2024-03-15', trigger: 'schedule' });
    for (let i = 0; i < 5; i++) await recoverRuns(jobs, env(), new Date(Date.now() + (i + 1) * 3_600_000));
    assert.equal(calls(), def.maxAttempts);
    const alerts = (await Outbox.find({ channelKey: 'ops' }).lean()).map((o) => o.idempotencyKey).sort();
    assert.deepEqual(alerts, ['job-failed:hopeless:2024-03-15', 'job-gave-up:hopeless:2024-03-15']);
  });

  test('a bad date is refused with what is allowed', async () => {
    const { def, calls } = counterJob('dates');
    await assert.rejects(runJob(def, env(), { date: '2024-02-30', trigger: 'test' }), /YYYY-MM-DD between 2000-01-01 and 2030-12-31/);
    await assert.rejects(runJob(def, env(), { date: '1999-12-31', trigger: 'test' }), /between 2000-01-01/);
    assert.equal(calls(), 0);
    assert.equal(await JobRun.countDocuments({}), 0);
  });
  test('the lease renewal and the final update never race: 200 runs renewing every millisecond all end recorded', async () => {
    // The embedded FerretDB keeps one of two simultaneous updates to a document. A renewal's leaseUntil
    // write landing with the final update left a finished run `running` with no finishedAt, its lease
    // released and its open-run entry gone: nothing ever retried it. The renewal is now stopped (and its
    // write in flight awaited) before the end; this races them by the hundred.
    const { def } = counterJob('renew-race', async () => {
      await new Promise((r) => setTimeout(r, 3 + Math.random() * 10));
    });
    // Four at a time: each run's renewal then holds a large share of the control connection, so its
    // leaseUntil write is often in flight when the handler ends (the old code lost runs here).
    const statuses = new Set<string>();
    for (let round = 0; round < 50; round++) {
      const results = await Promise.all([0, 1, 2, 3].map((i) => runJob(def, env(), { date: '2024-03-15', trigger: 'test', runKey: `race-${round}-${i}`, renewEveryMs: 1 })));
      for (const r of results) statuses.add(r.status);
    }
    assert.deepEqual([...statuses], ['succeeded']);
    const runs = await JobRun.find({ job: 'renew-race' }).lean();
    assert.equal(runs.length, 200);
    const stuck = runs.filter((r) => r.status !== 'succeeded' || !r.finishedAt).map((r) => `${r.runKey}: ${r.status}`);
    assert.deepEqual(stuck, [], 'every finished run is recorded as finished');
  });
});
