import { DateTime } from 'luxon';
import { z } from 'zod';
import { isIsoDate, type IsoDate } from '../../calendar/dates.js';

/** Pieces of payload validation shared by the HTTP providers. */

export const finiteNumber = z.number({ error: 'must be a number' }).finite('must be finite');

/** A number sent as a string (Alpha Vantage): "123.4500" → 123.45; anything else is an error, never NaN. */
export const numericString = z
  .string({ error: 'must be a numeric string' })
  .regex(/^-?\d+(\.\d+)?$/, 'must be a numeric string')
  .transform(Number);

export const isoDateString = z.string().refine(isIsoDate, 'must be a date YYYY-MM-DD');

/** The New York calendar date of an instant (bars are stamped at midnight or the close, New York). */
export function nyDateOfMillis(ms: number): IsoDate {
  return DateTime.fromMillis(ms, { zone: 'America/New_York' }).toISODate()!;
}

export function nyDateOfIso(ts: string): IsoDate | undefined {
  const d = DateTime.fromISO(ts, { zone: 'America/New_York' });
  return d.isValid ? d.toISODate()! : undefined;
}

/** Split a list into chunks of at most `size`. */
export function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
