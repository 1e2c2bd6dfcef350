/**
 * Per-asset features from daily closes, oldest first. Pure. The caller passes only closes
 * strictly before the trade date's open, so nothing here can look ahead.
 */
export interface AssetFeatures {
  returns_5d: number;
  returns_20d: number;
  returns_60d: number;
  /** Sample standard deviation of the last 20 daily returns. */
  volatility: number;
  sma_20: number;
  sma_50: number;
  /** close / SMA − 1 */
  dist_sma_20: number;
  dist_sma_50: number;
  last_close: number;
}

/** Closes needed for every feature: 60-day return needs 61 closes. */
export const MIN_HISTORY = 61;

export function mean(xs: number[]): number {
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}

export function sampleStd(xs: number[]): number {
  if (xs.length < 2) return 0;
  const m = mean(xs);
  return Math.sqrt(xs.reduce((a, x) => a + (x - m) ** 2, 0) / (xs.length - 1));
}

export function dailyReturns(closes: number[]): number[] {
  const out: number[] = [];
  for (let i = 1; i < closes.length; i++) out.push(closes[i]! / closes[i - 1]! - 1);
  return out;
}

function ret(closes: number[], days: number): number {
  const n = closes.length;
  return closes[n - 1]! / closes[n - 1 - days]! - 1;
}

export function computeFeatures(closes: number[]): AssetFeatures {
  if (closes.length < MIN_HISTORY) {
    throw new RangeError(`features need at least ${MIN_HISTORY} closes, got ${closes.length}`);
  }
  const last = closes[closes.length - 1]!;
  const sma20 = mean(closes.slice(-20));
  const sma50 = mean(closes.slice(-50));
  return {
    returns_5d: ret(closes, 5),
    returns_20d: ret(closes, 20),
    returns_60d: ret(closes, 60),
    volatility: sampleStd(dailyReturns(closes.slice(-21))),
    sma_20: sma20,
    sma_50: sma50,
    dist_sma_20: last / sma20 - 1,
    dist_sma_50: last / sma50 - 1,
    last_close: last,
  };
}

/** Pearson correlation of two equally long series (0 when either is flat). */
export function correlation(a: number[], b: number[]): number {
  const n = Math.min(a.length, b.length);
  if (n < 2) return 0;
  const x = a.slice(-n);
  const y = b.slice(-n);
  const mx = mean(x);
  const my = mean(y);
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    sxy += (x[i]! - mx) * (y[i]! - my);
    sxx += (x[i]! - mx) ** 2;
    syy += (y[i]! - my) ** 2;
  }
  return sxx === 0 || syy === 0 ? 0 : sxy / Math.sqrt(sxx * syy);
}
