import type { JobContext, JobOutcome } from '../src/scheduler/job-definition.js';
import { signalPost } from '../src/present/trading-view.js';
import { previousTradingDay } from '../src/calendar/nyse.js';
import { fetchMarketData } from '../src/market-data/fetch-service.js';
import { providerFor } from '../src/market-data/providers.js';
import { portfoliosAndAssets } from '../src/strategy/config-versions.js';
import { generateSignalFor } from '../src/strategy/signal-service.js';

export const name = 'generate-signal';
export const description = "Compute each portfolio's allocation signal for the trade date from bars before its open.";
/** 06:00 New York, before the open: only data available before the day is used. */
export const schedule = { cron: '0 6 * * 1-5' };
export const options = { marketDaysOnly: true, concurrency: 1, lockLifetimeMs: 5 * 60_000, missedRuns: 'catch-up' as const };

export async function handler(ctx: JobContext): Promise<JobOutcome> {
  const summary: Record<string, unknown> = {};
  const { portfolios, symbols } = await portfoliosAndAssets();
  // Make sure history through the previous session is stored (only missing days are asked for).
  // Never the trade date itself: a signal for D uses only data available before D's open.
  await fetchMarketData({ date: previousTradingDay(ctx.date), symbols, provider: providerFor(ctx.env) });
  for (const portfolio of portfolios) {
    const s = await generateSignalFor(portfolio, ctx.date);
    await ctx.publish(`${name}:${portfolio}:${ctx.date}`, signalPost(s, ctx.env.MARKET_DATA_PROVIDER === 'demo'));
    summary[portfolio] = `${s.signal.features_used.action} (regime ${s.signal.features_used.regime}, risk ${s.signal.features_used.risk}, v${s.configVersion})${s.created ? '' : ' — already stored'}`;
  }
  return { summary };
}
