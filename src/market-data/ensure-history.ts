import { todayIn, type IsoDate } from '../calendar/dates.js';
import { previousTradingDay, tradingDaysBetween } from '../calendar/nyse.js';
import { lastBarDates, readBars, upsertBars } from './bar-store.js';
import type { MarketDataProvider } from './provider.js';

/**
 * Make sure the store holds `symbols`' bars over [from, to]: ask the provider only for the symbols whose stored
 * days fall short (2 % slack for a provider's missing days). What a read (backtest, simulate, chart, why) calls
 * first on a fresh install, so it works without a fetch job having run.
 */
export async function ensureHistory(symbols: string[], from: IsoDate, to: IsoDate, provider: MarketDataProvider): Promise<void> {
  const start = from < '2000-01-01' ? '2000-01-01' : from;
  const expected = tradingDaysBetween(start, to).length;
  if (expected === 0) return;
  const stored = await readBars(symbols, start, to);
  const short = symbols.filter((s) => (stored.get(s)?.length ?? 0) < expected * 0.98);
  if (short.length) await upsertBars(await provider.getDailyBars(short, start, to), provider.id);
}

/** The last finished session (yesterday's or earlier), New York time: where a read with nothing stored ends. */
export function lastFinishedSession(now = new Date()): IsoDate {
  return previousTradingDay(todayIn('America/New_York', now));
}

/**
 * The date a first-hour hint should name: the last stored session of the index series (what `npm run demo`
 * fetched), else the last finished session. `run <job> --date` with it works on a fresh install.
 */
export async function hintDate(): Promise<IsoDate> {
  const stored = [...(await lastBarDates(['SPX', 'SPY'])).values()].filter((d): d is IsoDate => d !== undefined).sort();
  return stored.at(-1) ?? lastFinishedSession();
}
