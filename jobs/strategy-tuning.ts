import { isFirstTradingDayOfMonth } from '../src/calendar/nyse.js';
import type { JobContext, JobOutcome } from '../src/scheduler/job-definition.js';
import { listPortfolios } from '../src/portfolio/portfolios.js';
import { runTuning, tuningPost } from '../src/strategy/tuning-service.js';

export const name = 'strategy-tuning';
export const description = 'On the first trading day of the month, tune each portfolio from its last three months and write a new config version.';
/**
 * 09:30 New York on the 1st–7th (trading days only: weekends and holidays are skipped); the handler runs only on the month's first trading
 * day. (The seed's 1st–3rd misses months such as September 2018, whose first session was the 4th.)
 */
export const schedule = { cron: '30 9 1-7 * *' };
export const options = { marketDaysOnly: true, concurrency: 1, lockLifetimeMs: 10 * 60_000, missedRuns: 'catch-up' as const };

export async function handler(ctx: JobContext): Promise<JobOutcome> {
  if (!isFirstTradingDayOfMonth(ctx.date) && !ctx.force) {
    return { summary: { skipped: `${ctx.date} is not the first trading day of its month (use --force to tune anyway)` } };
  }
  const summary: Record<string, unknown> = {};
  for (const portfolio of await listPortfolios()) {
    const o = await runTuning(portfolio, ctx.date, { id: 'strategy-tuning', name: 'strategy-tuning', source: 'job' }, { forced: ctx.force });
    await ctx.publish(`${name}:${portfolio}:${ctx.date}:v${o.to.version}`, tuningPost(o));
    summary[portfolio] = `v${o.from.version} → v${o.to.version}: ${o.result.changes.map((c) => `${c.key} ${c.from}→${c.to}`).join(', ') || 'no change'}`;
  }
  return { summary };
}
