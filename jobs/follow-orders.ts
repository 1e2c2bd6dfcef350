import { brokerPortfolios, followOrders, placeOrders } from '../src/broker/order-service.js';
import { listPortfolios } from '../src/portfolio/portfolios.js';
import type { JobContext, JobOutcome } from '../src/scheduler/job-definition.js';

export const name = 'follow-orders';
export const description = 'Every 5 minutes 09:30–16:05 on trading days: the day orders after the open, then each broker order followed to its end; fills recorded as trades at the broker\'s price, once per execution.';
export const schedule = { cron: '*/5 9-16 * * 1-5' };
export const options = { marketDaysOnly: true, concurrency: 1, lockLifetimeMs: 4 * 60_000, runKeyEvery: { minutes: 5 }, missedRuns: 'skip' as const, maxAttempts: 2 };

export async function handler(ctx: JobContext): Promise<JobOutcome> {
  const now = new Date(ctx.now);
  const t = now.toLocaleTimeString('en-GB', { timeZone: 'America/New_York', hour12: false }).slice(0, 5);
  if (t < '09:30' || t > '16:05') return { summary: { skipped: `outside 09:30–16:05 New York (${t})` } };
  const summary: Record<string, unknown> = {};
  for (const p of await brokerPortfolios(await listPortfolios())) {
    const placed = await placeOrders(ctx.env, p, ctx.date, now, 'day');
    const r = await followOrders(ctx.env, p, ctx.date, now);
    if (r.newFills) {
      await ctx.publish(`${name}:${p}:${ctx.date}:${r.trades.map((x) => x.fillId).join(',').slice(0, 200)}`, {
        kind: 'trades', title: `Fills from the broker · ${p} · ${ctx.date}`,
        description: r.trades.map((x) => `${x.action} ${x.quantity} ${x.symbol} at ${x.price.toFixed(2)} (execution ${x.fillId})`).join('\n'),
      });
    }
    summary[p] = `${placed.placed.length} day order(s) placed; ${r.orders.length} followed, ${r.newFills} new fill(s), ${r.rejected.length} rejected${r.allDone ? ', all done' : ''}`;
  }
  return { summary };
}
