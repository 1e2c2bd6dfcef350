import { z } from 'zod';
import type { IsoDate } from '../../calendar/dates.js';
import { ProviderHttp, type ProviderHttpOptions } from '../http/provider-http.js';
import { ProviderError, validateBars, type Bar, type MarketDataProvider } from '../provider.js';
import { chunks, finiteNumber, nyDateOfIso } from './payload.js';

export const ALPACA_DEFAULT_URL = 'https://data.alpaca.markets';
/** Symbols per request: keeps the URL short; pages cover the rest. */
const SYMBOLS_PER_REQUEST = 100;
const PAGE_LIMIT = 10_000;

const bar = z.object({ t: z.string(), o: finiteNumber, h: finiteNumber, l: finiteNumber, c: finiteNumber, v: finiteNumber });

export const alpacaBarsSchema = z.object({
  bars: z.record(z.string(), z.array(bar)).nullable().optional().transform((b) => b ?? {}),
  next_page_token: z.string().nullable().optional(),
});

export type AlpacaOptions = Omit<ProviderHttpOptions, 'provider' | 'headers'> & { keyId: string; secretKey: string; feed: 'iex' | 'sip' };

/** Alpaca market data v2: multi-symbol daily bars, split-adjusted, followed across page tokens. */
export class AlpacaProvider implements MarketDataProvider {
  readonly id = 'alpaca';
  readonly http: ProviderHttp;
  private readonly feed: string;

  constructor(opts: AlpacaOptions) {
    const { keyId, secretKey, feed, ...rest } = opts;
    this.feed = feed;
    this.http = new ProviderHttp({ ...rest, provider: this.id, headers: { 'APCA-API-KEY-ID': keyId, 'APCA-API-SECRET-KEY': secretKey } });
  }

  requestsFor(symbols: number, days: number): number {
    return Math.ceil(symbols / SYMBOLS_PER_REQUEST) * Math.max(1, Math.ceil((Math.min(symbols, SYMBOLS_PER_REQUEST) * days) / PAGE_LIMIT));
  }

  async getDailyBars(symbols: string[], from: IsoDate, to: IsoDate): Promise<Bar[]> {
    const endpoint = 'bars';
    const out: Bar[] = [];
    for (const group of chunks(symbols, SYMBOLS_PER_REQUEST)) {
      let token: string | undefined;
      const seen = new Set<string>();
      for (let page = 0; page < 1000; page++) {
        const params: Record<string, string | number> = {
          symbols: group.join(','), timeframe: '1Day', start: from, end: to, limit: PAGE_LIMIT, adjustment: 'all', feed: this.feed,
        };
        if (token) params.page_token = token;
        const body = await this.http.getJson(endpoint, '/v2/stocks/bars', params, alpacaBarsSchema);
        for (const [symbol, list] of Object.entries(body.bars)) {
          const raw = list.map((b, i) => {
            const date = nyDateOfIso(b.t);
            if (!date) throw new ProviderError(this.id, endpoint, `bad payload: field "bars.${symbol}.${i}.t" is not a timestamp`);
            return { symbol, date, open: b.o, high: b.h, low: b.l, close: b.c, volume: b.v };
          });
          out.push(...validateBars(this.id, endpoint, raw));
        }
        token = body.next_page_token ?? undefined;
        if (!token) break;
        if (seen.has(token)) throw new ProviderError(this.id, endpoint, 'the same page token came back twice');
        seen.add(token);
      }
    }
    return out;
  }
}
