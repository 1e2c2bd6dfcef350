import { z } from 'zod';
import { dateField, priceField, ProviderError, symbolField, type Snapshot } from './provider.js';

/** Validation and time-of-day volume for intraday snapshots; the types live with the provider contract. */
export type { Snapshot, SnapshotBatch } from './provider.js';

const price = priceField;
export const snapshotSchema = z
  .object({
    symbol: symbolField,
    date: dateField,
    open: price,
    high: price,
    low: price,
    last: price,
    volume: z.number().finite().nonnegative(),
    prevClose: price,
    lastTradeAt: z.number().int().positive(),
  })
  .refine((s) => s.high >= s.low && s.last <= s.high + 1e-9 && s.last >= s.low - 1e-9 && s.open <= s.high + 1e-9 && s.open >= s.low - 1e-9, {
    message: 'open and last must lie within [low, high]',
    path: ['last'],
  });

/** Why one row is unusable (its field and rule), or undefined. */
export function snapshotProblem(row: unknown): string | undefined {
  const r = snapshotSchema.safeParse(row);
  if (r.success) return undefined;
  const issue = r.error.issues[0];
  return `field "${issue?.path.join('.') || 'snapshot'}" ${issue?.message ?? 'is invalid'}`;
}

/**
 * Validate one call's rows one by one: a bad row names its symbol in `missing`, and so does each `asked` symbol
 * the answer had no row for (unless the provider already said why); a call with no usable row fails.
 */
export function validateSnapshots(provider: string, endpoint: string, raw: Snapshot[], missing: Map<string, string>, asked: string[]): Snapshot[] {
  const out: Snapshot[] = [];
  for (const row of raw) {
    const problem = snapshotProblem(row);
    if (problem) missing.set(row.symbol, `${provider} ${endpoint}: ${problem}`);
    else out.push(row);
  }
  const answered = new Set(raw.map((r) => r.symbol));
  for (const symbol of asked) if (!answered.has(symbol) && !missing.has(symbol)) missing.set(symbol, `${provider} ${endpoint}: not in the snapshot`);
  if (raw.length > 0 && out.length === 0) throw new ProviderError(provider, endpoint, `bad payload: no usable snapshot row (${[...missing.values()][0]})`);
  return out;
}

/**
 * The share of a session's volume traded by `minutes` after the open (U-shaped: busy open and close,
 * quiet midday), 0 at the open and 1 at the close. What "relative volume so far" divides by, and how
 * the demo spreads a day's volume.
 */
export function volumeShare(minutes: number, sessionMinutes = 390): number {
  const x = Math.min(1, Math.max(0, minutes / sessionMinutes));
  // ∫ of w(u) = 1 + 3(2u − 1)² over [0, x], normalised by its value at 1 (which is 2).
  return (x + ((2 * x - 1) ** 3 + 1) / 2) / 2;
}
