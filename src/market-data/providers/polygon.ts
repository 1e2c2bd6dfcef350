import { z } from 'zod';
import type { IsoDate } from '../../calendar/dates.js';
import { ProviderHttp, type ProviderHttpOptions } from '../http/provider-http.js';
import { ProviderError, validateBars, type Bar, type MarketDataProvider } from '../provider.js';
import { finiteNumber, nyDateOfMillis } from './payload.js';

export const POLYGON_DEFAULT_URL = 'https://api.polygon.io';

const agg = z.object({
  o: finiteNumber,
  h: finiteNumber,
  l: finiteNumber,
  c: finiteNumber,
  v: finiteNumber,
  t: z.number().int('must be a whole number of milliseconds'),
});
const status = z.enum(['OK', 'DELAYED'], { error: 'must be OK or DELAYED' });

export const polygonAggsSchema = z.object({
  status,
  ticker: z.string().optional(),
  results: z.array(agg).optional().default([]),
  next_url: z.string().optional(),
});

export const polygonGroupedSchema = z.object({
  status,
  results: z.array(agg.extend({ T: z.string().min(1) })).optional().default([]),
});

export type PolygonOptions = Omit<ProviderHttpOptions, 'provider' | 'headers'> & { apiKey: string };

/**
 * Polygon.io: grouped daily aggregates (the whole US market for one date, one request) and per-ticker
 * daily aggregates for backfill, following `next_url` pages. Adjusted for splits. The key goes in the
 * Authorization header, never the URL, so it cannot reach a log line.
 */
export class PolygonProvider implements MarketDataProvider {
  readonly id = 'polygon';
  readonly http: ProviderHttp;
  private readonly origin: string;

  constructor(opts: PolygonOptions) {
    const { apiKey, ...rest } = opts;
    this.http = new ProviderHttp({ ...rest, provider: this.id, headers: { Authorization: `Bearer ${apiKey}` } });
    this.origin = new URL(opts.baseUrl).origin;
  }

  requestsFor(symbols: number): number {
    return symbols;
  }

  async getDailyBars(symbols: string[], from: IsoDate, to: IsoDate): Promise<Bar[]> {
    const out: Bar[] = [];
    for (const symbol of symbols) {
      const endpoint = 'aggs';
      let path = `/v2/aggs/ticker/${encodeURIComponent(symbol)}/range/1/day/${from}/${to}`;
      let params: Record<string, string> = { adjusted: 'true', sort: 'asc', limit: '50000' };
      for (let page = 0; page < 100; page++) {
        const body = await this.http.getJson(endpoint, path, params, polygonAggsSchema);
        const raw = body.results.map((r) => ({ symbol, date: nyDateOfMillis(r.t), open: r.o, high: r.h, low: r.l, close: r.c, volume: r.v }));
        out.push(...validateBars(this.id, endpoint, raw).filter((b) => b.date >= from && b.date <= to));
        if (!body.next_url) break;
        const next = new URL(body.next_url, this.origin);
        // The Authorization header must never follow a link to another host.
        if (next.origin !== this.origin) throw new ProviderError(this.id, endpoint, `next_url points to another host (${next.host})`);
        path = next.pathname;
        params = Object.fromEntries(next.searchParams);
      }
    }
    return out;
  }

  async getGroupedDaily(date: IsoDate, symbols?: string[]): Promise<Bar[]> {
    const endpoint = 'grouped';
    const body = await this.http.getJson(endpoint, `/v2/aggs/grouped/locale/us/market/stocks/${date}`, { adjusted: 'true' }, polygonGroupedSchema);
    const wanted = symbols ? new Set(symbols) : undefined;
    const raw = body.results
      .filter((r) => !wanted || wanted.has(r.T))
      .map((r) => ({ symbol: r.T, date: nyDateOfMillis(r.t), open: r.o, high: r.h, low: r.l, close: r.c, volume: r.v }));
    const bars = validateBars(this.id, endpoint, raw);
    const off = bars.find((b) => b.date !== date);
    if (off) throw new ProviderError(this.id, endpoint, `bar for ${off.symbol} is stamped ${off.date}, not ${date}`);
    return bars;
  }
}
