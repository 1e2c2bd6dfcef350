import { pruneLeases } from '../db/lease.js';
import { JobRequest } from '../db/models/job-request.js';
import { JobRun } from '../db/models/job-run.js';
import { sweepUnfinishedBacktests } from '../strategy/backtest-service.js';
import { Outbox } from '../db/models/outbox.js';

/** How long records are kept before the cleanup job removes them. */
export const RETENTION = {
  /** High-frequency runs (run keys by minute slot, e.g. deliver-outbox). */
  slotRunsDays: 3,
  /** Daily job runs: kept long enough to audit a quarter. */
  dailyRunsDays: 400,
  sentPostsDays: 30,
} as const;

const DAY = 86_400_000;

export async function cleanupExpired(now: Date): Promise<{ jobRuns: number; posts: number; leases: number; requests: number; unfinishedBacktests: number }> {
  const slotCutoff = new Date(now.getTime() - RETENTION.slotRunsDays * DAY);
  const dailyCutoff = new Date(now.getTime() - RETENTION.dailyRunsDays * DAY);
  const postCutoff = new Date(now.getTime() - RETENTION.sentPostsDays * DAY);
  const [slot, daily, posts] = await Promise.all([
    // Slot keys look like 2026-11-23T10:45; daily keys are plain dates.
    JobRun.deleteMany({ runKey: { $regex: /T\d\d:\d\d$/ }, status: { $ne: 'running' }, startedAt: { $lt: slotCutoff } }),
    JobRun.deleteMany({ status: { $ne: 'running' }, startedAt: { $lt: dailyCutoff } }),
    Outbox.deleteMany({ status: 'sent', sentAt: { $lt: postCutoff } }),
  ]);
  // Lease generations and one-off request ids matter for minutes; a week is plenty.
  const weekAgo = new Date(now.getTime() - 7 * DAY);
  const leases = await pruneLeases(weekAgo);
  const requests = (await JobRequest.deleteMany({ at: { $lt: weekAgo } })).deletedCount;
  const backtests = (await sweepUnfinishedBacktests(now)).length;
  return { jobRuns: slot.deletedCount + daily.deletedCount, posts: posts.deletedCount, leases, requests, unfinishedBacktests: backtests };
}
