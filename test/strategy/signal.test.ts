import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { addDays } from '../../src/calendar/dates.js';
import { tradingDaysBetween } from '../../src/calendar/nyse.js';
import { runBacktest, type BacktestBar } from '../../src/strategy/backtest.js';
import { DEFAULT_PARAMS } from '../../src/strategy/config-schema.js';
import { computeFeatures, correlation } from '../../src/strategy/features.js';
import { distributionWeights, generateSignal, regimeScore, riskScore, scoreAsset } from '../../src/strategy/signal.js';

const close = (a: number, b: number, eps = 1e-9) => assert.ok(Math.abs(a - b) < eps, `${a} ≠ ${b}`);

/** 61+ closes following a daily growth rate, with an optional alternating wiggle. */
function series(n: number, growth: number, wiggle = 0, start = 100): number[] {
  return Array.from({ length: n }, (_, i) => start * (1 + growth) ** i * (1 + (i % 2 ? wiggle : -wiggle)));
}

function history(closes: number[], lastDate = '2024-03-14'): Array<{ date: string; close: number }> {
  const dates = tradingDaysBetween(addDays(lastDate, -400), lastDate).slice(-closes.length);
  return closes.map((c, i) => ({ date: dates[i]!, close: c }));
}

describe('features (hand-computed)', () => {
  test('returns, SMAs and distances on a straight line 100, 101, …, 160', () => {
    const closes = Array.from({ length: 61 }, (_, i) => 100 + i);
    const f = computeFeatures(closes);
    close(f.returns_5d, 160 / 155 - 1);
    close(f.returns_20d, 160 / 140 - 1);
    close(f.returns_60d, 160 / 100 - 1);
    close(f.sma_20, 150.5); // mean of 141..160
    close(f.sma_50, 135.5); // mean of 111..160
    close(f.dist_sma_20, 160 / 150.5 - 1);
    assert.ok(f.volatility > 0 && f.volatility < 0.001, 'returns of a line barely vary');
  });

  test('correlation of a series with itself and its mirror', () => {
    close(correlation([1, 2, 3, 5], [1, 2, 3, 5]), 1);
    close(correlation([1, 2, 3, 5], [-1, -2, -3, -5]), -1);
  });
});

describe('regime, risk and ranking', () => {
  test('regime = 0.5·tanh(avg return / 5%) + 0.3·tanh(dist20 / 3%) + 0.2·tanh(dist50 / 3%)', () => {
    // Hand-picked features: every ratio is exactly 1, so the score is (0.5 + 0.3 + 0.2)·tanh(1) = 0.7615941559557649.
    const base = computeFeatures(Array.from({ length: 61 }, (_, i) => 100 + i));
    const f = { ...base, returns_5d: 0.05, returns_20d: 0.05, returns_60d: 0.05, dist_sma_20: 0.03, dist_sma_50: 0.03 };
    close(regimeScore([f]), 0.7615941559557649);
    // Half the distances: 0.5·tanh(1) + 0.5·tanh(0.5) = 0.38079707797788243 + 0.23105857863000487.
    close(regimeScore([{ ...f, dist_sma_20: 0.015, dist_sma_50: 0.015 }]), 0.5 * 0.7615941559557649 + 0.5 * 0.46211715726000974);
  });

  test('risk = 0.7 · volatility part + 0.3 · correlation part', () => {
    const calm = computeFeatures(series(80, 0.001, 0.002));
    const r = riskScore([calm], [[0]]);
    const volPart = Math.min(1, (calm.volatility * Math.sqrt(252)) / 0.4) * 100;
    close(r.risk, 0.7 * volPart + 0.3 * 100, 1e-9); // one asset: no diversification at all
    const two = riskScore([calm, calm], [[0.01, -0.01, 0.02], [-0.01, 0.01, -0.02]]);
    close(two.correlation, 0, 1e-9); // perfectly opposite returns: full diversity, clamped at 0
  });

  test('the trend-consistency bonus multiplies a positive score by 1.5', () => {
    const f = computeFeatures(Array.from({ length: 61 }, (_, i) => 100 + i));
    const s = scoreAsset(f, DEFAULT_PARAMS);
    assert.equal(s.trend_consistent, true);
    close(s.score, 1.5 * (0.6 * s.risk_adjusted_momentum + 0.4 * s.price_momentum));
  });

  test('distribution over the top three stays in the 40–50 / 30–35 / 15–25 % bands', () => {
    const w = distributionWeights([3, 2, 1]);
    close(w[0]!, 0.5);
    close(w[1]!, 1 / 3);
    close(w[2]!, 1 / 6);
    const even = distributionWeights([1, 1, 1]);
    close(even[2]!, 0.25);
    close(even[0]! + even[1]! + even[2]!, 1);
    assert.ok(even[0]! <= 0.5 && even[1]! <= 0.35);
    assert.deepEqual(distributionWeights([5]), [1]);
    const two = distributionWeights([9, 1]);
    close(two[0]!, 0.7);
  });
});

describe('signal decisions', () => {
  const params = { ...DEFAULT_PARAMS, assets: ['AAA', 'BBB', 'CCC'] };

  test('a calm uptrend in every asset: BUY, budget by risk, dollars to the top three', () => {
    const h = { AAA: history(series(120, 0.004, 0.001)), BBB: history(series(120, 0.003, 0.001)), CCC: history(series(120, 0.002, 0.001)) };
    const s = generateSignal({ tradeDate: '2024-03-15', params, history: h });
    const f = s.features_used;
    assert.equal(f.regime_label, 'bullish');
    assert.equal(f.action, 'BUY');
    const expectedPct = f.risk > 70 ? 0.3 : f.risk > 40 ? 0.5 : 0.8;
    assert.equal(f.allocation_pct, expectedPct);
    const total = Object.values(s.allocations).reduce((a, b) => a + b, 0);
    close(total, 1000 * expectedPct, 0.02);
    assert.deepEqual(Object.keys(s.allocations), ['AAA', 'BBB', 'CCC'], 'ranked by score');
    assert.equal(f.data_through, '2024-03-14');
  });

  test('a downtrend: SELL the configured share', () => {
    const h = { AAA: history(series(120, -0.004, 0.001)), BBB: history(series(120, -0.003, 0.001)), CCC: history(series(120, -0.005, 0.001)) };
    const s = generateSignal({ tradeDate: '2024-03-15', params, history: h });
    assert.equal(s.features_used.action, 'SELL');
    assert.equal(s.features_used.sell_pct, 0.7);
    assert.deepEqual(s.allocations, {});
  });

  test('flat markets: neutral; buys only what scores above zero, equal scores equal shares; nothing above zero holds', () => {
    // Two flat assets score a little above zero (their wiggle ends on an up day), the slight decliner below.
    const h = { AAA: history(series(120, 0, 0.004)), BBB: history(series(120, 0, 0.004)), CCC: history(series(120, -0.0001, 0.004)) };
    const s = generateSignal({ tradeDate: '2024-03-15', params, history: h });
    assert.equal(s.features_used.regime_label, 'neutral');
    assert.ok(s.features_used.assets.AAA!.score > 0 && s.features_used.assets.CCC!.score < 0);
    assert.equal(s.features_used.action, 'BUY');
    assert.equal(s.features_used.allocation_pct, params.allocation_neutral);
    assert.deepEqual(s.allocations, { AAA: (params.daily_capital * params.allocation_neutral) / 2, BBB: (params.daily_capital * params.allocation_neutral) / 2 });
    // All three slightly declining: still neutral, but no score above zero, so nothing is bought.
    const down = { AAA: history(series(120, -0.0001, 0.004)), BBB: history(series(120, -0.0001, 0.004)), CCC: history(series(120, -0.0001, 0.004)) };
    const held = generateSignal({ tradeDate: '2024-03-15', params, history: down });
    assert.equal(held.features_used.regime_label, 'neutral');
    assert.ok(Object.values(held.features_used.assets).every((a) => a.score <= 0));
    assert.equal(held.features_used.action, 'HOLD');
    assert.deepEqual(held.allocations, {});
  });

  test('too little history: HOLD, with the reason per asset', () => {
    const s = generateSignal({ tradeDate: '2024-03-15', params, history: { AAA: history(series(30, 0.01)) } });
    assert.equal(s.features_used.action, 'HOLD');
    assert.match(s.features_used.skipped.AAA!, /only 30 bars/);
  });

  test('bars on or after the trade date are ignored', () => {
    const h = history(series(120, 0.003, 0.001), '2024-03-14');
    const base = generateSignal({ tradeDate: '2024-03-15', params: { ...params, assets: ['AAA'] }, history: { AAA: h } });
    const withFuture = generateSignal({ tradeDate: '2024-03-15', params: { ...params, assets: ['AAA'] }, history: { AAA: [...h, { date: '2024-03-15', close: 1 }, { date: '2024-03-18', close: 1 }] } });
    assert.deepEqual(withFuture, base);
  });
});

describe('no look-ahead in backtests', () => {
  test('perturbing every bar after day D leaves every signal up to D unchanged', () => {
    const dates = tradingDaysBetween('2023-01-03', '2024-06-28');
    const mk = (g: number): BacktestBar[] => dates.map((d, i) => ({ date: d, open: 100 * (1 + g) ** i * (1 + 0.01 * Math.sin(i)), close: 100 * (1 + g) ** i * (1 + 0.01 * Math.cos(i)) }));
    const bars = { AAA: mk(0.001), BBB: mk(0.0005), CCC: mk(-0.0003) };
    const D = '2024-02-15';
    let seed = 7;
    const rand = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
    const perturbed = Object.fromEntries(Object.entries(bars).map(([s, list]) => [s, list.map((b) => (b.date > D ? { ...b, open: b.open * (0.5 + rand()), close: b.close * (0.5 + rand()) } : b))]));
    const params = { ...DEFAULT_PARAMS, assets: ['AAA', 'BBB', 'CCC'] };
    const a = runBacktest({ params, from: '2023-06-01', to: '2024-06-28', bars });
    const b = runBacktest({ params, from: '2023-06-01', to: '2024-06-28', bars: perturbed });
    const upTo = (r: typeof a) => r.days.filter((d) => d.date <= D).map((d) => d.signal);
    assert.ok(upTo(a).length > 150);
    assert.deepEqual(upTo(b), upTo(a), 'signals through D are identical');
    assert.notDeepEqual(b.days.filter((d) => d.date > D).map((d) => d.signal), a.days.filter((d) => d.date > D).map((d) => d.signal), 'the perturbation did change later signals');
  });
});
