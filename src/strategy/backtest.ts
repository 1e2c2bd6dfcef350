import type { IsoDate } from '../calendar/dates.js';
import { applyFill, emptyState, injectCapital, marketValue, planFills, type Fill } from '../trading/ledger.js';
import { performance, type EquityPoint, type Performance } from '../trading/performance.js';
import type { StrategyParams } from './config-schema.js';
import { generateSignal, type SignalResult } from './signal.js';

export interface BacktestBar {
  date: IsoDate;
  open: number;
  close: number;
}

export interface BacktestInput {
  params: StrategyParams;
  from: IsoDate;
  to: IsoDate;
  /** Per symbol, oldest first; history before `from` feeds the first signals. */
  bars: Record<string, BacktestBar[]>;
}

export interface BacktestDay {
  date: IsoDate;
  signal: SignalResult;
  fills: Fill[];
  notes: string[];
}

export interface BacktestResult {
  days: BacktestDay[];
  points: EquityPoint[];
  performance: Performance;
  tradeCount: number;
  capital: number;
  finalEquity: number;
}

/**
 * The daily loop the live jobs run, over history: for each trading day, the signal from bars
 * strictly before it, fills at its open, marks at its close. Pure: same input, same result.
 */
export function runBacktest(input: BacktestInput): BacktestResult {
  const { params } = input;
  const symbols = params.assets;
  const dates = [...new Set(symbols.flatMap((s) => (input.bars[s] ?? []).map((b) => b.date)))]
    .filter((d) => d >= input.from && d <= input.to)
    .sort();
  const byDate = new Map<string, Map<IsoDate, BacktestBar>>(symbols.map((s) => [s, new Map((input.bars[s] ?? []).map((b) => [b.date, b]))]));
  const cursor: Record<string, number> = Object.fromEntries(symbols.map((s) => [s, 0]));
  const state = emptyState();
  const days: BacktestDay[] = [];
  const points: EquityPoint[] = [];
  const lastClose: Record<string, number | undefined> = {};
  let tradeCount = 0;
  for (const date of dates) {
    const history: Record<string, Array<{ date: IsoDate; close: number }>> = {};
    const opens: Record<string, number | undefined> = {};
    const closes: Record<string, number | undefined> = {};
    for (const s of symbols) {
      const bars = input.bars[s] ?? [];
      while (cursor[s]! < bars.length && bars[cursor[s]!]!.date < date) cursor[s]!++;
      // Bars strictly before the trade date: no look-ahead.
      history[s] = bars.slice(Math.max(0, cursor[s]! - params.lookback_days), cursor[s]);
      const today = byDate.get(s)?.get(date);
      opens[s] = today?.open;
      closes[s] = today?.close;
    }
    const signal = generateSignal({ tradeDate: date, params, history });
    injectCapital(state, params.daily_capital);
    const plan = planFills({ action: signal.features_used.action, allocations: signal.allocations, sellPct: signal.features_used.sell_pct }, state.holdings, opens, date);
    for (const f of plan.fills) applyFill(state, f);
    tradeCount += plan.fills.length;
    for (const [s, c] of Object.entries(closes)) if (c !== undefined) lastClose[s] = c;
    const mv = marketValue(state, lastClose);
    points.push({ date, equity: state.cash + mv, capital: params.daily_capital, cash: state.cash, marketValue: mv });
    days.push({ date, signal, fills: plan.fills, notes: plan.notes });
  }
  return {
    days,
    points,
    performance: performance(points),
    tradeCount,
    capital: state.capital,
    finalEquity: points[points.length - 1]?.equity ?? 0,
  };
}
