/**
 * Indicator kernels over plain numeric columns (typed arrays or arrays), for the universe scan: one
 * pass each, one Float64Array out, no per-value objects. The scan computes these for every symbol
 * every session (5,000 symbols × 260 bars); through technicalindicators the same figures allocated
 * about 2.5 MB per symbol (result objects, aligned copies), which V8 promoted faster than it
 * collected: a 5,000-symbol scan peaked near 270 MB of RSS for 45 MB of live data.
 *
 * Same conventions as TA-Lib (and the wrapper in indicators.ts): NaN during the look-back; RSI and
 * ATR seeded with the simple average of their first `period` changes, then Wilder's smoothing;
 * Bollinger Bands over the population standard deviation. The tests hold them to TA-Lib's own
 * output (test/fixtures/indicators/talib-reference.json), value for value.
 */
export type Column = ArrayLike<number>;

function checkPeriod(period: number): void {
  if (!Number.isInteger(period) || period < 1) throw new RangeError(`period must be a whole number ≥ 1, got ${period}`);
}

/** Wilder's RSI (TA-Lib RSI): first value at index `period`; 0 when the window has no move at all. */
export function rsiColumn(close: Column, period = 14): Float64Array {
  checkPeriod(period);
  const n = close.length;
  const out = new Float64Array(n).fill(Number.NaN);
  if (n <= period) return out;
  let gain = 0;
  let loss = 0;
  for (let i = 1; i <= period; i++) {
    const d = close[i]! - close[i - 1]!;
    if (d > 0) gain += d;
    else loss -= d;
  }
  gain /= period;
  loss /= period;
  out[period] = gain + loss === 0 ? 0 : (100 * gain) / (gain + loss);
  for (let i = period + 1; i < n; i++) {
    const d = close[i]! - close[i - 1]!;
    gain = (gain * (period - 1) + (d > 0 ? d : 0)) / period;
    loss = (loss * (period - 1) + (d < 0 ? -d : 0)) / period;
    out[i] = gain + loss === 0 ? 0 : (100 * gain) / (gain + loss);
  }
  return out;
}

/** Wilder's ATR (TA-Lib ATR): true ranges from the second bar, first value at index `period`. */
export function atrColumn(high: Column, low: Column, close: Column, period = 14): Float64Array {
  checkPeriod(period);
  const n = close.length;
  if (high.length !== n || low.length !== n) throw new RangeError('high, low and close must be equally long');
  const out = new Float64Array(n).fill(Number.NaN);
  if (n <= period) return out;
  const tr = (i: number) => Math.max(high[i]! - low[i]!, Math.abs(high[i]! - close[i - 1]!), Math.abs(low[i]! - close[i - 1]!));
  let a = 0;
  for (let i = 1; i <= period; i++) a += tr(i);
  a /= period;
  out[period] = a;
  for (let i = period + 1; i < n; i++) {
    a = (a * (period - 1) + tr(i)) / period;
    out[i] = a;
  }
  return out;
}

/**
 * Bollinger width (upper − lower) / middle of BB(period, k) (TA-Lib BBANDS, matype 0): 2·k·σ / SMA with
 * the population σ of the window; first value at index `period − 1`. Each window's sums are taken
 * afresh (20 additions), so no rounding drift accumulates over a long series.
 */
export function bollingerWidthColumn(close: Column, period = 20, k = 2): Float64Array {
  checkPeriod(period);
  const n = close.length;
  const out = new Float64Array(n).fill(Number.NaN);
  for (let i = period - 1; i < n; i++) {
    let sum = 0;
    for (let j = i - period + 1; j <= i; j++) sum += close[j]!;
    const mean = sum / period;
    let sq = 0;
    for (let j = i - period + 1; j <= i; j++) sq += (close[j]! - mean) ** 2;
    out[i] = (2 * k * Math.sqrt(sq / period)) / mean;
  }
  return out;
}
