import { randomUUID } from 'node:crypto';
import { Agenda, InMemoryNotificationChannel } from 'agenda';
import { MongoBackend } from '@agendajs/mongo-backend';
import type { Db } from 'mongodb';
import type { Env } from '../config/env.js';
import { isDuplicateKey } from '../db/connection.js';
import { throttleErrors } from '../db/db-monitor.js';
import { JobRequest } from '../db/models/job-request.js';
import { closureReason } from '../calendar/nyse.js';
import { log } from '../log/logger.js';
import { AGENDA_COLLECTION, type JobDefinition } from './job-definition.js';
import { catchUpJobBefore, recordMissed } from './catch-up.js';
import { runJob, type RunResult } from './run-job.js';
import { getRun } from './run-store.js';
import { LATE_AFTER_MS, latestSlot } from './slots.js';

export { AGENDA_COLLECTION } from './job-definition.js';
export const EARLY_CLOSE_SUFFIX = '@early-close';

export interface JobData {
  date?: string;
  force?: boolean;
  trigger?: 'schedule' | 'cli' | 'discord';
  /** One-off runs carry a unique id: a second firing of the same Agenda job finds it taken. */
  requestId?: string;
}

export interface Scheduler {
  agenda: Agenda;
  /** Queue a run now (used by /rerun); the worker that picks it up claims its run key as usual. */
  enqueueNow(job: string, data: JobData): Promise<void>;
  /**
   * Graceful stop: wait for running jobs up to `graceMs`, then unlock what is left. Agenda 6 keeps a
   * liveness timer (lockLifetime/2) that stop() does not cancel, so a process exits explicitly after it.
   */
  stop(graceMs: number): Promise<{ timedOut: boolean }>;
}

/**
 * A scheduled firing belongs to the slot it was due for (the latest cron occurrence at or before now),
 * whatever the clock says: a firing delayed past midnight or over a weekend runs the slot's day under
 * the slot's key. A catch-up job first runs its earlier missed slots; a `skip` job fired late records
 * the slot as missed instead of running it.
 */
export async function runScheduled(def: JobDefinition, env: Env, now: Date): Promise<RunResult | undefined> {
  const slot = latestSlot(def, now);
  if (!slot) return runJob(def, env, { trigger: 'schedule', now });
  const late = now.getTime() - slot.dueAt.getTime() > LATE_AFTER_MS;
  // A market-days job firing for a closed day (a holiday) was never due: runJob records it skipped, "market closed",
  // however late the firing (the soak found late holiday firings recorded as missed, and the health check alerting).
  const closedDay = def.marketDaysOnly && closureReason(slot.date) !== undefined;
  if (late && def.missedRuns === 'skip' && !closedDay) {
    if (def.runKeyEvery === 'tradingDate') await recordMissed(def, slot, "fired late; policy 'skip'", now);
    return undefined;
  }
  if (late) await catchUpJobBefore(def, env, slot, now);
  return runJob(def, env, { date: slot.date, runKey: slot.runKey, dueAt: slot.dueAt, trigger: 'schedule', now });
}

/** A daily slot this long past due with no run record is stalled (see runStalledSlots). */
export const STALLED_AFTER_MS = 90_000;
const STALLED_WINDOW_MS = 30 * 60_000;

/**
 * A firing that Agenda locked in a worker which died before it claimed the run waits out Agenda's lock (the
 * job's lock lifetime, 10–15 minutes) — seen in the soak: a worker killed in the 09:30 step left execute-trades
 * for the next start's catch-up. So every worker looks, every 30 s, at each daily job's latest slot: due more than
 * STALLED_AFTER_MS ago (and within half an hour: older gaps are the start-up catch-up's), and no run record (an
 * `_id` lookup) → run it as the schedule would (runScheduled: the late and missed-run rules apply; the run claim
 * keeps it once when Agenda fires it too). Returns the slots it ran.
 */
export async function runStalledSlots(jobs: Map<string, JobDefinition>, env: Env, now = new Date()): Promise<string[]> {
  const out: string[] = [];
  for (const def of jobs.values()) {
    if (!def.schedule || def.runKeyEvery !== 'tradingDate') continue;
    const slot = latestSlot(def, now);
    if (!slot) continue;
    const age = now.getTime() - slot.dueAt.getTime();
    if (age < STALLED_AFTER_MS || age > STALLED_WINDOW_MS) continue;
    if (await getRun(def.name, slot.runKey)) continue;
    log().child({ component: 'scheduler' }).warn({ job: def.name, runKey: slot.runKey, dueAt: slot.dueAt }, 'a due slot has no run after 90 s (its firing is stuck in a dead worker\'s lock): running it');
    await runScheduled(def, env, now);
    out.push(`${def.name} ${slot.runKey}`);
  }
  return out;
}

/** Take a one-off run request by unique insert: true for the first firing only. */
export async function takeRequest(requestId: string, job: string): Promise<boolean> {
  try {
    await JobRequest.create({ _id: requestId, job, at: new Date() });
    return true;
  } catch (err) {
    if (isDuplicateKey(err)) return false;
    throw err;
  }
}

/**
 * Agenda's recurring records, one per name. `every()` upserts a 'single' record with findOneAndUpdate, which the
 * embedded FerretDB does not make atomic across connections: two workers starting together can both insert (the
 * soak saw 18 extra records, each firing its job a second time for the run claim to refuse). Every worker, after
 * its own `every()` calls, keeps the lowest `_id` of each name and deletes the rest — the same choice in every
 * process, so they never delete each other's keeper. Returns how many were deleted.
 */
export async function dedupeRecurringJobs(db: Db): Promise<number> {
  const coll = db.collection(AGENDA_COLLECTION);
  const singles = await coll.find({ type: 'single' }, { projection: { _id: 1, name: 1 } }).sort({ _id: 1 }).toArray();
  const kept = new Set<string>();
  const extra = singles.filter((j) => {
    const name = String(j.name);
    if (kept.has(name)) return true;
    kept.add(name);
    return false;
  }).map((j) => j._id);
  if (extra.length === 0) return 0;
  return (await coll.deleteMany({ _id: { $in: extra } })).deletedCount;
}

/**
 * Agenda on the same database as mongoose. Each job is defined once per process; recurring jobs
 * are created with every(cron, { timezone }), which upserts one 'single' record per name; a
 * second record made by two workers starting at once is deleted (dedupeRecurringJobs).
 */
export async function startScheduler(db: Db, jobs: Map<string, JobDefinition>, env: Env, opts: { schedule?: boolean; processEveryMs?: number } = {}): Promise<Scheduler> {
  const logger = log().child({ component: 'scheduler' });
  const agenda = new Agenda({
    backend: new MongoBackend({ mongo: db, collection: AGENDA_COLLECTION }),
    name: `signaldesk-${process.pid}`,
    // A number: Agenda's human-interval parsing reads '200 milliseconds' as 200 seconds. Each poll is one
    // findAndModify per job name (25 of them): an idle worker's largest cost, so not more often than
    // needed. Agenda locks what falls due within the next window and starts it at its time.
    processEvery: opts.processEveryMs ?? 30_000,
    // A run queued in this process (/rerun answered here) starts at once instead of at the next poll.
    notificationChannel: new InMemoryNotificationChannel(),
    maxConcurrency: env.WORKER_MAX_CONCURRENCY,
  });
  // Agenda polls every processEvery: while the database is away it fails on every poll. One line a minute.
  agenda.on('error', throttleErrors(logger, 'agenda error (repeats are counted, not logged)'));

  for (const def of jobs.values()) {
    // A job with an early-close cron gets a second Agenda record "<name>@early-close"; both firings
    // run the job under the slot they were due for (runScheduled picks the cron that applies that day).
    for (const agendaName of def.schedule?.earlyClose ? [def.name, `${def.name}${EARLY_CLOSE_SUFFIX}`] : [def.name]) agenda.define(
      agendaName,
      async (job) => {
        const data = (job.attrs.data ?? {}) as JobData;
        if (data.requestId && !(await takeRequest(data.requestId, def.name))) {
          logger.info({ job: def.name, requestId: data.requestId }, 'one-off run already taken by another firing');
          return;
        }
        const result = data.date !== undefined || data.trigger !== 'schedule'
          ? await runJob(def, env, { date: data.date, force: data.force, trigger: data.trigger ?? 'cli' })
          : await runScheduled(def, env, new Date());
        if (result?.status === 'failed') throw new Error(result.error ?? 'job failed');
      },
      { concurrency: def.concurrency, lockLifetime: def.lockLifetimeMs },
    );
  }
  await agenda.start();
  if (opts.schedule !== false) {
    for (const def of jobs.values()) {
      if (!def.schedule) continue;
      await agenda.every(def.schedule.cron, def.name, { trigger: 'schedule' } satisfies JobData, { timezone: def.schedule.timezone, skipImmediate: true });
      if (def.schedule.earlyClose) {
        await agenda.every(def.schedule.earlyClose, `${def.name}${EARLY_CLOSE_SUFFIX}`, { trigger: 'schedule' } satisfies JobData, { timezone: def.schedule.timezone, skipImmediate: true });
      }
      logger.info({ job: def.name, cron: def.schedule.cron, timezone: def.schedule.timezone }, 'scheduled');
    }
    const removed = await dedupeRecurringJobs(db);
    if (removed) logger.warn({ removed }, 'deleted duplicate recurring job records (two workers started at once)');
  }
  return {
    agenda,
    async enqueueNow(job, data) {
      await agenda.now(job, { requestId: randomUUID(), ...data });
    },
    async stop(graceMs) {
      const result = await agenda.drain({ timeout: graceMs, closeConnection: false });
      await agenda.stop(false);
      return { timedOut: result.timedOut };
    },
  };
}
