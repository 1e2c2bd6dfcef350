import mongoose from 'mongoose';
import { UserFacingError } from '../errors.js';
import type { JobDefinition } from './job-definition.js';
import { nyTime, slotsBetween } from './slots.js';
import { isLate } from './catch-up.js';
import { jobRunsOf, jobSummaries } from './run-store.js';
import type { JobSummary } from '../db/models/job-status.js';
import { AGENDA_COLLECTION } from './job-definition.js';

export interface JobRunView {
  runKey: string;
  status: string;
  trigger: string;
  attempt: number;
  startedAt: string;
  /** When the run was due (scheduled and caught-up runs), and whether it started late. */
  dueAt: string | null;
  late: boolean;
  durationMs: number | null;
  error: string | null;
  summary: Record<string, unknown> | null;
}

export interface JobView {
  name: string;
  description: string;
  cron: string | null;
  timezone: string | null;
  marketDaysOnly: boolean;
  nextRunAt: string | null;
  lockedAt: string | null;
  lastRun: JobRunView | null;
}

interface AgendaJobDoc {
  name: string;
  type?: string;
  nextRunAt?: Date | null;
  lockedAt?: Date | null;
}

function view(r: { runKey: string; status: string; trigger: string; attempt: number; startedAt: Date; dueAt?: Date | null; durationMs?: number | null; error?: string | null; summary?: unknown }): JobRunView {
  return {
    runKey: r.runKey,
    status: r.status,
    trigger: r.trigger,
    attempt: r.attempt,
    startedAt: r.startedAt.toISOString(),
    dueAt: r.dueAt ? r.dueAt.toISOString() : null,
    late: r.status !== 'missed' && isLate(r.dueAt, r.startedAt),
    durationMs: r.durationMs ?? null,
    error: r.error ?? null,
    summary: (r.summary as Record<string, unknown> | null) ?? null,
  };
}

/**
 * Every known job with its schedule, next run (from Agenda's collection) and last run (from the per-job
 * summaries, or those the caller already read): reads of collections that hold about one document per
 * job, whatever the history.
 */
export async function listJobs(jobs: Map<string, JobDefinition>, known?: Map<string, JobSummary>): Promise<JobView[]> {
  const db = mongoose.connection.db;
  const [agendaDocs, summaries] = await Promise.all([
    db ? db.collection<AgendaJobDoc>(AGENDA_COLLECTION).find({ type: 'single' }, { projection: { name: 1, nextRunAt: 1, lockedAt: 1 } }).toArray() : [],
    known ?? jobSummaries(),
  ]);
  const byName = new Map(agendaDocs.map((d) => [d.name, d]));
  return [...jobs.values()].map((def) => {
      const last = summaries.get(def.name)?.recent[0];
      const a = byName.get(def.name);
      return {
        name: def.name,
        description: def.description,
        cron: def.schedule?.cron ?? null,
        timezone: def.schedule?.timezone ?? null,
        marketDaysOnly: def.marketDaysOnly,
        nextRunAt: a?.nextRunAt ? a.nextRunAt.toISOString() : null,
        lockedAt: a?.lockedAt ? a.lockedAt.toISOString() : null,
        lastRun: last ? view(last) : null,
      };
  });
}

export async function jobHistory(jobs: Map<string, JobDefinition>, name: string, limit = 20): Promise<JobRunView[]> {
  if (!jobs.has(name)) {
    throw new UserFacingError('UNKNOWN_JOB', `There is no job "${name}". Jobs: ${[...jobs.keys()].join(', ')}.`);
  }
  return (await jobRunsOf(name, limit)).map(view);
}

export function requireJob(jobs: Map<string, JobDefinition>, name: string): JobDefinition {
  const def = jobs.get(name);
  if (!def) throw new UserFacingError('UNKNOWN_JOB', `There is no job "${name}". Jobs: ${[...jobs.keys()].join(', ')}.`);
  return def;
}

export interface UpcomingRun {
  job: string;
  dueAt: string;
  /** The due time in New York, as a desk reads it: "Mon 2026-11-23 09:30". */
  newYork: string;
  date: string;
}

/**
 * The next `n` scheduled runs across jobs, in New York time, on the days each job really runs (closed
 * days skipped for market jobs). Jobs that run every few minutes are left out (they would fill the list).
 */
export function upcomingRuns(jobs: Map<string, JobDefinition>, now = new Date(), n = 10): UpcomingRun[] {
  const horizon = new Date(now.getTime() + 21 * 86_400_000);
  const all = [...jobs.values()]
    .filter((d) => d.schedule && d.runKeyEvery === 'tradingDate')
    .flatMap((d) => slotsBetween(d, now, horizon, n).map((s) => ({ job: d.name, slot: s })));
  return all
    .sort((a, b) => a.slot.dueAt.getTime() - b.slot.dueAt.getTime() || a.job.localeCompare(b.job))
    .slice(0, n)
    .map(({ job, slot }) => ({
      job, dueAt: slot.dueAt.toISOString(), date: slot.date,
      newYork: nyTime(slot.dueAt),
    }));
}
