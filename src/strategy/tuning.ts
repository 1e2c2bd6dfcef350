import type { IsoDate } from '../calendar/dates.js';
import { validateParams, type StrategyParams } from './config-schema.js';
import { dailyReturns, mean, sampleStd } from './features.js';

/**
 * Monthly tuning (seed 001), pure: score the period's trades, split them by market condition,
 * recommend, and propose small bounded parameter changes. Formulas in docs/strategy.md.
 */
export const TUNING = {
  forwardDays: 10,
  regressionDays: 20,
  momentumR2: 0.6,
  minTrades: 5,
  allocationStep: 0.05,
  thresholdStep: 0.05,
  riskStep: 5,
} as const;

export interface TuningTrade {
  date: IsoDate;
  symbol: string;
  action: 'BUY' | 'SELL';
  price: number;
  amount: number;
}

export interface TuningInput {
  params: StrategyParams;
  periodStart: IsoDate;
  periodEnd: IsoDate;
  trades: TuningTrade[];
  /** Signal actions of the period's trading days. */
  signals: Array<{ date: IsoDate; action: 'BUY' | 'SELL' | 'HOLD' }>;
  /** Closes per traded symbol, oldest first, reaching 10 sessions past the period where they exist. */
  closes: Record<string, Array<{ date: IsoDate; close: number }>>;
  /** The market proxy's closes, oldest first. */
  market: Array<{ date: IsoDate; close: number }>;
  /** Max drawdown of the portfolio's NAV over the period (fraction). */
  drawdown: number;
}

export type Condition = 'momentum' | 'choppy';

export interface ScoredTrade extends TuningTrade {
  forwardReturn: number;
  profitability: number;
  sharpeImpact: number;
  drawdownContribution: number;
  alignment: number;
  score: number;
  condition: Condition;
  win: boolean;
}

export interface ConditionStats {
  trades: number;
  wins: number;
  winRate: number;
  avgPnl: number;
  avgScore: number;
}

export interface Recommendation {
  title: string;
  reason: string;
  changes: Partial<Record<keyof StrategyParams, number>>;
}

export interface TuningResult {
  scored: ScoredTrade[];
  unscored: number;
  overall: ConditionStats;
  byCondition: Record<Condition, ConditionStats>;
  signals: { buys: number; holds: number; sells: number; buyShare: number };
  recommendations: Recommendation[];
  changes: Array<{ key: keyof StrategyParams; from: number; to: number }>;
  dropped: string[];
  params: StrategyParams;
}

const clamp = (x: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, x));

/** R² of a least-squares line through ln(close) over the given closes. */
export function trendR2(closes: number[]): number {
  const n = closes.length;
  if (n < 3) return 0;
  const y = closes.map((c) => Math.log(c));
  const xm = (n - 1) / 2;
  const ym = mean(y);
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    sxy += (i - xm) * (y[i]! - ym);
    sxx += (i - xm) ** 2;
    syy += (y[i]! - ym) ** 2;
  }
  return syy === 0 ? 0 : (sxy * sxy) / (sxx * syy);
}

function stats(trades: ScoredTrade[]): ConditionStats {
  const wins = trades.filter((t) => t.win).length;
  return {
    trades: trades.length,
    wins,
    winRate: trades.length ? wins / trades.length : 0,
    avgPnl: trades.length ? mean(trades.map((t) => (t.action === 'BUY' ? 1 : -1) * t.forwardReturn * t.amount)) : 0,
    avgScore: trades.length ? mean(trades.map((t) => t.score)) : 0,
  };
}

export function scoreTrade(t: TuningTrade, closes: Array<{ date: IsoDate; close: number }>, market: Array<{ date: IsoDate; close: number }>): ScoredTrade | undefined {
  const i = closes.findIndex((c) => c.date >= t.date);
  if (i < 0 || i + 1 >= closes.length) return undefined;
  const ahead = closes.slice(i + 1, i + 1 + TUNING.forwardDays);
  const fwd = ahead[ahead.length - 1]!.close / t.price - 1;
  const dir = t.action === 'BUY' ? fwd : -fwd;
  const before = closes.slice(Math.max(0, i - 20), i + 1).map((c) => c.close);
  const vol = sampleStd(dailyReturns(before)) * Math.sqrt(TUNING.forwardDays);
  const profitability = 0.3 * Math.tanh(dir / 0.03);
  const sharpeImpact = 0.2 * (vol > 0 ? Math.tanh(dir / vol) : Math.sign(dir));
  const mae = Math.max(0, 1 - Math.min(...ahead.map((c) => c.close)) / t.price);
  const drawdownContribution = t.action === 'BUY' ? -0.4 * clamp(mae / 0.05, 0, 1) : 0;
  const m = market.findIndex((c) => c.date >= t.date);
  const mk = market.slice(Math.max(0, (m < 0 ? market.length : m) - TUNING.regressionDays), m < 0 ? market.length : m).map((c) => c.close);
  const trend = mk.length > 1 ? mk[mk.length - 1]! / mk[0]! - 1 : 0;
  const alignment = trend === 0 ? 0 : (t.action === 'BUY') === trend > 0 ? 0.3 : -0.3;
  const score = clamp(profitability + sharpeImpact + drawdownContribution + alignment, -1, 1);
  return {
    ...t, forwardReturn: fwd, profitability, sharpeImpact, drawdownContribution, alignment, score,
    condition: trendR2(mk) > TUNING.momentumR2 ? 'momentum' : 'choppy',
    win: dir > 0,
  };
}

export function tune(input: TuningInput): TuningResult {
  const p = input.params;
  const scored: ScoredTrade[] = [];
  let unscored = 0;
  for (const t of input.trades) {
    const s = scoreTrade(t, input.closes[t.symbol] ?? [], input.market);
    if (s) scored.push(s);
    else unscored++;
  }
  const overall = stats(scored);
  const byCondition = { momentum: stats(scored.filter((s) => s.condition === 'momentum')), choppy: stats(scored.filter((s) => s.condition === 'choppy')) };
  const buys = input.signals.filter((s) => s.action === 'BUY').length;
  const holds = input.signals.filter((s) => s.action === 'HOLD').length;
  const sells = input.signals.filter((s) => s.action === 'SELL').length;
  const buyShare = input.signals.length ? buys / input.signals.length : 0;
  const recs: Recommendation[] = [];
  const a = TUNING.allocationStep;
  if (scored.length < TUNING.minTrades) {
    recs.push({ title: 'Keep the current parameters', reason: `only ${scored.length} scored trade(s) in the period; at least ${TUNING.minTrades} are needed to tune`, changes: {} });
  } else {
    if (overall.winRate > 0.65 && buyShare < 0.5) {
      recs.push({
        title: 'Be more aggressive',
        reason: `win rate ${(overall.winRate * 100).toFixed(0)}% > 65% while only ${(buyShare * 100).toFixed(0)}% of days bought`,
        changes: { allocation_neutral: p.allocation_neutral + a, allocation_medium_risk: p.allocation_medium_risk + a, regime_bullish_threshold: p.regime_bullish_threshold - TUNING.thresholdStep },
      });
    }
    const ch = byCondition.choppy;
    if (ch.trades >= 3 && (ch.winRate < 0.5 || ch.avgPnl < 0)) {
      recs.push({
        title: 'Reduce neutral allocation',
        reason: `losing in choppy markets: ${ch.trades} trades, win rate ${(ch.winRate * 100).toFixed(0)}%, average P&L ${ch.avgPnl.toFixed(2)}`,
        changes: { allocation_neutral: p.allocation_neutral - a },
      });
    }
    if (input.drawdown * 100 > p.max_drawdown_tolerance) {
      recs.push({
        title: 'Tighten risk thresholds',
        reason: `drawdown ${(input.drawdown * 100).toFixed(1)}% exceeded the ${p.max_drawdown_tolerance}% tolerance`,
        changes: { risk_high_threshold: p.risk_high_threshold - TUNING.riskStep, risk_medium_threshold: p.risk_medium_threshold - TUNING.riskStep, allocation_high_risk: p.allocation_high_risk - a },
      });
    }
    if (recs.length === 0) recs.push({ title: 'Keep the current parameters', reason: 'no rule fired: results are within targets', changes: {} });
  }
  // Merge (later rules see earlier changes), then keep only what the schema accepts.
  const next: StrategyParams = { ...p };
  const dropped: string[] = [];
  for (const r of recs) {
    for (const [k, v] of Object.entries(r.changes) as Array<[keyof StrategyParams, number]>) {
      const base = next[k] as number;
      const delta = v - (p[k] as number);
      const candidate = { ...next, [k]: Math.round((base + delta) * 1e6) / 1e6 };
      if (validateParams(candidate).ok) Object.assign(next, candidate);
      else dropped.push(`${k} ${base} → ${base + delta} (${r.title}) would break the config rules`);
    }
  }
  const changes = (Object.keys(p) as Array<keyof StrategyParams>)
    .filter((k) => typeof p[k] === 'number' && p[k] !== next[k])
    .map((k) => ({ key: k, from: p[k] as number, to: next[k] as number }));
  return { scored, unscored, overall, byCondition, signals: { buys, holds, sells, buyShare }, recommendations: recs, changes, dropped, params: next };
}

const pctStr = (x: number) => `${(x * 100).toFixed(1)}%`;

export function tuningReport(input: TuningInput, r: TuningResult, meta: { portfolio: string; fromVersion: number; toVersion: number }): string {
  const row = (name: string, s: ConditionStats) => `| ${name} | ${s.trades} | ${pctStr(s.winRate)} | ${s.avgPnl.toFixed(2)} | ${s.avgScore.toFixed(2)} |`;
  return [
    `# Strategy tuning · ${meta.portfolio} · v${meta.fromVersion} → v${meta.toVersion}`,
    '',
    `Period ${input.periodStart} .. ${input.periodEnd}: ${input.trades.length} trades (${r.scored.length} scored, ${r.unscored} too recent to score), max drawdown ${pctStr(input.drawdown)}.`,
    '',
    '## Trades by market condition',
    '',
    '| condition | trades | win rate | avg P&L ($) | avg score |',
    '| --- | --- | --- | --- | --- |',
    row('all', r.overall),
    row('momentum (R² > 0.6)', r.byCondition.momentum),
    row('choppy', r.byCondition.choppy),
    '',
    '## Buys vs holds',
    '',
    `${r.signals.buys} BUY, ${r.signals.holds} HOLD, ${r.signals.sells} SELL days (buy share ${pctStr(r.signals.buyShare)}).`,
    '',
    '## Recommendations',
    '',
    ...r.recommendations.map((x) => `- **${x.title}**: ${x.reason}`),
    '',
    '## Parameter changes',
    '',
    ...(r.changes.length ? ['| key | from | to |', '| --- | --- | --- |', ...r.changes.map((c) => `| ${c.key} | ${c.from} | ${c.to} |`)] : ['None.']),
    ...(r.dropped.length ? ['', 'Not applied:', ...r.dropped.map((d) => `- ${d}`)] : []),
    '',
  ].join('\n');
}
