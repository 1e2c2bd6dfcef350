import assert from 'node:assert/strict';
import { beforeEach, describe, test } from 'node:test';
import { tradingDaysBetween } from '../../src/calendar/nyse.js';
import { upsertBars } from '../../src/market-data/bar-store.js';
import { Signal } from '../../src/db/models/signal.js';
import { Trade } from '../../src/db/models/trade.js';
import { TradingConfig } from '../../src/db/models/trading-config.js';
import { DEFAULT_PARAMS } from '../../src/strategy/config-schema.js';
import { configReport } from '../../src/strategy/config-service.js';
import { getActiveConfig, getVersion } from '../../src/strategy/config-versions.js';
import { trendR2, tune, type TuningInput } from '../../src/strategy/tuning.js';
import { runTuning } from '../../src/strategy/tuning-service.js';
import { clearCollections, useTestDatabase } from '../helpers/db.js';

useTestDatabase('tuning');

const days = tradingDaysBetween('2024-01-02', '2024-04-30');
/** A steady uptrend (R² ≈ 1) or a sawtooth (choppy), as closes per trading day. */
const trend = (g: number) => days.map((d, i) => ({ date: d, close: 100 * (1 + g) ** i }));
const saw = () => days.map((d, i) => ({ date: d, close: 100 * (i % 4 < 2 ? 1.03 : 0.97) }));

function input(over: Partial<TuningInput>): TuningInput {
  return { params: DEFAULT_PARAMS, periodStart: '2024-01-02', periodEnd: '2024-03-28', trades: [], signals: [], closes: {}, market: trend(0.003), drawdown: 0.02, ...over };
}

describe('tuning rules (pure)', () => {
  test('trend R² is ~1 on a steady trend and low on a sawtooth', () => {
    assert.ok(trendR2(trend(0.003).slice(0, 20).map((c) => c.close)) > 0.99);
    assert.ok(trendR2(saw().slice(0, 20).map((c) => c.close)) < 0.6);
  });

  test('winning while rarely buying → "Be more aggressive", with bounded changes', () => {
    const up = trend(0.003);
    const trades = days.slice(25, 37).map((d) => ({ date: d, symbol: 'SPY', action: 'BUY' as const, price: up.find((c) => c.date === d)!.close, amount: 100 }));
    const signals = days.slice(25, 65).map((d, i) => ({ date: d, action: (i < 12 ? 'BUY' : 'HOLD') as 'BUY' | 'HOLD' }));
    const r = tune(input({ trades, signals, closes: { SPY: up }, market: up }));
    assert.equal(r.overall.winRate, 1);
    assert.equal(r.byCondition.momentum.trades, 12);
    assert.deepEqual(r.recommendations.map((x) => x.title), ['Be more aggressive']);
    assert.deepEqual(r.changes, [
      { key: 'regime_bullish_threshold', from: 0.3, to: 0.25 },
      { key: 'allocation_medium_risk', from: 0.5, to: 0.55 },
      { key: 'allocation_neutral', from: 0.2, to: 0.25 },
    ]);
    for (const t of r.scored) assert.ok(t.score > 0 && t.score <= 1);
  });

  test('losing in choppy markets → "Reduce neutral allocation"; a deep drawdown → "Tighten risk thresholds"', () => {
    const s = saw();
    // Buy at the sawtooth's tops: each is followed by a drop.
    const tops = days.filter((_, i) => i >= 25 && i < 60 && i % 4 === 1);
    const trades = tops.map((d) => ({ date: d, symbol: 'SPY', action: 'BUY' as const, price: 103, amount: 100 }));
    const r = tune(input({ trades, signals: tops.map((d) => ({ date: d, action: 'BUY' as const })), closes: { SPY: s }, market: s, drawdown: 0.2 }));
    assert.equal(r.byCondition.choppy.trades, trades.length);
    assert.ok(r.byCondition.choppy.winRate < 0.5);
    assert.deepEqual(r.recommendations.map((x) => x.title), ['Reduce neutral allocation', 'Tighten risk thresholds']);
    const byKey = Object.fromEntries(r.changes.map((c) => [c.key, c.to]));
    assert.deepEqual(byKey, { risk_high_threshold: 65, risk_medium_threshold: 35, allocation_high_risk: 0.25, allocation_neutral: 0.15 });
  });

  test('too few trades: parameters unchanged, said so', () => {
    const r = tune(input({ trades: [] }));
    assert.equal(r.changes.length, 0);
    assert.match(r.recommendations[0]!.reason, /only 0 scored trade/);
  });
});

describe('strategy-tuning service', () => {
  beforeEach(clearCollections);

  test('writes a new version from the 1st (previous ends the last day of the previous month) with its report', async () => {
    const v1 = await getActiveConfig('main');
    const up = trend(0.003);
    await upsertBars(['SPY', 'QQQ', 'DIA'].flatMap((s) => up.map((c) => ({ symbol: s, date: c.date, open: c.close, high: c.close, low: c.close, close: c.close, volume: 1, synthetic: true }))), 'test');
    const buyDays = days.filter((d) => d >= '2024-02-01' && d <= '2024-02-20');
    for (const d of buyDays) {
      const s = await Signal.create({ portfolio: 'main', tradeDate: d, configVersion: 1, modelType: 'regime_based', action: 'BUY', confidenceScore: 0.5, allocations: { SPY: 100 }, features: {}, dataThrough: d, createdAt: new Date() });
      await Trade.create({ portfolio: 'main', signalId: s._id, tradeDate: d, symbol: 'SPY', action: 'BUY', quantity: 1, price: up.find((c) => c.date === d)!.close, amount: 100, createdAt: new Date() });
    }
    for (const d of days.filter((x) => x > '2024-02-20' && x < '2024-04-01')) {
      await Signal.create({ portfolio: 'main', tradeDate: d, configVersion: 1, modelType: 'regime_based', action: 'HOLD', confidenceScore: 0.1, allocations: {}, features: {}, dataThrough: d, createdAt: new Date() });
    }
    const o = await runTuning('main', '2024-04-01', { id: 'job', name: 'strategy-tuning', source: 'job' });
    assert.equal(o.to.version, v1.version + 1);
    assert.equal(o.to.startDate, '2024-04-01');
    assert.equal((await getVersion('main', v1.version)).endDate, '2024-03-31');
    assert.deepEqual(o.result.recommendations.map((r) => r.title), ['Be more aggressive']);
    assert.equal((await getActiveConfig('main')).params.allocation_neutral, 0.25);
    const report = await configReport('main', o.to.version);
    assert.match(report.report, /^# Strategy tuning · main · v1 → v2/);
    assert.match(report.report, /\| allocation_neutral \| 0.2 \| 0.25 \|/);
    assert.equal(await TradingConfig.countDocuments({ endDate: null }), 1);
  });

  test('a month is tuned once: forced re-runs return the same version and change nothing', async () => {
    const v1 = await getActiveConfig('main');
    const actor = { id: 'job', name: 'strategy-tuning', source: 'job' as const };
    const first = await runTuning('main', '2024-04-01', actor);
    const again = await runTuning('main', '2024-04-01', actor, { forced: true });
    const later = await runTuning('main', '2024-04-15', actor, { forced: true });
    assert.equal(first.to.version, v1.version + 1);
    assert.equal(again.to.version, first.to.version);
    assert.equal(later.to.version, first.to.version, 'a forced run later in the same month finds the month\'s version');
    assert.equal(again.from.version, v1.version, 'reported against the version it replaced');
    assert.equal(await TradingConfig.countDocuments({ portfolio: 'main' }), 2, 'v1 and the month\'s version only');
    const all = await TradingConfig.find({ portfolio: 'main' }).lean();
    for (const v of all) assert.ok(!v.endDate || v.endDate >= v.startDate, `v${v.version} does not end before it starts`);
  });
});
