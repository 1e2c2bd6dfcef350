import type { Env } from '../config/env.js';
import { isDuplicateKey } from '../db/connection.js';
import { JobRun } from '../db/models/job-run.js';
import { describeError } from '../errors.js';
import { log } from '../log/logger.js';
import { enqueuePost } from '../notify/outbox.js';
import { COLORS } from '../notify/post.js';
import type { JobDefinition } from './job-definition.js';
import { runJob, WORKER_ID, type RunResult } from './run-job.js';
import { catchUpHorizon, LATE_AFTER_MS, nyTime, planMissed, slotsBetween, type Slot } from './slots.js';

export interface CatchUpReport {
  /** When the last run before the gap started (null: nothing ever ran, nothing to catch up). */
  downSince: Date | null;
  ran: Array<{ job: string; runKey: string; dueAt: string; status: RunResult['status'] }>;
  missed: Array<{ job: string; runKey: string; dueAt: string; reason: string }>;
}

/** Record a slot that will not run, with the reason (first writer wins: two workers record it once). */
export async function recordMissed(def: JobDefinition, slot: Slot, reason: string, now: Date): Promise<void> {
  try {
    await JobRun.create({
      job: def.name, runKey: slot.runKey, status: 'missed', tradingDate: slot.date, trigger: 'schedule', attempt: 0, worker: WORKER_ID,
      startedAt: now, leaseUntil: now, finishedAt: now, durationMs: 0, summary: { missed: reason }, dueAt: slot.dueAt,
    });
  } catch (err) {
    if (!isDuplicateKey(err)) throw err;
  }
}

/** The slots of one job that passed unrun in (after, upTo]: none on record under their run key. */
async function unrunSlots(def: JobDefinition, after: Date, upTo: Date): Promise<Slot[]> {
  const slots = slotsBetween(def, after, upTo);
  if (slots.length === 0) return [];
  const onRecord = new Set((await JobRun.find({ job: def.name, runKey: { $in: slots.map((s) => s.runKey) } }, { runKey: 1 }).lean()).map((r) => r.runKey));
  return slots.filter((s) => !onRecord.has(s.runKey));
}

/**
 * A job's slots up to `upTo` that passed unrun since its last slot on record (else since the last time
 * anything ran), never looking back past the catch-up horizon.
 */
async function missedSlots(def: JobDefinition, lastSeen: Date, now: Date, upTo: Date): Promise<Slot[]> {
  const last = await JobRun.findOne({ job: def.name, dueAt: { $ne: null } }).sort({ dueAt: -1 }).lean();
  const horizon = catchUpHorizon(now);
  const from = last?.dueAt ?? lastSeen;
  return unrunSlots(def, from > horizon ? from : horizon, upTo);
}

/**
 * Runs a job's missed slots before `slot` (oldest first) when its policy is catch-up; used when the
 * scheduler fires a catch-up job late, so the earlier days run before the one it fired for.
 */
export async function catchUpJobBefore(def: JobDefinition, env: Env, slot: Slot, now: Date): Promise<RunResult[]> {
  if (def.missedRuns !== 'catch-up') return [];
  const lastSeen = await JobRun.findOne({}).sort({ startedAt: -1 }).lean();
  if (!lastSeen) return [];
  const earlier = (await missedSlots(def, lastSeen.startedAt, now, new Date(slot.dueAt.getTime() - 1))).filter((s) => s.runKey !== slot.runKey);
  const out: RunResult[] = [];
  for (const s of earlier) out.push(await runJob(def, env, { date: s.date, runKey: s.runKey, dueAt: s.dueAt, trigger: 'catch-up', now }));
  return out;
}

/**
 * At worker start (and when the database comes back): compare each scheduled job's due slots since
 * its last recorded run (cron + zone + NYSE calendar, at most CATCH_UP_TRADING_DAYS back) with
 * job_runs, apply its missed-run policy, run what it says oldest first across all jobs, record the
 * rest as `missed` with the reason, and post one ops summary. Two workers doing this at once produce
 * each effect once (the run claims) and one summary (its key is the start of the gap).
 */
export async function catchUp(jobs: Map<string, JobDefinition>, env: Env, opts: { now?: Date } = {}): Promise<CatchUpReport> {
  const now = opts.now ?? new Date();
  const logger = log().child({ component: 'catch-up' });
  const lastSeen = await JobRun.findOne({ startedAt: { $lte: now } }).sort({ startedAt: -1 }).lean();
  const report: CatchUpReport = { downSince: lastSeen?.startedAt ?? null, ran: [], missed: [] };
  if (!lastSeen) return report;
  const work: Array<{ def: JobDefinition; slot: Slot }> = [];
  for (const def of jobs.values()) {
    // Minute-keyed jobs (deliver-outbox, health-check) just resume: their missed minutes are not worth a record each.
    if (!def.schedule || def.runKeyEvery !== 'tradingDate') continue;
    const plan = planMissed(def.missedRuns, await missedSlots(def, lastSeen.startedAt, now, now));
    for (const m of plan.missed) {
      await recordMissed(def, m, m.reason, now);
      report.missed.push({ job: def.name, runKey: m.runKey, dueAt: m.dueAt.toISOString(), reason: m.reason });
    }
    for (const slot of plan.run) work.push({ def, slot });
  }
  work.sort((a, b) => a.slot.dueAt.getTime() - b.slot.dueAt.getTime() || a.def.name.localeCompare(b.def.name));
  for (const { def, slot } of work) {
    try {
      const r = await runJob(def, env, { date: slot.date, runKey: slot.runKey, dueAt: slot.dueAt, trigger: 'catch-up', now });
      report.ran.push({ job: def.name, runKey: slot.runKey, dueAt: slot.dueAt.toISOString(), status: r.status });
    } catch (err) {
      logger.warn({ job: def.name, runKey: slot.runKey, err: describeError(err) }, 'catch-up run could not start');
    }
  }
  if (report.ran.length || report.missed.length) {
    const ran = report.ran.map((r) => `${r.job} ${r.runKey} (${r.status})`);
    const missed = report.missed.map((m) => `${m.job} ${m.runKey}`);
    await enqueuePost(`catch-up:${lastSeen.startedAt.toISOString()}`, {
      kind: 'ops',
      title: 'Caught up after downtime',
      description: `No worker ran jobs from ${nyTime(lastSeen.startedAt)} to ${nyTime(now)} (New York).`,
      color: COLORS.warn,
      fields: [
        { name: `Ran late (${ran.length})`, value: ran.join('\n').slice(0, 1_000) || 'none' },
        { name: `Skipped by policy (${missed.length})`, value: missed.join('\n').slice(0, 1_000) || 'none' },
      ],
      urgent: true,
    });
    logger.warn({ ran: report.ran.length, missed: report.missed.length }, 'caught up after downtime');
  }
  return report;
}

/** True when a run started this long after its slot counts as late. */
export function isLate(dueAt: Date | null | undefined, startedAt: Date): boolean {
  return !!dueAt && startedAt.getTime() - dueAt.getTime() > LATE_AFTER_MS;
}
