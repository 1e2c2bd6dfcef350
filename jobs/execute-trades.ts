import type { JobContext, JobOutcome } from '../src/scheduler/job-definition.js';
import { executionPost } from '../src/present/trading-view.js';
import { fetchMarketData } from '../src/market-data/fetch-service.js';
import { providerFor } from '../src/market-data/providers.js';
import { portfoliosAndAssets } from '../src/strategy/config-versions.js';
import { executeTradesFor } from '../src/trading/execution-service.js';
import { brokerPortfolios } from '../src/broker/order-service.js';

export const name = 'execute-trades';
export const description = "Paper-trade each portfolio's signal at the trade date's opening prices.";
/** 09:30 New York, the open. */
export const schedule = { cron: '30 9 * * 1-5' };
export const options = { marketDaysOnly: true, concurrency: 1, lockLifetimeMs: 5 * 60_000, missedRuns: 'catch-up' as const };

export async function handler(ctx: JobContext): Promise<JobOutcome> {
  const summary: Record<string, unknown> = {};
  const { portfolios, symbols } = await portfoliosAndAssets();
  // The signal trades at today's open, but the daily fetch runs after the close: load the day's
  // bars for the traded symbols now (only what is missing; a re-run asks for nothing).
  await fetchMarketData({ date: ctx.date, symbols, provider: providerFor(ctx.env) });
  // Broker portfolios trade through place-orders / follow-orders: their fills come from the broker.
  const viaBroker = new Set(await brokerPortfolios(portfolios));
  for (const portfolio of portfolios) {
    if (viaBroker.has(portfolio)) {
      summary[portfolio] = 'trades through the broker (place-orders, follow-orders)';
      continue;
    }
    const r = await executeTradesFor(portfolio, ctx.date);
    await ctx.publish(`${name}:${portfolio}:${ctx.date}`, executionPost(r, ctx.env.MARKET_DATA_PROVIDER === 'demo'));
    summary[portfolio] = r.executed ? `${r.fills.length} fill(s), ${r.newTrades} new; cash ${r.cash.toFixed(2)}` : `not executed: ${r.reason}`;
  }
  return { summary };
}
