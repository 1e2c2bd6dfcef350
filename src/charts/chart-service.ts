import { addDays, type IsoDate } from '../calendar/dates.js';
import { bollinger, ema, macd, rsi, sma } from '../analysis/indicators.js';
import { UserFacingError } from '../errors.js';
import { lastBarDates, readBars } from '../market-data/bar-store.js';
import { ensureHistory, lastFinishedSession } from '../market-data/ensure-history.js';
import type { MarketDataProvider } from '../market-data/provider.js';
import { loadUniverse } from '../market-data/universe.js';
import { benchmarkPoints } from '../trading/benchmark.js';
import { benchmarkPrices } from '../trading/benchmark-service.js';
import { performance } from '../trading/performance.js';
import { equitySeries } from '../trading/portfolio-store.js';
import { requirePortfolio } from '../portfolio/portfolios.js';
import { tradesView } from '../trading/portfolio-service.js';
import { DOWN, renderPanelChart, UP, type Line, type Marker, type Panel, type RenderedChart, type Theme } from './panel-chart.js';

export const RANGES = { '1m': 31, '3m': 92, '6m': 183, '1y': 366, '2y': 731, '5y': 1827 } as const;
export type Range = keyof typeof RANGES;
/** Overlays on the price, and panels under it. */
export const OVERLAYS = ['sma20', 'sma50', 'sma200', 'ema20', 'bb'] as const;
export const PANELS = ['rsi', 'macd'] as const;
export const INDICATORS = [...OVERLAYS, ...PANELS] as const;
export type Indicator = (typeof INDICATORS)[number];
export const CHART_TYPES = ['candle', 'line'] as const;
export const SCALES = ['linear', 'log'] as const;
export const THEMES = ['dark', 'light'] as const;

export interface ChartStyle {
  type: (typeof CHART_TYPES)[number];
  scale: (typeof SCALES)[number];
  theme: Theme;
}

export interface Chart {
  png: Buffer;
  filename: string;
  title: string;
  summary: Record<string, string>;
  /** The panels' pixel boxes, top to bottom. */
  layout?: RenderedChart['layout'];
}

function oneOf<T extends string>(label: string, allowed: readonly T[], raw: string | undefined, fallback: T): T {
  const v = (raw ?? fallback).toLowerCase();
  if (!(allowed as readonly string[]).includes(v)) throw new UserFacingError('BAD_OPTION', `${label} "${raw}" is not allowed; allowed: ${allowed.join(', ')}.`);
  return v as T;
}

export function parseRange(raw: string | undefined): Range {
  return oneOf('range', Object.keys(RANGES) as Range[], raw, '6m');
}

/** The equity chart also takes `all` (the default): the whole history. */
export function parseEquityRange(raw: string | undefined): Range | 'all' {
  return raw === undefined || raw === 'all' ? 'all' : parseRange(raw);
}

export function parseIndicators(raw: string | undefined): Indicator[] {
  const list = (raw ?? 'sma20,sma50').split(',').map((s) => s.trim().toLowerCase()).filter(Boolean);
  const bad = list.filter((x) => !(INDICATORS as readonly string[]).includes(x));
  if (bad.length) throw new UserFacingError('BAD_OPTION', `unknown indicator(s) ${bad.join(', ')}; allowed: ${INDICATORS.join(', ')} (comma-separated; rsi and macd are panels under the price).`);
  return [...new Set(list)] as Indicator[];
}

export function parseStyle(raw: { type?: string | undefined; scale?: string | undefined; theme?: string | undefined }, defaultTheme: Theme = 'dark'): ChartStyle {
  return { type: oneOf('type', CHART_TYPES, raw.type, 'candle'), scale: oneOf('scale', SCALES, raw.scale, 'linear'), theme: oneOf('theme', THEMES, raw.theme, defaultTheme) };
}

function covered(symbol: string): boolean {
  return symbol === 'SPX' || loadUniverse().some((u) => u.symbol === symbol);
}

/**
 * The end date of a chart of `symbol`: `asOf`, else the symbol's last stored bar, else (a covered symbol on
 * a fresh install, bars loaded when drawn) the last finished session. Cheap, so /chart refuses an unknown
 * symbol before it shows "thinking…".
 */
export async function chartEnd(symbol: string, asOf?: IsoDate): Promise<IsoDate> {
  const last = (await lastBarDates([symbol])).get(symbol);
  if (last) return asOf ?? last;
  if (!covered(symbol)) {
    throw new UserFacingError('UNKNOWN_SYMBOL', `No bars for ${symbol}: charts cover the universe's symbols and SPX (see /universe or \`signaldesk universe\`).`);
  }
  return asOf ?? lastFinishedSession();
}

export interface PriceChartRequest {
  symbol: string;
  range: Range;
  indicators: Indicator[];
  asOf?: IsoDate | undefined;
  style?: ChartStyle;
  /** Mark this portfolio's fills of the symbol (▲ buys, ▼ sells at their fill price). */
  trades?: string | undefined;
  /** Load bars the store lacks first (a fresh install); without one only stored bars are drawn. */
  provider?: MarketDataProvider | undefined;
}

const OVERLAY_COLORS: Record<string, string> = { sma20: '#f7c948', sma50: '#29b6f6', sma200: '#ab47bc', ema20: '#66bb6a' };

/** Candles (or a close line) with overlays, volume and optional RSI/MACD panels, and a portfolio's fills. */
export async function priceChart(req: PriceChartRequest): Promise<Chart> {
  const { symbol, range, indicators } = req;
  const style = req.style ?? parseStyle({});
  const end = await chartEnd(symbol, req.asOf);
  if (req.trades) await requirePortfolio(req.trades); // refused before anything is loaded
  const from = addDays(end, -RANGES[range]);
  // Indicators warm up on earlier bars (SMA200 needs 200 sessions ≈ 290 days).
  if (req.provider) await ensureHistory([symbol], addDays(from, -320), end, req.provider);
  const bars = (await readBars([symbol], addDays(from, -320), end)).get(symbol) ?? [];
  const shownFrom = bars.findIndex((b) => b.date >= from);
  if (bars.length === 0 || shownFrom < 0) throw new UserFacingError('NO_DATA', `No bars for ${symbol} up to ${end}. Load them with: run fetch-market-data --date ${end}.`);
  const closes = bars.map((b) => b.close);
  const cut = <T>(xs: T[]) => xs.slice(shownFrom);
  const shown = cut(bars);
  const overlays: Line[] = [];
  for (const ind of indicators) {
    if (ind === 'bb') {
      const b = bollinger(closes, 20, 2);
      overlays.push({ label: 'BB(20,2)', values: cut(b.upper), color: '#9e9e9e', dashed: true, width: 1 });
      overlays.push({ label: '', values: cut(b.lower), color: '#9e9e9e', dashed: true, width: 1 });
    } else if (ind !== 'rsi' && ind !== 'macd') {
      const period = Number(ind.replace(/\D/g, ''));
      overlays.push({ label: ind.toUpperCase(), values: cut(ind.startsWith('ema') ? ema(closes, period) : sma(closes, period)), color: OVERLAY_COLORS[ind]!, width: 1.5 });
    }
  }
  const markers: Marker[] = [];
  if (req.trades) {
    const index = new Map(shown.map((b, i) => [b.date, i]));
    for (const t of await tradesView({ portfolio: req.trades, symbol, from: shown[0]!.date, to: end, limit: 5000 })) {
      const i = index.get(t.tradeDate);
      if (i !== undefined) markers.push({ index: i, price: t.price, side: t.action === 'SELL' ? 'sell' : 'buy' });
    }
  }
  const price: Panel = {
    name: `${symbol} · daily`, weight: 6, lastLabel: true, log: style.scale === 'log', markers,
    ...(style.type === 'candle' ? { candles: shown } : {}),
    lines: [...(style.type === 'line' ? [{ label: 'Close', values: shown.map((b) => b.close), color: '#e0e0e0', width: 2 }] : []), ...overlays],
  };
  const volumes = bars.map((b) => b.volume);
  const volume: Panel = {
    name: 'Volume', weight: 1.6,
    bars: { values: cut(volumes), colors: shown.map((b) => (b.close >= b.open ? `${UP}99` : `${DOWN}99`)) },
    lines: [{ label: 'avg 20', values: cut(sma(volumes, 20)), color: '#f7c948', width: 1.2 }],
  };
  const panels: Panel[] = [price, volume];
  if (indicators.includes('rsi')) {
    panels.push({
      name: 'RSI 14', weight: 1.6, range: [0, 100], lastLabel: true, format: (v) => v.toFixed(0),
      guides: [{ value: 30, label: '30' }, { value: 70, label: '70' }],
      lines: [{ label: '', values: cut(rsi(closes, 14)), color: '#b388ff', width: 1.5 }],
    });
  }
  if (indicators.includes('macd')) {
    const m = macd(closes, 12, 26, 9);
    const hist = cut(m.histogram).map((v) => v ?? 0);
    panels.push({
      name: 'MACD 12/26/9', weight: 1.6, format: (v) => v.toFixed(2),
      bars: { values: hist, colors: hist.map((v) => (v >= 0 ? `${UP}bb` : `${DOWN}bb`)) },
      guides: [{ value: 0, label: '0' }],
      lines: [{ label: 'MACD', values: cut(m.macd), color: '#29b6f6', width: 1.3 }, { label: 'signal', values: cut(m.signal), color: '#ff9800', width: 1.3 }],
    });
  }
  const first = shown[0]!;
  const last = shown.at(-1)!;
  const change = last.close / first.close - 1;
  const synthetic = shown.some((b) => b.synthetic);
  const title = `${symbol} ${last.close.toFixed(2)} ${change >= 0 ? '+' : ''}${(change * 100).toFixed(2)}% · ${first.date} → ${last.date}`;
  const subtitle = [
    `O ${last.open.toFixed(2)}  H ${last.high.toFixed(2)}  L ${last.low.toFixed(2)}  C ${last.close.toFixed(2)}  Vol ${Math.round(last.volume).toLocaleString('en-US')}`,
    markers.length ? `${req.trades} fills: ▲ ${markers.filter((m) => m.side === 'buy').length} buys · ▼ ${markers.filter((m) => m.side === 'sell').length} sells` : undefined,
    synthetic ? 'DEMO: synthetic data' : undefined,
    style.scale === 'log' ? 'log scale' : undefined,
  ].filter(Boolean).join('   ·   ');
  const rendered = renderPanelChart({ title, subtitle, dates: shown.map((b) => b.date), panels, theme: style.theme });
  return {
    png: rendered.png,
    filename: `${symbol.toLowerCase()}-${range}.png`,
    layout: rendered.layout,
    title: `${symbol} · ${first.date} → ${last.date}${synthetic ? ' · synthetic demo data' : ''}`,
    summary: {
      Close: last.close.toFixed(2),
      Change: `${(change * 100).toFixed(2)}% over ${range}`,
      Indicators: indicators.join(', ') || 'none',
      ...(req.trades ? { Fills: `${markers.length} of ${req.trades} marked` } : {}),
    },
  };
}

/**
 * Equity, invested value, the capital injected so far and the same capital in the benchmark, with the
 * time-weighted drawdown under them, over a range ending at the portfolio's last day.
 */
export async function equityChart(portfolio: string, range: Range | 'all', opts: { benchmark?: string | undefined; theme?: Theme } = {}): Promise<Chart> {
  await requirePortfolio(portfolio);
  const { points } = await equitySeries(portfolio);
  if (points.length === 0) {
    throw new UserFacingError('NO_DATA', `Portfolio "${portfolio}" has no activity yet: it trades from its first execute-trades run (the worker's 09:35, or \`signaldesk run execute-trades --date D\`); a backtest's curve is \`equity --name backtest:<id>\`.`);
  }
  const end = points.at(-1)!.date;
  const perf = performance(points);
  const bench = opts.benchmark ? benchmarkPoints(points, await benchmarkPrices(opts.benchmark, points[0]!.date, end)) : undefined;
  let injected = 0;
  const cumulative = points.map((p) => (injected += p.capital));
  let peak = 0;
  const drawdown = perf.nav.map((n) => {
    peak = Math.max(peak, n.nav);
    return peak > 0 ? (n.nav / peak - 1) * 100 : 0;
  });
  const startAt = range === 'all' ? 0 : Math.max(0, points.findIndex((p) => p.date >= addDays(end, -RANGES[range])));
  const cut = <T>(xs: T[]) => xs.slice(startAt);
  const shown = cut(points);
  const usd = (v: number) => `${v < 0 ? '−' : ''}$${Math.abs(Math.round(v)).toLocaleString('en-US')}`;
  const benchHasPrices = bench?.some((b) => b.marketValue > 0);
  const lines: Line[] = [
    { label: 'Equity', values: shown.map((p) => p.equity), color: '#29b6f6', width: 2.2 },
    { label: 'Invested', values: shown.map((p) => p.marketValue), color: '#f7c948', width: 1.4 },
    { label: 'Capital injected', values: cut(cumulative), color: '#9e9e9e', width: 1.4, dashed: true },
    ...(bench && benchHasPrices ? [{ label: `${opts.benchmark} (same capital)`, values: cut(bench).map((b) => b.equity), color: '#ab47bc', width: 1.6 }] : []),
  ];
  const last = shown.at(-1)!;
  const title = `Portfolio ${portfolio} ${usd(last.equity)} · ${shown[0]!.date} → ${end}`;
  const benchLast = bench?.at(-1);
  const subtitle = [
    `injected ${usd(cumulative.at(-1)!)}`,
    `gain ${usd(last.equity - cumulative.at(-1)!)}`,
    benchLast && benchHasPrices ? `${opts.benchmark} with the same capital ${usd(benchLast.equity)}` : undefined,
    `max drawdown ${(perf.maxDrawdown * 100).toFixed(1)}% (time-weighted)`,
  ].filter(Boolean).join('   ·   ');
  const rendered = renderPanelChart({
    title, subtitle, theme: opts.theme ?? 'dark', dates: shown.map((p) => p.date),
    panels: [
      { name: 'USD', weight: 5, lines, lastLabel: true, format: (v) => (Math.abs(v) >= 1e4 ? `$${Math.round(v / 1000)}K` : `$${Math.round(v)}`) },
      { name: 'Drawdown (time-weighted)', weight: 1.6, format: (v) => `${v.toFixed(0)}%`, lines: [{ label: '', values: cut(drawdown), color: DOWN, width: 1.2, fill: `${DOWN}55` }] },
    ],
  });
  return {
    png: rendered.png,
    filename: `equity-${portfolio.replace(/[^a-z0-9-]/gi, '_')}.png`,
    layout: rendered.layout,
    title: `Portfolio ${portfolio} · ${shown[0]!.date} → ${end}`,
    summary: {
      Equity: usd(last.equity),
      'Capital injected': usd(cumulative.at(-1)!),
      'NAV (time-weighted)': (perf.nav.at(-1)?.nav ?? 1).toFixed(4),
      'Max drawdown': `${(perf.maxDrawdown * 100).toFixed(2)}%`,
      ...(benchLast && benchHasPrices ? { [`${opts.benchmark}, same capital`]: usd(benchLast.equity) } : {}),
    },
  };
}
