import type { IsoDate } from '../calendar/dates.js';
import { earningsDatesOf } from './info-store.js';

/** Whole days from `a` to `b` (calendar dates). */
export function daysBetween(a: IsoDate, b: IsoDate): number {
  return Math.round((Date.parse(`${b}T00:00:00Z`) - Date.parse(`${a}T00:00:00Z`)) / 86_400_000);
}

/**
 * "Reports in N days" for scans and /portfolio: each name's next known report date within `withinDays`, by
 * `_id` lookups (earnings_by_symbol). A light module: a portfolio read loads no provider code for it.
 */
export async function reportsSoon(symbols: string[], today: IsoDate, withinDays = 14): Promise<Map<string, number>> {
  const known = await earningsDatesOf(symbols);
  const out = new Map<string, number>();
  for (const [s, k] of known) {
    const next = k.dates.find((d) => d >= today);
    if (next !== undefined) {
      const n = daysBetween(today, next as IsoDate);
      if (n <= withinDays) out.set(s, n);
    }
  }
  return out;
}
