import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DEFAULT_PARAMS } from '../../src/strategy/config-schema.js';
import type { AssetSignal, SignalResult } from '../../src/strategy/signal.js';
import { explainSignal, regimeTerms } from '../../src/strategy/why.js';

const asset = (o: Partial<AssetSignal>): AssetSignal => ({
  returns_5d: 0.01, returns_20d: 0.03, returns_60d: 0.05, volatility: 0.01, sma_20: 100, sma_50: 98, dist_sma_20: 0.02, dist_sma_50: 0.04, last_close: 102,
  momentum_term: 0.5, risk_adjusted_momentum: 0.4, price_momentum: 0.6, trend_consistent: true, score: 0.7, ...o,
});

function signal(action: 'BUY' | 'SELL' | 'HOLD', over: Partial<SignalResult['features_used']> = {}, allocations: Record<string, number> = {}): SignalResult {
  return {
    trade_date: '2020-02-03', model_type: 'regime_based', confidence_score: 0.4, allocations,
    features_used: {
      regime: 0.41, regime_label: 'bullish', risk: 22.5, risk_volatility: 20, risk_correlation: 28.3, action, allocation_pct: 0.8, sell_pct: 0, budget: 800,
      reason: 'bullish regime', data_through: '2020-01-31',
      assets: { SPY: asset({ score: 0.9 }), QQQ: asset({ score: 0.5, trend_consistent: false }), IWM: asset({ score: -0.2, momentum_term: -0.3, dist_sma_20: -0.01 }) },
      skipped: { TLT: 'only 40 bars before 2020-02-03; features need 61' },
      ...over,
    },
  };
}

describe('why: sentences from a stored signal alone', () => {
  test('a BUY names the regime and its terms, the thresholds crossed, the risk split, and why each asset got what it got', () => {
    const e = explainSignal(signal('BUY', {}, { SPY: 480, QQQ: 320 }), DEFAULT_PARAMS, 3);
    assert.match(e.sentences[0]!, /^BUY on 2020-02-03, decided by config v3 from closes through 2020-01-31/);
    assert.match(e.sentences[1]!, /regime score was \+0\.410 \(momentum × 0\.5 [+-]\d\.\d{3}, SMA-20 × 0\.3 [+-]\d\.\d{3}, SMA-50 × 0\.2 [+-]\d\.\d{3}\): above the bullish threshold 0\.\d+, so the regime was bullish/);
    assert.match(e.sentences[2]!, /Risk was 22\.5 of 100 \(volatility 20\.0 × 0\.7 \+ correlation 28\.3 × 0\.3\)/);
    assert.match(e.sentences[3]!, /budget of \$800\.00 across the top 2/);
    const [spy, qqq, iwm, tlt] = e.assets;
    assert.match(spy!.sentence, /^#1 SPY: score \+0\.900 .*×1\.5 trend bonus.*got \$480\.00/);
    assert.doesNotMatch(qqq!.sentence, /trend bonus/);
    assert.match(iwm!.sentence, /^#3 IWM: .*got nothing: its score is not above zero/);
    assert.equal(tlt!.rank, null);
    assert.match(tlt!.sentence, /TLT was skipped: only 40 bars/);
  });

  test('the terms are the stored features weighted and averaged (they add up to the regime of those features)', () => {
    const assets = [asset({ momentum_term: 0.8, dist_sma_20: 0.03, dist_sma_50: 0.06 }), asset({ momentum_term: -0.2, dist_sma_20: -0.01, dist_sma_50: 0 })];
    const t = regimeTerms(assets);
    assert.deepEqual(t.map((x) => x.label), ['momentum × 0.5', 'SMA-20 × 0.3', 'SMA-50 × 0.2']);
    assert.ok(Math.abs(t[0]!.value - 0.5 * (0.8 - 0.2) / 2) < 1e-12);
    assert.ok(Math.abs(t[1]!.value - 0.3 * (Math.tanh(1) + Math.tanh(-1 / 3)) / 2) < 1e-12);
    assert.ok(Math.abs(t[2]!.value - 0.2 * Math.tanh(2) / 2) < 1e-12);
  });

  test('a SELL and a HOLD say why in their own words', () => {
    const sell = explainSignal(signal('SELL', { regime: -0.3, regime_label: 'bearish', sell_pct: 0.5, allocation_pct: 0, budget: 0 }), DEFAULT_PARAMS, 1);
    assert.match(sell.sentences[1]!, /below the bearish threshold -0\.\d+, so the regime was bearish/);
    assert.match(sell.sentences[3]!, /sold 50% of every holding/);
    assert.match(sell.assets[0]!.sentence, /got nothing: the signal was SELL/);
    const hold = explainSignal(signal('HOLD', { regime: 0.05, regime_label: 'neutral', risk: 80, reason: 'neutral regime and high risk (80.0): hold' }), DEFAULT_PARAMS, 1);
    assert.match(hold.sentences[1]!, /between the bearish .* and bullish .* thresholds, so the regime was neutral/);
    assert.match(hold.sentences[2]!, /above the high-risk threshold/);
    assert.match(hold.sentences[3]!, /So it held: neutral regime and high risk/);
  });
});
