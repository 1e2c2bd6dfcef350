import { fetchMarketData, fetchSummaryPost } from '../src/market-data/fetch-service.js';
import { providerFor } from '../src/market-data/providers.js';
import type { JobContext, JobOutcome } from '../src/scheduler/job-definition.js';

export const name = 'fetch-market-data';
export const description = "Load the trading day's closing bars for the universe (only missing days) and post a summary.";
/** 16:35 New York, five minutes after the close so providers have the final bar. */
export const schedule = { cron: '35 16 * * 1-5' };
export const options = { marketDaysOnly: true, concurrency: 1, lockLifetimeMs: 10 * 60_000, missedRuns: 'catch-up' as const };

export async function handler(ctx: JobContext): Promise<JobOutcome> {
  const s = await fetchMarketData({ date: ctx.date, symbols: ctx.env.MARKET_UNIVERSE, provider: providerFor(ctx.env) });
  await ctx.publish(`${name}:${ctx.date}`, fetchSummaryPost(s));
  return {
    summary: { provider: s.provider, symbols: s.symbols, requests: s.requests, cacheHitPct: s.cacheHitPct === null ? null : Math.round(s.cacheHitPct * 10) / 10, inserted: s.inserted, updated: s.updated, unchanged: s.unchanged, missing: s.missing, requestedFrom: s.requestedFrom, refused: s.refused.map((r) => r.symbol), splits: s.splits.map((x) => `${x.symbol} ${x.ratio}`), stopped: s.stopped ?? null },
  };
}
