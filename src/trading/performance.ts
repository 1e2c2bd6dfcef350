import type { IsoDate } from '../calendar/dates.js';
import { mean, sampleStd } from '../strategy/features.js';

/**
 * Performance of a portfolio that receives fresh capital every day, pure. Raw equity always
 * grows with injections, so returns are time-weighted: capital arrives at the open, before
 * trading, and r_d = (E_d − E_{d−1} − C_d) / (E_{d−1} + C_d). NAV starts at 1.
 */
export interface EquityPoint {
  date: IsoDate;
  equity: number;
  capital: number;
  cash: number;
  marketValue: number;
}

export interface Performance {
  days: number;
  totalReturn: number;
  cagr: number;
  maxDrawdown: number;
  sharpe: number;
  exposure: number;
  nav: Array<{ date: IsoDate; nav: number }>;
}

export function dailyNavReturns(points: EquityPoint[]): number[] {
  const out: number[] = [];
  let prev = 0;
  for (const p of points) {
    const base = prev + p.capital;
    out.push(base > 0 ? (p.equity - prev - p.capital) / base : 0);
    prev = p.equity;
  }
  return out;
}

export function maxDrawdown(nav: number[]): number {
  let peak = -Infinity;
  let worst = 0;
  for (const v of nav) {
    peak = Math.max(peak, v);
    if (peak > 0) worst = Math.max(worst, 1 - v / peak);
  }
  return worst;
}

export function sharpe(returns: number[]): number {
  const sd = sampleStd(returns);
  return sd > 0 ? (mean(returns) / sd) * Math.sqrt(252) : 0;
}

export function performance(points: EquityPoint[]): Performance {
  const r = dailyNavReturns(points);
  let v = 1;
  const nav = points.map((p, i) => {
    v *= 1 + r[i]!;
    return { date: p.date, nav: v };
  });
  const n = points.length;
  const end = nav[n - 1]?.nav ?? 1;
  return {
    days: n,
    totalReturn: end - 1,
    cagr: n > 1 ? end ** (252 / n) - 1 : 0,
    maxDrawdown: maxDrawdown(nav.map((x) => x.nav)),
    sharpe: sharpe(r),
    exposure: n ? mean(points.map((p) => (p.equity > 0 ? p.marketValue / p.equity : 0))) : 0,
    nav,
  };
}

export type Period = 'daily' | 'weekly' | 'monthly';

export interface PeriodPnl {
  period: string;
  from: IsoDate;
  to: IsoDate;
  pnl: number;
  capital: number;
  endEquity: number;
}

function periodKey(date: IsoDate, period: Period): string {
  if (period === 'daily') return date;
  if (period === 'monthly') return date.slice(0, 7);
  // ISO week: Thursday decides the year.
  const d = new Date(`${date}T00:00:00Z`);
  const day = (d.getUTCDay() + 6) % 7;
  d.setUTCDate(d.getUTCDate() - day + 3);
  const firstThursday = new Date(Date.UTC(d.getUTCFullYear(), 0, 4));
  const week = 1 + Math.round(((d.getTime() - firstThursday.getTime()) / 86_400_000 - 3 + ((firstThursday.getUTCDay() + 6) % 7)) / 7);
  return `${d.getUTCFullYear()}-W${String(week).padStart(2, '0')}`;
}

/** P&L per period: equity change less the capital injected in it. */
export function pnlByPeriod(points: EquityPoint[], period: Period): PeriodPnl[] {
  const out: PeriodPnl[] = [];
  let prevEquity = 0;
  for (const p of points) {
    const key = periodKey(p.date, period);
    let cur = out[out.length - 1];
    if (!cur || cur.period !== key) {
      cur = { period: key, from: p.date, to: p.date, pnl: 0, capital: 0, endEquity: 0 };
      out.push(cur);
    }
    cur.to = p.date;
    cur.capital += p.capital;
    cur.pnl += p.equity - prevEquity - p.capital;
    cur.endEquity = p.equity;
    prevEquity = p.equity;
  }
  return out;
}
