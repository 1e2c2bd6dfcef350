import type { IsoDate } from '../calendar/dates.js';
import { applyFill, emptyState, injectCapital, marketValue, type Fill, type LedgerState } from './ledger.js';
import type { EquityPoint } from './performance.js';

/** One trading day of a portfolio's life: capital at the open, fills at the open, marks at the close. */
export interface Day {
  date: IsoDate;
  capital: number;
  fills: Fill[];
  closes: Record<string, number | undefined>;
}

/**
 * Fold days into a ledger and a daily equity series. Pure. A symbol without a close that day is
 * marked at its last known close (or its cost when it has none yet).
 */
export function replayDays(days: Day[], start: LedgerState = emptyState()): { state: LedgerState; points: EquityPoint[] } {
  const state = start;
  const lastClose: Record<string, number | undefined> = {};
  const points: EquityPoint[] = [];
  for (const d of days) {
    if (d.capital) injectCapital(state, d.capital);
    for (const f of d.fills) applyFill(state, f);
    for (const [s, c] of Object.entries(d.closes)) if (c !== undefined) lastClose[s] = c;
    const mv = marketValue(state, lastClose);
    points.push({ date: d.date, equity: state.cash + mv, capital: d.capital, cash: state.cash, marketValue: mv });
  }
  return { state, points };
}
