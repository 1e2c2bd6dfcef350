import { DateTime } from 'luxon';
import { z } from 'zod';
import { isIsoDate, type IsoDate } from '../calendar/dates.js';
import type { Article, EarningsEvent, EarningsHour, EconomicEvent, EconomicKind, RowProblem, Sentiment, TickerSentiment } from './contracts.js';

/**
 * Pure parsers of what the information providers send: a payload in, the rows we can use and the rows we
 * cannot (named, with why) out. Every row is validated on its own with zod: one bad row never costs the rest.
 * The shapes are the providers' documented ones (test/fixtures/info/README.md cites each source).
 */

const ZONE = 'America/New_York';
const SENTIMENTS = ['positive', 'neutral', 'negative'] as const;

/** Our ticker format (BRK.B, not BRK-B or brk.b); null for what is no stock ticker (crypto, FX, CUSIPs). */
export function normalTicker(t: string): string | null {
  const s = t.trim().toUpperCase().replace(/-/g, '.');
  return /^[A-Z][A-Z0-9.]{0,9}$/.test(s) ? s : null;
}

function problemOf(provider: string, row: unknown, err: z.ZodError): RowProblem {
  const issue = err.issues[0]!;
  const id = row && typeof row === 'object' ? (row as Record<string, unknown>).id ?? (row as Record<string, unknown>).symbol ?? (row as Record<string, unknown>).title : undefined;
  return { provider, row: typeof id === 'string' || typeof id === 'number' ? String(id).slice(0, 80) : '(row)', problem: `${issue.path.join('.') || '(row)'} ${issue.message}` };
}

/** Validate rows one by one: the good ones mapped, the bad ones named. */
function eachRow<S extends z.ZodType, T>(provider: string, rows: unknown[], schema: S, map: (r: z.output<S>) => T | null | RowProblem): { items: T[]; problems: RowProblem[] } {
  const items: T[] = [];
  const problems: RowProblem[] = [];
  for (const row of rows) {
    const r = schema.safeParse(row);
    if (!r.success) {
      problems.push(problemOf(provider, row, r.error));
      continue;
    }
    const out = map(r.data);
    if (out === null) continue;
    if (out && typeof out === 'object' && 'problem' in (out as object) && 'row' in (out as object)) problems.push(out as RowProblem);
    else items.push(out as T);
  }
  return { items, problems };
}

const instant = z.string().refine((s) => !Number.isNaN(Date.parse(s)), 'must be a date-time');
const httpUrl = z.string().regex(/^https?:\/\/\S+$/, 'must be an http(s) URL');

/** The universe's tickers among an article's, in the article's order, each once. */
function inUniverse(tickers: readonly string[], universe: ReadonlySet<string>): string[] {
  const out: string[] = [];
  for (const t of tickers) {
    const n = normalTicker(t);
    if (n && universe.has(n) && !out.includes(n)) out.push(n);
  }
  return out;
}

// ── Polygon / Massive: GET /v2/reference/news ─────────────────────────────────────────────────────────────

export const polygonNewsPage = z.object({ results: z.array(z.unknown()).default([]), next_url: z.string().optional(), status: z.string().optional() });

const polygonArticle = z.object({
  id: z.string().min(1),
  title: z.string().min(1),
  published_utc: instant,
  article_url: httpUrl,
  publisher: z.object({ name: z.string().min(1) }),
  tickers: z.array(z.string()),
  description: z.string().nullish(),
  insights: z.array(z.object({ ticker: z.string(), sentiment: z.enum(SENTIMENTS), sentiment_reasoning: z.string().nullish() })).nullish(),
});

/**
 * Polygon's articles. Sentiment per ticker comes only from the insight whose `ticker` is that ticker (an
 * article about three companies carries three insights; `insights[0]` is somebody else's for two of them);
 * an article without insights (before mid-2024, or none given) has no sentiment, and none is invented.
 */
export function parsePolygonNews(rows: unknown[], universe: ReadonlySet<string>): { items: Article[]; problems: RowProblem[]; outside: number } {
  let outside = 0;
  const r = eachRow('polygon', rows, polygonArticle, (a): Article | null => {
    const tickers = inUniverse(a.tickers, universe);
    if (tickers.length === 0) {
      outside++;
      return null;
    }
    const sentiment: Record<string, TickerSentiment> = {};
    for (const i of a.insights ?? []) {
      const t = normalTicker(i.ticker);
      if (t && tickers.includes(t) && !sentiment[t]) sentiment[t] = { label: i.sentiment, reasoning: i.sentiment_reasoning ?? null, score: null };
    }
    return {
      key: `polygon:${a.id}`, provider: 'polygon', id: a.id, title: a.title, summary: a.description ?? '', url: a.article_url,
      publishedAt: new Date(a.published_utc), source: a.publisher.name, tickers, sentiment, synthetic: false,
    };
  });
  return { ...r, outside };
}

// ── Alpaca: GET /v1beta1/news (Benzinga; headlines, no sentiment) ─────────────────────────────────────────

export const alpacaNewsPage = z.object({ news: z.array(z.unknown()).default([]), next_page_token: z.string().nullish() });

const alpacaArticle = z.object({
  id: z.union([z.number().int(), z.string().min(1)]),
  headline: z.string().min(1),
  created_at: instant,
  url: httpUrl,
  summary: z.string().nullish(),
  symbols: z.array(z.string()),
  source: z.string().nullish(),
});

/** Alpaca's articles: no sentiment field, so none (an empty `summary` is common: the headline stands alone). */
export function parseAlpacaNews(rows: unknown[], universe: ReadonlySet<string>): { items: Article[]; problems: RowProblem[]; outside: number } {
  let outside = 0;
  const r = eachRow('alpaca', rows, alpacaArticle, (a): Article | null => {
    const tickers = inUniverse(a.symbols, universe);
    if (tickers.length === 0) {
      outside++;
      return null;
    }
    const id = String(a.id);
    return {
      key: `alpaca:${id}`, provider: 'alpaca', id, title: a.headline, summary: (a.summary ?? '').trim(), url: a.url,
      publishedAt: new Date(a.created_at), source: a.source || 'benzinga', tickers, sentiment: {}, synthetic: false,
    };
  });
  return { ...r, outside };
}

// ── Alpha Vantage: function=NEWS_SENTIMENT ────────────────────────────────────────────────────────────────

export const alphaVantageNewsPage = z.object({ feed: z.array(z.unknown()) });

const numeric = z.union([z.number(), z.string().regex(/^-?\d+(\.\d+)?$/)]).transform(Number);
const avArticle = z.object({
  title: z.string().min(1),
  url: httpUrl,
  time_published: z.string().regex(/^\d{8}T\d{4,6}$/, 'must be YYYYMMDDTHHMM[SS]'),
  summary: z.string().nullish(),
  source: z.string().nullish(),
  ticker_sentiment: z.array(z.object({ ticker: z.string(), relevance_score: numeric, ticker_sentiment_score: numeric, ticker_sentiment_label: z.string() })).default([]),
});

/** Alpha Vantage's five labels as our three: bullish ones positive, bearish ones negative. */
export function avLabel(label: string): Sentiment {
  const l = label.toLowerCase();
  if (l.includes('bullish')) return 'positive';
  if (l.includes('bearish')) return 'negative';
  return 'neutral';
}

/** Below this relevance an article only mentions a ticker in passing (its score is about something else). */
export const AV_MIN_RELEVANCE = 0.3;

/**
 * Alpha Vantage's articles. Their `time_published` carries no zone and the documentation does not give one:
 * it is read as New York time, the later of the two readings, so an article never counts as known early.
 */
export function parseAlphaVantageNews(rows: unknown[], universe: ReadonlySet<string>): { items: Article[]; problems: RowProblem[]; outside: number } {
  let outside = 0;
  const r = eachRow('alphavantage', rows, avArticle, (a): Article | null => {
    const relevant = a.ticker_sentiment.filter((t) => t.relevance_score >= AV_MIN_RELEVANCE);
    const tickers = inUniverse(relevant.map((t) => t.ticker), universe);
    if (tickers.length === 0) {
      outside++;
      return null;
    }
    const sentiment: Record<string, TickerSentiment> = {};
    for (const t of relevant) {
      const n = normalTicker(t.ticker);
      if (n && tickers.includes(n)) sentiment[n] = { label: avLabel(t.ticker_sentiment_label), reasoning: `Alpha Vantage: ${t.ticker_sentiment_label}`, score: t.ticker_sentiment_score };
    }
    const ts = a.time_published.padEnd(15, '0');
    const at = DateTime.fromFormat(ts, "yyyyMMdd'T'HHmmss", { zone: ZONE });
    return {
      key: `alphavantage:${a.url}`, provider: 'alphavantage', id: a.url, title: a.title, summary: a.summary ?? '', url: a.url,
      publishedAt: at.toJSDate(), source: a.source || 'Alpha Vantage', tickers, sentiment, synthetic: false,
    };
  });
  return { ...r, outside };
}

// ── Earnings: Finnhub /calendar/earnings, Alpha Vantage EARNINGS_CALENDAR (CSV) ────────────────────────────

export const finnhubEarningsPage = z.object({ earningsCalendar: z.array(z.unknown()).default([]) });

const finnhubEarning = z.object({
  symbol: z.string().min(1),
  date: z.string().refine(isIsoDate, 'must be a date YYYY-MM-DD'),
  hour: z.string().nullish(),
  epsEstimate: z.number().nullish(),
  epsActual: z.number().nullish(),
  revenueEstimate: z.number().nullish(),
  quarter: z.number().int().nullish(),
  year: z.number().int().nullish(),
});

export function earningsHour(raw: string | null | undefined): EarningsHour {
  const h = (raw ?? '').trim().toLowerCase();
  if (h === 'bmo' || h === 'pre-market' || h === 'time-pre-market') return 'bmo';
  if (h === 'amc' || h === 'post-market' || h === 'time-after-hours') return 'amc';
  if (h === 'dmh') return 'dmh';
  return null;
}

export function parseFinnhubEarnings(rows: unknown[], universe: ReadonlySet<string>): { items: EarningsEvent[]; problems: RowProblem[] } {
  return eachRow('finnhub', rows, finnhubEarning, (e): EarningsEvent | null => {
    const symbol = normalTicker(e.symbol);
    if (!symbol || !universe.has(symbol)) return null;
    return {
      symbol, date: e.date as IsoDate, hour: earningsHour(e.hour), epsEstimate: e.epsEstimate ?? null, epsActual: e.epsActual ?? null,
      revenueEstimate: e.revenueEstimate ?? null, name: null, fiscalPeriod: e.quarter && e.year ? `Q${e.quarter} ${e.year}` : null, provider: 'finnhub', synthetic: false,
    };
  });
}

/** RFC 4180 CSV: quoted fields may hold commas, quotes ("") and line breaks. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  const src = text.replace(/^\uFEFF/, '');
  for (let i = 0; i < src.length; i++) {
    const c = src[i]!;
    if (quoted) {
      if (c === '"' && src[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && src[i + 1] === '\n') i++;
      row.push(field);
      field = '';
      if (row.length > 1 || row[0] !== '') rows.push(row);
      row = [];
    } else field += c;
  }
  if (field !== '' || row.length) {
    row.push(field);
    if (row.length > 1 || row[0] !== '') rows.push(row);
  }
  return rows;
}

const avEarning = z.object({
  symbol: z.string().min(1),
  name: z.string(),
  reportDate: z.string().refine(isIsoDate, 'must be a date YYYY-MM-DD'),
  fiscalDateEnding: z.string(),
  estimate: z.string().regex(/^(-?\d+(\.\d+)?)?$/, 'must be a number or empty'),
  timeOfTheDay: z.string().optional(),
});

/**
 * Alpha Vantage's earnings CSV, by header name, not by position: the 6-column form and the newer one with
 * `timeOfTheDay` both read; names with commas arrive quoted. A quota notice comes as JSON instead (the caller
 * checks the first character before this).
 */
export function parseAlphaVantageEarningsCsv(text: string, universe: ReadonlySet<string>): { items: EarningsEvent[]; problems: RowProblem[] } {
  const [header, ...body] = parseCsv(text);
  if (!header) return { items: [], problems: [] };
  const names = header.map((h) => h.trim());
  const missing = ['symbol', 'reportDate'].filter((n) => !names.includes(n));
  if (missing.length) return { items: [], problems: [{ provider: 'alphavantage', row: 'header', problem: `no ${missing.join(', ')} column in "${names.join(',')}"` }] };
  const objects = body.map((cells) => Object.fromEntries(names.map((n, i) => [n, cells[i] ?? ''])));
  return eachRow('alphavantage', objects, avEarning, (e): EarningsEvent | null => {
    const symbol = normalTicker(e.symbol);
    if (!symbol || !universe.has(symbol)) return null;
    return {
      symbol, date: e.reportDate as IsoDate, hour: earningsHour(e.timeOfTheDay), epsEstimate: e.estimate === '' ? null : Number(e.estimate), epsActual: null,
      revenueEstimate: null, name: e.name || null, fiscalPeriod: e.fiscalDateEnding ? `period ending ${e.fiscalDateEnding}` : null, provider: 'alphavantage', synthetic: false,
    };
  });
}

// ── Economic calendar: FRED release dates, the Fed's calendar.json ────────────────────────────────────────

export const fredReleaseDatesPage = z.object({ release_dates: z.array(z.unknown()).default([]) });
const fredReleaseDate = z.object({ release_id: z.number().int(), date: z.string().refine(isIsoDate, 'must be a date YYYY-MM-DD'), release_name: z.string().optional() });

/** The FRED releases we put on the calendar (ids per FRED's release list; names as traders say them). */
export const FRED_RELEASES: ReadonlyArray<{ id: number; kind: EconomicKind; name: string }> = [
  { id: 10, kind: 'cpi', name: 'CPI (consumer prices)' },
  { id: 50, kind: 'jobs', name: 'Jobs report (Employment Situation)' },
  { id: 53, kind: 'gdp', name: 'GDP' },
  { id: 54, kind: 'pce', name: 'PCE (personal income and outlays)' },
  { id: 46, kind: 'ppi', name: 'PPI (producer prices)' },
  { id: 9, kind: 'retail', name: 'Retail sales' },
  { id: 180, kind: 'claims', name: 'Jobless claims' },
  { id: 192, kind: 'jolts', name: 'JOLTS (job openings)' },
];

export function parseFredReleaseDates(rows: unknown[], usualTime: (k: EconomicKind) => string | null): { items: EconomicEvent[]; problems: RowProblem[] } {
  return eachRow('fred', rows, fredReleaseDate, (r): EconomicEvent | null => {
    const rel = FRED_RELEASES.find((x) => x.id === r.release_id);
    if (!rel) return null;
    return { date: r.date as IsoDate, time: usualTime(rel.kind), name: rel.name, kind: rel.kind, provider: 'fred', note: null, synthetic: false };
  });
}

/** FRED's error body ({"error_code":400,"error_message":"…"}), as text, or undefined. */
export function fredError(body: unknown): string | undefined {
  if (!body || typeof body !== 'object') return undefined;
  const b = body as { error_code?: unknown; error_message?: unknown };
  return typeof b.error_message === 'string' ? `${b.error_code ?? ''} ${b.error_message}`.trim() : undefined;
}

const fedEvent = z.object({ title: z.string(), month: z.string().regex(/^\d{4}-\d{2}$/, 'must be YYYY-MM'), days: z.string(), type: z.string().optional(), time: z.string().optional() });

/** "28", "27-28", "1, 8, 15", "31-1" (across a month end) → the days of that month the event falls on. */
export function fedDays(days: string): number[] {
  const out: number[] = [];
  for (const part of days.split(',').map((p) => p.trim()).filter(Boolean)) {
    const m = /^(\d{1,2})(?:\s*-\s*(\d{1,2}))?$/.exec(part);
    if (!m) return [];
    const a = Number(m[1]);
    const b = m[2] === undefined ? a : Number(m[2]);
    if (b >= a) for (let d = a; d <= b; d++) out.push(d);
    else out.push(a);
  }
  return out.filter((d) => d >= 1 && d <= 31);
}

/**
 * The Fed's calendar.json (it starts with a byte-order mark): FOMC meetings become their decision day (the
 * last day listed) at 14:00 with the press conference at 14:30; minutes at 14:00. Other entries (speeches,
 * Beige Book) are left out.
 */
export function parseFedCalendar(text: string): { items: EconomicEvent[]; problems: RowProblem[] } {
  let body: unknown;
  try {
    body = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch {
    return { items: [], problems: [{ provider: 'fed', row: '(document)', problem: 'not JSON' }] };
  }
  const events = (body as { events?: unknown }).events;
  if (!Array.isArray(events)) return { items: [], problems: [{ provider: 'fed', row: '(document)', problem: 'no events array' }] };
  return eachRow('fed', events, fedEvent, (e): EconomicEvent | RowProblem | null => {
    const isMeeting = /fomc/i.test(e.type ?? '') && /meeting/i.test(e.title);
    const isMinutes = /fomc/i.test(e.type ?? '') && /minutes/i.test(e.title);
    if (!isMeeting && !isMinutes) return null;
    const days = fedDays(e.days);
    if (days.length === 0) return { provider: 'fed', row: e.title, problem: `days "${e.days}" is not a day list` };
    // "31-1": a meeting across a month end decides on the 1st of the next month.
    const wrap = /(\d{1,2})\s*-\s*(\d{1,2})\s*$/.exec(e.days);
    const nextMonth = wrap !== null && Number(wrap[2]) < Number(wrap[1]);
    const month = nextMonth ? DateTime.fromFormat(e.month, 'yyyy-MM').plus({ months: 1 }).toFormat('yyyy-MM') : e.month;
    const day = nextMonth ? Number(wrap![2]) : days[days.length - 1]!;
    const date = `${month}-${String(day).padStart(2, '0')}`;
    if (!isIsoDate(date)) return { provider: 'fed', row: e.title, problem: `${date} is not a date` };
    return isMeeting
      ? { date: date as IsoDate, time: '14:00', name: 'FOMC decision', kind: 'fomc', provider: 'fed', note: `meeting ${e.days.replace(/\s*-\s*/, '–')} ${DateTime.fromFormat(e.month, 'yyyy-MM').toFormat('LLL')}; press conference 14:30`, synthetic: false }
      : { date: date as IsoDate, time: '14:00', name: 'FOMC minutes', kind: 'fomc-minutes', provider: 'fed', note: null, synthetic: false };
  });
}
