import { ATR, BollingerBands, EMA, RSI, SMA } from 'technicalindicators';

/**
 * A thin wrapper over technicalindicators. Outputs are aligned with the input, index for index,
 * with `null` during the warm-up (TA-Lib's convention), so a value always sits beside its bar.
 * Inputs are checked: the library itself turns bad input into NaN silently.
 */
export type Series = Array<number | null>;

function check(values: number[], period: number): void {
  if (!Number.isInteger(period) || period < 1) throw new RangeError(`period must be a whole number ≥ 1, got ${period}`);
  const bad = values.findIndex((v) => typeof v !== 'number' || !Number.isFinite(v));
  if (bad >= 0) throw new TypeError(`value ${bad} is not a finite number: ${String(values[bad])}`);
}

function align(n: number, out: number[]): Series {
  return [...Array<null>(n - out.length).fill(null), ...out];
}

export function sma(values: number[], period: number): Series {
  check(values, period);
  return align(values.length, values.length >= period ? SMA.calculate({ period, values }) : []);
}

/** EMA seeded with the SMA of the first `period` values (as TA-Lib does). */
export function ema(values: number[], period: number): Series {
  check(values, period);
  return align(values.length, values.length >= period ? EMA.calculate({ period, values }) : []);
}

export function bollinger(values: number[], period = 20, stdDev = 2): { upper: Series; middle: Series; lower: Series } {
  check(values, period);
  const out = values.length >= period ? BollingerBands.calculate({ period, stdDev, values }) : [];
  return {
    upper: align(values.length, out.map((b) => b.upper)),
    middle: align(values.length, out.map((b) => b.middle)),
    lower: align(values.length, out.map((b) => b.lower)),
  };
}

/** Wilder's RSI (technicalindicators rounds it to 2 decimals; TA-Lib does not — a documented deviation). */
export function rsi(values: number[], period = 14): Series {
  check(values, period);
  return align(values.length, values.length > period ? RSI.calculate({ period, values }) : []);
}

/** Wilder's ATR over high/low/close. */
export function atr(high: number[], low: number[], close: number[], period = 14): Series {
  check(close, period);
  check(high, period);
  check(low, period);
  if (high.length !== close.length || low.length !== close.length) throw new RangeError('high, low and close must be equally long');
  return align(close.length, close.length > period ? ATR.calculate({ period, high, low, close }) : []);
}
