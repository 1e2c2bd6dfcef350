import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import type { CommandStartedEvent } from 'mongodb';
import mongoose from 'mongoose';
import { connectDatabase, disconnectDatabase } from '../../src/db/connection.js';
import { takeLease } from '../../src/db/lease.js';
import { getHealth } from '../../src/health/health-service.js';
import { runMonitor } from '../../src/health/monitor.js';
import { recordApiCall } from '../../src/market-data/http/api-usage.js';
import { deliverDue, enqueuePost, outboxStats } from '../../src/notify/outbox.js';
import type { Sink } from '../../src/notify/sinks/sink.js';
import { catchUp } from '../../src/scheduler/catch-up.js';
import { findScan } from '../../src/analysis/scan-service.js';
import { ScanResult } from '../../src/db/models/scan-result.js';
import { toDefinition, type JobDefinition, type JobModule } from '../../src/scheduler/job-definition.js';
import { jobHistory, listJobs } from '../../src/scheduler/jobs-service.js';
import { recoverRuns } from '../../src/scheduler/recovery.js';
import { runJob } from '../../src/scheduler/run-job.js';
import { insertRun } from '../../src/scheduler/run-store.js';
import { testEnv, testUri } from '../helpers/db.js';

/**
 * The rule of docs/architecture.md ("reads that do not grow with history"), checked on the commands the
 * server receives: whatever runs often — /jobs, /health, the health monitor, the catch-up, the recovery
 * sweep, delivery, a run's claim — reads the collections that grow with a deployment's age only by `_id`
 * equality (the one filter the embedded FerretDB answers from an index). Today's code before this rule
 * scanned job_runs, outbox, leases and api_usage on every one of these paths.
 */
const GROWING = new Set(['bar_series', 'job_runs', 'leases', 'outbox', 'api_usage', 'audit_entries', 'scan_results', 'signals', 'trades', 'capital_injections']);

const name = `t_query_discipline_${randomBytes(3).toString('hex')}`;
before(async () => {
  await connectDatabase(testUri(), name, { monitorCommands: true });
});
after(async () => {
  await mongoose.connection.db?.dropDatabase().catch(() => undefined);
  await disconnectDatabase();
});

interface Seen { op: string; coll: string; filter: Record<string, unknown> }

/** Every filter the server is sent while `fn` runs, per command. */
async function trace(fn: () => Promise<unknown>): Promise<Seen[]> {
  const seen: Seen[] = [];
  const client = mongoose.connection.getClient();
  const on = (e: CommandStartedEvent) => {
    const c = e.command as Record<string, unknown>;
    const push = (op: string, filter: unknown) => seen.push({ op, coll: String(c[op]), filter: (filter ?? {}) as Record<string, unknown> });
    if (e.commandName === 'find') push('find', c.filter);
    else if (e.commandName === 'aggregate') push('aggregate', ((c.pipeline as Array<Record<string, unknown>>)[0] ?? {}).$match);
    else if (e.commandName === 'count') push('count', c.query);
    else if (e.commandName === 'distinct') push('distinct', c.query);
    else if (e.commandName === 'findAndModify') push('findAndModify', c.query);
    else if (e.commandName === 'update') for (const u of c.updates as Array<{ q: unknown }>) push('update', u.q);
    else if (e.commandName === 'delete') for (const d of c.deletes as Array<{ q: unknown }>) push('delete', d.q);
  };
  client.on('commandStarted', on);
  try {
    await fn();
  } finally {
    client.off('commandStarted', on);
  }
  return seen;
}

/** `_id` equality to a plain value (string or ObjectId), other conditions allowed beside it. */
const byId = (f: Record<string, unknown>): boolean => {
  const id = f._id;
  return id !== undefined && (typeof id !== 'object' || id === null || (id as { _bsontype?: string })._bsontype === 'ObjectId');
};

function scansOfGrowing(seen: Seen[]): string[] {
  return seen.filter((s) => GROWING.has(s.coll) && !byId(s.filter)).map((s) => `${s.op} ${s.coll} ${JSON.stringify(s.filter)}`);
}

const noop = (name: string, extra: Partial<JobModule> = {}): JobDefinition =>
  toDefinition({ name, description: name, handler: async () => ({ summary: { ok: true } }), ...extra }, 'America/New_York');

test('the reads behind /jobs, /health, the monitor, the catch-up, recovery, delivery and claims touch growing collections only by _id', async () => {
  const daily = noop('digest', { schedule: { cron: '30 16 * * 1-5' }, options: { missedRuns: 'catch-up' } });
  const minute = noop('deliver', { schedule: { cron: '* * * * *' }, options: { marketDaysOnly: false, runKeyEvery: { minutes: 1 } } });
  const jobs = new Map([[daily.name, daily], [minute.name, minute]]);
  const env = testEnv();
  // History: 40 trading days of the daily job and 200 minute runs, sent posts, leases, API counters.
  const t0 = new Date('2026-09-01T20:30:00Z');
  for (let d = 0; d < 40; d++) {
    const at = new Date(t0.getTime() + d * 86_400_000);
    await insertRun({ job: 'digest', runKey: at.toISOString().slice(0, 10), status: 'succeeded', tradingDate: at.toISOString().slice(0, 10), trigger: 'schedule', attempt: 1, worker: 'w', startedAt: at, leaseUntil: at, finishedAt: at, durationMs: 5, error: null, summary: null, dueAt: at });
  }
  const sink: Sink = { name: 'console', send: async () => ({ sink: 'console' }) };
  for (let i = 0; i < 60; i++) await enqueuePost(`old-${i}`, { kind: 'ops', title: `post ${i}` });
  assert.equal((await deliverDue({ sinkFor: () => sink, limit: 100 })).sent, 60);
  for (let i = 0; i < 50; i++) await takeLease('outbox', `old-${i}`, { fromGen: 1, ttlMs: 1 });
  await recordApiCall('demo', null, new Date('2026-10-01T15:00:00Z'));
  await recordApiCall('alphavantage', 25, new Date('2026-10-01T15:00:00Z'));

  for (let d = 1; d <= 30; d++) {
    const date = `2026-09-${String(d).padStart(2, '0')}`;
    await ScanResult.create({ scan: 'next-day-prep', date, dataThrough: date, universe: 3, scanned: 3, results: [], quality: { average: 100, low: [] }, durationMs: 1, createdAt: new Date() });
  }
  const { noteLatestScan } = await import('../../src/analysis/scan-service.js');
  await noteLatestScan('next-day-prep', '2026-09-30');
  const now = new Date('2026-10-13T14:00:00Z');
  const seen = await trace(async () => {
    assert.equal((await findScan('next-day-prep'))?.date, '2026-09-30', '/scan without a date: the latest');
    assert.equal((await findScan('next-day-prep', '2026-09-12'))?.date, '2026-09-12');
    const listed = await listJobs(jobs);
    assert.equal(listed.find((j) => j.name === 'digest')?.lastRun?.runKey, '2026-10-10', 'the last run comes from the summary');
    assert.equal((await jobHistory(jobs, 'digest', 20)).length, 20);
    const h = await getHealth({ jobs, databaseKind: 'test', schedulerRunning: true, startedAt: now, now });
    assert.equal(h.outbox.pending, 0);
    await runMonitor({ jobs, databaseKind: 'test', dataDir: process.cwd(), now });
    const report = await catchUp(jobs, env, { now });
    assert.deepEqual(report.ran.map((r) => r.runKey), ['2026-10-12'], 'the catch-up ran the one missed day');
    await recoverRuns(jobs, env, now);
    await enqueuePost('new-1', { kind: 'ops', title: 'new' });
    assert.equal((await deliverDue({ sinkFor: () => sink })).sent, 2, 'the catch-up summary and the new post');
    assert.equal((await runJob(minute, env, { trigger: 'schedule', now })).status, 'succeeded');
    assert.equal((await runJob(minute, env, { trigger: 'schedule', now })).status, 'duplicate');
    assert.equal((await outboxStats()).pending, 0);
  });
  assert.ok(seen.length > 30, `the trace saw the reads (${seen.length})`);
  assert.ok(seen.some((s) => s.coll === 'job_runs'), 'job_runs was read (by _id)');
  assert.deepEqual(scansOfGrowing(seen), [], 'no filter on a growing collection other than _id equality');
});

test('the benchmark under /portfolio, a symbol chart and a day written for a few names read bar_series only by _id', async () => {
  const { upsertBars, readBars, lastBarDates } = await import('../../src/market-data/bar-store.js');
  const { benchmarkPrices } = await import('../../src/trading/benchmark-service.js');
  const days = ['2024-12-30', '2024-12-31', '2025-01-02', '2025-01-03'];
  await upsertBars(['SPX', 'AAA', 'BBB'].flatMap((s, i) => days.map((d, j) => ({ symbol: s, date: d, open: 10 + i, high: 11 + i, low: 9 + i, close: 10 + i + j, volume: 100, synthetic: false }))), 'test');
  const seen = await trace(async () => {
    const spx = await benchmarkPrices('SPX', '2025-01-02', '2025-01-03');
    assert.deepEqual([...spx.keys()], days, 'the benchmark from a little before the start');
    assert.equal((await readBars(['AAA'], '2024-01-01', '2025-12-31')).get('AAA')?.length, 4);
    assert.equal((await lastBarDates(['AAA', 'BBB'])).get('BBB'), '2025-01-03');
    const r = await upsertBars([{ symbol: 'AAA', date: '2025-01-06', open: 1, high: 2, low: 0.5, close: 1.5, volume: 10, synthetic: false }], 'test');
    assert.equal(r.inserted, 1);
  });
  assert.ok(seen.some((s) => s.coll === 'bar_series'), 'bar_series was read');
  assert.deepEqual(scansOfGrowing(seen), [], 'no filter on bar_series other than _id equality');
});
