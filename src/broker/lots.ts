import type { IsoDate } from '../calendar/dates.js';

/**
 * Tax lots, pure: every buy opens a lot; a sell closes lots by the portfolio's method — FIFO (the default),
 * highest cost first, or specific lots named by their ids — with realised P&L per lot, short term (held a year or
 * less) or long term. A split multiplies open lots' quantities and divides their cost per share.
 */
export const LOT_METHODS = ['fifo', 'hifo', 'specific'] as const;
export type LotMethod = (typeof LOT_METHODS)[number];

export interface Lot {
  id: string;
  symbol: string;
  openedOn: IsoDate;
  quantity: number;
  /** Cost per share (after splits). */
  cost: number;
}

export interface ClosedLot {
  lotId: string;
  symbol: string;
  openedOn: IsoDate;
  closedOn: IsoDate;
  quantity: number;
  cost: number;
  price: number;
  realized: number;
  term: 'short' | 'long';
}

export type LotEvent =
  | { kind: 'buy'; id: string; date: IsoDate; symbol: string; quantity: number; price: number }
  | { kind: 'sell'; id: string; date: IsoDate; symbol: string; quantity: number; price: number; lots?: string[] }
  | { kind: 'split'; date: IsoDate; symbol: string; ratio: number };

const EPS = 1e-9;

/** Held more than one year (the day after the anniversary and later): long term. */
export function termOf(openedOn: IsoDate, closedOn: IsoDate): 'short' | 'long' {
  const [y, m, d] = openedOn.split('-').map(Number) as [number, number, number];
  const anniversary = `${String(y + 1).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
  return closedOn > anniversary ? 'long' : 'short';
}

export function foldLots(events: LotEvent[], method: LotMethod = 'fifo'): { open: Lot[]; closed: ClosedLot[]; problems: string[] } {
  const open: Lot[] = [];
  const closed: ClosedLot[] = [];
  const problems: string[] = [];
  const ordered = [...events].sort((a, b) => a.date.localeCompare(b.date) || rank(a) - rank(b));
  for (const e of ordered) {
    if (e.kind === 'buy') {
      open.push({ id: e.id, symbol: e.symbol, openedOn: e.date, quantity: e.quantity, cost: e.price });
      continue;
    }
    if (e.kind === 'split') {
      for (const l of open) if (l.symbol === e.symbol) { l.quantity *= e.ratio; l.cost /= e.ratio; }
      continue;
    }
    let left = e.quantity;
    const mine = open.filter((l) => l.symbol === e.symbol && l.quantity > EPS);
    const order = method === 'hifo' ? [...mine].sort((a, b) => b.cost - a.cost || a.openedOn.localeCompare(b.openedOn))
      : method === 'specific' && e.lots?.length ? [...e.lots.flatMap((id) => mine.filter((l) => l.id === id)), ...mine.filter((l) => !e.lots!.includes(l.id))]
        : mine;
    for (const l of order) {
      if (left <= EPS) break;
      const q = Math.min(l.quantity, left);
      closed.push({ lotId: l.id, symbol: l.symbol, openedOn: l.openedOn, closedOn: e.date, quantity: q, cost: l.cost, price: e.price, realized: q * (e.price - l.cost), term: termOf(l.openedOn, e.date) });
      l.quantity -= q;
      left -= q;
    }
    if (left > 1e-6) problems.push(`${e.date} sell of ${e.quantity} ${e.symbol}: ${left.toFixed(4)} more than the open lots hold`);
  }
  return { open: open.filter((l) => l.quantity > EPS), closed, problems };
}

/** Splits first on their day, then buys, then sells (a sale on a buy's day can close it). */
const rank = (e: LotEvent) => (e.kind === 'split' ? 0 : e.kind === 'buy' ? 1 : 2);

export function realizedByTerm(closed: ClosedLot[]): { short: number; long: number } {
  return closed.reduce((s, c) => ({ short: s.short + (c.term === 'short' ? c.realized : 0), long: s.long + (c.term === 'long' ? c.realized : 0) }), { short: 0, long: 0 });
}
