import { addDays, type IsoDate } from '../calendar/dates.js';
import type { Bar } from '../market-data/provider.js';

/**
 * The day after the close, across the universe, from stored bars only (pure): movers, gaps, advance /
 * decline and new 52-week highs and lows. Symbols without the day's bar are counted, not guessed.
 */
export interface SymbolDay {
  symbol: string;
  close: number;
  changePct: number;
  gapPct: number;
  newHigh: boolean;
  newLow: boolean;
}

export interface Breadth {
  date: IsoDate;
  covered: number;
  universe: number;
  advancers: number;
  decliners: number;
  unchanged: number;
  gainers: SymbolDay[];
  losers: SymbolDay[];
  gapsUp: SymbolDay[];
  gapsDown: SymbolDay[];
  newHighs: string[];
  newLows: string[];
}

/** One symbol's day: its bar on `date` against the bars before it (at most a year back). */
export function symbolDay(symbol: string, bars: Bar[], date: IsoDate): SymbolDay | null {
  const i = bars.findIndex((b) => b.date === date);
  if (i < 1) return null;
  const today = bars[i]!;
  const prev = bars[i - 1]!;
  const yearAgo = addDays(date, -365);
  const window = bars.slice(0, i).filter((b) => b.date > yearAgo);
  return {
    symbol,
    close: today.close,
    changePct: (100 * (today.close - prev.close)) / prev.close,
    gapPct: (100 * (today.open - prev.close)) / prev.close,
    newHigh: window.length >= 200 && today.high > Math.max(...window.map((b) => b.high)),
    newLow: window.length >= 200 && today.low < Math.min(...window.map((b) => b.low)),
  };
}

export function breadth(date: IsoDate, days: SymbolDay[], universe: number, opts: { top?: number; gapPct?: number } = {}): Breadth {
  const top = opts.top ?? 5;
  const gap = opts.gapPct ?? 2;
  const byChange = [...days].sort((a, b) => b.changePct - a.changePct || a.symbol.localeCompare(b.symbol));
  return {
    date,
    covered: days.length,
    universe,
    advancers: days.filter((d) => d.changePct > 0).length,
    decliners: days.filter((d) => d.changePct < 0).length,
    unchanged: days.filter((d) => d.changePct === 0).length,
    gainers: byChange.slice(0, top).filter((d) => d.changePct > 0),
    losers: byChange.slice(-top).reverse().filter((d) => d.changePct < 0),
    gapsUp: days.filter((d) => d.gapPct >= gap).sort((a, b) => b.gapPct - a.gapPct).slice(0, top),
    gapsDown: days.filter((d) => d.gapPct <= -gap).sort((a, b) => a.gapPct - b.gapPct).slice(0, top),
    newHighs: days.filter((d) => d.newHigh).map((d) => d.symbol).sort(),
    newLows: days.filter((d) => d.newLow).map((d) => d.symbol).sort(),
  };
}
