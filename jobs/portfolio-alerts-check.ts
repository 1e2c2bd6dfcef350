import { snapshotForJob } from '../src/market-data/slot-snapshot.js';
import type { JobContext, JobOutcome } from '../src/scheduler/job-definition.js';
import { checkPositionAlerts } from '../src/trading/position-alerts.js';

export const name = 'portfolio-alerts-check';
export const description = "Every 15 minutes from 10:15 to 15:45 (12:45 on early-close days): each portfolio's positions against its alert thresholds on the slot's snapshot; one alert per position, threshold and day.";
/** 10:00–15:45 every 15 minutes, New York; the 10:00 slot is skipped (alerts start at 10:15, as in the seed). */
export const schedule = { cron: '*/15 10-15 * * 1-5', earlyClose: '*/15 10-12 * * 1-5' };
/** A second attempt 5 s after a failed one (a provider's 503 stretch), still inside the slot's 15 minutes. */
export const options = { marketDaysOnly: true, concurrency: 1, lockLifetimeMs: 5 * 60_000, runKeyEvery: { minutes: 15 }, missedRuns: 'skip' as const, maxAttempts: 2 };

export async function handler(ctx: JobContext): Promise<JobOutcome> {
  const s = await snapshotForJob(ctx, '10:15');
  if ('skipped' in s) return { summary: { skipped: s.skipped } };
  const r = await checkPositionAlerts(s.snapshot, new Date(ctx.now), ctx.env.MARKET_DATA_PROVIDER === 'demo');
  return { summary: { slot: s.snapshot.slot, requests: s.requests, ...r } };
}
