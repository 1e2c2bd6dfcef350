import { z } from 'zod';
import { todayIn, type IsoDate } from '../../calendar/dates.js';
import { tradingDaysBetween } from '../../calendar/nyse.js';
import { ProviderHttp, type BodyCheck, type ProviderHttpOptions } from '../http/provider-http.js';
import { validateBars, type Bar, type MarketDataProvider } from '../provider.js';
import { isoDateString, numericString } from './payload.js';

export const ALPHAVANTAGE_DEFAULT_URL = 'https://www.alphavantage.co';
/** `outputsize=compact` returns the latest 100 trading days; older history needs `full` (a premium plan). */
const COMPACT_DAYS = 100;

const day = z.object({
  '1. open': numericString,
  '2. high': numericString,
  '3. low': numericString,
  '4. close': numericString,
  '5. volume': numericString,
});

export const alphaVantageDailySchema = z.object({
  'Meta Data': z.object({ '2. Symbol': z.string() }),
  'Time Series (Daily)': z.record(isoDateString, day),
});

/** Alpha Vantage answers throttling and bad calls with HTTP 200 and a note in the body. */
export const alphaVantageCheck: BodyCheck = (body) => {
  if (!body || typeof body !== 'object') return undefined;
  const b = body as Record<string, unknown>;
  const note = [b.Note, b.Information].find((v): v is string => typeof v === 'string');
  if (note) {
    const daily = /per day|daily/i.test(note);
    return { kind: daily ? 'daily-limit' : 'throttled', message: `throttled: ${note.slice(0, 160)}`, retryable: !daily };
  }
  if (typeof b['Error Message'] === 'string') return { kind: 'http', message: `error: ${(b['Error Message'] as string).slice(0, 160)}`, retryable: false };
  return undefined;
};

export type AlphaVantageOptions = Omit<ProviderHttpOptions, 'provider' | 'headers'> & { apiKey: string; now?: () => Date };

/** Alpha Vantage TIME_SERIES_DAILY: one symbol per request (5 a minute, 25 a day on the free plan), not adjusted. */
export class AlphaVantageProvider implements MarketDataProvider {
  readonly id = 'alphavantage';
  readonly http: ProviderHttp;
  private readonly apiKey: string;
  private readonly now: () => Date;

  constructor(opts: AlphaVantageOptions) {
    const { apiKey, now, ...rest } = opts;
    this.apiKey = apiKey;
    this.now = now ?? (() => new Date());
    this.http = new ProviderHttp({ ...rest, provider: this.id });
  }

  requestsFor(symbols: number): number {
    return symbols;
  }

  async getDailyBars(symbols: string[], from: IsoDate, to: IsoDate): Promise<Bar[]> {
    const endpoint = 'TIME_SERIES_DAILY';
    const today = todayIn('America/New_York', this.now());
    const outputsize = tradingDaysBetween(from, today).length <= COMPACT_DAYS ? 'compact' : 'full';
    const out: Bar[] = [];
    for (const symbol of symbols) {
      // The key has to be a query parameter here; it is registered as a secret and scrubbed from logs.
      const body = await this.http.getJson(endpoint, '/query', { function: 'TIME_SERIES_DAILY', symbol, outputsize, apikey: this.apiKey }, alphaVantageDailySchema, alphaVantageCheck);
      const raw = Object.entries(body['Time Series (Daily)'])
        .filter(([date]) => date >= from && date <= to)
        .map(([date, v]) => ({ symbol, date, open: v['1. open'], high: v['2. high'], low: v['3. low'], close: v['4. close'], volume: v['5. volume'] }));
      out.push(...validateBars(this.id, endpoint, raw));
    }
    return out;
  }
}
