import type { IsoDate } from '../calendar/dates.js';

/**
 * The information layer beside market data: news, the earnings calendar and the economic calendar, each a
 * contract with providers (polygon, alpaca, alphavantage, finnhub, fred, the Fed's calendar, the demo).
 * Payloads are parsed row by row (parsers.ts): a bad row is named and skipped, never stored.
 */
export type Sentiment = 'positive' | 'neutral' | 'negative';

export interface TickerSentiment {
  label: Sentiment;
  /** The provider's own words (Polygon's `sentiment_reasoning`, Alpha Vantage's label), never ours. */
  reasoning: string | null;
  /** A score where the provider gives one (Alpha Vantage: -1..1). */
  score: number | null;
}

export interface Article {
  /** "<provider>:<id>": an article is stored once per provider id. */
  key: string;
  provider: string;
  id: string;
  title: string;
  summary: string;
  url: string;
  publishedAt: Date;
  /** The publisher ("Investing.com", "benzinga"). */
  source: string;
  tickers: string[];
  /** Per ticker, only from the provider's insight for that very ticker (never another ticker's). */
  sentiment: Record<string, TickerSentiment>;
  /** Made up by the demo from the demo market's own moves: labelled wherever it is shown. */
  synthetic: boolean;
}

/** When a company reports: before the open, after the close, during the day, or not said. */
export type EarningsHour = 'bmo' | 'amc' | 'dmh' | null;

export interface EarningsEvent {
  symbol: string;
  date: IsoDate;
  hour: EarningsHour;
  epsEstimate: number | null;
  epsActual: number | null;
  revenueEstimate: number | null;
  name: string | null;
  fiscalPeriod: string | null;
  provider: string;
  synthetic: boolean;
}

export type EconomicKind = 'cpi' | 'jobs' | 'gdp' | 'pce' | 'ppi' | 'retail' | 'claims' | 'jolts' | 'fomc' | 'fomc-minutes' | 'other';

export interface EconomicEvent {
  date: IsoDate;
  /** The usual New York time ("08:30"), or null when no time is known. */
  time: string | null;
  name: string;
  kind: EconomicKind;
  provider: string;
  /** A line more (an emergency meeting, "press conference 14:30", the print and its change). */
  note: string | null;
  synthetic: boolean;
}

/** A row a provider sent that we could not use: named, skipped, never stored. */
export interface RowProblem {
  provider: string;
  row: string;
  problem: string;
}

export interface Fetched<T> {
  items: T[];
  problems: RowProblem[];
  requests: number;
}

export interface NewsProvider {
  readonly id: string;
  /** Whether its articles carry per-ticker sentiment (Polygon's insights, Alpha Vantage's scores). */
  readonly scoresSentiment: boolean;
  /** Market-wide news published in [from, to): a few requests, never one per symbol. */
  news(from: Date, to: Date, universe: ReadonlySet<string>): Promise<Fetched<Article>>;
}

export interface EarningsProvider {
  readonly id: string;
  earnings(from: IsoDate, to: IsoDate, universe: ReadonlySet<string>): Promise<Fetched<EarningsEvent>>;
}

export interface EconomicProvider {
  readonly id: string;
  events(from: IsoDate, to: IsoDate): Promise<Fetched<EconomicEvent>>;
}

/** The New York time economic releases conventionally come out at (BLS, BEA, Census: 08:30; JOLTS 10:00). */
export const USUAL_TIMES: Record<EconomicKind, string | null> = {
  cpi: '08:30', jobs: '08:30', gdp: '08:30', pce: '08:30', ppi: '08:30', retail: '08:30', claims: '08:30', jolts: '10:00',
  fomc: '14:00', 'fomc-minutes': '14:00', other: null,
};

export const HOUR_WORDS: Record<Exclude<EarningsHour, null> | 'unknown', string> = {
  bmo: 'before the open', amc: 'after the close', dmh: 'during the day', unknown: 'time not given',
};
