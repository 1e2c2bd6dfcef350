import { ADX, ATR, BollingerBands, EMA, MACD, RSI, SMA, Stochastic } from 'technicalindicators';

/**
 * A thin wrapper over technicalindicators, following TA-Lib's conventions. Outputs are aligned with
 * the input, index for index, with `null` during the look-back (TA-Lib's convention), so a value
 * always sits beside its bar. Inputs are checked: the library itself turns bad input into NaN.
 *
 * Recursive indicators (EMA, RSI, ATR, MACD, ADX) depend on how they are seeded, and the library
 * seeds some differently from TA-Lib; the difference decays geometrically, so a value is trusted
 * only after WARMUP_BARS bars (the tests compare with TA-Lib from there on). Every deviation is
 * listed in docs/indicators.md.
 */
export type Series = Array<number | null>;

/** Bars before a recursive indicator's value is trusted (matches TA-Lib to 1e-6 from here). */
export const WARMUP_BARS = 250;

function check(values: number[], period: number, name = 'value'): void {
  if (!Number.isInteger(period) || period < 1) throw new RangeError(`period must be a whole number ≥ 1, got ${period}`);
  if (!Array.isArray(values)) throw new TypeError(`${name}s must be an array of numbers`);
  const bad = values.findIndex((v) => typeof v !== 'number' || !Number.isFinite(v));
  if (bad >= 0) throw new TypeError(`${name} ${bad} is not a finite number: ${JSON.stringify(values[bad])}`);
}

function checkHlc(high: number[], low: number[], close: number[], period: number): void {
  check(close, period, 'close');
  check(high, period, 'high');
  check(low, period, 'low');
  if (high.length !== close.length || low.length !== close.length) throw new RangeError('high, low and close must be equally long');
}

function align(n: number, out: Array<number | undefined>): Series {
  return [...Array<null>(Math.max(0, n - out.length)).fill(null), ...out.map((v) => (v === undefined || Number.isNaN(v) ? null : v))];
}

/** Null out values before `from` (a look-back TA-Lib has and the library does not). */
function nullBefore(s: Series, from: number): Series {
  return s.map((v, i) => (i < from ? null : v));
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

/** Bollinger Bands: SMA ± k population standard deviations (TA-Lib BBANDS with matype 0). */
export function bollinger(values: number[], period = 20, stdDev = 2): { upper: Series; middle: Series; lower: Series } {
  check(values, period);
  const out = values.length >= period ? BollingerBands.calculate({ period, stdDev, values }) : [];
  return {
    upper: align(values.length, out.map((b) => b.upper)),
    middle: align(values.length, out.map((b) => b.middle)),
    lower: align(values.length, out.map((b) => b.lower)),
  };
}

/** Wilder's RSI. The library rounds it to 2 decimals; TA-Lib does not (a documented deviation). */
export function rsi(values: number[], period = 14): Series {
  check(values, period);
  return align(values.length, values.length > period ? RSI.calculate({ period, values }) : []);
}

/** Wilder's ATR over high/low/close; first value at index `period` as in TA-Lib. */
export function atr(high: number[], low: number[], close: number[], period = 14): Series {
  checkHlc(high, low, close, period);
  return align(close.length, close.length > period ? ATR.calculate({ period, high, low, close }) : []);
}

/**
 * MACD with EMAs for both the oscillator and the signal: the library's `SimpleMAOscillator` and
 * `SimpleMASignal` must both be false, or it silently computes an SMA-MACD. Values start where
 * TA-Lib's do (index slow − 1 + signal − 1).
 */
export function macd(values: number[], fast = 12, slow = 26, signal = 9): { macd: Series; signal: Series; histogram: Series } {
  check(values, slow);
  check(values, fast);
  check(values, signal);
  if (fast >= slow) throw new RangeError(`the fast period (${fast}) must be shorter than the slow one (${slow})`);
  const out = values.length >= slow ? MACD.calculate({ values, fastPeriod: fast, slowPeriod: slow, signalPeriod: signal, SimpleMAOscillator: false, SimpleMASignal: false }) : [];
  const start = slow - 1 + signal - 1;
  return {
    macd: nullBefore(align(values.length, out.map((m) => m.MACD)), start),
    signal: nullBefore(align(values.length, out.map((m) => m.signal)), start),
    histogram: nullBefore(align(values.length, out.map((m) => m.histogram)), start),
  };
}

/**
 * The fast stochastic (TA-Lib's STOCHF): %K over `period` bars, %D its `signal`-bar SMA. The library
 * calls it Stochastic; it is not the slow STOCH. A flat window (high = low) gives %K 0, as in TA-Lib.
 */
export function stochasticFast(high: number[], low: number[], close: number[], period = 14, signal = 3): { k: Series; d: Series } {
  checkHlc(high, low, close, period);
  check(close, signal);
  const out = close.length >= period ? Stochastic.calculate({ high, low, close, period, signalPeriod: signal }) : [];
  const start = period - 1 + signal - 1;
  return {
    k: nullBefore(align(close.length, out.map((s) => s.k)), start),
    d: nullBefore(align(close.length, out.map((s) => s.d)), start),
  };
}

/** Wilder's ADX with the directional indicators; first value at index 2·period − 1 as in TA-Lib. */
export function adx(high: number[], low: number[], close: number[], period = 14): { adx: Series; plusDi: Series; minusDi: Series } {
  checkHlc(high, low, close, period);
  const out = close.length >= 2 * period ? ADX.calculate({ high, low, close, period }) : [];
  const start = 2 * period - 1;
  return {
    adx: nullBefore(align(close.length, out.map((a) => a.adx)), start),
    plusDi: nullBefore(align(close.length, out.map((a) => a.pdi)), start),
    minusDi: nullBefore(align(close.length, out.map((a) => a.mdi)), start),
  };
}

/**
 * On-balance volume, computed here: the library's OBV skips the first bar. As TA-Lib: OBV[0] is the
 * first volume, then + volume on an up close, − on a down close, unchanged on an equal close.
 */
export function obv(close: number[], volume: number[]): Series {
  check(close, 1, 'close');
  check(volume, 1, 'volume');
  if (close.length !== volume.length) throw new RangeError('close and volume must be equally long');
  const out: Series = [];
  let acc = 0;
  for (let i = 0; i < close.length; i++) {
    if (i === 0) acc = volume[0]!;
    else if (close[i]! > close[i - 1]!) acc += volume[i]!;
    else if (close[i]! < close[i - 1]!) acc -= volume[i]!;
    out.push(acc);
  }
  return out;
}

/** Simple returns close[i] / close[i − 1] − 1 (null for the first bar). */
export function returns(close: number[]): Series {
  check(close, 1, 'close');
  const bad = close.findIndex((c) => c <= 0);
  if (bad >= 0) throw new RangeError(`close ${bad} must be positive to form a return, got ${close[bad]}`);
  return close.map((c, i) => (i === 0 ? null : c / close[i - 1]! - 1));
}

/**
 * Rolling volatility: the sample standard deviation (n − 1) of the last `window` simple returns,
 * times √252 when `annualize` is set. Computed with running sums (one pass).
 */
export function rollingVolatility(close: number[], window = 20, annualize = false): Series {
  check(close, window, 'close');
  if (window < 2) throw new RangeError('window must be at least 2');
  const r = returns(close);
  const out: Series = Array<null>(close.length).fill(null);
  let sum = 0;
  let sumSq = 0;
  for (let i = 1; i < close.length; i++) {
    const x = r[i]!;
    sum += x;
    sumSq += x * x;
    if (i > window) {
      const old = r[i - window]!;
      sum -= old;
      sumSq -= old * old;
    }
    if (i >= window) {
      const variance = Math.max(0, (sumSq - (sum * sum) / window) / (window - 1));
      out[i] = Math.sqrt(variance) * (annualize ? Math.sqrt(252) : 1);
    }
  }
  return out;
}
