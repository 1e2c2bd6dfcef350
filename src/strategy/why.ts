import type { StrategyParams } from './config-schema.js';
import { SCALES, type AssetSignal, type SignalResult } from './signal.js';

/** One bar of the terms chart: a named contribution to the regime score. */
export interface Term { label: string; value: number }

export interface Explanation {
  tradeDate: string;
  action: SignalResult['features_used']['action'];
  configVersion: number;
  /** Plain sentences, in reading order. */
  sentences: string[];
  /** Per asset: one sentence each, ranked. */
  assets: Array<{ symbol: string; rank: number | null; score: number | null; allocation: number; sentence: string }>;
  /** The regime's terms (weighted, averaged over the assets) for the chart. */
  terms: Term[];
}

const pct = (x: number, dp = 1) => `${(x * 100).toFixed(dp)}%`;
const signed = (x: number, dp = 3) => `${x >= 0 ? '+' : ''}${x.toFixed(dp)}`;
const money = (x: number) => `$${x.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;

/** The regime's three weighted terms, averaged over the scored assets (from their stored features). */
export function regimeTerms(assets: AssetSignal[]): Term[] {
  if (assets.length === 0) return [];
  const avg = (f: (a: AssetSignal) => number) => assets.reduce((s, a) => s + f(a), 0) / assets.length;
  return [
    { label: 'momentum × 0.5', value: avg((a) => 0.5 * a.momentum_term) },
    { label: 'SMA-20 × 0.3', value: avg((a) => 0.3 * Math.tanh(a.dist_sma_20 / SCALES.smaDistance)) },
    { label: 'SMA-50 × 0.2', value: avg((a) => 0.2 * Math.tanh(a.dist_sma_50 / SCALES.smaDistance)) },
  ];
}

/**
 * Why a stored signal decided what it did, in plain sentences: pure, from the signal's stored features and
 * the config version that decided it (never recomputed from bars).
 */
export function explainSignal(signal: SignalResult, params: StrategyParams, configVersion: number): Explanation {
  const f = signal.features_used;
  const scored = Object.entries(f.assets);
  const terms = regimeTerms(scored.map(([, a]) => a));
  const sentences: string[] = [];
  sentences.push(`${f.action} on ${signal.trade_date}, decided by config v${configVersion} from closes through ${f.data_through || 'no data'} (nothing from the day itself).`);
  if (scored.length === 0) {
    sentences.push(`No asset had enough history, so there was nothing to score: ${f.reason}.`);
  } else {
    const share = terms.map((t) => `${t.label} ${signed(t.value)}`).join(', ');
    const regimeLine = f.regime_label === 'bullish'
      ? `above the bullish threshold ${params.regime_bullish_threshold}`
      : f.regime_label === 'bearish'
        ? `below the bearish threshold ${params.regime_bearish_threshold}`
        : `between the bearish ${params.regime_bearish_threshold} and bullish ${params.regime_bullish_threshold} thresholds`;
    sentences.push(`The regime score was ${signed(f.regime)} (${share}): ${regimeLine}, so the regime was ${f.regime_label}.`);
    const riskLevel = f.risk > params.risk_high_threshold ? `above the high-risk threshold ${params.risk_high_threshold}` : f.risk > params.risk_medium_threshold ? `above the medium-risk threshold ${params.risk_medium_threshold} but not the high ${params.risk_high_threshold}` : `at or below the medium-risk threshold ${params.risk_medium_threshold}`;
    sentences.push(`Risk was ${f.risk.toFixed(1)} of 100 (volatility ${f.risk_volatility.toFixed(1)} × 0.7 + correlation ${f.risk_correlation.toFixed(1)} × 0.3), ${riskLevel}.`);
  }
  if (f.action === 'BUY') sentences.push(`So it bought with ${pct(f.allocation_pct, 0)} of the daily capital ${money(params.daily_capital)}: a budget of ${money(f.budget)} across the top ${Object.keys(signal.allocations).length} positive-scored assets.`);
  else if (f.action === 'SELL') sentences.push(`So it sold ${pct(f.sell_pct, 0)} of every holding (sell_percentage).`);
  else sentences.push(`So it held: ${f.reason}.`);

  const ranked = scored.sort((a, b) => b[1].score - a[1].score);
  const assets: Explanation['assets'] = ranked.map(([symbol, a], k) => {
    const allocation = signal.allocations[symbol] ?? 0;
    const bonus = a.trend_consistent && a.score > 0 ? `, ×${SCALES.trendBonus} trend bonus (5/20/60-day returns all up)` : '';
    const why = allocation > 0
      ? `got ${money(allocation)}`
      : a.score <= 0
        ? 'got nothing: its score is not above zero'
        : f.action !== 'BUY'
          ? `got nothing: the signal was ${f.action}`
          : 'got nothing: only the top 3 positive scores are bought';
    return {
      symbol, rank: k + 1, score: a.score, allocation,
      sentence: `#${k + 1} ${symbol}: score ${signed(a.score)} (risk-adjusted momentum ${signed(a.risk_adjusted_momentum)} × ${params.momentum_weight} + price momentum ${signed(a.price_momentum)} × ${params.price_momentum_weight}${bonus}); ${why}.`,
    };
  });
  for (const [symbol, reason] of Object.entries(f.skipped)) {
    assets.push({ symbol, rank: null, score: null, allocation: 0, sentence: `${symbol} was skipped: ${reason}.` });
  }
  return { tradeDate: signal.trade_date, action: f.action, configVersion, sentences, assets, terms };
}
