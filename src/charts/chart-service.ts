import { addDays, type IsoDate } from '../calendar/dates.js';
import { bollinger, ema, sma } from '../analysis/indicators.js';
import { UserFacingError } from '../errors.js';
import { lastBarDates, readBars } from '../market-data/bar-store.js';
import { performance } from '../trading/performance.js';
import { equitySeries } from '../trading/portfolio-store.js';
import { requirePortfolio } from '../trading/portfolio-service.js';
import { renderLineChart, type LineSeries } from './line-chart.js';

export const RANGES = { '1m': 31, '3m': 92, '6m': 183, '1y': 366, '2y': 731, '5y': 1827 } as const;
export type Range = keyof typeof RANGES;
export const INDICATORS = ['sma20', 'sma50', 'sma200', 'ema20', 'bb'] as const;
export type Indicator = (typeof INDICATORS)[number];

export interface Chart {
  png: Buffer;
  filename: string;
  title: string;
  summary: Record<string, string>;
}

export function parseRange(raw: string | undefined): Range {
  const r = (raw ?? '6m').toLowerCase();
  if (!(r in RANGES)) throw new UserFacingError('BAD_OPTION', `range "${raw}" is not allowed; allowed: ${Object.keys(RANGES).join(', ')}.`);
  return r as Range;
}

/** The equity chart also takes `all` (the default): the whole history. */
export function parseEquityRange(raw: string | undefined): Range | 'all' {
  return raw === undefined || raw === 'all' ? 'all' : parseRange(raw);
}

export function parseIndicators(raw: string | undefined): Indicator[] {
  const list = (raw ?? 'sma20,sma50').split(',').map((s) => s.trim().toLowerCase()).filter(Boolean);
  const bad = list.filter((x) => !(INDICATORS as readonly string[]).includes(x));
  if (bad.length) throw new UserFacingError('BAD_OPTION', `unknown indicator(s) ${bad.join(', ')}; allowed: ${INDICATORS.join(', ')} (comma-separated).`);
  return [...new Set(list)] as Indicator[];
}

/**
 * The end date of a chart of `symbol`: `asOf`, or the symbol's last stored bar. Cheap (the small bar
 * index), so /chart refuses a symbol with no bars before it shows "thinking…".
 */
export async function chartEnd(symbol: string, asOf?: IsoDate): Promise<IsoDate> {
  const last = (await lastBarDates([symbol])).get(symbol);
  if (!last) {
    throw new UserFacingError('NO_DATA', `No stored bars for ${symbol}: charts cover the symbols whose bars are stored (the universe, see /universe); fetch-market-data loads them.`);
  }
  return asOf ?? last;
}

/** Price with indicators over a range ending at `asOf` (default: the last stored bar). Indicators warm up on earlier bars. */
export async function priceChart(symbol: string, range: Range, indicators: Indicator[], asOf?: IsoDate): Promise<Chart> {
  const end = await chartEnd(symbol, asOf);
  const from = addDays(end, -RANGES[range]);
  const bars = (await readBars([symbol], addDays(from, -320), end)).get(symbol) ?? [];
  const shownFrom = bars.findIndex((b) => b.date >= from);
  if (bars.length === 0 || shownFrom < 0) throw new UserFacingError('NO_DATA', `No bars for ${symbol} up to ${end}. Load them with: run fetch-market-data --date <date> (MARKET_UNIVERSE must include ${symbol}).`);
  const closes = bars.map((b) => b.close);
  const cut = <T>(xs: T[]) => xs.slice(shownFrom);
  const series: LineSeries[] = [{ label: symbol, values: cut(closes), color: '#1f2937', width: 2 }];
  const colors: Record<string, string> = { sma20: '#2563eb', sma50: '#f59e0b', sma200: '#dc2626', ema20: '#16a34a' };
  for (const ind of indicators) {
    if (ind === 'bb') {
      const b = bollinger(closes, 20, 2);
      series.push({ label: 'BB upper', values: cut(b.upper), color: '#9333ea', dashed: true, width: 1 });
      series.push({ label: 'BB lower', values: cut(b.lower), color: '#9333ea', dashed: true, width: 1 });
    } else {
      const period = Number(ind.replace(/\D/g, ''));
      series.push({ label: ind.toUpperCase(), values: cut(ind.startsWith('ema') ? ema(closes, period) : sma(closes, period)), color: colors[ind]! });
    }
  }
  const shown = bars.slice(shownFrom);
  const first = shown[0]!;
  const last = shown[shown.length - 1]!;
  const title = `${symbol} · ${first.date} → ${last.date}${last.synthetic ? ' · synthetic demo data' : ''}`;
  return {
    png: renderLineChart({ title, labels: shown.map((b) => b.date), series }),
    filename: `${symbol.toLowerCase()}-${range}.png`,
    title,
    summary: { Close: last.close.toFixed(2), Change: `${((last.close / first.close - 1) * 100).toFixed(2)}% over ${range}`, Indicators: indicators.join(', ') || 'none' },
  };
}

/** Equity and invested value of a portfolio over a range ending at its last day. */
export async function equityChart(portfolio: string, range: Range | 'all'): Promise<Chart> {
  await requirePortfolio(portfolio);
  const { points } = await equitySeries(portfolio);
  if (points.length === 0) throw new UserFacingError('NO_DATA', `Portfolio "${portfolio}" has no activity yet.`);
  const end = points[points.length - 1]!.date;
  const shown = range === 'all' ? points : points.filter((p) => p.date >= addDays(end, -RANGES[range]));
  const perf = performance(points);
  const navByDate = new Map(perf.nav.map((n) => [n.date, n.nav]));
  const title = `Portfolio ${portfolio} · ${shown[0]!.date} → ${end}`;
  return {
    png: renderLineChart({
      title,
      labels: shown.map((p) => p.date),
      series: [
        { label: 'Equity ($)', values: shown.map((p) => p.equity), color: '#2563eb', width: 2 },
        { label: 'Invested ($)', values: shown.map((p) => p.marketValue), color: '#f59e0b' },
      ],
    }),
    filename: `equity-${portfolio.replace(/[^a-z0-9-]/gi, '_')}.png`,
    title,
    summary: { Equity: `$${shown[shown.length - 1]!.equity.toFixed(2)}`, 'NAV (time-weighted)': (navByDate.get(end) ?? 1).toFixed(4), 'Max drawdown': `${(perf.maxDrawdown * 100).toFixed(2)}%` },
  };
}
