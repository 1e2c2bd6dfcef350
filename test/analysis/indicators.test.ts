import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { bollinger, ema, sma } from '../../src/analysis/indicators.js';

test('SMA is aligned with its input, null during the warm-up', () => {
  assert.deepEqual(sma([1, 2, 3, 4, 5], 3), [null, null, 2, 3, 4]);
  assert.deepEqual(sma([1, 2], 3), [null, null]);
});

test('EMA is seeded with the SMA of the first period (TA-Lib convention)', () => {
  const out = ema([1, 2, 3, 4, 5], 3);
  assert.deepEqual(out.slice(0, 2), [null, null]);
  assert.equal(out[2], 2); // SMA(1,2,3)
  assert.equal(out[3], 2 + 0.5 * (4 - 2)); // k = 2 / (3 + 1)
  assert.equal(out[4], 3 + 0.5 * (5 - 3));
});

test('Bollinger bands: middle is the SMA, a flat series has no width', () => {
  const flat = bollinger(Array(25).fill(10), 20, 2);
  assert.equal(flat.upper[24], 10);
  assert.equal(flat.lower[24], 10);
  const b = bollinger([1, 2, 3, 4, 5], 5, 2);
  assert.equal(b.middle[4], 3);
  const sd = Math.sqrt((4 + 1 + 0 + 1 + 4) / 5); // population deviation, as TA-Lib
  assert.ok(Math.abs(b.upper[4]! - (3 + 2 * sd)) < 1e-9);
});

test('bad input is refused instead of becoming NaN', () => {
  assert.throws(() => sma([1, Number.NaN, 3], 2), /value 1 is not a finite number/);
  assert.throws(() => ema([1, 2, 3], 0), /period must be a whole number/);
});

// ---- Reference vectors: StockCharts worked examples and TA-Lib (scripts/gen-talib-fixtures.py) ----
import { readFileSync } from 'node:fs';
import { MACD } from 'technicalindicators';
import { adx, atr, macd, obv, returns, rollingVolatility, rsi, stochasticFast, WARMUP_BARS, type Series } from '../../src/analysis/indicators.js';

type Ref = Array<number | null>;
const load = <T>(name: string): T => JSON.parse(readFileSync(new URL(`../fixtures/indicators/${name}`, import.meta.url), 'utf8')) as T;

/** Same null pattern (the look-back), and every value within `tol` from index `from` on. */
function matches(label: string, ours: Series, ref: Ref, tol: number, from = 0): number {
  assert.equal(ours.length, ref.length, `${label}: length`);
  assert.equal(ours.findIndex((v) => v !== null), ref.findIndex((v) => v !== null), `${label}: the first value sits where the reference's does`);
  let worst = 0;
  let compared = 0;
  for (let i = from; i < ref.length; i++) {
    if (ref[i] === null) continue;
    assert.notEqual(ours[i], null, `${label}: value ${i} missing`);
    worst = Math.max(worst, Math.abs(ours[i]! - ref[i]!));
    compared++;
  }
  assert.ok(compared > 0, `${label}: nothing compared`);
  assert.ok(worst <= tol, `${label}: worst difference ${worst} exceeds ${tol}`);
  return worst;
}

test('StockCharts RSI(14) on the QQQQ series: 70.5328, 66.3186, … (within the library\'s 2-decimal rounding)', () => {
  const sc = load<{ rsi14: { close: number[]; rsi: Ref } }>('stockcharts.json').rsi14;
  const ours = rsi(sc.close, 14);
  matches('RSI', ours, sc.rsi, 0.005);
  assert.equal(ours[14], 70.53);
  assert.equal(ours[15], 66.32);
});

test('StockCharts Bollinger Bands (20, 2) on the SPY series: 88.70794 / 91.291862 / 86.124018, …', () => {
  const sc = load<{ bbands20_2: { close: number[]; middle: Ref; upper: Ref; lower: Ref } }>('stockcharts.json').bbands20_2;
  const bb = bollinger(sc.close, 20, 2);
  matches('BB middle', bb.middle, sc.middle, 1e-5);
  matches('BB upper', bb.upper, sc.upper, 1e-5);
  matches('BB lower', bb.lower, sc.lower, 1e-5);
});

describe('TA-Lib reference (400 bars; values compared after the 250-bar warm-up)', () => {
  interface Talib {
    input: { high: number[]; low: number[]; close: number[]; volume: number[] };
    output: Record<string, Ref> & {
      BBANDS_20_2: { upper: Ref; middle: Ref; lower: Ref };
      MACD_12_26_9: { macd: Ref; signal: Ref; histogram: Ref };
      STOCHF_14_3: { k: Ref; d: Ref };
    };
  }
  const t = load<Talib>('talib-reference.json');
  const { high, low, close, volume } = t.input;
  const o = t.output;
  const TOL = 1e-6;

  test('SMA, EMA, ATR, Bollinger Bands match from the first value on', () => {
    matches('SMA', sma(close, 20), o.SMA_20!, TOL);
    matches('EMA', ema(close, 20), o.EMA_20!, TOL);
    matches('ATR', atr(high, low, close, 14), o.ATR_14!, TOL);
    const bb = bollinger(close, 20, 2);
    matches('BB upper', bb.upper, o.BBANDS_20_2.upper, TOL);
    matches('BB lower', bb.lower, o.BBANDS_20_2.lower, TOL);
  });

  test('MACD (EMA oscillator and EMA signal) matches after the warm-up; an SMA-MACD would not', () => {
    const m = macd(close, 12, 26, 9);
    matches('MACD', m.macd, o.MACD_12_26_9.macd, TOL, WARMUP_BARS);
    matches('MACD signal', m.signal, o.MACD_12_26_9.signal, TOL, WARMUP_BARS);
    matches('MACD histogram', m.histogram, o.MACD_12_26_9.histogram, TOL, WARMUP_BARS);
    const smaMacd = MACD.calculate({ values: close, fastPeriod: 12, slowPeriod: 26, signalPeriod: 9, SimpleMAOscillator: true, SimpleMASignal: true });
    const last = smaMacd[smaMacd.length - 1]!.MACD!;
    assert.ok(Math.abs(last - o.MACD_12_26_9.macd[399]!) > 1e-3, `the library's SMA variant differs (${last} vs ${o.MACD_12_26_9.macd[399]})`);
  });

  test('Stochastic fast (STOCHF 14, 3) matches, including the flat bars', () => {
    const s = stochasticFast(high, low, close, 14, 3);
    matches('%K', s.k, o.STOCHF_14_3.k, TOL);
    matches('%D', s.d, o.STOCHF_14_3.d, TOL);
  });

  test('ADX (14) matches after the warm-up', () => {
    const a = adx(high, low, close, 14);
    matches('ADX', a.adx, o.ADX_14!, TOL, WARMUP_BARS);
    // +DI/−DI: TA-Lib publishes them from index 14, the library only with the ADX (index 27): documented.
    const plus = o.PLUS_DI_14!;
    for (let i = WARMUP_BARS; i < plus.length; i++) assert.ok(Math.abs(a.plusDi[i]! - plus[i]!) < TOL, `+DI ${i}`);
  });

  test('RSI matches after the warm-up within the library\'s 2-decimal rounding', () => {
    matches('RSI', rsi(close, 14), o.RSI_14!, 0.005, WARMUP_BARS);
  });

  test('OBV, returns and 20-day volatility (ours) match TA-Lib / numpy', () => {
    matches('OBV', obv(close, volume), o.OBV!, 0);
    matches('returns', returns(close), o.ROCR_1!.map((x) => (x === null ? null : x - 1)), 1e-9);
    matches('volatility', rollingVolatility(close, 20), o.STDDEV_RET_20!, 1e-9);
    const annual = rollingVolatility(close, 20, true);
    assert.ok(Math.abs(annual[399]! - o.STDDEV_RET_20![399]! * Math.sqrt(252)) < 1e-9);
  });
});

test('the library quirks we guard against', () => {
  const up = Array.from({ length: 60 }, (_, i) => 100 + i + (i % 3));
  assert.throws(() => macd(up, 26, 12), /fast period \(26\) must be shorter/);
  assert.throws(() => stochasticFast(up, up.slice(1), up), /equally long/);
  assert.throws(() => obv(['1', '2'] as unknown as number[], [1, 2]), /close 0 is not a finite number: "1"/, 'strings are refused, not turned into NaN');
  assert.throws(() => returns([1, 0, 2]), /close 1 must be positive/);
  assert.deepEqual(obv([10, 11, 11, 9], [100, 50, 70, 30]), [100, 150, 150, 120], 'the first bar counts, as in TA-Lib');
});
