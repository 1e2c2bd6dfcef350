import type { IsoDate } from '../calendar/dates.js';
import type { StrategyParams } from './config-schema.js';
import { computeFeatures, correlation, dailyReturns, mean, MIN_HISTORY, type AssetFeatures } from './features.js';

/**
 * The allocation signal (seed 001), pure: closes before the trade date in, a decision out.
 * Every formula and constant here is written out in docs/strategy.md.
 */
export const SCALES = {
  /** tanh(avg return / 5 %): a 5 % average of the 5/20/60-day returns is a momentum term of 0.76. */
  momentum: 0.05,
  /** tanh(distance from the SMA / 3 %). */
  smaDistance: 0.03,
  /** Annualised volatility that counts as full volatility risk (40 %). */
  annualVolFull: 0.4,
  /** Days of returns for the correlation (diversity) risk. */
  correlationDays: 60,
  trendBonus: 1.5,
} as const;

export type Action = 'BUY' | 'SELL' | 'HOLD';
export type Regime = 'bullish' | 'neutral' | 'bearish';

export interface AssetSignal extends AssetFeatures {
  momentum_term: number;
  risk_adjusted_momentum: number;
  price_momentum: number;
  trend_consistent: boolean;
  score: number;
}

export interface SignalResult {
  trade_date: IsoDate;
  model_type: 'regime_based';
  confidence_score: number;
  /** Dollars per symbol to buy (BUY only). */
  allocations: Record<string, number>;
  features_used: {
    regime: number;
    regime_label: Regime;
    risk: number;
    risk_volatility: number;
    risk_correlation: number;
    action: Action;
    allocation_pct: number;
    /** SELL only: share of each holding to sell. */
    sell_pct: number;
    budget: number;
    reason: string;
    data_through: IsoDate;
    assets: Record<string, AssetSignal>;
    skipped: Record<string, string>;
  };
}

export interface SignalInput {
  tradeDate: IsoDate;
  params: StrategyParams;
  /** Per asset: bars strictly before tradeDate, oldest first. */
  history: Record<string, Array<{ date: IsoDate; close: number }>>;
}

const clamp = (x: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, x));
const round = (x: number, dp: number) => Math.round(x * 10 ** dp) / 10 ** dp;

export function scoreAsset(f: AssetFeatures, params: StrategyParams): AssetSignal {
  const avgReturn = (f.returns_5d + f.returns_20d + f.returns_60d) / 3;
  const momentumTerm = Math.tanh(avgReturn / SCALES.momentum);
  // A Sharpe-like ratio: the 20-day return over the volatility expected across 20 days.
  const riskAdjusted = f.volatility > 0 ? Math.tanh(f.returns_20d / (f.volatility * Math.sqrt(20))) : Math.sign(f.returns_20d);
  const priceMomentum = (Math.tanh(f.dist_sma_20 / SCALES.smaDistance) + Math.tanh(f.dist_sma_50 / SCALES.smaDistance)) / 2;
  const consistent = f.returns_5d > 0 && f.returns_20d > 0 && f.returns_60d > 0;
  let score = params.momentum_weight * riskAdjusted + params.price_momentum_weight * priceMomentum;
  if (consistent && score > 0) score *= SCALES.trendBonus;
  return { ...f, momentum_term: momentumTerm, risk_adjusted_momentum: riskAdjusted, price_momentum: priceMomentum, trend_consistent: consistent, score };
}

/** Regime in [-1, 1]: momentum × 0.5 + SMA-20 term × 0.3 + SMA-50 term × 0.2, averaged over the assets. */
export function regimeScore(assets: AssetFeatures[]): number {
  return mean(
    assets.map((f) => {
      const m = Math.tanh((f.returns_5d + f.returns_20d + f.returns_60d) / 3 / SCALES.momentum);
      return 0.5 * m + 0.3 * Math.tanh(f.dist_sma_20 / SCALES.smaDistance) + 0.2 * Math.tanh(f.dist_sma_50 / SCALES.smaDistance);
    }),
  );
}

/** Risk 0–100: 70 % volatility (annualised, 40 % = full), 30 % correlation (no diversity = full). */
export function riskScore(assets: AssetFeatures[], returns: number[][]): { risk: number; volatility: number; correlation: number } {
  const vol = clamp(mean(assets.map((f) => (f.volatility * Math.sqrt(252)) / SCALES.annualVolFull)), 0, 1) * 100;
  let corr = 100;
  if (returns.length > 1) {
    const pairs: number[] = [];
    for (let i = 0; i < returns.length; i++) for (let j = i + 1; j < returns.length; j++) pairs.push(correlation(returns[i]!, returns[j]!));
    corr = clamp(mean(pairs), 0, 1) * 100;
  }
  return { risk: 0.7 * vol + 0.3 * corr, volatility: vol, correlation: corr };
}

/**
 * Weights over the top positive-scored assets: proportional to score, held in the spec's bands
 * (first 40–50 %, second 30–35 %, third 15–25 %; two assets 50–70 % / rest; one asset 100 %).
 */
export function distributionWeights(scores: number[]): number[] {
  const s = scores.slice(0, 3);
  if (s.length === 0) return [];
  if (s.length === 1) return [1];
  const total = s.reduce((a, b) => a + b, 0);
  if (s.length === 2) {
    const w1 = clamp(s[0]! / total, 0.5, 0.7);
    return [w1, 1 - w1];
  }
  let w1 = clamp(s[0]! / total, 0.4, 0.5);
  let w2 = clamp(s[1]! / total, 0.3, 0.35);
  // w1 <= 0.50 and w2 <= 0.35, so the third is at least 0.15; above 0.25 the excess goes back to the leaders.
  let w3 = 1 - w1 - w2;
  if (w3 > 0.25) {
    let excess = w3 - 0.25;
    w3 = 0.25;
    const to1 = Math.min(excess, 0.5 - w1);
    w1 += to1;
    excess -= to1;
    const to2 = Math.min(excess, 0.35 - w2);
    w2 += to2;
    w3 += excess - to2;
  }
  return [w1, w2, w3];
}

export function generateSignal(input: SignalInput): SignalResult {
  const { params, tradeDate } = input;
  const scored: Record<string, AssetSignal> = {};
  const returns: number[][] = [];
  const skipped: Record<string, string> = {};
  let dataThrough = '';
  for (const symbol of params.assets) {
    const bars = (input.history[symbol] ?? []).filter((b) => b.date < tradeDate).slice(-params.lookback_days);
    if (bars.length < MIN_HISTORY) {
      skipped[symbol] = `only ${bars.length} bars before ${tradeDate}; features need ${MIN_HISTORY}`;
      continue;
    }
    const closes = bars.map((b) => b.close);
    scored[symbol] = scoreAsset(computeFeatures(closes), params);
    returns.push(dailyReturns(closes.slice(-(SCALES.correlationDays + 1))));
    const last = bars[bars.length - 1]!.date;
    if (last > dataThrough) dataThrough = last;
  }
  const features = Object.values(scored);
  const base = { trade_date: tradeDate, model_type: 'regime_based' as const };
  if (features.length === 0) {
    return {
      ...base, confidence_score: 0, allocations: {},
      features_used: {
        regime: 0, regime_label: 'neutral', risk: 0, risk_volatility: 0, risk_correlation: 0, action: 'HOLD', allocation_pct: 0, sell_pct: 0, budget: 0,
        reason: 'not enough history for any asset', data_through: dataThrough, assets: {}, skipped,
      },
    };
  }
  const regime = clamp(regimeScore(features), -1, 1);
  const risk = riskScore(features, returns);
  const label: Regime = regime > params.regime_bullish_threshold ? 'bullish' : regime < params.regime_bearish_threshold ? 'bearish' : 'neutral';
  const ranked = Object.entries(scored).sort((a, b) => b[1].score - a[1].score);
  const positive = ranked.filter(([, a]) => a.score > 0);
  let action: Action = 'HOLD';
  let allocationPct = 0;
  let sellPct = 0;
  let reason: string;
  if (label === 'bearish') {
    action = 'SELL';
    sellPct = params.sell_percentage;
    reason = `bearish regime (${regime.toFixed(2)} < ${params.regime_bearish_threshold}): sell ${(sellPct * 100).toFixed(0)}% of holdings`;
  } else if (label === 'bullish') {
    allocationPct = risk.risk > params.risk_high_threshold ? params.allocation_high_risk : risk.risk > params.risk_medium_threshold ? params.allocation_medium_risk : params.allocation_low_risk;
    action = positive.length ? 'BUY' : 'HOLD';
    reason = positive.length
      ? `bullish regime (${regime.toFixed(2)}), risk ${risk.risk.toFixed(1)}: invest ${(allocationPct * 100).toFixed(0)}% of daily capital`
      : 'bullish regime but no asset scores above zero';
  } else if (positive.length && risk.risk <= params.risk_high_threshold) {
    action = 'BUY';
    allocationPct = params.allocation_neutral;
    reason = `neutral regime (${regime.toFixed(2)}), risk ${risk.risk.toFixed(1)} not high: small buy of ${(allocationPct * 100).toFixed(0)}%`;
  } else {
    reason = positive.length ? `neutral regime and high risk (${risk.risk.toFixed(1)}): hold` : 'neutral regime and no asset scores above zero: hold';
  }
  if (action !== 'BUY') allocationPct = 0;
  const budget = action === 'BUY' ? params.daily_capital * allocationPct : 0;
  const allocations: Record<string, number> = {};
  if (action === 'BUY') {
    const top = positive.slice(0, 3);
    const weights = distributionWeights(top.map(([, a]) => a.score));
    top.forEach(([symbol], i) => {
      allocations[symbol] = round(budget * weights[i]!, 2);
    });
  }
  return {
    ...base,
    confidence_score: round(Math.abs(regime), 4),
    allocations,
    features_used: {
      regime: round(regime, 4), regime_label: label, risk: round(risk.risk, 2), risk_volatility: round(risk.volatility, 2),
      risk_correlation: round(risk.correlation, 2), action, allocation_pct: allocationPct, sell_pct: sellPct, budget: round(budget, 2),
      reason, data_through: dataThrough, assets: scored, skipped,
    },
  };
}
