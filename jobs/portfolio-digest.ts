import type { JobContext, JobOutcome } from '../src/scheduler/job-definition.js';
import { portfolioPost } from '../src/present/trading-view.js';
import { listPortfolios } from '../src/strategy/config-versions.js';
import { portfolioView } from '../src/trading/portfolio-service.js';

export const name = 'portfolio-digest';
export const description = 'Post each portfolio: equity, day P&L, positions.';
/** 16:30 New York, after the close (the seed's daily-portfolio-digest slot). */
export const schedule = { cron: '30 16 * * 1-5' };
export const options = { marketDaysOnly: true, concurrency: 1, lockLifetimeMs: 5 * 60_000, missedRuns: 'catch-up' as const };

export async function handler(ctx: JobContext): Promise<JobOutcome> {
  const summary: Record<string, unknown> = {};
  for (const portfolio of await listPortfolios()) {
    const v = await portfolioView(portfolio, ctx.date);
    await ctx.publish(`${name}:${portfolio}:${ctx.date}`, portfolioPost(v, ctx.env.MARKET_DATA_PROVIDER === 'demo', `Daily digest · ${portfolio}`));
    summary[portfolio] = `equity ${v.equity.toFixed(2)}, day P&L ${v.dayPnl?.toFixed(2) ?? 'n/a'}`;
  }
  return { summary };
}
