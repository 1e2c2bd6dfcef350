import { pruneLeases } from '../db/lease.js';
import { pruneDeadNotes } from '../notify/outbox.js';
import { ApiCall } from '../db/models/api-usage.js';
import { Confirmation, ConfirmationAnswer } from '../db/models/confirmation.js';
import { JobRequest } from '../db/models/job-request.js';
import { DayClaim, IntradaySnapshot } from '../db/models/intraday.js';
import { JobRun } from '../db/models/job-run.js';
import { sweepUnfinishedBacktests } from '../strategy/backtest-service.js';

/** How long records are kept before the cleanup job removes them. */
export const RETENTION = {
  /** High-frequency runs (run keys by minute slot, e.g. deliver-outbox). */
  slotRunsDays: 3,
  /** Daily job runs: kept long enough to audit a quarter. */
  dailyRunsDays: 400,
  sentPostsDays: 30,
  scanResultsDays: 180,
  /** Intraday snapshots (26 a session) and once-a-day claims of watch rules. */
  snapshotsDays: 14,
  dayClaimsDays: 2,
} as const;

const DAY = 86_400_000;

/**
 * The nightly cleanup: high-frequency slot runs (no copy kept), lease generations, one-off request ids and
 * answered or expired confirmation prompts older than a week, half-written backtests. Daily runs, sent posts and scan results past retention
 * are the monthly archive's (it writes them to archive/YYYY-MM/ before deleting them).
 */
export async function cleanupExpired(now: Date): Promise<{ jobRuns: number; leases: number; requests: number; unfinishedBacktests: number; intraday: number; info: number }> {
  const slotCutoff = new Date(now.getTime() - RETENTION.slotRunsDays * DAY);
  // Slot keys look like 2026-11-23T10:45; daily keys are plain dates.
  const slot = await JobRun.deleteMany({ runKey: { $regex: /T\d\d:\d\d$/ }, status: { $ne: 'running' }, startedAt: { $lt: slotCutoff } });
  const weekAgo = new Date(now.getTime() - 7 * DAY);
  const leases = await pruneLeases(weekAgo);
  await pruneDeadNotes(weekAgo);
  const requests = (await JobRequest.deleteMany({ at: { $lt: weekAgo } })).deletedCount + (await ApiCall.deleteMany({ at: { $lt: weekAgo } })).deletedCount
    + (await Confirmation.deleteMany({ expiresAt: { $lt: weekAgo } })).deletedCount + (await ConfirmationAnswer.deleteMany({ at: { $lt: weekAgo } })).deletedCount;
  const backtests = (await sweepUnfinishedBacktests(now)).length;
  const intraday = (await IntradaySnapshot.deleteMany({ takenAt: { $lt: new Date(now.getTime() - RETENTION.snapshotsDays * DAY) } })).deletedCount
    + (await DayClaim.deleteMany({ at: { $lt: new Date(now.getTime() - RETENTION.dayClaimsDays * DAY) } })).deletedCount;
  const info = await pruneInfo(now);
  return { jobRuns: slot.deletedCount, leases, requests, unfinishedBacktests: backtests, intraday, info };
}

/**
 * The information layer past its keep: articles, URL claims and index documents older than NEWS_KEEP_DAYS,
 * calendar days older than a year, the rate gate's places older than a day.
 */
async function pruneInfo(now: Date): Promise<number> {
  const { NEWS_KEEP_DAYS } = await import('../info/info-store.js');
  const { NewsArticle, NewsIndex, NewsUrl, EarningsDay, EconomicDay } = await import('../db/models/info.js');
  const { pruneRateSlots } = await import('../market-data/http/rate-gate.js');
  const day = (days: number) => new Date(now.getTime() - days * DAY).toISOString().slice(0, 10);
  const newsCut = day(NEWS_KEEP_DAYS);
  const counts = await Promise.all([
    NewsArticle.deleteMany({ day: { $lt: newsCut } }), NewsUrl.deleteMany({ day: { $lt: newsCut } }), NewsIndex.deleteMany({ period: { $lt: newsCut.slice(0, 7) } }),
    EarningsDay.deleteMany({ _id: { $lt: day(400) } }), EconomicDay.deleteMany({ _id: { $lt: day(400) } }),
  ]);
  return counts.reduce((n, r) => n + r.deletedCount, 0) + (await pruneRateSlots(new Date(now.getTime() - DAY)));
}

/** What the monthly archive moves out, as filters per collection (records past retention). */
export function archiveSelection(now: Date): Array<{ name: string; filter: Record<string, unknown> }> {
  const cutoff = (days: number) => new Date(now.getTime() - days * DAY);
  return [
    { name: 'job_runs', filter: { status: { $ne: 'running' }, startedAt: { $lt: cutoff(RETENTION.dailyRunsDays) } } },
    { name: 'outbox', filter: { status: 'sent', sentAt: { $lt: cutoff(RETENTION.sentPostsDays) } } },
    { name: 'scan_results', filter: { createdAt: { $lt: cutoff(RETENTION.scanResultsDays) } } },
  ];
}
