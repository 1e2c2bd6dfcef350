import { isDuplicateKey } from '../db/connection.js';
import { oneWriterAtATime } from '../db/lease.js';
import { JobRun, jobRunId, type JobRunStatus } from '../db/models/job-run.js';
import { JobHistory, JobStatus, OpenRun, type JobHistoryDoc, type JobSummary, type StoredRun } from '../db/models/job-status.js';
import { describeError } from '../errors.js';
import { log } from '../log/logger.js';

/**
 * Where runs are recorded, and the one rule for reading them: `job_runs` grows with every run a
 * deployment ever makes, so what runs often (a command, the monitor, the catch-up, the recovery sweep)
 * reads a run only by its `_id` ("<job>|<runKey>") or reads the two small collections kept beside it:
 * `job_status` (one document per job: its latest runs, latest slot and recent counts) and `open_runs`
 * (runs that may still need work). On the embedded FerretDB only `_id` equality uses an index; on
 * MongoDB the secondary indexes on `job_runs` stay for history queries and the archive.
 */

export interface RunRecord {
  job: string;
  runKey: string;
  status: JobRunStatus;
  tradingDate: string | null;
  trigger: string;
  attempt: number;
  worker: string;
  startedAt: Date;
  leaseUntil: Date;
  finishedAt: Date | null;
  durationMs: number | null;
  error: string | null;
  summary: Record<string, unknown> | null;
  dueAt: Date | null;
}

/** How many runs each job's summary keeps (newest first); `job_history` keeps HISTORY_RUNS (a slot-keyed job: half an hour's). */
export const RECENT_RUNS = 5;
export const HISTORY_RUNS = 100;
const SLOT_HISTORY_RUNS = 30;
const isSlotKey = (runKey: string): boolean => /T\d\d:\d\d$/.test(runKey);
/** Width of a counting bucket, and how far back buckets are kept. */
export const BUCKET_MS = 10 * 60_000;
const BUCKETS_KEPT_MS = 2 * 3_600_000;

/** One run by its key: an `_id` lookup. */
export async function getRun(job: string, runKey: string): Promise<RunRecord | null> {
  return (await JobRun.findById(jobRunId(job, runKey)).lean()) as RunRecord | null;
}

/** Record a run that did not exist yet; false (and nothing written) when its key is already on record. */
export async function insertRun(rec: RunRecord): Promise<boolean> {
  try {
    await JobRun.create({ _id: jobRunId(rec.job, rec.runKey), ...rec });
  } catch (err) {
    if (isDuplicateKey(err)) return false;
    throw err;
  }
  await noteRun(rec);
  return true;
}

/** Overwrite a run's record (the holder of its lease only), and its job's summary. */
export async function updateRun(rec: RunRecord): Promise<void> {
  const { job: _job, runKey: _key, ...fields } = rec;
  await JobRun.updateOne({ _id: jobRunId(rec.job, rec.runKey) }, { $set: fields });
  await noteRun(rec);
}

/** Mark a run as possibly needing work (before its record says `running`): an insert, repeats ignored. */
export async function openRun(job: string, runKey: string, at: Date): Promise<void> {
  try {
    await OpenRun.create({ _id: jobRunId(job, runKey), job, runKey, at });
  } catch (err) {
    if (!isDuplicateKey(err)) throw err;
  }
}

/** The run needs no more work (succeeded, skipped, or out of attempts). */
export async function closeRun(job: string, runKey: string): Promise<void> {
  await OpenRun.deleteOne({ _id: jobRunId(job, runKey) });
}

/** Every open run marker (a small set: the work in flight and failures with attempts left). */
export async function openRuns(): Promise<Array<{ job: string; runKey: string; at: Date }>> {
  return (await OpenRun.find({}).lean()).map((o) => ({ job: o.job, runKey: o.runKey, at: o.at }));
}

const stored = (r: RunRecord): StoredRun => ({
  runKey: r.runKey, status: r.status, trigger: r.trigger, attempt: r.attempt, worker: r.worker, startedAt: r.startedAt,
  finishedAt: r.finishedAt, leaseUntil: r.leaseUntil, durationMs: r.durationMs, error: r.error, summary: r.summary, dueAt: r.dueAt, tradingDate: r.tradingDate,
});

const bucketOf = (t: Date): number => Math.floor(t.getTime() / BUCKET_MS) * BUCKET_MS;

/**
 * Merge one run into its job's summary. Pure: the previous summary and the run in, the next one out.
 * A finished attempt (succeeded or failed) is counted in the bucket of its finish, once: only when the
 * previous summary did not already show this attempt finished.
 */
export function mergeRun(prev: Omit<JobSummary, '_id'> | null, rec: RunRecord, now: Date): Omit<JobSummary, '_id'> {
  const s = stored(rec);
  const before = prev?.recent.find((r) => r.runKey === rec.runKey);
  const recent = [s, ...(prev?.recent ?? []).filter((r) => r.runKey !== rec.runKey)]
    .sort((a, b) => b.startedAt.getTime() - a.startedAt.getTime())
    .slice(0, RECENT_RUNS);
  const finished = (rec.status === 'succeeded' || rec.status === 'failed') && rec.finishedAt !== null;
  const counted = before && before.attempt === rec.attempt && (before.status === 'succeeded' || before.status === 'failed');
  let buckets = (prev?.buckets ?? []).filter((b) => now.getTime() - b.at.getTime() < BUCKETS_KEPT_MS).map((b) => ({ ...b }));
  if (finished && !counted) {
    const at = bucketOf(rec.finishedAt!);
    const b = buckets.find((x) => x.at.getTime() === at);
    if (b) {
      b.finished += 1;
      b.failed += rec.status === 'failed' ? 1 : 0;
    } else if (now.getTime() - at < BUCKETS_KEPT_MS) {
      buckets = [...buckets, { at: new Date(at), finished: 1, failed: rec.status === 'failed' ? 1 : 0 }].sort((a, b) => a.at.getTime() - b.at.getTime());
    }
  }
  const last = prev?.lastSucceeded ?? null;
  const lastSucceeded = rec.status === 'succeeded' && (!last || last.startedAt.getTime() <= rec.startedAt.getTime()) ? s : last;
  const lastDueAt = rec.dueAt && (!prev?.lastDueAt || prev.lastDueAt < rec.dueAt) ? rec.dueAt : prev?.lastDueAt ?? null;
  const lastStartedAt = !prev?.lastStartedAt || prev.lastStartedAt < rec.startedAt ? rec.startedAt : prev.lastStartedAt;
  return { recent, lastSucceeded, lastDueAt, lastStartedAt, buckets, updatedAt: now };
}

/**
 * Fold a run into its job's summary (read by `_id`, merged, written back), on the run's own clock (a run
 * under a controlled clock is counted at its controlled time). A failure here never fails
 * the run: the run's own record is already written, and the next run of the job writes the summary again.
 */
export function noteRun(rec: RunRecord, now = rec.finishedAt ?? rec.startedAt): Promise<void> {
  // One writer at a time per job in this process: the summary is read, merged and replaced, and two such
  // writes at once (a catch-up beside a scheduled run) would lose one (FerretDB keeps one of two updates).
  const next = (noting.get(rec.job) ?? Promise.resolve()).then(() => noteRunNow(rec, now));
  const tail = next.catch(() => undefined);
  noting.set(rec.job, tail);
  void tail.then(() => {
    if (noting.get(rec.job) === tail) noting.delete(rec.job);
  });
  return next;
}

const noting = new Map<string, Promise<void>>();

async function noteRunNow(rec: RunRecord, now: Date): Promise<void> {
  // The history keeps what ended (succeeded, failed, skipped, missed); a run in progress is in the summary.
  const ended = rec.status !== 'running';
  try {
    // And one writer at a time across processes: two workers folding runs of one job at once take turns.
    await oneWriterAtATime('job-summary', rec.job, async () => {
      const [prev, history] = await Promise.all([
        JobStatus.findById(rec.job).lean() as Promise<JobSummary | null>,
        ended ? (JobHistory.findById(rec.job).lean() as Promise<JobHistoryDoc | null>) : null,
      ]);
      await Promise.all([
        JobStatus.replaceOne({ _id: rec.job }, { _id: rec.job, ...mergeRun(prev, rec, now) }, { upsert: true }),
        ended ? JobHistory.replaceOne({ _id: rec.job }, { _id: rec.job, runs: mergeHistory(history?.runs ?? [], rec) }, { upsert: true }) : null,
      ]);
    }, { waitMs: 20_000, ttlMs: 30_000 });
  } catch (err) {
    log().warn({ job: rec.job, runKey: rec.runKey, err: describeError(err) }, 'job summary not updated; the run itself is recorded');
  }
}

/**
 * Fold many runs into their jobs' summaries and histories at once (oldest first per job, merged into
 * what is stored: a process that already runs jobs may have written a newer run). For bulk writers: the
 * one-time migration and the aged-database generator; a single run goes through noteRun.
 */
export async function noteRuns(records: RunRecord[], now = new Date()): Promise<void> {
  const byJob = new Map<string, RunRecord[]>();
  for (const r of records) byJob.set(r.job, [...(byJob.get(r.job) ?? []), r]);
  for (const [job, runs] of byJob) {
    let summary: Omit<JobSummary, '_id'> | null = (await JobStatus.findById(job).lean()) as JobSummary | null;
    let history = ((await JobHistory.findById(job).lean()) as JobHistoryDoc | null)?.runs ?? [];
    for (const r of runs.sort((a, b) => a.startedAt.getTime() - b.startedAt.getTime())) {
      summary = mergeRun(summary, r, now);
      history = mergeHistory(history, r);
    }
    await JobStatus.replaceOne({ _id: job }, { _id: job, ...summary! }, { upsert: true });
    await JobHistory.replaceOne({ _id: job }, { _id: job, runs: history }, { upsert: true });
  }
}

/** A job's history with one run merged in (newest first, HISTORY_RUNS at most). Pure. */
export function mergeHistory(runs: StoredRun[], rec: RunRecord): StoredRun[] {
  return [stored(rec), ...runs.filter((r) => r.runKey !== rec.runKey)].sort((a, b) => b.startedAt.getTime() - a.startedAt.getTime()).slice(0, isSlotKey(rec.runKey) ? SLOT_HISTORY_RUNS : HISTORY_RUNS);
}

/** A job's last runs, newest first: one `_id` lookup. */
export async function jobRunsOf(job: string, limit: number): Promise<StoredRun[]> {
  const doc = (await JobHistory.findById(job).lean()) as JobHistoryDoc | null;
  return (doc?.runs ?? []).slice(0, limit);
}

/** Every job's summary, by job name: one read of a collection holding one document per job. */
export async function jobSummaries(): Promise<Map<string, JobSummary>> {
  return new Map(((await JobStatus.find({}).lean()) as JobSummary[]).map((d) => [d._id, d]));
}

/** Finished and failed runs counted in the buckets of the last `ms` (by bucket start), per job. */
export function countRecent(summaries: Iterable<JobSummary>, now: Date, ms: number): { finished: number; failed: number; failedJobs: string[] } {
  let finished = 0;
  let failed = 0;
  const failedJobs: string[] = [];
  for (const s of summaries) {
    for (const b of s.buckets) {
      if (now.getTime() - b.at.getTime() >= ms + BUCKET_MS || b.at.getTime() > now.getTime()) continue;
      finished += b.finished;
      failed += b.failed;
      if (b.failed > 0 && !failedJobs.includes(s._id)) failedJobs.push(s._id);
    }
  }
  return { finished, failed, failedJobs };
}
