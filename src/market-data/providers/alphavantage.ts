import { z } from 'zod';
import type { IsoDate } from '../../calendar/dates.js';
import { ProviderHttp, type BodyCheck, type ProviderHttpOptions } from '../http/provider-http.js';
import { sourceSymbol } from '../index-symbols.js';
import { barProblem, ProviderError, type Bar, type FetchNotes, type MarketDataProvider, type SeriesContract } from '../provider.js';
import { isoDateString, numericString } from './payload.js';

export const ALPHAVANTAGE_DEFAULT_URL = 'https://www.alphavantage.co';
/** `outputsize=compact`: the latest 100 trading days. `full` (20+ years) is a premium feature. */
export const COMPACT_DAYS = 100;

export type AlphaVantagePlan = 'free' | 'premium';

const day = z.object({
  '1. open': numericString,
  '2. high': numericString,
  '3. low': numericString,
  '4. close': numericString,
  '5. volume': numericString,
});

/** TIME_SERIES_DAILY: raw (as-traded) prices. */
export const alphaVantageDailySchema = z.object({
  'Meta Data': z.object({ '2. Symbol': z.string() }),
  'Time Series (Daily)': z.record(isoDateString, day),
});

/** TIME_SERIES_DAILY_ADJUSTED (premium): raw prices with the day's dividend and split coefficient. */
export const alphaVantageAdjustedSchema = z.object({
  'Meta Data': z.object({ '2. Symbol': z.string() }),
  'Time Series (Daily)': z.record(
    isoDateString,
    z.object({
      '1. open': numericString,
      '2. high': numericString,
      '3. low': numericString,
      '4. close': numericString,
      '6. volume': numericString,
      '8. split coefficient': numericString,
    }),
  ),
});

/**
 * Alpha Vantage answers every limit with HTTP 200 and a `Note` or `Information` text, and the texts
 * overlap (the burst notice also quotes the daily cap, every notice advertises premium plans), so they
 * are told apart in this order: the per-second burst (wait a second and retry), a premium feature (a
 * configuration error: retrying cannot help), the old per-minute note (wait a minute), the daily cap
 * (stop for the day), anything else (throttled, retried).
 */
export function classifyNotice(note: string): { kind: 'throttled' | 'plan' | 'daily-limit'; retryAfterMs?: number; message: string } {
  const text = note.slice(0, 200);
  if (/per second|sparingly|burst/i.test(note)) return { kind: 'throttled', retryAfterMs: 1_100, message: `burst limit (1 request per second): ${text}` };
  if (/premium (feature|endpoint)|is a premium/i.test(note)) {
    return { kind: 'plan', message: `a premium feature was asked of a free key (${text}); with a free key leave ALPHAVANTAGE_PLAN=free (100 days of raw daily bars), set premium only with a premium key` };
  }
  if (/per minute/i.test(note)) return { kind: 'throttled', retryAfterMs: 60_000, message: `per-minute limit: ${text}` };
  if (/per day|daily/i.test(note)) return { kind: 'daily-limit', message: `daily cap reached, no more requests until tomorrow: ${text}` };
  return { kind: 'throttled', message: `throttled: ${text}` };
}

export const alphaVantageCheck: BodyCheck = (body) => {
  if (!body || typeof body !== 'object') return undefined;
  const b = body as Record<string, unknown>;
  const note = [b.Note, b.Information].find((v): v is string => typeof v === 'string');
  if (note) {
    const c = classifyNotice(note);
    return { kind: c.kind, message: c.message, retryable: c.kind === 'throttled', retryAfterMs: c.retryAfterMs };
  }
  return undefined;
};

export type AlphaVantageOptions = Omit<ProviderHttpOptions, 'provider' | 'headers'> & { apiKey: string; plan?: AlphaVantagePlan };

/** Divide prices before each split by the split's ratio (and multiply volumes), newest first (pure). */
export function applySplits(rows: Array<{ date: IsoDate; open: number; high: number; low: number; close: number; volume: number; split: number }>): typeof rows {
  const sorted = [...rows].sort((a, b) => (a.date < b.date ? 1 : -1));
  let factor = 1;
  const out: typeof rows = [];
  for (const r of sorted) {
    out.push({ ...r, open: r.open / factor, high: r.high / factor, low: r.low / factor, close: r.close / factor, volume: r.volume * factor });
    if (r.split > 0 && r.split !== 1) factor *= r.split; // the split took effect on r.date: earlier days are scaled
  }
  return out.reverse();
}

/**
 * Alpha Vantage: one symbol per request. Free plan: TIME_SERIES_DAILY compact (the latest 100
 * trading days, raw prices, so the series is marked unadjusted), 25 requests a day, 1 a second.
 * Premium: TIME_SERIES_DAILY_ADJUSTED, full history, adjusted here with its split coefficients.
 * No indices: an index symbol is served from its ETF proxy and labelled.
 */
export class AlphaVantageProvider implements MarketDataProvider {
  readonly id = 'alphavantage';
  readonly http: ProviderHttp;
  readonly plan: AlphaVantagePlan;
  private readonly apiKey: string;

  constructor(opts: AlphaVantageOptions) {
    const { apiKey, plan, ...rest } = opts;
    this.apiKey = apiKey;
    this.plan = plan ?? 'free';
    // Free keys allow one request a second: no bursts, whatever the per-minute figure.
    this.http = new ProviderHttp({ ...rest, limits: { ...rest.limits, burst: 1 }, provider: this.id });
  }

  requestsFor(symbols: number): number {
    return symbols;
  }

  contract(symbol: string): SeriesContract {
    const { source, proxy } = sourceSymbol(symbol, false);
    return {
      provider: this.id, feed: 'consolidated', adjustment: this.plan === 'premium' ? 'split' : 'none',
      ...(source !== symbol ? { source, proxy } : {}), ...(this.plan === 'free' ? { depthDays: COMPACT_DAYS } : {}),
    };
  }

  async getDailyBars(symbols: string[], from: IsoDate, to: IsoDate, notes?: FetchNotes): Promise<Bar[]> {
    const premium = this.plan === 'premium';
    const endpoint = premium ? 'TIME_SERIES_DAILY_ADJUSTED' : 'TIME_SERIES_DAILY';
    const out: Bar[] = [];
    for (const symbol of symbols) {
      const { source } = sourceSymbol(symbol, false);
      // The key has to be a query parameter here; it is registered as a secret and scrubbed from logs.
      const params = { function: endpoint, symbol: source, outputsize: premium ? 'full' : 'compact', apikey: this.apiKey };
      let rows: Array<{ date: IsoDate; open: number; high: number; low: number; close: number; volume: number; split: number }>;
      try {
        if (premium) {
          const body = await this.http.getJson(endpoint, '/query', params, alphaVantageAdjustedSchema, symbolErrorCheck);
          rows = applySplits(Object.entries(body['Time Series (Daily)']).map(([date, v]) => ({
            date, open: v['1. open'], high: v['2. high'], low: v['3. low'], close: v['4. close'], volume: v['6. volume'], split: v['8. split coefficient'],
          })));
        } else {
          const body = await this.http.getJson(endpoint, '/query', params, alphaVantageDailySchema, symbolErrorCheck);
          rows = Object.entries(body['Time Series (Daily)']).map(([date, v]) => ({
            date, open: v['1. open'], high: v['2. high'], low: v['3. low'], close: v['4. close'], volume: v['5. volume'], split: 1,
          }));
        }
      } catch (err) {
        if (err instanceof ProviderError && err.kind === 'symbol') {
          notes?.missing.set(symbol, `${this.id}: ${err.detail}`);
          continue;
        }
        if (err instanceof ProviderError) err.partial = out;
        throw err;
      }
      for (const r of rows) {
        if (r.date < from || r.date > to) continue;
        const bar = { symbol, date: r.date, open: r.open, high: r.high, low: r.low, close: r.close, volume: r.volume };
        const problem = barProblem(bar);
        if (problem) throw Object.assign(new ProviderError(this.id, endpoint, `bad payload for ${symbol} on ${r.date}: ${problem}`), { partial: out });
        out.push({ ...bar, synthetic: false });
      }
    }
    return out;
  }
}

/** The notices, plus `Error Message` (an unknown symbol or bad call): that symbol only, never the batch. */
const symbolErrorCheck: BodyCheck = (body) => {
  const notice = alphaVantageCheck(body);
  if (notice) return notice;
  const b = body as Record<string, unknown> | undefined;
  if (b && typeof b['Error Message'] === 'string') return { kind: 'symbol', message: `no such symbol: ${(b['Error Message'] as string).slice(0, 160)}`, retryable: false };
  return undefined;
};
