import type { IsoDate } from '../calendar/dates.js';
import { dailyNavReturns, maxDrawdown, sharpe, type EquityPoint } from './performance.js';

/**
 * Results against the market, pure. The benchmark is the portfolio's own cash flows put into the market:
 * each day's injected capital buys the benchmark at that day's open, as the portfolio's orders fill at the
 * open (before the benchmark's first price is known it waits as cash), so both equities answer "what did my
 * money become" over the same dates.
 *
 * Two returns, because fresh capital arrives every day:
 * - money-weighted (XIRR): the annual rate r with Σ flow_k · (1 + r)^(−days_k/365) = 0, deposits negative and
 *   the final equity positive — what the investor's dollars earned, weighted by when they arrived;
 * - time-weighted (TWR): Π(1 + r_d) − 1 over daily returns net of the day's capital — what the strategy did
 *   per dollar, whatever the flows. docs/strategy.md works one example by hand.
 */
export interface Scorecard {
  /** Money-weighted annual return; null when it has no solution (e.g. nothing invested yet). */
  xirr: number | null;
  /** The money-weighted return over the period itself ((1 + XIRR)^years − 1): what a period under a year shows. */
  mwrPeriod: number | null;
  /** Time-weighted return over the whole period. */
  twr: number;
  /** The time-weighted return a year (252 trading days). */
  twrAnnual: number;
  maxDrawdown: number;
  sharpe: number;
  /** Average share of equity held as cash ("cash drag"). */
  cashShare: number;
  invested: number;
  finalEquity: number;
}

export interface Comparison {
  symbol: string;
  from: IsoDate;
  to: IsoDate;
  /** Calendar years from the first to the last point: under one, the money-weighted figure is shown for the period. */
  years: number;
  portfolio: Scorecard;
  benchmark: Scorecard;
  /** portfolio − benchmark for each figure (null when either XIRR is null). */
  difference: { xirr: number | null; twr: number; twrAnnual: number; maxDrawdown: number; sharpe: number; cashShare: number; finalEquity: number };
}

const DAY_MS = 86_400_000;

function yearsBetween(a: IsoDate, b: IsoDate): number {
  return (Date.parse(`${b}T00:00:00Z`) - Date.parse(`${a}T00:00:00Z`)) / DAY_MS / 365;
}

/**
 * The annual rate that makes the flows' present value zero (Excel's XIRR: actual days over 365). Newton's
 * method from 10 %, falling back to bisection on [−99.99 %, 1000 %]. Null without both signs of flow.
 */
export function xirr(flows: Array<{ date: IsoDate; amount: number }>): number | null {
  const live = flows.filter((f) => f.amount !== 0);
  if (!live.some((f) => f.amount > 0) || !live.some((f) => f.amount < 0)) return null;
  const t0 = live.reduce((m, f) => (f.date < m ? f.date : m), live[0]!.date);
  const ts = live.map((f) => yearsBetween(t0, f.date));
  const npv = (r: number) => live.reduce((s, f, i) => s + f.amount / (1 + r) ** ts[i]!, 0);
  const slope = (r: number) => live.reduce((s, f, i) => s - (ts[i]! * f.amount) / (1 + r) ** (ts[i]! + 1), 0);
  let r = 0.1;
  for (let k = 0; k < 50; k++) {
    const v = npv(r);
    const d = slope(r);
    if (!Number.isFinite(v) || !Number.isFinite(d) || d === 0) break;
    const next = r - v / d;
    if (!Number.isFinite(next) || next <= -0.9999) break;
    if (Math.abs(next - r) < 1e-10) return next;
    r = next;
  }
  let lo = -0.9999;
  let hi = 10;
  let flo = npv(lo);
  if (flo * npv(hi) > 0) return null;
  for (let k = 0; k < 200; k++) {
    const mid = (lo + hi) / 2;
    const fm = npv(mid);
    if (Math.abs(fm) < 1e-9 || hi - lo < 1e-12) return mid;
    if (fm * flo < 0) hi = mid;
    else {
      lo = mid;
      flo = fm;
    }
  }
  return (lo + hi) / 2;
}

/** The flows XIRR sees for a run of equity points: each day's capital paid in, the last equity taken out. */
export function flowsOf(points: EquityPoint[]): Array<{ date: IsoDate; amount: number }> {
  const flows = points.filter((p) => p.capital !== 0).map((p) => ({ date: p.date, amount: -p.capital }));
  const last = points.at(-1);
  if (last) flows.push({ date: last.date, amount: last.equity });
  return flows;
}

export function scorecard(points: EquityPoint[]): Scorecard {
  const r = dailyNavReturns(points);
  let v = 1;
  const nav = r.map((x) => (v *= 1 + x));
  const n = points.length;
  const twr = (nav[n - 1] ?? 1) - 1;
  const withEquity = points.filter((p) => p.equity > 0);
  const rate = xirr(flowsOf(points));
  const years = points.length > 1 ? yearsBetween(points[0]!.date, points.at(-1)!.date) : 0;
  return {
    xirr: rate,
    mwrPeriod: rate === null ? null : (1 + rate) ** years - 1,
    twr,
    twrAnnual: n > 1 ? (1 + twr) ** (252 / n) - 1 : 0,
    maxDrawdown: maxDrawdown(nav),
    sharpe: sharpe(r),
    cashShare: withEquity.length ? withEquity.reduce((s, p) => s + p.cash / p.equity, 0) / withEquity.length : 0,
    invested: points.reduce((s, p) => s + p.capital, 0),
    finalEquity: points.at(-1)?.equity ?? 0,
  };
}

export interface BenchmarkPrice { open: number; close: number }

/**
 * The benchmark's equity on the portfolio's dates: the same capital on the same days, bought at the
 * benchmark's open and valued at its close (on a day without a bar, bought and valued at the last known
 * close; cash until its first bar).
 */
export function benchmarkPoints(points: EquityPoint[], prices: ReadonlyMap<IsoDate, BenchmarkPrice>): EquityPoint[] {
  let units = 0;
  let cash = 0;
  let close: number | undefined;
  return points.map((p) => {
    const bar = prices.get(p.date);
    const buyAt = bar ? (bar.open > 0 ? bar.open : bar.close) : close;
    close = bar?.close ?? close;
    cash += p.capital;
    if (buyAt !== undefined && cash > 0) {
      units += cash / buyAt;
      cash = 0;
    }
    const marketValue = close === undefined ? 0 : units * close;
    return { date: p.date, capital: p.capital, cash, marketValue, equity: cash + marketValue };
  });
}

export function compare(points: EquityPoint[], prices: ReadonlyMap<IsoDate, BenchmarkPrice>, symbol: string): Comparison | null {
  if (points.length === 0 || prices.size === 0) return null;
  const portfolio = scorecard(points);
  const benchmark = scorecard(benchmarkPoints(points, prices));
  return {
    symbol, from: points[0]!.date, to: points.at(-1)!.date, years: yearsBetween(points[0]!.date, points.at(-1)!.date), portfolio, benchmark,
    difference: {
      xirr: portfolio.xirr === null || benchmark.xirr === null ? null : portfolio.xirr - benchmark.xirr,
      twr: portfolio.twr - benchmark.twr,
      twrAnnual: portfolio.twrAnnual - benchmark.twrAnnual,
      maxDrawdown: portfolio.maxDrawdown - benchmark.maxDrawdown,
      sharpe: portfolio.sharpe - benchmark.sharpe,
      cashShare: portfolio.cashShare - benchmark.cashShare,
      finalEquity: portfolio.finalEquity - benchmark.finalEquity,
    },
  };
}

/** The money-weighted figure a surface shows: XIRR a year over a year or more, the period's own below. */
export function moneyWeighted(c: Pick<Comparison, 'years'>, s: Scorecard): { label: string; value: number | null } {
  return c.years >= 1 ? { label: 'XIRR, a year', value: s.xirr } : { label: `over ${Math.round(c.years * 365)} days`, value: s.mwrPeriod };
}

const pct = (x: number | null, signed = false) => (x === null ? 'n/a' : `${signed && x >= 0 ? '+' : ''}${(x * 100).toFixed(2)}%`);

/** The comparison as a fixed-width table: portfolio, benchmark, difference. Shared by every surface. */
export function comparisonTable(c: Comparison, label = 'portfolio'): string {
  const usd = (x: number) => `$${Math.round(x).toLocaleString('en-US')}`;
  // Under a year an annual rate exaggerates (a month's −28 % is −99.8 % a year): show the period's own figure.
  const annual = c.years >= 1;
  const mw = (s: Scorecard) => (annual ? s.xirr : s.mwrPeriod);
  const mwDiff = mw(c.portfolio) === null || mw(c.benchmark) === null ? null : mw(c.portfolio)! - mw(c.benchmark)!;
  const rows: Array<[string, string, string, string]> = [
    [annual ? 'Money-weighted (XIRR, a year)' : `Money-weighted, the ${Math.round(c.years * 365)} days`, pct(mw(c.portfolio)), pct(mw(c.benchmark)), pct(mwDiff, true)],
    ['Time-weighted, total', pct(c.portfolio.twr), pct(c.benchmark.twr), pct(c.difference.twr, true)],
    ...(annual ? [['Time-weighted, a year', pct(c.portfolio.twrAnnual), pct(c.benchmark.twrAnnual), pct(c.difference.twrAnnual, true)] as [string, string, string, string]] : []),
    ['Max drawdown', pct(c.portfolio.maxDrawdown), pct(c.benchmark.maxDrawdown), pct(c.difference.maxDrawdown, true)],
    ['Sharpe', c.portfolio.sharpe.toFixed(2), c.benchmark.sharpe.toFixed(2), `${c.difference.sharpe >= 0 ? '+' : ''}${c.difference.sharpe.toFixed(2)}`],
    ['Cash share (cash drag)', pct(c.portfolio.cashShare), pct(c.benchmark.cashShare), pct(c.difference.cashShare, true)],
    ['Final equity', usd(c.portfolio.finalEquity), usd(c.benchmark.finalEquity), `${c.difference.finalEquity >= 0 ? '+' : '-'}${usd(Math.abs(c.difference.finalEquity))}`],
  ];
  const head: [string, string, string, string] = [`same capital, ${usd(c.portfolio.invested)}`, label, c.symbol, 'difference'];
  const widths = head.map((_, i) => Math.max(...[head, ...rows].map((r) => r[i]!.length)));
  const line = (r: string[]) => r.map((x, i) => (i === 0 ? x.padEnd(widths[i]!) : x.padStart(widths[i]!))).join('  ');
  return [line(head), ...rows.map(line)].join('\n');
}

/** One sentence on the gap, naming cash drag when it explains it. */
export function comparisonVerdict(c: Comparison): string {
  const gap = c.difference.twr;
  const lead = `${gap >= 0 ? 'Ahead of' : 'Behind'} ${c.symbol} by ${Math.abs(gap * 100).toFixed(2)} points (time-weighted)`;
  if (gap < 0 && c.portfolio.cashShare > 0.3) {
    return `${lead}; on average ${(c.portfolio.cashShare * 100).toFixed(0)}% of equity sat in cash (the rules invest part of each day's capital and keep the rest), which earns nothing while ${c.symbol} ${c.benchmark.twr >= 0 ? 'rose' : 'moved'}.`;
  }
  return `${lead}.`;
}
