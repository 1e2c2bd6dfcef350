import { z } from 'zod';
import { addDays, type IsoDate } from '../../calendar/dates.js';
import { ProviderHttp, type ProviderHttpOptions } from '../http/provider-http.js';
import { bySource, sourceSymbol } from '../index-symbols.js';
import { ProviderError, validateBars, type Bar, type FetchNotes, type MarketDataProvider, type SeriesContract } from '../provider.js';
import { validateSnapshots, type Snapshot, type SnapshotBatch } from '../snapshot.js';
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

const snapBar = z.object({ t: z.string(), o: finiteNumber, h: finiteNumber, l: finiteNumber, c: finiteNumber, v: finiteNumber });
const snapshotEntry = z.object({
  latestTrade: z.object({ t: z.string(), p: finiteNumber }).nullable().optional(),
  minuteBar: snapBar.nullable().optional(),
  dailyBar: snapBar,
  prevDailyBar: snapBar,
});
/** `GET /v2/stocks/snapshots`: snapshots by symbol (some answers wrap the map in `snapshots`). */
export const alpacaSnapshotsSchema = z.record(z.string(), z.unknown()).transform((o) => (o.snapshots && typeof o.snapshots === 'object' ? (o.snapshots as Record<string, unknown>) : o));

/** A 400/404/422 concerns what was asked (an invalid symbol); a 401 or a 5xx concerns every request. */
function symbolLevel(err: ProviderError): boolean {
  return err.kind === 'http' && /^HTTP (400|404|422):/.test(err.detail);
}

export type AlpacaFeed = 'iex' | 'sip';
export type AlpacaOptions = Omit<ProviderHttpOptions, 'provider' | 'headers'> & { keyId: string; secretKey: string; feed: AlpacaFeed; now?: () => number };

/** How old the newest SIP data a free plan may ask for is (Alpaca: the last 15 minutes are refused). */
const SIP_DELAY_MS = 16 * 60_000;

/**
 * Alpaca market data v2: multi-symbol daily bars followed across page tokens. Split-adjusted
 * (`adjustment=split`: `all` would fold dividends in too). The SIP feed (every exchange) is the default:
 * a free plan may have it up to 15 minutes ago, so `end` is an instant at least 16 minutes old. IEX (one
 * exchange, a few percent of the volume) only when configured, and the series says so.
 */
export class AlpacaProvider implements MarketDataProvider {
  readonly id = 'alpaca';
  readonly http: ProviderHttp;
  private readonly feed: AlpacaFeed;
  private readonly now: () => number;

  constructor(opts: AlpacaOptions) {
    const { keyId, secretKey, feed, now, ...rest } = opts;
    this.feed = feed;
    this.now = now ?? Date.now;
    this.http = new ProviderHttp({
      ...rest, provider: this.id, headers: { 'APCA-API-KEY-ID': keyId, 'APCA-API-SECRET-KEY': secretKey },
      planHint: "not in your Alpaca data plan: the free plan serves SIP bars older than 15 minutes (ALPACA_FEED=sip, the default) and IEX bars up to now",
    });
  }

  requestsFor(symbols: number, days: number): number {
    return Math.ceil(symbols / SYMBOLS_PER_REQUEST) * Math.max(1, Math.ceil((Math.min(symbols, SYMBOLS_PER_REQUEST) * days) / PAGE_LIMIT));
  }

  contract(symbol: string): SeriesContract {
    const { source, proxy } = sourceSymbol(symbol, false);
    return { provider: this.id, feed: this.feed === 'sip' ? 'consolidated' : 'iex', adjustment: 'split', ...(source !== symbol ? { source, proxy } : {}) };
  }

  /** `end`: the end of `to` (New York), but never within the last 16 minutes. */
  private endOf(to: IsoDate): string {
    const dayEnd = Date.parse(`${addDays(to, 1)}T04:00:00Z`); // midnight New York, EDT; EST is an hour later and still that day's end
    return new Date(Math.min(dayEnd, this.now() - SIP_DELAY_MS)).toISOString();
  }

  async getDailyBars(symbols: string[], from: IsoDate, to: IsoDate, notes?: FetchNotes): Promise<Bar[]> {
    const out: Bar[] = [];
    for (const group of chunks(symbols, SYMBOLS_PER_REQUEST)) {
      try {
        out.push(...(await this.groupBars(group, from, to)));
      } catch (err) {
        if (!(err instanceof ProviderError)) throw err;
        if (symbolLevel(err) && group.length > 1) {
          // A 4xx for the group (an invalid symbol among them): ask one by one, so only that one is missing.
          for (const one of group) {
            try {
              out.push(...(await this.groupBars([one], from, to)));
            } catch (e) {
              if (!(e instanceof ProviderError) || !symbolLevel(e)) throw Object.assign(e as Error, { partial: out });
              notes?.missing.set(one, e.message);
            }
          }
          continue;
        }
        if (symbolLevel(err)) {
          notes?.missing.set(group[0]!, err.message);
          continue;
        }
        err.partial = out;
        throw err;
      }
    }
    return out;
  }

  private async groupBars(group: string[], from: IsoDate, to: IsoDate): Promise<Bar[]> {
    const endpoint = 'bars';
    const out: Bar[] = [];
    const ours = bySource(group, false);
    let token: string | undefined;
    const seen = new Set<string>();
    for (let page = 0; page < 1000; page++) {
      const params: Record<string, string | number> = {
        symbols: [...ours.keys()].join(','), timeframe: '1Day', start: from, end: this.endOf(to), limit: PAGE_LIMIT, adjustment: 'split', feed: this.feed,
      };
      if (token) params.page_token = token;
      const body = await this.http.getJson(endpoint, '/v2/stocks/bars', params, alpacaBarsSchema);
      for (const [ticker, list] of Object.entries(body.bars)) {
        for (const symbol of ours.get(ticker) ?? []) {
          const raw = list.map((b, i) => {
            const date = nyDateOfIso(b.t);
            if (!date) throw new ProviderError(this.id, endpoint, `bad payload: field "bars.${ticker}.${i}.t" is not a timestamp`);
            return { symbol, date, open: b.o, high: b.h, low: b.l, close: b.c, volume: b.v };
          });
          out.push(...validateBars(this.id, endpoint, raw).filter((b) => b.date >= from && b.date <= to));
        }
      }
      token = body.next_page_token ?? undefined;
      if (!token) break;
      if (seen.has(token)) throw new ProviderError(this.id, endpoint, 'the same page token came back twice');
      seen.add(token);
    }
    return out;
  }

  /** Set once the SIP snapshot was refused as too recent for the plan: ask the delayed SIP from then on. */
  private snapshotFeed: 'sip' | 'iex' | 'delayed_sip' | undefined;

  /**
   * The day so far for the universe in one request (`/v2/stocks/snapshots`, all symbols at once). The SIP
   * feed by default; a free plan is refused the last 15 minutes of SIP (403), so the delayed SIP is asked
   * instead, once, and remembered, and the batch is marked delayed.
   */
  async getSnapshot(symbols: string[]): Promise<SnapshotBatch> {
    const endpoint = 'snapshot';
    const ours = bySource(symbols, false);
    let feed = this.snapshotFeed ?? this.feed;
    let body: Record<string, unknown>;
    try {
      body = await this.http.getJson(endpoint, '/v2/stocks/snapshots', { symbols: [...ours.keys()].join(','), feed }, alpacaSnapshotsSchema);
    } catch (err) {
      if (!(err instanceof ProviderError) || err.kind !== 'plan' || feed !== 'sip') throw err;
      feed = this.snapshotFeed = 'delayed_sip';
      body = await this.http.getJson(endpoint, '/v2/stocks/snapshots', { symbols: [...ours.keys()].join(','), feed }, alpacaSnapshotsSchema);
    }
    const missing = new Map<string, string>();
    const raw: Snapshot[] = [];
    for (const [ticker, entry] of Object.entries(body)) {
      const targets = ours.get(ticker);
      if (!targets) continue;
      const parsed = snapshotEntry.safeParse(entry);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        for (const symbol of targets) missing.set(symbol, `${this.id} ${endpoint}: ${ticker} field "${issue?.path.join('.') ?? ''}" ${issue?.message ?? 'is invalid'}`);
        continue;
      }
      const e = parsed.data;
      const last = e.latestTrade?.p ?? e.minuteBar?.c ?? e.dailyBar.c;
      const at = Date.parse(e.latestTrade?.t ?? e.minuteBar?.t ?? e.dailyBar.t);
      const date = nyDateOfIso(e.dailyBar.t);
      for (const symbol of targets) {
        if (!date || !Number.isFinite(at)) {
          missing.set(symbol, `${this.id} ${endpoint}: ${ticker} has no usable timestamp`);
          continue;
        }
        raw.push({
          symbol, date, open: e.dailyBar.o, high: Math.max(e.dailyBar.h, last), low: Math.min(e.dailyBar.l, last), last,
          volume: e.dailyBar.v, prevClose: e.prevDailyBar.c, lastTradeAt: at,
        });
      }
    }
    return { rows: validateSnapshots(this.id, endpoint, raw, missing, symbols), missing, delayed: feed === 'delayed_sip' };
  }
}
