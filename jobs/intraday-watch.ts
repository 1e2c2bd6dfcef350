import { evaluateWatchIntraday } from '../src/analysis/watch-day.js';
import { snapshotForJob } from '../src/market-data/slot-snapshot.js';
import type { JobContext, JobOutcome } from '../src/scheduler/job-definition.js';

export const name = 'intraday-watch';
export const description = "Every 15 minutes from 09:45 to 15:45: members' watch rules that a partial bar can answer, on the slot's snapshot; a rule fires once a day, its DM lists what fired earlier today.";
/** 09:00–15:45 every 15 minutes, New York; slots before 09:45 are skipped (the first snapshot of a session). */
export const schedule = { cron: '*/15 9-15 * * 1-5', earlyClose: '*/15 9-12 * * 1-5' };
/** A second attempt 5 s after a failed one (a provider's 503 stretch), still inside the slot's 15 minutes. */
export const options = { marketDaysOnly: true, concurrency: 1, lockLifetimeMs: 5 * 60_000, runKeyEvery: { minutes: 15 }, missedRuns: 'skip' as const, maxAttempts: 2 };

export async function handler(ctx: JobContext): Promise<JobOutcome> {
  const s = await snapshotForJob(ctx, '09:45');
  if ('skipped' in s) return { summary: { skipped: s.skipped } };
  const r = await evaluateWatchIntraday(s.snapshot, new Date(ctx.now));
  return { summary: { slot: s.snapshot.slot, requests: s.requests, ...r } };
}
