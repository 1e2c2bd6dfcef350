import assert from 'node:assert/strict';
import { test } from 'node:test';
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
