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

/** One interface for every market-data source (demo, Polygon, Alpaca, Alpha Vantage). */
export interface MarketDataProvider {
  readonly id: string;
  /** Bars for several symbols over a date range (both ends included). */
  getDailyBars(symbols: string[], from: IsoDate, to: IsoDate): Promise<Bar[]>;
  /** The whole market for one date in one call, where the provider has it. */
  getGroupedDaily?(date: IsoDate, symbols?: string[]): Promise<Bar[]>;
  /** Who answered the last call, when that can differ from `id` (a failover wrapper). */
  readonly lastServedBy?: string;
  /** HTTP requests `getDailyBars` needs for this many symbols and trading days (absent: one). */
  requestsFor?(symbols: number, days: number): number;
}

/** What went wrong with a provider, for retries, breakers, failover and /health. */
export type ProviderFailure = 'throttled' | 'server' | 'timeout' | 'network' | 'payload' | 'http' | 'breaker-open' | 'daily-limit';

/** A provider failure, naming the provider, the endpoint and (for bad payloads) the field. */
export class ProviderError extends Error {
  readonly detail: string;
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

const price = z.number().finite().positive();
export const barSchema = z
  .object({
    symbol: z.string().regex(/^[A-Z][A-Z0-9.\-]{0,9}$/),
    date: z.string().refine(isIsoDate, 'must be a date YYYY-MM-DD'),
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

/** Validate provider output: a malformed bar is an error naming provider, endpoint and field — never a NaN stored. */
export function validateBars(provider: string, endpoint: string, raw: unknown[]): Bar[] {
  return raw.map((item, i) => {
    const r = barSchema.safeParse(item);
    if (!r.success) {
      const issue = r.error.issues[0];
      const field = issue?.path.join('.') || 'bar';
      const sym = (item as { symbol?: unknown })?.symbol;
      throw new ProviderError(provider, endpoint, `bad payload at item ${i}${typeof sym === 'string' ? ` (${sym})` : ''}: field "${field}" ${issue?.message ?? 'is invalid'}`);
    }
    return r.data;
  });
}
