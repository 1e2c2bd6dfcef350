import { addDays, type IsoDate } from '../calendar/dates.js';
import { cachedView } from '../db/view-cache.js';
import { readBars } from '../market-data/bar-store.js';
import { compare, type BenchmarkPrice, type Comparison } from './benchmark.js';
import type { EquityPoint } from './performance.js';

/**
 * The stored bars of the benchmark from a little before `from` (a price to start from) to `to`: a few `_id`
 * lookups of `bar_series` (the soak once measured a scan there as most of a /portfolio reply), kept as a view
 * until the next bar write (src/db/view-cache.ts), so every /portfolio and chart between two fetches shares
 * one read. Callers must not change the map.
 */
export function benchmarkPrices(symbol: string, from: IsoDate, to: IsoDate): Promise<ReadonlyMap<IsoDate, BenchmarkPrice>> {
  return cachedView(`benchmark:${symbol}:${from}:${to}`, ['bars'], async () => {
    const bars = (await readBars([symbol], addDays(from, -10), to)).get(symbol) ?? [];
    return new Map(bars.map((b) => [b.date, { open: b.open, close: b.close }]));
  });
}

/** A portfolio's equity points against the same flows in `symbol`; null when no bars of it are stored. */
export async function marketComparison(points: EquityPoint[], symbol: string): Promise<Comparison | null> {
  if (points.length === 0) return null;
  return compare(points, await benchmarkPrices(symbol, points[0]!.date, points.at(-1)!.date), symbol);
}

/** The benchmark's price change from the last close before `from` to the last close on or before `to`. */
export async function benchmarkChange(symbol: string, from: IsoDate, to: IsoDate): Promise<number | null> {
  const closes = [...(await benchmarkPrices(symbol, from, to))]; // oldest first, as the store reads them
  const start = closes.findLast(([d]) => d < from) ?? closes[0];
  const end = closes.at(-1);
  return start && end && start[1].close > 0 ? end[1].close / start[1].close - 1 : null;
}
