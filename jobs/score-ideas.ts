import { scoredPost } from '../src/ideas/idea-posts.js';
import { scoreIdeas } from '../src/ideas/idea-record.js';
import type { JobContext, JobOutcome } from '../src/scheduler/job-definition.js';

export const name = 'score-ideas';
export const description = "16:50 on trading days, after the day's bars are stored: score every entry idea not yet final (triggered, stopped, returns at 1/5/20 sessions against SPX) and post how the day's ideas did.";
export const schedule = { cron: '50 16 * * 1-5' };
export const options = { marketDaysOnly: true, concurrency: 1, lockLifetimeMs: 10 * 60_000, missedRuns: 'latest' as const, maxAttempts: 3 };

export async function handler(ctx: JobContext): Promise<JobOutcome> {
  const r = await scoreIdeas(ctx.date, new Date(ctx.now));
  if (r.today.length || r.closedToday.length) await ctx.publish(`${name}:${ctx.date}`, scoredPost(ctx.date, r.today, r.closedToday, ctx.env.MARKET_DATA_PROVIDER === 'demo'));
  return { summary: { from: r.from, ideas: r.ideas, final: r.final, months: r.months, finalThrough: r.finalThrough, today: r.today.length, closedToday: r.closedToday.length } };
}
