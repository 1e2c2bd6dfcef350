import { z } from 'zod';
import type { IsoDate } from '../../calendar/dates.js';
import { ProviderHttp, type BodyCheck, type ProviderHttpOptions } from '../../market-data/http/provider-http.js';
import { ProviderError } from '../../market-data/provider.js';
import { alphaVantageCheck } from '../../market-data/providers/alphavantage.js';
import type { Article, EarningsEvent, EarningsProvider, EconomicEvent, EconomicProvider, Fetched, NewsProvider, RowProblem } from '../contracts.js';
import { USUAL_TIMES } from '../contracts.js';
import {
  alpacaNewsPage, alphaVantageNewsPage, finnhubEarningsPage, FRED_RELEASES, fredError, fredReleaseDatesPage, parseAlpacaNews,
  parseAlphaVantageEarningsCsv, parseAlphaVantageNews, parseFedCalendar, parseFinnhubEarnings, parseFredReleaseDates, parsePolygonNews, polygonNewsPage,
} from '../parsers.js';

/**
 * The information providers over HTTP. Each is a ProviderHttp (the bar providers' discipline: token bucket,
 * the shared per-minute gate, daily counter, retries, breaker, timeout), with its own error bodies classified.
 */
export type HttpCommon = Omit<ProviderHttpOptions, 'provider' | 'baseUrl' | 'limits' | 'headers' | 'planHint'>;

/** At most this many pages per call: a market-wide day of news is a few pages of 1,000. */
const MAX_PAGES = 20;

const iso = (d: Date) => d.toISOString().replace(/\.\d{3}Z$/, 'Z');

// ── Polygon ──────────────────────────────────────────────────────────────────────────────────────────────

export class PolygonNews implements NewsProvider {
  readonly id = 'polygon';
  readonly scoresSentiment = true;
  private readonly http: ProviderHttp;
  private readonly origin: string;
  constructor(opts: HttpCommon & { baseUrl: string; apiKey: string; limits: ProviderHttpOptions['limits'] }) {
    const { apiKey, ...rest } = opts;
    // The key goes in a header: a next_url cursor carries none, and a header is never in a logged URL.
    this.http = new ProviderHttp({ ...rest, provider: 'polygon', headers: { Authorization: `Bearer ${apiKey}` }, planHint: 'not in your Polygon plan (news is in every Stocks plan, free included)' });
    this.origin = new URL(opts.baseUrl).origin;
  }

  /** Market-wide (no ticker): one request per 1,000 articles, following next_url only to Polygon's own hosts. */
  async news(from: Date, to: Date, universe: ReadonlySet<string>): Promise<Fetched<Article>> {
    const items: Article[] = [];
    const problems: RowProblem[] = [];
    let path = '/v2/reference/news';
    let params: Record<string, string | number> = { 'published_utc.gte': iso(from), 'published_utc.lt': iso(to), order: 'asc', sort: 'published_utc', limit: 1000 };
    let requests = 0;
    for (;;) {
      const page = await this.http.getJson('news', path, params, polygonNewsPage);
      requests++;
      const r = parsePolygonNews(page.results, universe);
      items.push(...r.items);
      problems.push(...r.problems);
      if (!page.next_url || requests >= MAX_PAGES) break;
      const next = new URL(page.next_url);
      if (!isPolygonHost(next, this.origin)) {
        problems.push({ provider: 'polygon', row: 'next_url', problem: `points to ${next.host}, not Polygon: not followed` });
        break;
      }
      path = next.toString();
      params = {};
    }
    return { items, problems, requests };
  }
}

/**
 * Where a `next_url` may lead: the configured base's own origin, or — when that base is Polygon's — Polygon's
 * hosts (api.polygon.io, api.massive.com since the 2025 rebrand). A key is never sent anywhere else.
 */
export function isPolygonHost(url: URL, configuredOrigin: string): boolean {
  const polygon = (h: string) => /(^|\.)polygon\.io$/.test(h) || /(^|\.)massive\.com$/.test(h);
  return url.origin === configuredOrigin || (url.protocol === 'https:' && polygon(new URL(configuredOrigin).hostname) && polygon(url.hostname));
}

// ── Alpaca ───────────────────────────────────────────────────────────────────────────────────────────────

export class AlpacaNews implements NewsProvider {
  readonly id = 'alpaca';
  readonly scoresSentiment = false;
  private readonly http: ProviderHttp;
  constructor(opts: HttpCommon & { baseUrl: string; keyId: string; secretKey: string; limits: ProviderHttpOptions['limits'] }) {
    const { keyId, secretKey, ...rest } = opts;
    this.http = new ProviderHttp({ ...rest, provider: 'alpaca', headers: { 'APCA-API-KEY-ID': keyId, 'APCA-API-SECRET-KEY': secretKey } });
  }

  /** Market-wide, 50 a page (Alpaca's maximum), by page_token. */
  async news(from: Date, to: Date, universe: ReadonlySet<string>): Promise<Fetched<Article>> {
    const items: Article[] = [];
    const problems: RowProblem[] = [];
    let token: string | undefined;
    let requests = 0;
    do {
      const page = await this.http.getJson('news', '/v1beta1/news', { start: iso(from), end: iso(to), sort: 'asc', limit: 50, ...(token ? { page_token: token } : {}) }, alpacaNewsPage);
      requests++;
      const r = parseAlpacaNews(page.news, universe);
      items.push(...r.items);
      problems.push(...r.problems);
      token = page.next_page_token ?? undefined;
    } while (token && requests < MAX_PAGES * 20);
    return { items, problems, requests };
  }
}

// ── Alpha Vantage ────────────────────────────────────────────────────────────────────────────────────────

/**
 * Alpha Vantage says "quota" with HTTP 200: its notices are classified by the bar provider's own rules (burst,
 * premium feature, daily cap, in that order: the texts overlap); `Error Message` is a refused request.
 */
export const alphaVantageNotice: BodyCheck = (body) => {
  const notice = alphaVantageCheck(body);
  if (notice) return notice;
  const err = body && typeof body === 'object' ? (body as Record<string, unknown>)['Error Message'] : undefined;
  return typeof err === 'string' ? { kind: 'http', message: `Alpha Vantage refused the request: ${err.slice(0, 200)}`, retryable: false } : undefined;
};

export class AlphaVantageInfo implements NewsProvider, EarningsProvider {
  readonly id = 'alphavantage';
  readonly scoresSentiment = true;
  private readonly http: ProviderHttp;
  private readonly apiKey: string;
  constructor(opts: HttpCommon & { baseUrl: string; apiKey: string; limits: ProviderHttpOptions['limits'] }) {
    const { apiKey, ...rest } = opts;
    this.apiKey = apiKey;
    this.http = new ProviderHttp({ ...rest, provider: 'alphavantage', limits: { ...rest.limits, burst: 1 } });
  }

  /** One call, up to 1,000 articles (of the 25 a day the free key has for everything). */
  async news(from: Date, to: Date, universe: ReadonlySet<string>): Promise<Fetched<Article>> {
    const stamp = (d: Date) => d.toISOString().slice(0, 16).replace(/[-:]/g, '');
    const page = await this.http.getJson('news', '/query', { function: 'NEWS_SENTIMENT', time_from: stamp(from), time_to: stamp(to), sort: 'EARLIEST', limit: 1000, apikey: this.apiKey }, alphaVantageNewsPage, alphaVantageNotice);
    const r = parseAlphaVantageNews(page.feed, universe);
    return { items: r.items.filter((a) => a.publishedAt >= from && a.publishedAt < to), problems: r.problems, requests: 1 };
  }

  /** The whole US market's next three months in one CSV call; a JSON body instead of CSV is a notice. */
  async earnings(from: IsoDate, to: IsoDate, universe: ReadonlySet<string>): Promise<Fetched<EarningsEvent>> {
    const text = await this.http.getText('earnings', '/query', { function: 'EARNINGS_CALENDAR', horizon: '3month', apikey: this.apiKey }, (t) => {
      const s = t.trimStart();
      if (!s.startsWith('{')) return undefined;
      try {
        return alphaVantageNotice(JSON.parse(s)) ?? { kind: 'payload', message: 'a JSON body where the earnings CSV was expected', retryable: false };
      } catch {
        return { kind: 'payload', message: 'malformed body where the earnings CSV was expected', retryable: false };
      }
    });
    const r = parseAlphaVantageEarningsCsv(text, universe);
    return { items: r.items.filter((e) => e.date >= from && e.date <= to), problems: r.problems, requests: 1 };
  }
}

// ── Finnhub ──────────────────────────────────────────────────────────────────────────────────────────────

/** Finnhub answers a premium-only endpoint with 403 {"error":"You don't have access to this resource."}. */
export class FinnhubEarnings implements EarningsProvider {
  readonly id = 'finnhub';
  private readonly http: ProviderHttp;
  constructor(opts: HttpCommon & { baseUrl: string; apiKey: string; limits: ProviderHttpOptions['limits'] }) {
    const { apiKey, ...rest } = opts;
    this.http = new ProviderHttp({ ...rest, provider: 'finnhub', headers: { 'X-Finnhub-Token': apiKey }, planHint: 'not in your Finnhub plan: the free tier serves the earnings calendar, not the economic one or news sentiment' });
  }

  /**
   * A week per request: Finnhub silently truncates a wide whole-market range (about 1,500 rows), so a range
   * is asked in 7-day windows, and a window that comes back with 1,500 rows or more is asked again by halves.
   */
  async earnings(from: IsoDate, to: IsoDate, universe: ReadonlySet<string>): Promise<Fetched<EarningsEvent>> {
    const items: EarningsEvent[] = [];
    const problems: RowProblem[] = [];
    let requests = 0;
    const windows: Array<[string, string]> = [];
    for (let d = new Date(`${from}T00:00:00Z`); d.toISOString().slice(0, 10) <= to; d = new Date(d.getTime() + 7 * 86_400_000)) {
      const end = new Date(Math.min(d.getTime() + 6 * 86_400_000, new Date(`${to}T00:00:00Z`).getTime()));
      windows.push([d.toISOString().slice(0, 10), end.toISOString().slice(0, 10)]);
    }
    while (windows.length) {
      const [a, b] = windows.shift()!;
      const page = await this.http.getJson('calendar/earnings', '/api/v1/calendar/earnings', { from: a, to: b }, finnhubEarningsPage);
      requests++;
      if (page.earningsCalendar.length >= TRUNCATED_AT && a < b) {
        const mid = new Date((new Date(`${a}T00:00:00Z`).getTime() + new Date(`${b}T00:00:00Z`).getTime()) / 2).toISOString().slice(0, 10);
        const after = new Date(new Date(`${mid}T00:00:00Z`).getTime() + 86_400_000).toISOString().slice(0, 10);
        windows.unshift([a, mid], [after, b]);
        continue;
      }
      const r = parseFinnhubEarnings(page.earningsCalendar, universe);
      items.push(...r.items);
      problems.push(...r.problems);
    }
    return { items, problems, requests };
  }
}

/** Where Finnhub cuts a whole-market answer short (reported by users; undocumented). */
export const TRUNCATED_AT = 1_500;

// ── FRED and the Fed ─────────────────────────────────────────────────────────────────────────────────────

export class FredCalendar implements EconomicProvider {
  readonly id = 'fred';
  private readonly http: ProviderHttp;
  private readonly apiKey: string;
  constructor(opts: HttpCommon & { baseUrl: string; apiKey: string; limits: ProviderHttpOptions['limits'] }) {
    const { apiKey, ...rest } = opts;
    this.apiKey = apiKey;
    this.http = new ProviderHttp({ ...rest, provider: 'fred' });
  }

  /**
   * One request per release we follow. `include_release_dates_with_no_data=true` is what makes FRED list the
   * future dates (without it only past releases come back); FRED's own error body is classified.
   */
  async events(from: IsoDate, to: IsoDate): Promise<Fetched<EconomicEvent>> {
    const items: EconomicEvent[] = [];
    const problems: RowProblem[] = [];
    let requests = 0;
    for (const rel of FRED_RELEASES) {
      const page = await this.http.getJson('release/dates', '/fred/release/dates', {
        release_id: rel.id, realtime_start: from, realtime_end: to, include_release_dates_with_no_data: 'true', sort_order: 'asc', file_type: 'json', api_key: this.apiKey,
      }, fredReleaseDatesPage, fredCheck);
      requests++;
      const r = parseFredReleaseDates(page.release_dates, (k) => USUAL_TIMES[k]);
      // Only the release asked for (a row of another release would be counted once per request).
      items.push(...r.items.filter((e) => e.kind === rel.kind && e.date >= from && e.date <= to));
      problems.push(...r.problems);
    }
    return { items, problems, requests };
  }

  /** A series' last observations (an actual print): FRED writes "." for a missing value. */
  async observations(seriesId: string, from: IsoDate, to: IsoDate): Promise<Array<{ date: string; value: number | null }>> {
    const page = await this.http.getJson('series/observations', '/fred/series/observations', { series_id: seriesId, observation_start: from, observation_end: to, file_type: 'json', api_key: this.apiKey }, fredObservations, fredCheck);
    return page.observations.map((o) => ({ date: o.date, value: o.value === '.' ? null : Number(o.value) }));
  }
}

const fredObservations = z.object({ observations: z.array(z.object({ date: z.string(), value: z.string() })) });

const fredCheck: BodyCheck = (body) => {
  const e = fredError(body);
  if (!e) return undefined;
  return { kind: /api_key/i.test(e) ? 'plan' : 'http', message: `FRED refused the request: ${e.slice(0, 200)}`, retryable: false };
};

/** The Federal Reserve's calendar.json: keyless; FOMC meetings (it starts with a byte-order mark). */
export class FedCalendar implements EconomicProvider {
  readonly id = 'fed';
  private readonly http: ProviderHttp;
  private readonly path: string;
  constructor(opts: HttpCommon & { url: string }) {
    const { url, ...rest } = opts;
    const u = new URL(url);
    this.path = u.pathname + u.search;
    this.http = new ProviderHttp({ ...rest, provider: 'fed', baseUrl: u.origin, limits: { perMinute: 30, perDay: null } });
  }

  async events(from: IsoDate, to: IsoDate): Promise<Fetched<EconomicEvent>> {
    const text = await this.http.getText('calendar.json', this.path, {});
    const r = parseFedCalendar(text);
    if (r.items.length === 0 && r.problems.length) throw new ProviderError('fed', 'calendar.json', r.problems[0]!.problem, false, 'payload');
    return { items: r.items.filter((e) => e.date >= from && e.date <= to), problems: r.problems, requests: 1 };
  }
}
