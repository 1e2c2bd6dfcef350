import { brokerPortfolios, placeOrders } from '../src/broker/order-service.js';
import { listPortfolios } from '../src/portfolio/portfolios.js';
import { slotInstant } from '../src/market-data/snapshot-store.js';
import type { JobContext, JobOutcome } from '../src/scheduler/job-definition.js';

export const name = 'place-orders';
export const description = '09:15 on trading days: the day\'s orders of broker portfolios (config broker=alpaca): whole shares market-on-open (opg, before 09:28), each once by its client order id.';
export const schedule = { cron: '15 9 * * 1-5' };
export const options = { marketDaysOnly: true, concurrency: 1, lockLifetimeMs: 5 * 60_000, missedRuns: 'latest' as const, maxAttempts: 3 };

export async function handler(ctx: JobContext): Promise<JobOutcome> {
  const portfolios = await brokerPortfolios(await listPortfolios());
  const now = new Date(ctx.now).toISOString().slice(0, 10) === ctx.date || new Date(ctx.now) < slotInstant(ctx.date, '09:15') ? new Date(ctx.now) : slotInstant(ctx.date, '09:15');
  const summary: Record<string, unknown> = { portfolios: portfolios.length ? portfolios : 'none trades through a broker (config set broker=alpaca)' };
  for (const p of portfolios) {
    const r = await placeOrders(ctx.env, p, ctx.date, now, 'open');
    await ctx.publish(`${name}:${p}:${ctx.date}`, {
      kind: 'trades', title: `Orders placed at the broker · ${p} · ${ctx.date}`,
      description: [
        ...r.placed.map((o) => `${o.side.toUpperCase()} ${o.symbol} ${o.qty !== null ? `${o.qty} sh` : `$${o.notional?.toFixed(2)}`} · ${o.timeInForce === 'opg' ? 'market-on-open' : 'market, day'} · ${o.status} · ${o.clientOrderId}`),
        ...r.waiting.map((w) => `later: ${w}`), ...r.refused.map((x) => `REFUSED ${x.symbol}: ${x.reason}`), ...r.notes, ...(r.skipped ? [`not placed: ${r.skipped}`] : []),
      ].join('\n') || 'No order today (the signal holds).',
    });
    summary[p] = r.skipped ?? `${r.placed.length} placed, ${r.waiting.length} for after the open, ${r.refused.length} refused`;
  }
  return { summary };
}
