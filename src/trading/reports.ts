import { addDays, type IsoDate } from '../calendar/dates.js';
import { ScanResult } from '../db/models/scan-result.js';
import { Signal } from '../db/models/signal.js';
import { Trade } from '../db/models/trade.js';
import { listVersions } from '../strategy/config-versions.js';
import { benchmarkChange, marketComparison } from './benchmark-service.js';
import type { Comparison } from './benchmark.js';
import { dailyNavReturns, performance, type EquityPoint } from './performance.js';
import { equitySeries } from './portfolio-store.js';

/** P&L over [from, to]: each day's change in equity less the capital that arrived that day (pure). */
export function pnlOver(points: EquityPoint[], from: IsoDate, to: IsoDate | null): number {
  let prev = 0;
  let pnl = 0;
  for (const p of points) {
    if (p.date >= from && (to === null || p.date <= to)) pnl += p.equity - prev - p.capital;
    prev = p.equity;
  }
  return pnl;
}

export interface WeeklyReport {
  portfolio: string;
  from: IsoDate;
  to: IsoDate;
  pnl: number;
  equity: number | null;
  trades: { buys: number; sells: number };
  signals: Record<string, number>;
  scans: number;
  /** The portfolio's time-weighted return over the week, and the benchmark's price change over it. */
  weekReturn: number | null;
  benchmarkWeek: number | null;
  /** Since the portfolio began, against the same capital in the benchmark. */
  sinceStart: Comparison | null;
}

/** Time-weighted return of the points dated within [from, to] (each day's return net of its capital). */
export function twrOver(points: EquityPoint[], from: IsoDate, to: IsoDate): number | null {
  const r = dailyNavReturns(points);
  let v = 1;
  let any = false;
  points.forEach((p, i) => {
    if (p.date >= from && p.date <= to) {
      v *= 1 + r[i]!;
      any = true;
    }
  });
  return any ? v - 1 : null;
}

/** The seven days ending the day before `sunday`: P&L (capital excluded), trades, signals by action, scans stored. */
export async function weeklyReport(portfolio: string, sunday: IsoDate, benchmark = 'SPX'): Promise<WeeklyReport> {
  const from = addDays(sunday, -7);
  const to = addDays(sunday, -1);
  const [{ points }, trades, signals, scans] = await Promise.all([
    equitySeries(portfolio, to),
    Trade.find({ portfolio, tradeDate: { $gte: from, $lte: to } }, { action: 1 }).lean(),
    Signal.find({ portfolio, tradeDate: { $gte: from, $lte: to } }, { action: 1 }).lean(),
    ScanResult.countDocuments({ date: { $gte: from, $lte: to } }),
  ]);
  const last = points.at(-1);
  const bySignal: Record<string, number> = {};
  for (const s of signals) bySignal[s.action] = (bySignal[s.action] ?? 0) + 1;
  return {
    portfolio, from, to,
    pnl: pnlOver(points, from, to),
    equity: last?.equity ?? null,
    trades: { buys: trades.filter((t) => t.action === 'BUY').length, sells: trades.filter((t) => t.action === 'SELL').length },
    signals: bySignal,
    scans,
    weekReturn: twrOver(points, from, to),
    benchmarkWeek: await benchmarkChange(benchmark, from, to),
    sinceStart: await marketComparison(points, benchmark),
  };
}

export interface VersionReview {
  version: number;
  from: IsoDate;
  to: IsoDate | null;
  days: number;
  pnl: number;
  totalReturn: number;
  maxDrawdown: number;
  sharpe: number;
  trades: number;
  /** The benchmark's price change over the same days. */
  benchmarkReturn: number | null;
}

/** Metrics for each config version over the days it was in force (versions that saw no trading day are left out). */
export async function versionReview(portfolio: string, benchmark = 'SPX'): Promise<VersionReview[]> {
  const [versions, { points }] = await Promise.all([listVersions(portfolio), equitySeries(portfolio)]);
  const out: VersionReview[] = [];
  for (const v of [...versions].sort((a, b) => a.version - b.version)) {
    const slice = points.filter((p) => p.date >= v.startDate && (v.endDate === null || p.date <= v.endDate));
    if (slice.length === 0) continue;
    const before = [...points].reverse().find((p) => p.date < v.startDate);
    const perf = performance(before ? [before, ...slice] : slice);
    const trades = await Trade.countDocuments({ portfolio, tradeDate: { $gte: v.startDate, ...(v.endDate ? { $lte: v.endDate } : {}) } });
    out.push({
      version: v.version, from: slice[0]!.date, to: v.endDate, days: slice.length, pnl: pnlOver(points, v.startDate, v.endDate),
      totalReturn: perf.totalReturn, maxDrawdown: perf.maxDrawdown, sharpe: perf.sharpe, trades,
      benchmarkReturn: await benchmarkChange(benchmark, slice[0]!.date, slice.at(-1)!.date),
    });
  }
  return out;
}
