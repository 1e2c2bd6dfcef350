import { addDays } from '../src/calendar/dates.js';
import { breadth, symbolDay, type SymbolDay } from '../src/analysis/market-breadth.js';
import { streamBars } from '../src/market-data/bar-store.js';
import { loadUniverse } from '../src/market-data/universe.js';
import { COLORS } from '../src/notify/post.js';
import type { JobContext, JobOutcome } from '../src/scheduler/job-definition.js';

export const name = 'post-market-analysis';
export const description = "After the close: the day's movers, gaps, advance/decline and new 52-week highs/lows across the universe, from stored bars (no provider calls).";
/** 17:00 New York, after the close and the 16:35 fetch. */
export const schedule = { cron: '0 17 * * 1-5' };
export const options = { marketDaysOnly: true, concurrency: 1, lockLifetimeMs: 15 * 60_000, missedRuns: 'latest' as const };

const pct = (x: number) => `${x >= 0 ? '+' : ''}${x.toFixed(2)}%`;
const list = (xs: SymbolDay[], f: (d: SymbolDay) => number) => xs.map((d) => `${d.symbol} ${pct(f(d))}`).join(', ') || '—';

export async function handler(ctx: JobContext): Promise<JobOutcome> {
  const symbols = loadUniverse().map((e) => e.symbol);
  const days: SymbolDay[] = [];
  // One symbol in memory at a time (the scan's streaming read).
  for await (const [symbol, bars] of streamBars(symbols, addDays(ctx.date, -380), ctx.date)) {
    const d = symbolDay(symbol, bars, ctx.date);
    if (d) days.push(d);
  }
  const b = breadth(ctx.date, days, symbols.length);
  await ctx.publish(`${name}:${ctx.date}`, {
    kind: 'scans',
    title: `After the close · ${ctx.date}`,
    description: `${b.advancers} up, ${b.decliners} down, ${b.unchanged} unchanged · ${b.newHighs.length} new 52-week highs, ${b.newLows.length} new lows` +
      (b.covered < b.universe ? `\n${b.universe - b.covered} of ${b.universe} symbols have no stored bar for ${ctx.date} yet (next-day-prep fetches them at 17:30).` : ''),
    color: b.advancers >= b.decliners ? COLORS.ok : COLORS.warn,
    demo: ctx.env.MARKET_DATA_PROVIDER === 'demo',
    fields: [
      { name: 'Top gainers', value: list(b.gainers, (d) => d.changePct) },
      { name: 'Top losers', value: list(b.losers, (d) => d.changePct) },
      { name: 'Gaps up (≥ 2 %)', value: list(b.gapsUp, (d) => d.gapPct), inline: true },
      { name: 'Gaps down (≤ −2 %)', value: list(b.gapsDown, (d) => d.gapPct), inline: true },
      { name: 'New 52-week highs', value: b.newHighs.slice(0, 30).join(' ') || '—' },
      { name: 'New 52-week lows', value: b.newLows.slice(0, 30).join(' ') || '—' },
    ],
  });
  return { summary: { covered: b.covered, universe: b.universe, advancers: b.advancers, decliners: b.decliners, newHighs: b.newHighs.length, newLows: b.newLows.length } };
}
