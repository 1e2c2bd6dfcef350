import { portfolioPost } from '../src/present/trading-view.js';
import type { JobContext, JobOutcome } from '../src/scheduler/job-definition.js';
import { listPortfolios } from '../src/strategy/config-versions.js';
import { portfolioView } from '../src/trading/portfolio-service.js';

export const name = 'midday-portfolio-digest';
export const description = "Midday: each portfolio after the morning's fills, valued at the last stored close.";
/** 12:00 New York (the seed's midday digest), trading days. */
export const schedule = { cron: '0 12 * * 1-5' };
export const options = { marketDaysOnly: true, concurrency: 1, lockLifetimeMs: 5 * 60_000, missedRuns: 'latest' as const };

export async function handler(ctx: JobContext): Promise<JobOutcome> {
  const summary: Record<string, unknown> = {};
  for (const portfolio of await listPortfolios()) {
    const v = await portfolioView(portfolio, ctx.date);
    await ctx.publish(`${name}:${portfolio}:${ctx.date}`, portfolioPost(v, ctx.env.MARKET_DATA_PROVIDER === 'demo', `Midday digest · ${portfolio}`));
    summary[portfolio] = `equity ${v.equity.toFixed(2)}`;
  }
  return { summary };
}
