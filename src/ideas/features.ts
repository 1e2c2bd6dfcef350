import { atrColumn, bollingerWidthColumn, rsiColumn } from '../analysis/kernels.js';
import type { Bar } from '../market-data/provider.js';

/**
 * What an entry idea may know of a symbol's finished sessions: the previous close and the indicators on it.
 * Pure. `setupColumns` computes them for every session of a history at once (the backtest walks them day by
 * day); `setupAt` reads one session's row. A row for session i uses bars 0..i only — nothing after.
 */
export interface Setup {
  symbol: string;
  /** The last finished session (the idea's day comes after it). */
  date: string;
  close: number;
  high: number;
  low: number;
  /** ATR (14) and RSI (14) at that close. */
  atr: number;
  rsi: number;
  /** Where the Bollinger (20, 2) width ranks among the last 120 sessions (0 = narrowest). */
  squeeze: number;
  sma20: number;
  sma50: number;
  /** The highest close of the 252 sessions before, and the return over 20 sessions. */
  high252: number;
  ret20: number;
  /** The session's move (close over the close before, − 1) and the 20-session average volume. */
  move: number;
  avgVolume: number;
}

/** Sessions a setup needs behind it: the 252-session high and the indicators' warm-up. */
export const SETUP_BARS = 253;

export interface SetupColumns {
  symbol: string;
  bars: Bar[];
  atr: Float64Array;
  rsi: Float64Array;
  squeeze: Float64Array;
  sma20: Float64Array;
  sma50: Float64Array;
  high252: Float64Array;
  avgVolume: Float64Array;
}

function movingAverage(x: Float64Array, period: number): Float64Array {
  const out = new Float64Array(x.length).fill(Number.NaN);
  let sum = 0;
  for (let i = 0; i < x.length; i++) {
    sum += x[i]!;
    if (i >= period) sum -= x[i - period]!;
    if (i >= period - 1) out[i] = sum / period;
  }
  return out;
}

/** The highest value of the `period` values before each index (excluding it), by a monotonic queue. */
function priorMax(x: Float64Array, period: number): Float64Array {
  const out = new Float64Array(x.length).fill(Number.NaN);
  const q: number[] = [];
  let head = 0;
  for (let i = 0; i < x.length; i++) {
    while (head < q.length && q[head]! < i - period) head++;
    if (i >= period) out[i] = x[q[head]!]!;
    while (q.length > head && x[q[q.length - 1]!]! <= x[i]!) q.pop();
    q.push(i);
  }
  return out;
}

/** Every session's setup columns for one symbol's bars (oldest first). */
export function setupColumns(symbol: string, bars: Bar[]): SetupColumns {
  const n = bars.length;
  const close = new Float64Array(n);
  const high = new Float64Array(n);
  const low = new Float64Array(n);
  const volume = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const b = bars[i]!;
    close[i] = b.close;
    high[i] = b.high;
    low[i] = b.low;
    volume[i] = b.volume;
  }
  const width = bollingerWidthColumn(close, 20, 2);
  const squeeze = new Float64Array(n).fill(Number.NaN);
  for (let i = 19 + 119; i < n; i++) {
    let narrower = 0;
    for (let k = i - 119; k <= i; k++) if (width[k]! < width[i]!) narrower++;
    squeeze[i] = narrower / 119;
  }
  return {
    symbol, bars, atr: atrColumn(high, low, close, 14), rsi: rsiColumn(close, 14), squeeze,
    sma20: movingAverage(close, 20), sma50: movingAverage(close, 50), high252: priorMax(close, 252), avgVolume: movingAverage(volume, 20),
  };
}

/** The setup on session `i` of the columns, or undefined without enough history behind it. */
export function setupAt(c: SetupColumns, i: number): Setup | undefined {
  if (i < SETUP_BARS - 1 || i >= c.bars.length) return undefined;
  const b = c.bars[i]!;
  const s: Setup = {
    symbol: c.symbol, date: b.date, close: b.close, high: b.high, low: b.low, atr: c.atr[i]!, rsi: c.rsi[i]!, squeeze: c.squeeze[i]!,
    sma20: c.sma20[i]!, sma50: c.sma50[i]!, high252: c.high252[i]!, ret20: b.close / c.bars[i - 20]!.close - 1,
    move: b.close / c.bars[i - 1]!.close - 1, avgVolume: c.avgVolume[i]!,
  };
  return Object.values(s).every((v) => typeof v === 'string' || Number.isFinite(v)) ? s : undefined;
}

/**
 * The setup for an idea on `day`: from bars that all end before it. A bar of `day` or later is look-ahead and
 * refused loudly (the 09:00 idea must not see the day's own bar).
 */
export function setupBefore(symbol: string, bars: Bar[], day: string): Setup | undefined {
  const last = bars[bars.length - 1];
  if (last && last.date >= day) throw new Error(`look-ahead: ${symbol}'s bars reach ${last.date}, but an idea for ${day} may only see sessions before it`);
  return setupAt(setupColumns(symbol, bars), bars.length - 1);
}
