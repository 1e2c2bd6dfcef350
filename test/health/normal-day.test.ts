import assert from 'node:assert/strict';
import { writeState } from '../../src/info/info-store.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, beforeEach, describe, test } from 'node:test';
import mongoose from 'mongoose';
import { DateTime } from 'luxon';
import { AlertState } from '../../src/db/models/alert-state.js';
import { Outbox } from '../../src/db/models/outbox.js';
import { ProviderStatus } from '../../src/db/models/provider-status.js';
import { ApiUsage, apiUsageId } from '../../src/db/models/api-usage.js';
import { AGENDA_COLLECTION } from '../../src/scheduler/worker.js';
import { runMonitor } from '../../src/health/monitor.js';
import { DEFAULT_THRESHOLDS, RULES } from '../../src/health/rules.js';
import { deliverPending, useSinkRouter } from '../../src/notify/delivery.js';
import { deliverDue, enqueuePost } from '../../src/notify/outbox.js';
import { ConsoleSink } from '../../src/notify/sinks/console-sink.js';
import { SinkError } from '../../src/notify/sinks/sink.js';
import { loadJobs } from '../../src/scheduler/job-registry.js';
import { toDefinition } from '../../src/scheduler/job-definition.js';
import { runJob } from '../../src/scheduler/run-job.js';
import { insertRun, openRun } from '../../src/scheduler/run-store.js';
import { slotsBetween } from '../../src/scheduler/slots.js';
import { clearCollections, testEnv, useTestDatabase } from '../helpers/db.js';

useTestDatabase('normal-day');
const backups = mkdtempSync(join(tmpdir(), 'sd-normal-day-'));
after(() => rmSync(backups, { recursive: true, force: true }));

const alertTitles = async () => (await Outbox.find({ channelKey: 'ops' }).lean()).map((o) => (o.post as { title: string }).title).filter((t) => /^(Alert|Still open):/.test(t));

describe('the health monitor over a day of our own schedule (controlled clock)', () => {
  beforeEach(clearCollections);

  test('a normal trading day end to end — fetch, signal, trades, scans, digests, maintenance, health-check every 5 minutes — raises no alert', async () => {
    const env = testEnv({ MARKET_UNIVERSE: 'SPX,SPY,QQQ,DIA,AAPL,MSFT,NVDA,JPM', BACKUP_DIR: backups, LOCAL_DB_DIR: backups });
    const jobs = await loadJobs(env.SCHEDULE_TIMEZONE);
    const posts: string[] = [];
    useSinkRouter(env, new ConsoleSink((t) => posts.push(t)));
    // Yesterday's close is stored, as on any day after the first.
    assert.equal((await runJob(jobs.get('fetch-market-data')!, env, { date: '2020-03-12', trigger: 'test' })).status, 'succeeded');
    const day = DateTime.fromISO('2020-03-13T00:00', { zone: 'America/New_York' });
    const slots = [...jobs.values()]
      .flatMap((def) => slotsBetween(def, day.toJSDate(), day.plus({ days: 1 }).toJSDate(), 2_000).map((slot) => ({ def, slot })))
      // The every-minute delivery job runs at every fifteenth slot here; the deliverer runs after every other job anyway.
      .filter(({ def, slot }) => def.name !== 'deliver-outbox' || slot.dueAt.getUTCMinutes() % 15 === 0)
      .sort((a, b) => a.slot.dueAt.getTime() - b.slot.dueAt.getTime() || a.def.name.localeCompare(b.def.name));
    const ran = new Set<string>();
    for (const { def, slot } of slots) {
      const r = await runJob(def, env, { date: slot.date, runKey: slot.runKey, dueAt: slot.dueAt, trigger: 'schedule', now: slot.dueAt });
      assert.ok(r.status === 'succeeded' || r.status === 'skipped', `${def.name} ${slot.runKey}: ${r.status} ${r.error ?? ''}`);
      ran.add(def.name);
      if (def.runKeyEvery === 'tradingDate') await deliverPending(env);
    }
    for (const must of ['fetch-market-data', 'generate-signal', 'execute-trades', 'portfolio-digest', 'next-day-prep', 'post-market-analysis', 'system-maintenance', 'health-check']) {
      assert.ok(ran.has(must), `${must} ran during the day`);
    }
    assert.ok(slots.filter((s) => s.def.name === 'health-check').length >= 288, 'the monitor ran every 5 minutes');
    assert.deepEqual(await alertTitles(), [], 'no alert opened on a normal day');
    assert.deepEqual((await AlertState.find({ open: true }).lean()).map((a) => a._id), []);
    assert.ok(posts.some((p) => /fetch|bars|close/i.test(p)), 'the day\'s posts went out');
  });

  test('breaking each rule\'s cause opens exactly that alert', async () => {
    const now = new Date('2026-11-24T15:00:00Z');
    const jobs = new Map();
    const inputs = { jobs, databaseKind: 'test', dataDir: process.cwd(), providers: { primary: 'polygon' as const }, now };
    const healthy = await runMonitor(inputs, { ...DEFAULT_THRESHOLDS, freeDiskPct: 0 });
    assert.deepEqual(healthy.said, [], 'a clean database raises nothing');
    const job = toDefinition({ name: 'probe', description: 'probe', handler: async () => { throw new Error('provider down'); } }, 'America/New_York');
    const breaks: Record<(typeof RULES)[number], { cause: () => Promise<unknown>; thresholds?: Partial<typeof DEFAULT_THRESHOLDS> }> = {
      'job-failures': { cause: () => runJob(job, testEnv(), { date: '2026-11-24', trigger: 'schedule', now: new Date(now.getTime() - 10 * 60_000) }) },
      'missed-or-abandoned-runs': {
        cause: async () => {
          const at = new Date(now.getTime() - 3_600_000);
          await openRun('probe', '2026-11-23', at);
          await insertRun({ job: 'probe', runKey: '2026-11-23', status: 'running', tradingDate: '2026-11-23', trigger: 'schedule', attempt: 1, worker: 'killed:1', startedAt: at, leaseUntil: at, finishedAt: null, durationMs: null, error: null, summary: null, dueAt: null });
        },
      },
      'stuck-locks': { cause: () => mongoose.connection.db!.collection(AGENDA_COLLECTION).insertOne({ name: 'generate-signal', type: 'single', lockedAt: new Date(now.getTime() - 3_600_000), nextRunAt: null }) },
      'outbox-backlog': { cause: () => enqueuePost('stuck', { kind: 'ops', title: 'waiting' }, new Date(now.getTime() - 30 * 60_000)) },
      'dead-posts': {
        cause: async () => {
          await enqueuePost('gone', { kind: 'ops', title: 'gone' });
          await deliverDue({ sinkFor: () => ({ name: 'discord', send: async () => { throw new SinkError('discord: 404 Unknown Channel', { retryable: false }); } }) });
        },
      },
      'provider-breaker': { cause: () => ProviderStatus.create({ provider: 'polygon', process: 'w:1', state: 'open', consecutiveFailures: 5, lastError: 'HTTP 503', openedAt: now, updatedAt: now }) },
      'api-usage': { cause: () => ApiUsage.create({ _id: apiUsageId('alphavantage', '2026-11-24'), provider: 'alphavantage', day: '2026-11-24', calls: 24, limit: 25, updatedAt: now }) },
      'cache-hit-rate': {
        cause: () => insertRun({ job: 'fetch-market-data', runKey: '2026-11-24', status: 'succeeded', tradingDate: '2026-11-24', trigger: 'schedule', attempt: 1, worker: 'w', startedAt: now, leaseUntil: now, finishedAt: now, durationMs: 1, error: null, summary: { cacheHitPct: 12.5 }, dueAt: null }),
      },
      'database-latency': { cause: async () => undefined, thresholds: { dbRoundTripMs: 10 } },
      'disk-space': { cause: async () => undefined, thresholds: { freeDiskPct: 100 } },
      'congress-sources': {
        cause: () => writeState('congress-source:senate', { source: 'senate', ok: false, detail: 'efdsearch.senate.gov refused this host (HTTP 403)', at: now.toISOString(), downSince: new Date(now.getTime() - 2 * 3_600_000).toISOString() }, now),
      },
    };
    for (const rule of RULES) {
      await clearCollections();
      const b = breaks[rule];
      await b.cause();
      // database-latency: a 10 ms limit against a ping made slow on purpose (the server is real; we make it wait).
      const t = { ...DEFAULT_THRESHOLDS, freeDiskPct: 0, ...b.thresholds };
      if (rule === 'database-latency') {
        const slow = await runMonitor({ ...inputs, ping: async () => 50 }, t);
        assert.deepEqual(slow.said.map((s) => `${s.kind} ${s.rule}`), [`opened ${rule}`]);
        continue;
      }
      const r = await runMonitor(inputs, t);
      assert.deepEqual(r.said.map((s) => `${s.kind} ${s.rule}`), [`opened ${rule}`], `breaking ${rule}`);
    }
  });
});
