import { createHash } from 'node:crypto';
import type { IsoDate } from '../calendar/dates.js';

/**
 * The order's identity at the broker, derived from what it is — (portfolio, trade date, symbol, side, phase) — so a
 * retry, a re-run, a second worker or a create that timed out after the broker made the order all name the same
 * order, and the broker's "client_order_id must be unique" keeps it single. Readable, ≤ 128 characters.
 */
export function clientOrderId(portfolio: string, date: IsoDate, symbol: string, side: 'buy' | 'sell', phase: 'opg' | 'day'): string {
  const h = createHash('sha256').update(`${portfolio}|${date}|${symbol}|${side}|${phase}`).digest('hex').slice(0, 10);
  return `sd-${portfolio.slice(0, 32)}-${date}-${symbol.slice(0, 12)}-${side}-${phase}-${h}`;
}
