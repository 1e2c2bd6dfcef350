import { syncNews } from '../src/info/news-service.js';
import { infoClock } from '../src/info/run-clock.js';
import type { JobContext, JobOutcome } from '../src/scheduler/job-definition.js';

export const name = 'news-sync';
export const description = 'Hourly 07:00–17:00 on trading days: the news published since the last sync (market-wide, a few requests), stored once, indexed per name and day, DMs to members whose watched names are in it.';
export const schedule = { cron: '0 7-17 * * 1-5', earlyClose: '0 7-13 * * 1-5' };
export const options = { marketDaysOnly: true, concurrency: 1, lockLifetimeMs: 10 * 60_000, runKeyEvery: { minutes: 60 }, missedRuns: 'latest' as const, maxAttempts: 2 };

export async function handler(ctx: JobContext): Promise<JobOutcome> {
  const r = await syncNews(ctx.env, infoClock(ctx, '17:00'), ctx.runKey);
  return { summary: { ...r, problems: r.problems.map((p) => `${p.provider} ${p.row}: ${p.problem}`) } };
}
