import { z } from 'zod';
import { scrub } from '../log/logger.js';
import { isIsoDate, type IsoDate } from '../calendar/dates.js';

/** A daily bar as a provider delivers it, after validation. */
export interface Bar {
  symbol: string;
  date: IsoDate;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
  synthetic: boolean;
}

/**
 * The day so far for one symbol, as a provider's snapshot endpoint serves it during the session: the
 * day's open, high, low and volume up to the last trade, the last price, the previous session's close.
 * Never a daily bar: the 16:35 fetch stays the source of truth for closes.
 */
export interface Snapshot {
  symbol: string;
  date: IsoDate;
  open: number;
  high: number;
  low: number;
  last: number;
  volume: number;
  prevClose: number;
  /** When the last trade counted here happened (ms since the epoch). */
  lastTradeAt: number;
}

/** One call's answer for the universe: the rows, and whether the provider serves them delayed (15 minutes). */
export interface SnapshotBatch {
  rows: Snapshot[];
  delayed: boolean;
  /** Symbols asked for that the answer lacked or that failed validation, with the reason. */
  missing: Map<string, string>;
}

/** How a series' prices are adjusted: for splits (the project's policy), or not at all (as traded). */
export type Adjustment = 'split' | 'none';

/**
 * What a provider serves for one of our symbols: who, from which feed, adjusted how, under which of
 * its own symbols (an index's `I:SPX`, or a proxy ETF when the plan has no index data), and how far
 * back its plan reaches. Stored per series (series-contracts.ts) so a series never mixes two kinds.
 */
export interface SeriesContract {
  provider: string;
  /** `consolidated` (every US exchange: SIP), `iex` (one exchange), or `demo`. */
  feed: string;
  adjustment: Adjustment;
  /** The provider's symbol when it is not ours (`I:SPX`, `SPY`). */
  source?: string;
  /** Set when `source` is a stand-in (an ETF tracking an index), not the instrument itself. */
  proxy?: boolean;
  /** Trading days of history the plan serves (Alpha Vantage free: 100); absent = as asked. */
  depthDays?: number;
}

/** The policy every series is held to: split-adjusted, from the consolidated feed. */
export function meetsPolicy(c: SeriesContract): boolean {
  return c.adjustment === 'split' && (c.feed === 'consolidated' || c.feed === 'demo');
}

/** What a call could not deliver, per symbol, without failing the others. */
export interface FetchNotes {
  missing: Map<string, string>;
}

/** One interface for every market-data source (demo, Polygon, Alpaca, Alpha Vantage). */
export interface MarketDataProvider {
  readonly id: string;
  /**
   * Bars for several symbols over a date range (both ends included). A symbol the provider cannot
   * serve (unknown, not in the plan) is left out and named in `notes`; it never fails the others. A
   * failure that stops the call (daily cap, plan, outage) throws a ProviderError whose `partial`
   * holds the bars fetched before it.
   */
  getDailyBars(symbols: string[], from: IsoDate, to: IsoDate, notes?: FetchNotes): Promise<Bar[]>;
  /** The whole market for one date in one call, where the provider has it. */
  getGroupedDaily?(date: IsoDate, symbols?: string[], notes?: FetchNotes): Promise<Bar[]>;
  /** What this provider serves for `symbol` (absent: consolidated, split-adjusted, under our symbol). */
  contract?(symbol: string): SeriesContract;
  /** Who answered the last call, when that can differ from `id` (a failover wrapper). */
  readonly lastServedBy?: string;
  /** HTTP requests `getDailyBars` needs for this many symbols and trading days (absent: one). */
  requestsFor?(symbols: number, days: number): number;
  /**
   * The day so far for many symbols in one call (or a few), during the session (absent: the provider has
   * no snapshots, e.g. Alpha Vantage). A live provider answers for now; the demo for `at`.
   */
  getSnapshot?(symbols: string[], at: Date): Promise<SnapshotBatch>;
  /** True when `getSnapshot` can answer for any past instant (the demo), not only for now. */
  readonly snapshotsAnyTime?: boolean;
}

/**
 * What went wrong with a provider, for retries, breakers, failover and /health. `plan`: the plan does not
 * include it (a configuration matter); `symbol`: this one symbol is unknown (the others go on).
 */
export type ProviderFailure = 'throttled' | 'server' | 'timeout' | 'network' | 'payload' | 'http' | 'breaker-open' | 'daily-limit' | 'plan' | 'symbol';

/** A provider failure, naming the provider, the endpoint and (for bad payloads) the field. */
export class ProviderError extends Error {
  readonly detail: string;
  /** Bars fetched before the failure (a multi-request call keeps what it already has). */
  partial: Bar[] = [];
  constructor(
    readonly provider: string,
    readonly endpoint: string,
    /** What went wrong, without the "provider endpoint:" prefix the message carries. Scrubbed: a body may echo the request. */
    detail: string,
    readonly retryable = false,
    readonly kind: ProviderFailure = 'payload',
  ) {
    const clean = scrub(detail);
    super(`${provider} ${endpoint}: ${clean}`);
    this.detail = clean;
    this.name = 'ProviderError';
  }
}

/** The fields a bar and a snapshot share: our symbol format, a calendar date, a positive finite price. */
export const symbolField = z.string().regex(/^[A-Z][A-Z0-9.\-]{0,9}$/);
export const dateField = z.string().refine(isIsoDate, 'must be a date YYYY-MM-DD');
export const priceField = z.number().finite().positive();
const price = priceField;
export const barSchema = z
  .object({
    symbol: symbolField,
    date: dateField,
    open: price,
    high: price,
    low: price,
    close: price,
    volume: z.number().finite().nonnegative(),
    synthetic: z.boolean().default(false),
  })
  .refine((b) => b.high >= b.low, { message: 'high must be >= low', path: ['high'] })
  .refine((b) => b.high >= Math.max(b.open, b.close) - 1e-9 && b.low <= Math.min(b.open, b.close) + 1e-9, {
    message: 'open and close must lie within [low, high]',
    path: ['open'],
  });

/** The contract of a provider that does not describe itself. */
export function contractOf(p: MarketDataProvider, symbol: string): SeriesContract {
  return p.contract?.(symbol) ?? { provider: p.lastServedBy ?? p.id, feed: 'consolidated', adjustment: 'split' };
}

/** "field "high" must be >= low": the first rule a bar breaks. */
function problemOf(error: z.ZodError): string {
  const issue = error.issues[0];
  return `field "${issue?.path.join('.') || 'bar'}" ${issue?.message ?? 'is invalid'}`;
}

/** Why one bar is invalid (field and rule), or undefined when it is valid. */
export function barProblem(item: unknown): string | undefined {
  const r = barSchema.safeParse(item);
  return r.success ? undefined : problemOf(r.error);
}

/** Validate provider output: a malformed bar is an error naming provider, endpoint and field — never a NaN stored. */
export function validateBars(provider: string, endpoint: string, raw: unknown[]): Bar[] {
  return raw.map((item, i) => {
    const r = barSchema.safeParse(item);
    if (!r.success) {
      const sym = (item as { symbol?: unknown })?.symbol;
      throw new ProviderError(provider, endpoint, `bad payload at item ${i}${typeof sym === 'string' ? ` (${sym})` : ''}: ${problemOf(r.error)}`);
    }
    return r.data;
  });
}
