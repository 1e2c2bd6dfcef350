import type { Env } from '../config/env.js';
import { JobRun } from '../db/models/job-run.js';
import { describeError } from '../errors.js';
import { log } from '../log/logger.js';
import { backoffMs } from '../notify/outbox.js';
import type { JobDefinition } from './job-definition.js';
import { runJob, type RunResult } from './run-job.js';

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
  reason: 'abandoned' | 'retry';
}

/**
 * Runs that need another attempt: `running` under a lease that ran out (the worker died, or the
 * database went away under it), and `failed` runs with attempts left whose back-off has passed.
 */
export async function findRecoverable(jobs: Map<string, JobDefinition>, now = new Date()): Promise<RecoverableRun[]> {
  const since = new Date(now.getTime() - RECOVERY_WINDOW_MS);
  const docs = await JobRun.find({
    startedAt: { $gte: since },
    $or: [{ status: 'running', leaseUntil: { $lt: new Date(now.getTime() - ABANDON_GRACE_MS) } }, { status: 'failed' }],
  })
    .sort({ startedAt: 1 })
    .limit(200)
    .lean();
  const out: RecoverableRun[] = [];
  for (const d of docs) {
    const def = jobs.get(d.job);
    if (!def || d.trigger === 'test') continue;
    if (d.status === 'running') {
      out.push({ job: d.job, runKey: d.runKey, tradingDate: d.tradingDate ?? null, status: d.status, attempt: d.attempt, reason: 'abandoned' });
      continue;
    }
    const finishedAt = d.finishedAt ?? d.startedAt;
    // The retry back-off grows with the attempt: 5 s, 10 s, 20 s … (the outbox's curve, without jitter).
    if (d.attempt < def.maxAttempts && now.getTime() - finishedAt.getTime() >= backoffMs(d.attempt, () => 0.5)) {
      out.push({ job: d.job, runKey: d.runKey, tradingDate: d.tradingDate ?? null, status: d.status, attempt: d.attempt, reason: 'retry' });
    }
  }
  return out;
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
