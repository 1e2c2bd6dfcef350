import { createHash } from 'node:crypto';
import { DateTime } from 'luxon';
import { z } from 'zod';
import { addDays, type IsoDate } from '../calendar/dates.js';
import type { Env } from '../config/env.js';
import { FredCalendar } from '../info/providers/http-info.js';
import { ProviderHttp } from '../market-data/http/provider-http.js';
import { httpCommon } from '../market-data/providers.js';
import { alpacaCryptoPage, parseAlpacaCryptoBars, parsePolygonGroupedFx, polygonGroupedPage, type DayQuote } from './parsers.js';

/**
 * Where the world board's currencies, crypto and FRED series come from. `demo`: seeded paths from the date alone,
 * labelled synthetic. `live`: Polygon's grouped forex day (one request; needs POLYGON_API_KEY, shares its 5 a
 * minute), Alpaca's keyless crypto bars, FRED (FRED_API_KEY) for the Nikkei's close and US yields. What a source
 * does not serve is said, never made up.
 */
export interface WorldSources {
  readonly synthetic: boolean;
  fx(date: IsoDate, pairs: readonly string[]): Promise<{ quotes: DayQuote[]; note: string | null }>;
  crypto(date: IsoDate, symbols: readonly string[]): Promise<{ quotes: Map<string, DayQuote[]>; note: string | null }>;
  series(id: string, from: IsoDate, to: IsoDate): Promise<{ points: Array<{ date: string; value: number | null }>; note: string | null }>;
  /** Trades since 04:00 New York against the previous close (the provider's snapshot before the open). */
  premarket(symbols: readonly string[], from: Date, to: Date): Promise<{ movers: PremarketMove[]; note: string | null }>;
}

export interface PremarketMove {
  symbol: string;
  last: number;
  prevClose: number;
  pct: number;
  at: number;
}

/** One snapshot row as the pre-market reads it: the last trade and the previous day's close (the day bar is empty before the open). */
const premarketRow = z.object({ ticker: z.string(), prevDay: z.object({ c: z.number().positive() }), lastTrade: z.object({ p: z.number().positive(), t: z.number() }).optional() });
const premarketPage = z.object({ tickers: z.array(z.unknown()).default([]), status: z.string().optional() });

/** The movers among snapshot rows whose last trade is in [from, to] (ns or ms times), biggest moves first. */
export function premarketMovers(rows: unknown[], from: Date, to: Date): PremarketMove[] {
  const out: PremarketMove[] = [];
  for (const raw of rows) {
    const r = premarketRow.safeParse(raw);
    if (!r.success || !r.data.lastTrade) continue;
    const at = r.data.lastTrade.t > 1e15 ? Math.round(r.data.lastTrade.t / 1e6) : r.data.lastTrade.t;
    if (at < from.getTime() || at > to.getTime()) continue;
    out.push({ symbol: r.data.ticker, last: r.data.lastTrade.p, prevClose: r.data.prevDay.c, pct: ((r.data.lastTrade.p / r.data.prevDay.c) - 1) * 100, at });
  }
  return out.sort((a, b) => Math.abs(b.pct) - Math.abs(a.pct));
}

const unit = (seed: string) => createHash('sha256').update(seed).digest().readUInt32BE(0) / 2 ** 32;
const LEVELS: Record<string, number> = { EURUSD: 1.1, GBPUSD: 1.28, AUDUSD: 0.67, USDJPY: 140, USDCNH: 7.1, USDHKD: 7.8, USDKRW: 1300, USDTWD: 31, USDINR: 82, USDCAD: 1.35, USDBRL: 5.1, USDMXN: 18, 'BTC/USD': 40_000, 'ETH/USD': 2_200 };

/** A demo quote: a level that drifts with the date (a seeded walk), a day's move of a few tenths of a percent. */
function demoQuote(symbol: string, date: IsoDate): DayQuote {
  const base = LEVELS[symbol] ?? 100;
  const days = Math.round(Date.parse(`${date}T00:00:00Z`) / 86_400_000);
  const vol = symbol.includes('/') ? 0.03 : 0.004;
  let level = base;
  for (let d = days - 60; d < days; d++) level *= 1 + (unit(`${symbol}|${d}`) - 0.5) * vol;
  const move = (unit(`${symbol}|${days}`) - 0.5) * vol;
  return { symbol, open: +level.toFixed(6), close: +(level * (1 + move)).toFixed(6), t: Date.parse(`${date}T21:00:00Z`) };
}

export class DemoWorldSources implements WorldSources {
  readonly synthetic = true;
  async fx(date: IsoDate, pairs: readonly string[]) {
    return { quotes: pairs.map((p) => demoQuote(p, date)), note: null };
  }
  /** Daily bars (their close at 16:00 New York) and, crypto trading around the clock, a point at the next midnight. */
  async crypto(date: IsoDate, symbols: readonly string[]) {
    return {
      quotes: new Map(symbols.map((s) => {
        const next = demoQuote(s, addDays(date, 1));
        return [s, [demoQuote(s, addDays(date, -1)), demoQuote(s, date), { symbol: s, open: next.open, close: +((demoQuote(s, date).close + next.close) / 2).toFixed(6), t: DateTime.fromISO(`${addDays(date, 1)}T00:00`, { zone: 'America/New_York' }).toMillis() }]];
      })),
      note: null,
    };
  }
  async series(id: string) {
    return { points: [], note: `${id} is not on the demo` };
  }
  async premarket() {
    return { movers: [], note: 'the demo has no pre-market session' };
  }
}

/** Polygon's REST client with the key in a header and Polygon's limits (shared across processes), or null without a key. */
export function polygonHttp(env: Env): ProviderHttp | null {
  if (!env.POLYGON_API_KEY) return null;
  return new ProviderHttp({ ...httpCommon(env), provider: 'polygon', baseUrl: env.POLYGON_BASE_URL, headers: { Authorization: `Bearer ${env.POLYGON_API_KEY}` }, limits: { perMinute: env.POLYGON_CALLS_PER_MIN, perDay: env.POLYGON_CALLS_PER_DAY } });
}

export class LiveWorldSources implements WorldSources {
  readonly synthetic = false;
  private readonly polygon: ProviderHttp | null;
  private readonly alpaca: ProviderHttp;
  private readonly fred: FredCalendar | null;
  constructor(env: Env) {
    const common = httpCommon(env);
    this.polygon = polygonHttp(env);
    // Historical crypto bars need no key (Alpaca: "require no authentication"); a key only raises the rate.
    this.alpaca = new ProviderHttp({ ...common, provider: 'alpaca-crypto', baseUrl: env.ALPACA_DATA_URL, limits: { perMinute: 60, perDay: null } });
    this.fred = env.FRED_API_KEY ? new FredCalendar({ ...common, baseUrl: env.FRED_BASE_URL, apiKey: env.FRED_API_KEY, limits: { perMinute: env.FRED_CALLS_PER_MIN, perDay: null } }) : null;
  }

  async fx(date: IsoDate, pairs: readonly string[]) {
    if (!this.polygon) return { quotes: [], note: 'currencies need POLYGON_API_KEY (Polygon\'s grouped forex day; free "Currencies Basic")' };
    const page = await this.polygon.getJson('fx-grouped', `/v2/aggs/grouped/locale/global/market/fx/${date}`, { adjusted: 'true' }, polygonGroupedPage);
    const r = parsePolygonGroupedFx(page, pairs);
    return { quotes: r.quotes, note: r.quotes.length ? null : `no forex day for ${date} at Polygon (a weekend or a holiday)` };
  }

  async crypto(date: IsoDate, symbols: readonly string[]) {
    const page = await this.alpaca.getJson('crypto-bars', '/v1beta3/crypto/us/bars', { symbols: symbols.join(','), timeframe: '1Day', start: `${addDays(date, -3)}T00:00:00Z`, end: `${date}T23:59:59Z`, limit: 100, sort: 'asc' }, alpacaCryptoPage);
    return { quotes: parseAlpacaCryptoBars(page), note: null };
  }

  async series(id: string, from: IsoDate, to: IsoDate) {
    if (!this.fred) return { points: [], note: `${id} needs FRED_API_KEY (free)` };
    return { points: await this.fred.observations(id, from, to), note: null };
  }

  /** Polygon's stocks snapshot for the universe (one request): trades since 04:00 against yesterday's close. */
  async premarket(symbols: readonly string[], from: Date, to: Date) {
    if (!this.polygon) return { movers: [], note: 'pre-market movers need POLYGON_API_KEY (its snapshot has pre-market trades from 04:00)' };
    const page = await this.polygon.getJson('snapshot', '/v2/snapshot/locale/us/markets/stocks/tickers', { tickers: symbols.join(',') }, premarketPage);
    const movers = premarketMovers(page.tickers, from, to);
    return { movers, note: movers.length ? (page.status === 'DELAYED' ? 'delayed 15 minutes (the plan\'s)' : null) : 'no pre-market trades yet' };
  }
}

export function worldSources(env: Env): WorldSources {
  return env.MARKET_DATA_PROVIDER === 'demo' ? new DemoWorldSources() : new LiveWorldSources(env);
}
