import { z } from 'zod';
import type { IsoDate } from '../../calendar/dates.js';
import { ProviderHttp, type ProviderHttpOptions } from '../http/provider-http.js';
import { bySource, isIndex, sourceSymbol } from '../index-symbols.js';
import { barProblem, ProviderError, validateBars, type Bar, type FetchNotes, type MarketDataProvider, type SeriesContract } from '../provider.js';
import { validateSnapshots, type Snapshot, type SnapshotBatch } from '../snapshot.js';
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

/** The envelope only: each row is checked on its own (groupedRow), so one odd ticker never fails the day. */
export const polygonGroupedSchema = z.object({
  status,
  results: z.array(z.unknown()).optional().default([]),
});

const groupedRow = agg.extend({ T: z.string().min(1) });

/** Full-market snapshot: the envelope; each ticker is read on its own (snapshotRow). Timestamps in nanoseconds. */
export const polygonSnapshotSchema = z.object({
  status: z.string(),
  tickers: z.array(z.unknown()).optional().default([]),
});
const dayAgg = z.object({ o: finiteNumber, h: finiteNumber, l: finiteNumber, c: finiteNumber, v: finiteNumber });
const snapshotRow = z.object({
  ticker: z.string().min(1),
  day: dayAgg,
  prevDay: z.object({ c: finiteNumber }),
  lastTrade: z.object({ p: finiteNumber, t: z.number() }).optional(),
  min: z.object({ c: finiteNumber, t: z.number().optional(), av: finiteNumber.optional() }).optional(),
  updated: z.number().optional(),
});

/** Nanoseconds (Polygon's trade clock) or milliseconds, to milliseconds. */
const toMillis = (t: number) => (t > 1e15 ? Math.round(t / 1e6) : t);

export type PolygonOptions = Omit<ProviderHttpOptions, 'provider' | 'headers'> & {
  apiKey: string;
  /** The plan includes indices: SPX is asked as `I:SPX`; without, it is served from its ETF proxy (SPY). */
  indices?: boolean;
};

/** Hosts a `next_url` may point to (Polygon.io rebranded as Massive; both serve the same API). */
const KNOWN_HOSTS = /(^|\.)(polygon\.io|massive\.com)$/;

/** Whether the key may follow a `next_url` there: the configured origin, or https on a known host. */
export function nextUrlAllowed(next: URL, configured: string): boolean {
  return next.origin === configured || (next.protocol === 'https:' && KNOWN_HOSTS.test(next.hostname));
}

/**
 * Polygon.io (Massive): grouped daily aggregates (the whole US market for one date, one request) and
 * per-ticker daily aggregates for backfill, following `next_url` pages. Split-adjusted (`adjusted=true`
 * adjusts for splits only), consolidated (SIP) volume. The key goes in the Authorization header, never
 * the URL, and only to Polygon's own hosts.
 */
export class PolygonProvider implements MarketDataProvider {
  readonly id = 'polygon';
  readonly http: ProviderHttp;
  private readonly origin: string;
  private readonly indices: boolean;

  constructor(opts: PolygonOptions) {
    const { apiKey, indices, ...rest } = opts;
    this.indices = indices ?? false;
    this.http = new ProviderHttp({
      ...rest, provider: this.id, headers: { Authorization: `Bearer ${apiKey}` },
      planHint: 'not in your Polygon plan: the free Stocks Basic plan serves 2 years of end-of-day stock bars and no indices (leave POLYGON_INDICES=false to use SPY for SPX)',
    });
    this.origin = new URL(opts.baseUrl).origin;
  }

  requestsFor(symbols: number): number {
    return symbols;
  }

  contract(symbol: string): SeriesContract {
    const { source, proxy } = sourceSymbol(symbol, this.indices);
    return { provider: this.id, feed: 'consolidated', adjustment: 'split', ...(source !== symbol ? { source, proxy } : {}) };
  }

  async getDailyBars(symbols: string[], from: IsoDate, to: IsoDate, notes?: FetchNotes): Promise<Bar[]> {
    const out: Bar[] = [];
    for (const symbol of symbols) {
      try {
        out.push(...(await this.tickerBars(symbol, from, to)));
      } catch (err) {
        if (!(err instanceof ProviderError)) throw err;
        // A plan refusal for an index (no indices plan) concerns that symbol; the others go on.
        if (err.kind === 'symbol' || (err.kind === 'plan' && isIndex(symbol))) {
          notes?.missing.set(symbol, err.message);
          continue;
        }
        err.partial = out;
        throw err;
      }
    }
    return out;
  }

  private async tickerBars(symbol: string, from: IsoDate, to: IsoDate): Promise<Bar[]> {
    const endpoint = 'aggs';
    const { source } = sourceSymbol(symbol, this.indices);
    const out: Bar[] = [];
    let path = `/v2/aggs/ticker/${encodeURIComponent(source).replace(/%3A/g, ':')}/range/1/day/${from}/${to}`; // I:SPX as Polygon spells it
    let params: Record<string, string> = { adjusted: 'true', sort: 'asc', limit: '50000' };
    for (let page = 0; page < 100; page++) {
      const body = await this.http.getJson(endpoint, path, params, polygonAggsSchema);
      const raw = body.results.map((r) => ({ symbol, date: nyDateOfMillis(r.t), open: r.o, high: r.h, low: r.l, close: r.c, volume: r.v }));
      out.push(...validateBars(this.id, endpoint, raw).filter((b) => b.date >= from && b.date <= to));
      if (!body.next_url) break;
      const next = new URL(body.next_url, this.origin);
      // The Authorization header goes to Polygon's hosts only, whatever a response says.
      if (!nextUrlAllowed(next, this.origin)) throw new ProviderError(this.id, endpoint, `next_url points to an unknown host (${next.host}); only polygon.io and massive.com are followed`);
      path = next.origin === this.origin ? next.pathname : `${next.origin}${next.pathname}`;
      params = Object.fromEntries(next.searchParams);
    }
    return out;
  }

  /**
   * The whole market for one date. Each ticker is validated on its own: the grouped payload carries
   * thousands of tickers (some, like Polygon's preferred shares `KIMpL`, outside our symbol format), and
   * one odd row must not fail the day. A wanted symbol whose row is invalid is named in `notes`.
   * Index symbols are not in it: with indices they are asked per ticker, without, their proxy's row serves.
   */
  async getGroupedDaily(date: IsoDate, symbols?: string[], notes?: FetchNotes): Promise<Bar[]> {
    const endpoint = 'grouped';
    const body = await this.http.getJson(endpoint, `/v2/aggs/grouped/locale/us/market/stocks/${date}`, { adjusted: 'true' }, polygonGroupedSchema);
    // Which of our symbols each ticker feeds (a proxy ETF may feed its index as well as itself).
    const feeds = bySource(symbols ?? [], this.indices);
    const perTicker = [...feeds].filter(([source]) => source.startsWith('I:')).flatMap(([, ours]) => ours);
    const out: Bar[] = [];
    body.results.forEach((row, i) => {
      const ticker = (row as { T?: unknown } | null)?.T;
      const ours = typeof ticker !== 'string' ? undefined : symbols ? feeds.get(ticker) : [ticker];
      if (!ours) return;
      const parsed = groupedRow.safeParse(row);
      for (const symbol of ours) {
        let problem: string | undefined;
        if (!parsed.success) {
          const issue = parsed.error.issues[0];
          problem = `field "results.${i}.${issue?.path.join('.') ?? ''}" ${issue?.message ?? 'is invalid'}`;
        } else {
          const r = parsed.data;
          const bar = { symbol, date: nyDateOfMillis(r.t), open: r.o, high: r.h, low: r.l, close: r.c, volume: r.v };
          problem = barProblem(bar) ?? (bar.date !== date ? `stamped ${bar.date}, not ${date}` : undefined);
          if (!problem) out.push({ ...bar, synthetic: false });
        }
        if (problem && symbols) notes?.missing.set(symbol, `${this.id} ${endpoint}: ${ticker} ${problem}`);
      }
    });
    if (perTicker.length) out.push(...(await this.getDailyBars(perTicker, date, date, notes)));
    return out;
  }

  /**
   * The day so far for the universe in one request (the full-market snapshot filtered to our tickers).
   * Each row is read on its own; the last trade's price is the last price (the minute bar's close without
   * one). Delayed when the plan serves it so (status DELAYED) or the newest trade is over 10 minutes old.
   */
  async getSnapshot(symbols: string[]): Promise<SnapshotBatch> {
    const endpoint = 'snapshot';
    const feeds = bySource(symbols, false); // no index in the stocks snapshot: SPX from its ETF, as its daily bars
    const body = await this.http.getJson(endpoint, '/v2/snapshot/locale/us/markets/stocks/tickers', { tickers: [...feeds.keys()].join(',') }, polygonSnapshotSchema);
    const missing = new Map<string, string>();
    const raw: Snapshot[] = [];
    body.tickers.forEach((row, i) => {
      const parsed = snapshotRow.safeParse(row);
      const ticker = (row as { ticker?: unknown } | null)?.ticker;
      const ours = typeof ticker === 'string' ? feeds.get(ticker) : undefined;
      if (!ours) return;
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        for (const symbol of ours) missing.set(symbol, `${this.id} ${endpoint}: ${ticker} field "tickers.${i}.${issue?.path.join('.') ?? ''}" ${issue?.message ?? 'is invalid'}`);
        return;
      }
      const r = parsed.data;
      const last = r.lastTrade?.p ?? r.min?.c ?? r.day.c;
      const at = toMillis(r.lastTrade?.t ?? r.updated ?? r.min?.t ?? 0);
      for (const symbol of ours) {
        raw.push({
          symbol, date: nyDateOfMillis(at), open: r.day.o, high: Math.max(r.day.h, last), low: Math.min(r.day.l, last), last,
          volume: Math.max(r.day.v, r.min?.av ?? 0), prevClose: r.prevDay.c, lastTradeAt: at,
        });
      }
    });
    const rows = validateSnapshots(this.id, endpoint, raw, missing, symbols);
    const newest = Math.max(0, ...rows.map((r) => r.lastTradeAt));
    return { rows, missing, delayed: body.status === 'DELAYED' || (newest > 0 && this.http.now() - newest > 10 * 60_000) };
  }
}
