import type { JobContext, JobOutcome } from '../src/scheduler/job-definition.js';
import { infoClock } from '../src/info/run-clock.js';
import { preMarketPrep } from '../src/world/brew-service.js';

export const name = 'pre-market-prep';
export const description = '04:00 on trading days: what the morning briefs read, made now (the world board, the night, the calendars, the news since the close); what is missing said in ops.';
export const schedule = { cron: '0 4 * * 1-5' };
export const options = { marketDaysOnly: true, concurrency: 1, lockLifetimeMs: 10 * 60_000, missedRuns: 'latest' as const, maxAttempts: 2 };

export async function handler(ctx: JobContext): Promise<JobOutcome> {
  const r = await preMarketPrep(ctx.env, ctx.date, infoClock(ctx, '04:00'));
  return { summary: { ready: r.ready, missing: r.missing } };
}
