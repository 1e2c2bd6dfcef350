import { benchmarkSymbol } from '../config/env.js';
import { portfolioPost } from '../present/trading-view.js';
import { reportsSoon } from '../info/earnings-soon.js';
import type { JobContext, JobOutcome } from '../scheduler/job-definition.js';
import { listPortfolios } from '../portfolio/portfolios.js';
import { portfolioView } from './portfolio-service.js';

/** A digest job's handler: each portfolio as of the run's date, one post per portfolio and day. */
export function digestHandler(job: string, title: string): (ctx: JobContext) => Promise<JobOutcome> {
  return async (ctx) => {
    const summary: Record<string, unknown> = {};
    for (const portfolio of await listPortfolios()) {
      const v = await portfolioView(portfolio, ctx.date, benchmarkSymbol(ctx.env));
      const reports = await reportsSoon(v.positions.map((p) => p.symbol), ctx.date);
      await ctx.publish(`${job}:${portfolio}:${ctx.date}`, portfolioPost(v, ctx.env.MARKET_DATA_PROVIDER === 'demo', `${title} · ${portfolio}`, reports));
      summary[portfolio] = `equity ${v.equity.toFixed(2)}, day P&L ${v.dayPnl?.toFixed(2) ?? 'n/a'}`;
    }
    return { summary };
  };
}
