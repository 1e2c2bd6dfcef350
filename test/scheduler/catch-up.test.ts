import assert from 'node:assert/strict';
import { beforeEach, describe, test } from 'node:test';
import { DateTime } from 'luxon';
import { JobRun } from '../../src/db/models/job-run.js';
import { insertRun, openRun } from '../../src/scheduler/run-store.js';
import { findRecoverable, recoverRuns } from '../../src/scheduler/recovery.js';
import { Outbox } from '../../src/db/models/outbox.js';
import { catchUp, catchUpsInView } from '../../src/scheduler/catch-up.js';
import { CatchUpState } from '../../src/db/models/job-status.js';
import { catchUpLines } from '../../src/present/jobs-view.js';
import { toDefinition, type JobDefinition, type JobModule } from '../../src/scheduler/job-definition.js';
import { jobHistory } from '../../src/scheduler/jobs-service.js';
import { latestSlot, planMissed, slotsBetween } from '../../src/scheduler/slots.js';
import { runScheduled, runStalledSlots } from '../../src/scheduler/worker.js';
import { loadJobs } from '../../src/scheduler/job-registry.js';
import { clearCollections, testEnv, useTestDatabase } from '../helpers/db.js';

useTestDatabase('catch-up');
const env = () => testEnv();
const ny = (s: string) => DateTime.fromISO(s, { zone: 'America/New_York' }).toJSDate();

/** Every handler call, in order: "job date". */
let calls: string[] = [];

function job(name: string, cron: string, options: JobModule['options'] = {}): JobDefinition {
  return toDefinition({ name, description: name, schedule: { cron }, options, handler: async (ctx) => {
    calls.push(`${ctx.job} ${ctx.date}`);
    return { summary: { ran: ctx.date } };
  } }, 'America/New_York');
}

const exec = job('exec', '30 9 * * 1-5', { missedRuns: 'catch-up' });
const scan = job('scan', '0 8 * * 1-5', { missedRuns: 'latest' });
const noon = job('noon', '0 12 * * *', { missedRuns: 'skip', marketDaysOnly: false });
const prep = job('prep', '30 17 * * 1-5');

/** The last thing that ran before the gap (the every-minute delivery job is the usual heartbeat). */
async function lastSeenAt(at: Date): Promise<void> {
  await insertRun({ job: 'heartbeat', runKey: at.toISOString(), status: 'succeeded', tradingDate: null, trigger: 'schedule', attempt: 1, worker: 'w', startedAt: at, leaseUntil: at, finishedAt: at, durationMs: 1, error: null, summary: null, dueAt: null });
}

async function ranBefore(def: JobDefinition, date: string, dueAt: Date): Promise<void> {
  await insertRun({ job: def.name, runKey: date, status: 'succeeded', tradingDate: date, trigger: 'schedule', attempt: 1, worker: 'w', startedAt: dueAt, leaseUntil: dueAt, finishedAt: dueAt, durationMs: 1, error: null, summary: null, dueAt });
}

describe('slots (pure)', () => {
  test('slots come from the cron in New York time across the November DST change, and skip closed days', () => {
    const s = slotsBetween(exec, ny('2026-10-29T12:00'), ny('2026-11-03T12:00'));
    assert.deepEqual(s.map((x) => x.dueAt.toISOString()), ['2026-10-30T13:30:00.000Z', '2026-11-02T14:30:00.000Z', '2026-11-03T14:30:00.000Z']);
    assert.deepEqual(s.map((x) => x.runKey), ['2026-10-30', '2026-11-02', '2026-11-03']);
    const thanksgiving = slotsBetween(exec, ny('2026-11-25T12:00'), ny('2026-11-30T12:00'));
    assert.deepEqual(thanksgiving.map((x) => x.runKey), ['2026-11-27', '2026-11-30'], 'Thanksgiving and the weekend have no slot');
  });

  test('on an early-close day (13:00) a job due before the close runs at its early time instead', () => {
    const closing = job('closing', '45 15 * * 1-5');
    closing.schedule!.earlyClose = '45 12 * * 1-5';
    const s = slotsBetween(closing, ny('2026-11-25T12:00'), ny('2026-12-01T00:00'));
    assert.deepEqual(s.map((x) => DateTime.fromJSDate(x.dueAt, { zone: 'America/New_York' }).toFormat('LL-dd HH:mm')), ['11-25 15:45', '11-27 12:45', '11-30 15:45'], 'the day after Thanksgiving closes at 13:00');
    assert.equal(DateTime.fromJSDate(latestSlot(closing, ny('2026-11-27T16:00'))!.dueAt, { zone: 'America/New_York' }).toFormat('HH:mm'), '12:45');
    assert.equal(latestSlot(closing, ny('2026-11-30T13:00'))!.runKey, '2026-11-27', 'a normal day before 15:45 still points at the last slot');
  });

  test('a firing belongs to the latest slot at or before it', () => {
    assert.equal(latestSlot(prep, ny('2026-11-23T14:13'))!.runKey, '2026-11-20', "Monday 14:13 fires Friday's 17:30");
    assert.equal(latestSlot(exec, ny('2026-11-23T09:30'))!.runKey, '2026-11-23');
    assert.equal(latestSlot(exec, ny('2026-11-23T09:29:59'))!.runKey, '2026-11-20');
  });

  test('a 02:00 job on the spring-forward Sunday: due at 03:00 EDT, and a firing then belongs to that day, not the day before', () => {
    const nightly = job('nightly', '0 2 * * *', { marketDaysOnly: false });
    const planned = slotsBetween(nightly, ny('2020-03-07T12:00'), ny('2020-03-09T12:00'));
    assert.deepEqual(planned.map((x) => x.dueAt.toISOString()), ['2020-03-08T07:00:00.000Z', '2020-03-09T06:00:00.000Z']);
    // Agenda fires it at 07:00Z (03:00 EDT, cron-parser's next()); the firing must be the 8th's slot.
    const fired = latestSlot(nightly, new Date('2020-03-08T07:00:01Z'))!;
    assert.equal(fired.runKey, '2020-03-08');
    assert.equal(fired.dueAt.toISOString(), '2020-03-08T07:00:00.000Z');
    assert.equal(latestSlot(nightly, new Date('2020-03-08T06:59:00Z'))!.runKey, '2020-03-07', 'before 03:00 EDT it is still the 7th');
    // The fall-back Sunday repeats 01:00–01:59: a 01:30 job's two firings share the day's run key (one run).
    const early = job('early', '30 1 * * *', { marketDaysOnly: false });
    const fall = slotsBetween(early, ny('2020-10-31T12:00'), ny('2020-11-01T12:00'));
    assert.ok(fall.length >= 1 && fall.every((x) => x.runKey === '2020-11-01'));
    assert.equal(latestSlot(early, new Date('2020-11-01T07:00:00Z'))!.runKey, '2020-11-01');
  });

  test('policies: catch-up runs all, latest runs the last, skip runs none; what is not run says why', () => {
    const slots = slotsBetween(scan, ny('2026-11-18T12:00'), ny('2026-11-23T12:00'));
    assert.equal(planMissed('catch-up', slots).run.length, 3);
    const latest = planMissed('latest', slots);
    assert.deepEqual(latest.run.map((s) => s.runKey), ['2026-11-23']);
    assert.deepEqual(latest.missed.map((s) => s.runKey), ['2026-11-19', '2026-11-20']);
    assert.match(latest.missed[0]!.reason, /policy 'latest'/);
    assert.equal(planMissed('skip', slots).run.length, 0);
  });
});

describe('catch-up after downtime (controlled clock)', () => {
  beforeEach(async () => {
    await clearCollections();
    calls = [];
  });

  test('down 09:29–09:36 across the open: execute-trades (its real schedule and policy) runs late for the day, one ops summary', async () => {
    // The real definition's cron, zone, calendar and missed-run policy; only the handler is a recorder.
    const real = (await loadJobs(env().SCHEDULE_TIMEZONE)).get('execute-trades')!;
    const execReal: JobDefinition = { ...real, handler: async (ctx) => (calls.push(`${ctx.job} ${ctx.date}`), { summary: { ran: ctx.date } }) };
    await lastSeenAt(ny('2026-11-23T09:29'));
    const r = await catchUp(new Map([[execReal.name, execReal]]), env(), { now: ny('2026-11-23T09:36') });
    assert.deepEqual(calls, ['execute-trades 2026-11-23']);
    assert.deepEqual(r.ran.map((x) => `${x.job} ${x.runKey} ${x.status}`), ['execute-trades 2026-11-23 succeeded']);
    const run = await JobRun.findOne({ job: 'execute-trades', runKey: '2026-11-23' }).lean();
    assert.equal(run!.dueAt!.toISOString(), '2026-11-23T14:30:00.000Z');
    assert.equal(run!.trigger, 'catch-up');
    const [view] = await jobHistory(new Map([[execReal.name, execReal]]), 'execute-trades');
    assert.equal(view!.late, true, '/jobs shows it late: due 09:30, started 09:36');
    const posts = await Outbox.find({ idempotencyKey: /^catch-up:/ }).lean();
    assert.equal(posts.length, 1);
    assert.match(JSON.stringify(posts[0]!.post), /Mon 2026-11-23 09:29 to Mon 2026-11-23 09:36/);
    assert.match(JSON.stringify(posts[0]!.post), /execute-trades 2026-11-23/);
  });

  test('down over Thanksgiving and a weekend: catch-up jobs run every missed day oldest first, latest jobs once, skip jobs record missed', async () => {
    await lastSeenAt(ny('2026-11-25T10:00'));
    await ranBefore(exec, '2026-11-25', ny('2026-11-25T09:30'));
    await ranBefore(scan, '2026-11-25', ny('2026-11-25T08:00'));
    const jobs = new Map([exec, scan, noon].map((d) => [d.name, d]));
    const r = await catchUp(jobs, env(), { now: ny('2026-11-30T10:00') });
    assert.deepEqual(calls, ['exec 2026-11-27', 'scan 2026-11-30', 'exec 2026-11-30'], 'oldest first across jobs; the holiday has no slot');
    assert.deepEqual(r.missed.map((m) => `${m.job} ${m.runKey}`).sort(), [
      'noon 2026-11-25', 'noon 2026-11-26', 'noon 2026-11-27', 'noon 2026-11-28', 'noon 2026-11-29', 'scan 2026-11-27',
    ]);
    const missed = await JobRun.findOne({ job: 'scan', runKey: '2026-11-27' }).lean();
    assert.equal(missed!.status, 'missed');
    assert.match(String((missed!.summary as { missed: string }).missed), /policy 'latest' ran only 2026-11-30/);
    // A second start changes nothing and posts nothing new.
    calls = [];
    await catchUp(jobs, env(), { now: ny('2026-11-30T10:05') });
    assert.deepEqual(calls, []);
    assert.equal(await Outbox.countDocuments({ idempotencyKey: /^catch-up:/ }), 1);
  });

  test('down across the DST change: Monday runs at 09:30 New York (14:30 UTC), keyed by its day', async () => {
    await lastSeenAt(ny('2026-10-30T09:31'));
    await ranBefore(exec, '2026-10-30', ny('2026-10-30T09:30'));
    await catchUp(new Map([[exec.name, exec]]), env(), { now: ny('2026-11-02T09:45') });
    assert.deepEqual(calls, ['exec 2026-11-02']);
    assert.equal((await JobRun.findOne({ job: 'exec', runKey: '2026-11-02' }).lean())!.dueAt!.toISOString(), '2026-11-02T14:30:00.000Z');
  });

  test('down across a month boundary whose 1st is a Saturday: the real strategy-tuning tunes on Monday the 3rd only', async () => {
    const real = (await loadJobs(env().SCHEDULE_TIMEZONE)).get('strategy-tuning')!;
    await lastSeenAt(ny('2026-07-31T16:00'));
    const r = await catchUp(new Map([[real.name, real]]), env(), { now: ny('2026-08-05T12:00') });
    assert.deepEqual(r.ran.map((x) => `${x.runKey} ${x.status}`), ['2026-08-03 succeeded', '2026-08-04 succeeded', '2026-08-05 succeeded'], 'no slot on the weekend of the 1st and 2nd');
    const summary = async (d: string) => (await JobRun.findOne({ job: 'strategy-tuning', runKey: d }).lean())!.summary as Record<string, unknown>;
    assert.equal((await summary('2026-08-03')).skipped, undefined, 'Monday the 3rd is the first trading day: it tunes');
    assert.match(String((await summary('2026-08-04')).skipped), /not the first trading day/);
    assert.match(String((await summary('2026-08-05')).skipped), /not the first trading day/);
  });

  test('two workers starting together: every slot runs once, one summary', async () => {
    await lastSeenAt(ny('2026-11-19T10:00'));
    await ranBefore(exec, '2026-11-19', ny('2026-11-19T09:30'));
    const jobs = new Map([exec, scan].map((d) => [d.name, d]));
    const now = ny('2026-11-23T10:00');
    await Promise.all([catchUp(jobs, env(), { now }), catchUp(jobs, env(), { now })]);
    assert.deepEqual([...calls].sort(), ['exec 2026-11-20', 'exec 2026-11-23', 'scan 2026-11-23']);
    assert.equal(await Outbox.countDocuments({ idempotencyKey: /^catch-up:/ }), 1);
  });

  test("a scheduler firing on Monday 14:13 runs Friday's 17:30 prep as Friday, and Monday's real run still happens", async () => {
    await lastSeenAt(ny('2026-11-20T12:00'));
    const late = await runScheduled(prep, env(), ny('2026-11-23T14:13'));
    assert.equal(late!.runKey, '2026-11-20');
    assert.equal(late!.date, '2026-11-20');
    const onTime = await runScheduled(prep, env(), ny('2026-11-23T17:30:02'));
    assert.equal(onTime!.runKey, '2026-11-23');
    assert.equal(onTime!.status, 'succeeded');
    assert.deepEqual(calls, ['prep 2026-11-20', 'prep 2026-11-23']);
  });

  test('a catch-up job fired late runs its earlier missed days first', async () => {
    await lastSeenAt(ny('2026-11-19T12:00'));
    await ranBefore(exec, '2026-11-19', ny('2026-11-19T09:30'));
    const r = await runScheduled(exec, env(), ny('2026-11-23T14:13'));
    assert.equal(r!.runKey, '2026-11-23');
    assert.deepEqual(calls, ['exec 2026-11-20', 'exec 2026-11-23']);
  });

  test('a skip job fired late is recorded as missed, not run', async () => {
    await lastSeenAt(ny('2026-11-20T12:00'));
    assert.equal(await runScheduled(noon, env(), ny('2026-11-23T14:13')), undefined);
    assert.deepEqual(calls, []);
    assert.equal((await JobRun.findOne({ job: 'noon', runKey: '2026-11-23' }).lean())!.status, 'missed');
  });

  test('a market-days skip job fired late on a holiday is recorded skipped (market closed), not missed: nothing was due', async () => {
    const signals = job('signals', '0 9 * * 1-5', { missedRuns: 'skip' });
    await lastSeenAt(ny('2020-02-14T20:00'));
    // Presidents' Day 2020: the cron fires (Monday), the clock is past the late threshold (a worker back at 09:20).
    await runScheduled(signals, env(), ny('2020-02-17T09:20'));
    assert.deepEqual(calls, []);
    const rec = (await JobRun.findOne({ job: 'signals', runKey: '2020-02-17' }).lean())!;
    assert.equal(rec.status, 'skipped');
    assert.match(String((rec.summary as { skipped?: string }).skipped), /^market closed: /);
    // The stalled-slot sweep on the holiday finds that record and does nothing more.
    assert.deepEqual(await runStalledSlots(new Map([[signals.name, signals]]), env(), ny('2020-02-17T09:25')), []);
  });
});

describe('catch-ups on show', () => {
  test('a catch-up whose worker was killed reads "stopped", not "catching up" forever; a week after, it is forgotten', async () => {
    await clearCollections();
    const now = Date.now();
    const ago = (ms: number) => new Date(now - ms);
    const base = { done: 3, total: 10, current: 'exec 2026-11-20', downSince: ago(86_400_000), finishedAt: null, error: null };
    await CatchUpState.insertMany([
      { _id: 'host:1', ...base, state: 'running', startedAt: ago(900_000), savedAt: ago(600_000) }, // killed 10 min ago
      { _id: 'host:2', ...base, state: 'running', startedAt: ago(900_000), savedAt: ago(30_000) }, // alive
      { _id: 'host:3', ...base, state: 'done', startedAt: ago(3 * 3_600_000), savedAt: ago(2 * 3_600_000), finishedAt: ago(2 * 3_600_000) },
      { _id: 'host:4', ...base, state: 'running', startedAt: ago(3 * 3_600_000), savedAt: ago(2 * 3_600_000) }, // killed 2 h ago
      { _id: 'host:5', ...base, state: 'planning', startedAt: ago(8 * 86_400_000) }, // an older record: no savedAt
      { _id: 'host:6', ...base, state: 'done', startedAt: ago(8 * 86_400_000), finishedAt: ago(8 * 86_400_000) },
    ]);
    const shown = await catchUpsInView(new Date(now));
    assert.deepEqual(shown.map((c) => `${c.worker} ${c.state}`).sort(), ['host:1 interrupted', 'host:2 running']);
    assert.match(catchUpLines(shown.filter((c) => c.worker === 'host:1')).join(''), /^Catch-up on host:1 stopped after 3 of 10 runs \(at exec 2026-11-20\): the worker went away/);
    // The next catch-up (a worker starting) forgets what ended over a week ago, and keeps the rest.
    await lastSeenAt(ny('2026-11-23T09:29'));
    await catchUp(new Map([[exec.name, exec]]), env(), { now: ny('2026-11-23T09:36') });
    const left = (await CatchUpState.find({}, { _id: 1 }).lean()).map((d) => d._id).sort();
    assert.ok(!left.includes('host:5') && !left.includes('host:6'), `forgotten: ${left.join(', ')}`);
    assert.ok(['host:1', 'host:2', 'host:3', 'host:4'].every((w) => left.includes(w)), `kept: ${left.join(', ')}`);
    const own = await CatchUpState.findOne({ _id: { $nin: ['host:1', 'host:2', 'host:3', 'host:4'] } }).lean();
    assert.equal(own?.state, 'done');
    assert.ok(own?.savedAt instanceof Date, 'its own record says when it was written');
  });
});

describe('a slot stuck in a dead worker\'s lock', () => {
  beforeEach(async () => {
    await clearCollections();
    calls = [];
  });

  test('runs once 90 s after it was due, not before; a second sweep and a late Agenda firing find it taken', async () => {
    const jobs = new Map([[exec.name, exec], [prep.name, prep]]);
    assert.deepEqual(await runStalledSlots(jobs, env(), ny('2020-03-17T09:30:45')), [], 'not yet stalled at 45 s');
    assert.deepEqual(await runStalledSlots(jobs, env(), ny('2020-03-17T09:31:40')), ['exec 2020-03-17']);
    assert.deepEqual(calls, ['exec 2020-03-17']);
    assert.deepEqual(await runStalledSlots(jobs, env(), ny('2020-03-17T09:32:10')), [], 'a second sweep finds the run');
    await runScheduled(exec, env(), ny('2020-03-17T09:41:00')); // Agenda's firing once its lock expired
    assert.deepEqual(calls, ['exec 2020-03-17'], 'still once');
    assert.equal((await JobRun.findById('exec|2020-03-17').lean())?.status, 'succeeded');
    assert.deepEqual(await runStalledSlots(jobs, env(), ny('2020-03-17T11:00:00')), [], 'past half an hour: the start-up catch-up\'s');
  });
});

describe('a claim that never got its record', () => {
  beforeEach(async () => {
    await clearCollections();
    calls = [];
  });

  test('the database went away between the claim and the record: recovered once the lease has run out, then done', async () => {
    const jobs = new Map([[exec.name, exec]]);
    const at = new Date(Date.now() - 40_000);
    await openRun('exec', '2020-03-17', at); // the marker the claimant wrote before it lost the database
    assert.deepEqual((await findRecoverable(jobs, new Date(at.getTime() + 20_000))).map((r) => r.reason), [], 'not while its lease may be live');
    assert.deepEqual((await findRecoverable(jobs)).map((r) => `${r.job} ${r.runKey} ${r.reason}`), ['exec 2020-03-17 unrecorded']);
    const results = await recoverRuns(jobs, env());
    assert.deepEqual(results.map((r) => r.status), ['succeeded']);
    assert.deepEqual(calls, ['exec 2020-03-17']);
    assert.deepEqual(await findRecoverable(jobs), [], 'done: nothing left to recover');
  });
});
