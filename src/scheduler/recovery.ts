import type { Env } from '../config/env.js';
import { describeError } from '../errors.js';
import { log } from '../log/logger.js';
import { backoffMs } from '../notify/outbox.js';
import type { JobDefinition } from './job-definition.js';
import { RUN_LEASE_MS, runJob, type RunResult } from './run-job.js';
import { closeRun, getRun, openRuns } from './run-store.js';

/** Runs older than this are history, not work to recover. */
const RECOVERY_WINDOW_MS = 3 * 86_400_000;
/** A lease must be this far past its end before a run counts as abandoned (clock skew between hosts). */
export const ABANDON_GRACE_MS = 5_000;

export interface RecoverableRun {
  job: string;
  runKey: string;
  tradingDate: string | null;
  status: string;
  attempt: number;
  reason: 'abandoned' | 'retry' | 'unrecorded';
}

/**
 * An open marker whose run never got a record: the claimant died, or the database went away under it, between its
 * claim and its first write (seen in the reliability suite: a fetch claimed as the database was killed was never
 * run). Once the claim's lease has surely run out the run is recovered like an abandoned one (a daily job's key is
 * its date); after ORPHAN_MARKER_MS the marker is dropped.
 */
const ORPHAN_MARKER_MS = 10 * 60_000;
const UNRECORDED_AFTER_MS = RUN_LEASE_MS + ABANDON_GRACE_MS;

/**
 * Runs that need another attempt: `running` under a lease that ran out (the worker died, or the
 * database went away under it), and `failed` runs with attempts left whose back-off has passed. Read
 * from the open set (src/scheduler/run-store.ts), each run by `_id`: the sweep runs every few seconds
 * and must not grow with history. Markers of runs that need nothing more are dropped on the way.
 */
export async function findRecoverable(jobs: Map<string, JobDefinition>, now = new Date()): Promise<RecoverableRun[]> {
  const since = new Date(now.getTime() - RECOVERY_WINDOW_MS);
  const markers = await openRuns();
  const out: Array<RecoverableRun & { startedAt: Date }> = [];
  for (const m of markers) {
    const d = await getRun(m.job, m.runKey);
    const def = jobs.get(m.job);
    if (!d) {
      const age = now.getTime() - m.at.getTime();
      if (age > ORPHAN_MARKER_MS) await closeRun(m.job, m.runKey);
      else if (def && def.runKeyEvery === 'tradingDate' && /^\d{4}-\d{2}-\d{2}$/.test(m.runKey) && age > UNRECORDED_AFTER_MS) {
        out.push({ job: m.job, runKey: m.runKey, tradingDate: m.runKey, status: 'unrecorded', attempt: 0, reason: 'unrecorded', startedAt: m.at });
      }
      continue;
    }
    if (d.status === 'succeeded' || d.status === 'skipped' || (d.status === 'failed' && def && d.attempt >= def.maxAttempts)) {
      await closeRun(m.job, m.runKey);
      continue;
    }
    if (!def || d.trigger === 'test' || d.startedAt < since) continue;
    if (d.status === 'running') {
      if (d.leaseUntil.getTime() < now.getTime() - ABANDON_GRACE_MS) {
        out.push({ job: d.job, runKey: d.runKey, tradingDate: d.tradingDate ?? null, status: d.status, attempt: d.attempt, reason: 'abandoned', startedAt: d.startedAt });
      }
      continue;
    }
    if (d.status !== 'failed') continue;
    const finishedAt = d.finishedAt ?? d.startedAt;
    // The retry back-off grows with the attempt: 5 s, 10 s, 20 s … (the outbox's curve, without jitter).
    if (now.getTime() - finishedAt.getTime() >= backoffMs(d.attempt, () => 0.5)) {
      out.push({ job: d.job, runKey: d.runKey, tradingDate: d.tradingDate ?? null, status: d.status, attempt: d.attempt, reason: 'retry', startedAt: d.startedAt });
    }
  }
  return out.sort((a, b) => a.startedAt.getTime() - b.startedAt.getTime()).map(({ startedAt: _s, ...r }) => r);
}

/** Runs whose worker stopped renewing their lease (from the open set, each by `_id`), oldest lease first. */
export async function abandonedRuns(now = new Date()): Promise<Array<{ job: string; runKey: string; attempt: number; worker: string; leaseUntil: Date }>> {
  const out: Array<{ job: string; runKey: string; attempt: number; worker: string; leaseUntil: Date }> = [];
  for (const m of await openRuns()) {
    const d = await getRun(m.job, m.runKey);
    if (d?.status === 'running' && d.leaseUntil.getTime() < now.getTime() - ABANDON_GRACE_MS) {
      out.push({ job: d.job, runKey: d.runKey, attempt: d.attempt, worker: d.worker, leaseUntil: d.leaseUntil });
    }
  }
  return out.sort((a, b) => a.leaseUntil.getTime() - b.leaseUntil.getTime());
}

/**
 * The worker's recovery sweep: run every recoverable run again under its own key. The claim decides
 * who does it (two workers sweeping at once still run each once).
 */
export async function recoverRuns(jobs: Map<string, JobDefinition>, env: Env, now = new Date()): Promise<RunResult[]> {
  const logger = log().child({ component: 'recovery' });
  const results: RunResult[] = [];
  for (const r of await findRecoverable(jobs, now)) {
    const def = jobs.get(r.job)!;
    try {
      const result = await runJob(def, env, { date: r.tradingDate ?? undefined, runKey: r.runKey, trigger: 'recovery' });
      logger.info({ job: r.job, runKey: r.runKey, reason: r.reason, status: result.status, attempt: result.attempt }, 'recovered run');
      results.push(result);
    } catch (err) {
      logger.warn({ job: r.job, runKey: r.runKey, err: describeError(err) }, 'recovery attempt failed');
    }
  }
  return results;
}
