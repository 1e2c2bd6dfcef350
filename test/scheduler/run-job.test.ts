import assert from 'node:assert/strict';
import { beforeEach, describe, test } from 'node:test';
import { JobRun } from '../../src/db/models/job-run.js';
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
    const { def, calls } = counterJob('race', async () => new Promise((r) => setTimeout(r, 200)));
    const [a, b] = await Promise.all([
      runJob(def, env(), { date: '2024-03-15', trigger: 'test' }),
      runJob(def, env(), { date: '2024-03-15', trigger: 'test' }),
    ]);
    assert.equal(calls(), 1);
    assert.deepEqual([a.status, b.status].sort(), ['busy', 'succeeded']);
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

  test('a bad date is refused with what is allowed', async () => {
    const { def, calls } = counterJob('dates');
    await assert.rejects(runJob(def, env(), { date: '2024-02-30', trigger: 'test' }), /YYYY-MM-DD between 2000-01-01 and 2030-12-31/);
    await assert.rejects(runJob(def, env(), { date: '1999-12-31', trigger: 'test' }), /between 2000-01-01/);
    assert.equal(calls(), 0);
    assert.equal(await JobRun.countDocuments({}), 0);
  });
});
