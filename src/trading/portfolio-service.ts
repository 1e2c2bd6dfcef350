import { isIsoDate, type IsoDate } from '../calendar/dates.js';
import { Trade } from '../db/models/trade.js';
import { cachedView } from '../db/view-cache.js';
import { UserFacingError } from '../errors.js';
import { requirePortfolio } from '../portfolio/portfolios.js';
import { lastCloses, equitySeries } from './portfolio-store.js';
import type { Comparison } from './benchmark.js';
import { marketComparison } from './benchmark-service.js';
import { performance, pnlByPeriod, type Period, type PeriodPnl } from './performance.js';

export { requirePortfolio } from '../portfolio/portfolios.js';

export interface PositionView {
  symbol: string;
  quantity: number;
  avgCost: number;
  lastClose: number | null;
  marketValue: number;
  unrealizedPnl: number;
}

export interface PortfolioView {
  name: string;
  asOf: IsoDate | null;
  cash: number;
  marketValue: number;
  equity: number;
  capitalInjected: number;
  realizedPnl: number;
  unrealizedPnl: number;
  dayPnl: number | null;
  positions: PositionView[];
  performance: { totalReturn: number; maxDrawdown: number; sharpe: number; exposure: number; days: number };
  /** Against the same capital in the benchmark, when one was asked for and its bars are stored. */
  vsMarket: Comparison | null;
}

function checkDate(label: string, d: string | undefined): void {
  if (d !== undefined && !isIsoDate(d)) throw new UserFacingError('BAD_DATE', `--${label} "${d}" is not a date: use YYYY-MM-DD.`);
}

/** `benchmark`: compare with the same capital in this symbol (benchmarkSymbol(env)); left out, no comparison is read. */
export async function portfolioView(name = 'main', asOf?: IsoDate, benchmark?: string): Promise<PortfolioView> {
  checkDate('date', asOf);
  await requirePortfolio(name);
  const { points, state, history, lastClose } = await equitySeries(name, asOf);
  const date = points[points.length - 1]?.date ?? null;
  // The closes the series was valued at; a holding without one there is looked up a year back.
  const missing = [...state.holdings.keys()].filter((s) => !lastClose.has(s));
  const closes: Record<string, number | undefined> = { ...Object.fromEntries(lastClose), ...(date && missing.length ? await lastCloses(missing, date) : {}) };
  const positions = [...state.holdings.values()].map((h) => {
    const c = closes[h.symbol];
    const mv = h.quantity * (c ?? h.avgCost);
    return { symbol: h.symbol, quantity: h.quantity, avgCost: h.avgCost, lastClose: c ?? null, marketValue: mv, unrealizedPnl: c === undefined ? 0 : h.quantity * (c - h.avgCost) };
  });
  const mv = positions.reduce((a, p) => a + p.marketValue, 0);
  const perf = performance(points);
  const last = points[points.length - 1];
  const prev = points[points.length - 2];
  return {
    name,
    asOf: date,
    cash: state.cash,
    marketValue: mv,
    equity: state.cash + mv,
    capitalInjected: [...history.capital.values()].reduce((a, b) => a + b, 0),
    realizedPnl: state.realized,
    unrealizedPnl: positions.reduce((a, p) => a + p.unrealizedPnl, 0),
    dayPnl: last ? last.equity - (prev?.equity ?? 0) - last.capital : null,
    positions,
    performance: { totalReturn: perf.totalReturn, maxDrawdown: perf.maxDrawdown, sharpe: perf.sharpe, exposure: perf.exposure, days: perf.days },
    vsMarket: benchmark ? await marketComparison(points, benchmark) : null,
  };
}

export interface TradeView {
  tradeDate: IsoDate;
  symbol: string;
  action: string;
  quantity: number;
  price: number;
  amount: number;
  realizedPnl: number;
  /** A broker fill: its execution id and the order's client id (null for ledger fills). */
  fillId: string | null;
  clientOrderId: string | null;
  at: string;
}

export async function tradesView(opts: { portfolio?: string; from?: IsoDate; to?: IsoDate; symbol?: string; limit?: number }): Promise<TradeView[]> {
  const portfolio = opts.portfolio ?? 'main';
  checkDate('from', opts.from);
  checkDate('to', opts.to);
  if (opts.from && opts.to && opts.from > opts.to) throw new UserFacingError('BAD_RANGE', `--from ${opts.from} is after --to ${opts.to}.`);
  await requirePortfolio(portfolio);
  const filter: Record<string, unknown> = { portfolio };
  if (opts.from || opts.to) filter.tradeDate = { ...(opts.from ? { $gte: opts.from } : {}), ...(opts.to ? { $lte: opts.to } : {}) };
  if (opts.symbol) filter.symbol = opts.symbol.toUpperCase();
  const limit = opts.limit ?? 500;
  const docs = await cachedView(`trades:${JSON.stringify(filter)}:${limit}`, ['trades'], () => Trade.find(filter).sort({ tradeDate: -1, symbol: 1 }).limit(limit).lean());
  return docs.map((t) => ({
    tradeDate: t.tradeDate, symbol: t.symbol, action: t.action, quantity: t.quantity, price: t.price, amount: t.amount, realizedPnl: t.realizedPnl ?? 0,
    fillId: t.fillId ?? null, clientOrderId: t.clientOrderId ?? null, at: t.createdAt.toISOString(),
  }));
}

export const PERIODS = ['daily', 'weekly', 'monthly'] as const;

export async function pnlView(portfolio = 'main', period: string = 'daily', limit = 30): Promise<PeriodPnl[]> {
  if (!(PERIODS as readonly string[]).includes(period)) {
    throw new UserFacingError('BAD_PERIOD', `--period "${period}" is not allowed; allowed: ${PERIODS.join(', ')}.`);
  }
  await requirePortfolio(portfolio);
  const { points } = await equitySeries(portfolio);
  return pnlByPeriod(points, period as Period).slice(-limit);
}

export interface PerformanceView {
  name: string;
  asOf: IsoDate | null;
  totalReturn: number;
  cagr: number;
  maxDrawdown: number;
  sharpe: number;
  exposure: number;
  days: number;
  /** Share of sells that realized a gain. */
  winRate: number | null;
  sells: number;
  realizedPnl: number;
  vsMarket: Comparison | null;
  benchmarkSymbol: string | null;
}

export async function performanceView(name = 'main', benchmark?: string): Promise<PerformanceView> {
  await requirePortfolio(name);
  const { points, state, history } = await equitySeries(name);
  const p = performance(points);
  const sells = [...history.fills.values()].flat().filter((f) => f.action === 'SELL');
  return {
    name, asOf: points[points.length - 1]?.date ?? null, totalReturn: p.totalReturn, cagr: p.cagr, maxDrawdown: p.maxDrawdown,
    sharpe: p.sharpe, exposure: p.exposure, days: p.days, sells: sells.length, realizedPnl: state.realized,
    winRate: sells.length ? sells.filter((t) => (t.realizedPnl ?? 0) > 0).length / sells.length : null,
    vsMarket: benchmark ? await marketComparison(points, benchmark) : null,
    benchmarkSymbol: benchmark ?? null,
  };
}
