import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { atrColumn, bollingerWidthColumn, rsiColumn } from '../../src/analysis/kernels.js';
import { atr, bollinger, rsi, WARMUP_BARS } from '../../src/analysis/indicators.js';

// TA-Lib's own output for 400 bars (scripts/gen-talib-fixtures.py).
type Ref = Array<number | null>;
const t = JSON.parse(readFileSync(new URL('../fixtures/indicators/talib-reference.json', import.meta.url), 'utf8')) as {
  input: { high: number[]; low: number[]; close: number[] };
  output: { RSI_14: Ref; ATR_14: Ref; BBANDS_20_2: { upper: Ref; middle: Ref; lower: Ref } };
};
const { high, low, close } = t.input;

/** Every value equal to TA-Lib's within `tol`, NaN exactly where TA-Lib has none. */
function sameAsTalib(name: string, got: Float64Array, want: Ref, tol: number): void {
  assert.equal(got.length, want.length, `${name}: length`);
  for (let i = 0; i < want.length; i++) {
    const w = want[i];
    if (w === null || w === undefined) assert.ok(Number.isNaN(got[i]), `${name}[${i}] should be in the look-back, got ${got[i]}`);
    else assert.ok(Math.abs(got[i]! - w) <= tol, `${name}[${i}] ${got[i]} vs TA-Lib ${w}`);
  }
}

test('kernel RSI (14) equals TA-Lib from its first value on, unrounded', () => {
  sameAsTalib('RSI', rsiColumn(close, 14), t.output.RSI_14, 1e-9);
});

test('kernel ATR (14) equals TA-Lib from its first value on', () => {
  sameAsTalib('ATR', atrColumn(high, low, close, 14), t.output.ATR_14, 1e-9);
});

test('kernel Bollinger width (20, 2) equals (upper − lower) / middle of TA-Lib BBANDS', () => {
  const b = t.output.BBANDS_20_2;
  const want = b.upper.map((u, i) => (u === null ? null : (u - b.lower[i]!) / b.middle[i]!));
  sameAsTalib('BB width', bollingerWidthColumn(close, 20, 2), want, 1e-9);
});

test('kernels agree with the technicalindicators wrapper the rest of the project uses (after its warm-up)', () => {
  const r = rsiColumn(close);
  const a = atrColumn(high, low, close);
  const w = bollingerWidthColumn(close);
  const lib = { rsi: rsi(close), atr: atr(high, low, close), bb: bollinger(close) };
  for (let i = WARMUP_BARS; i < close.length; i++) {
    assert.ok(Math.abs(r[i]! - lib.rsi[i]!) <= 0.005, `RSI ${i}`); // the library rounds to 2 decimals
    assert.ok(Math.abs(a[i]! - lib.atr[i]!) <= 1e-9, `ATR ${i}`);
    assert.ok(Math.abs(w[i]! - (lib.bb.upper[i]! - lib.bb.lower[i]!) / lib.bb.middle[i]!) <= 1e-9, `BB ${i}`);
  }
});

test('kernel edge cases: short input is all look-back, a flat window has RSI 0 and no width, bad periods are refused', () => {
  assert.ok(rsiColumn([1, 2, 3], 14).every(Number.isNaN));
  assert.ok(atrColumn([2, 2], [1, 1], [1.5, 1.5], 14).every(Number.isNaN));
  const flat = Array(30).fill(10);
  assert.equal(rsiColumn(flat, 14)[29], 0);
  assert.equal(bollingerWidthColumn(flat, 20, 2)[29], 0);
  assert.throws(() => rsiColumn(close, 0), /period must be a whole number/);
  assert.throws(() => atrColumn([1], [1, 2], [1], 1), /equally long/);
});
