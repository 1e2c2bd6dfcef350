import type { Env } from '../config/env.js';
import { CatchUpState, type JobSummary } from '../db/models/job-status.js';
import { describeError } from '../errors.js';
import { log } from '../log/logger.js';
import { enqueuePost } from '../notify/outbox.js';
import { COLORS } from '../notify/post.js';
import type { JobDefinition } from './job-definition.js';
import { runJob, WORKER_ID, type RunResult } from './run-job.js';
import { getRun, insertRun, jobSummaries } from './run-store.js';
import { catchUpHorizon, LATE_AFTER_MS, nyTime, planMissed, slotsBetween, type Slot } from './slots.js';

export interface CatchUpReport {
  /** When the last run before the gap started (null: nothing ever ran, nothing to catch up). */
  downSince: Date | null;
  ran: Array<{ job: string; runKey: string; dueAt: string; status: RunResult['status'] }>;
  missed: Array<{ job: string; runKey: string; dueAt: string; reason: string }>;
}

/** Record a slot that will not run, with the reason (first writer wins: two workers record it once). */
export async function recordMissed(def: JobDefinition, slot: Slot, reason: string, now: Date): Promise<void> {
  await insertRun({
    job: def.name, runKey: slot.runKey, status: 'missed', tradingDate: slot.date, trigger: 'schedule', attempt: 0, worker: WORKER_ID,
    startedAt: now, leaseUntil: now, finishedAt: now, durationMs: 0, error: null, summary: { missed: reason }, dueAt: slot.dueAt,
  });
}

/** The slots of one job that passed unrun in (after, upTo]: none on record under their run key (`_id` lookups). */
async function unrunSlots(def: JobDefinition, after: Date, upTo: Date): Promise<Slot[]> {
  const slots = slotsBetween(def, after, upTo);
  const onRecord = await Promise.all(slots.map((s) => getRun(def.name, s.runKey)));
  return slots.filter((_, i) => onRecord[i] === null);
}

/**
 * A job's slots up to `upTo` that passed unrun since its last slot on record (else since the last time
 * anything ran), never looking back past the catch-up horizon.
 */
function missedSlots(def: JobDefinition, summary: JobSummary | undefined, lastSeen: Date, now: Date, upTo: Date): Promise<Slot[]> {
  const horizon = catchUpHorizon(now);
  const from = summary?.lastDueAt ?? lastSeen;
  return unrunSlots(def, from > horizon ? from : horizon, upTo);
}

/** When the last run on record started, at or before `now` (from the per-job summaries, not `job_runs`). */
function lastRunStart(summaries: Map<string, JobSummary>, now: Date): Date | null {
  let last: Date | null = null;
  for (const s of summaries.values()) {
    const candidates = [s.lastStartedAt, ...s.recent.map((r) => r.startedAt)].filter((d): d is Date => !!d && d <= now);
    for (const d of candidates) if (!last || d > last) last = d;
  }
  return last;
}

/**
 * Runs a job's missed slots before `slot` (oldest first) when its policy is catch-up; used when the
 * scheduler fires a catch-up job late, so the earlier days run before the one it fired for.
 */
export async function catchUpJobBefore(def: JobDefinition, env: Env, slot: Slot, now: Date): Promise<RunResult[]> {
  if (def.missedRuns !== 'catch-up') return [];
  const summaries = await jobSummaries();
  const lastSeen = lastRunStart(summaries, new Date(8.64e15));
  if (!lastSeen) return [];
  const earlier = (await missedSlots(def, summaries.get(def.name), lastSeen, now, new Date(slot.dueAt.getTime() - 1))).filter((s) => s.runKey !== slot.runKey);
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
  const started = new Date();
  const summaries = await jobSummaries();
  const lastSeen = lastRunStart(summaries, now);
  const report: CatchUpReport = { downSince: lastSeen, ran: [], missed: [] };
  if (!lastSeen) {
    // Nothing ever ran here (a new database): nothing to catch up, and the worker is ready.
    setLocal({ state: 'done', done: 0, total: 0, current: null, downSince: null, startedAt: started, finishedAt: new Date() });
    return report;
  }
  await forgetOldCatchUps(new Date()); // the records' times are the wall clock's
  await saveProgress({ state: 'planning', done: 0, total: 0, current: null, downSince: lastSeen, startedAt: started });
  // Written again every minute while it runs (a catch-up run can take minutes): one not written for longer was
  // interrupted (its worker killed), and /jobs and /health say so instead of "catching up" forever.
  const beat = setInterval(() => void (latest && saveProgress(latest)), HEARTBEAT_MS);
  beat.unref();
  const work: Array<{ def: JobDefinition; slot: Slot }> = [];
  try {
    for (const def of jobs.values()) {
      // Minute-keyed jobs (deliver-outbox, health-check) just resume: their missed minutes are not worth a record each.
      if (!def.schedule || def.runKeyEvery !== 'tradingDate') continue;
      const plan = planMissed(def.missedRuns, await missedSlots(def, summaries.get(def.name), lastSeen, now, now));
      for (const m of plan.missed) {
        await recordMissed(def, m, m.reason, now);
        report.missed.push({ job: def.name, runKey: m.runKey, dueAt: m.dueAt.toISOString(), reason: m.reason });
      }
      for (const slot of plan.run) work.push({ def, slot });
    }
    work.sort((a, b) => a.slot.dueAt.getTime() - b.slot.dueAt.getTime() || a.def.name.localeCompare(b.def.name));
    for (const [i, { def, slot }] of work.entries()) {
      await saveProgress({ state: 'running', done: i, total: work.length, current: `${def.name} ${slot.runKey}`, downSince: lastSeen, startedAt: started });
      try {
        const r = await runJob(def, env, { date: slot.date, runKey: slot.runKey, dueAt: slot.dueAt, trigger: 'catch-up', now });
        report.ran.push({ job: def.name, runKey: slot.runKey, dueAt: slot.dueAt.toISOString(), status: r.status });
      } catch (err) {
        logger.warn({ job: def.name, runKey: slot.runKey, err: describeError(err) }, 'catch-up run could not start');
      }
    }
  } catch (err) {
    clearInterval(beat);
    await saveProgress({ state: 'failed', done: report.ran.length, total: work.length, current: null, downSince: lastSeen, startedAt: started, finishedAt: new Date(), error: describeError(err) });
    throw err;
  }
  clearInterval(beat);
  await saveProgress({ state: 'done', done: work.length, total: work.length, current: null, downSince: lastSeen, startedAt: started, finishedAt: new Date() });
  if (report.ran.length || report.missed.length) {
    const ran = report.ran.map((r) => `${r.job} ${r.runKey} (${r.status})`);
    const missed = report.missed.map((m) => `${m.job} ${m.runKey}`);
    await enqueuePost(`catch-up:${lastSeen.toISOString()}`, {
      kind: 'ops',
      title: 'Caught up after downtime',
      description: `No worker ran jobs from ${nyTime(lastSeen)} to ${nyTime(now)} (New York).`,
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

export interface CatchUpProgress {
  worker: string;
  /** `interrupted`: still planning or running by its record, but not written for minutes (its worker was stopped). */
  state: 'planning' | 'running' | 'done' | 'failed' | 'interrupted';
  done: number;
  total: number;
  /** The run in progress ("job runKey"); for an interrupted catch-up, the run it was at. */
  current: string | null;
  downSince: string | null;
  startedAt: string;
  finishedAt: string | null;
  error: string | null;
}

let ownProgress: CatchUpProgress | undefined;
/** The last progress this process wrote (what the heartbeat writes again). */
let latest: ProgressInput | undefined;

/** This process's catch-up as it stands (for /readyz); undefined when none ran here. */
export function localCatchUp(): CatchUpProgress | undefined {
  return ownProgress;
}

type ProgressInput = { state: CatchUpProgress['state']; done: number; total: number; current: string | null; downSince: Date | null; startedAt: Date; finishedAt?: Date; error?: string };

function setLocal(p: ProgressInput): void {
  ownProgress = {
    worker: WORKER_ID, state: p.state, done: p.done, total: p.total, current: p.current, downSince: p.downSince?.toISOString() ?? null,
    startedAt: p.startedAt.toISOString(), finishedAt: p.finishedAt?.toISOString() ?? null, error: p.error ?? null,
  };
}

async function saveProgress(p: ProgressInput): Promise<void> {
  setLocal(p);
  latest = p;
  // Shown by /jobs and /health in any process; a failure to say so never stops the catch-up itself.
  await CatchUpState.replaceOne({ _id: WORKER_ID }, { _id: WORKER_ID, ...p, finishedAt: p.finishedAt ?? null, error: p.error ?? null, savedAt: new Date() }, { upsert: true }).catch(() => undefined);
}

/** How long a finished catch-up stays on show in /jobs and /health. */
const SHOWN_AFTER_MS = 3_600_000;
/** How often a running catch-up writes its progress again, and after how long without a write it was interrupted. */
const HEARTBEAT_MS = 60_000;
export const INTERRUPTED_AFTER_MS = 5 * HEARTBEAT_MS;
/** Catch-ups (one document per worker process that ever caught up) are forgotten a week after they ended. */
const KEPT_MS = 7 * 86_400_000;

/** Drop the catch-ups of other processes that ended (or were last written) over a week ago: catch_ups stays small. */
async function forgetOldCatchUps(now: Date): Promise<void> {
  const cutoff = now.getTime() - KEPT_MS;
  const docs = await CatchUpState.find({}, { finishedAt: 1, savedAt: 1, startedAt: 1 }).lean();
  const old = docs.filter((d) => d._id !== WORKER_ID && (d.finishedAt ?? d.savedAt ?? d.startedAt).getTime() < cutoff).map((d) => d._id);
  if (old.length) await CatchUpState.deleteMany({ _id: { $in: old } }).catch(() => undefined);
}

/** Catch-ups in progress in any worker, and those that ended within the last hour (a small collection). */
export async function catchUpsInView(now = new Date()): Promise<CatchUpProgress[]> {
  const docs = await CatchUpState.find({}).lean();
  return docs.flatMap((d) => {
    const running = d.state === 'planning' || d.state === 'running';
    // Older documents have no savedAt: their start stands in for it.
    const lastWrite = (d.savedAt ?? d.startedAt).getTime();
    const interrupted = running && now.getTime() - lastWrite > INTERRUPTED_AFTER_MS;
    const endedAt = interrupted ? lastWrite : d.finishedAt?.getTime();
    if (endedAt !== undefined && now.getTime() - endedAt >= SHOWN_AFTER_MS) return [];
    return [{
      worker: d._id, state: interrupted ? 'interrupted' : (d.state as CatchUpProgress['state']), done: d.done, total: d.total, current: d.current ?? null,
      downSince: d.downSince?.toISOString() ?? null, startedAt: d.startedAt.toISOString(), finishedAt: d.finishedAt?.toISOString() ?? null, error: d.error ?? null,
    }];
  });
}

/** True when a run started this long after its slot counts as late. */
export function isLate(dueAt: Date | null | undefined, startedAt: Date): boolean {
  return !!dueAt && startedAt.getTime() - dueAt.getTime() > LATE_AFTER_MS;
}
