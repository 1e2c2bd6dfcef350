import { addDays, type IsoDate } from '../calendar/dates.js';
import { tradingDaysBetween } from '../calendar/nyse.js';
import { upsertRacing } from '../db/connection.js';
import { CapitalInjection } from '../db/models/capital-injection.js';
import { Position } from '../db/models/position.js';
import { Trade } from '../db/models/trade.js';
import { cachedView } from '../db/view-cache.js';
import { readBars } from '../market-data/bar-store.js';
import { emptyState, type Fill, type LedgerState } from './ledger.js';
import type { EquityPoint } from './performance.js';
import { replayDays, type Day } from './simulate.js';

/** A portfolio's stored history: capital injections and fills by date (the source of truth). */
export interface History {
  capital: Map<IsoDate, number>;
  fills: Map<IsoDate, Fill[]>;
  symbols: Set<string>;
  first: IsoDate | undefined;
  last: IsoDate | undefined;
}

export async function loadHistory(portfolio: string, through?: IsoDate): Promise<History> {
  const dateFilter = through ? { $lte: through } : { $exists: true };
  const [caps, trades] = await Promise.all([
    CapitalInjection.find({ portfolio, date: dateFilter }).lean(),
    Trade.find({ portfolio, tradeDate: dateFilter }).sort({ tradeDate: 1, createdAt: 1, symbol: 1 }).lean(),
  ]);
  const capital = new Map<IsoDate, number>();
  for (const c of caps) capital.set(c.date, (capital.get(c.date) ?? 0) + c.amount);
  const fills = new Map<IsoDate, Fill[]>();
  const symbols = new Set<string>();
  for (const t of trades) {
    symbols.add(t.symbol);
    const list = fills.get(t.tradeDate) ?? [];
    list.push({ symbol: t.symbol, action: t.action, quantity: t.quantity, price: t.price, amount: t.amount, realizedPnl: t.realizedPnl ?? 0 });
    fills.set(t.tradeDate, list);
  }
  const dates = [...capital.keys(), ...fills.keys()].sort();
  return { capital, fills, symbols, first: dates[0], last: dates[dates.length - 1] };
}

/** The ledger after all activity strictly before `date` (what a day's orders are planned against). */
export async function ledgerBefore(portfolio: string, date: IsoDate): Promise<LedgerState> {
  const h = await loadHistory(portfolio);
  const days: Day[] = [...new Set([...h.capital.keys(), ...h.fills.keys()])]
    .filter((d) => d < date)
    .sort()
    .map((d) => ({ date: d, capital: h.capital.get(d) ?? 0, fills: h.fills.get(d) ?? [], closes: {} }));
  return replayDays(days, emptyState()).state;
}

/** Daily closes for symbols over a range: symbol → date → close. */
export async function closesBetween(symbols: string[], from: IsoDate, to: IsoDate): Promise<Map<string, Map<IsoDate, number>>> {
  const bars = await readBars(symbols, from, to);
  return new Map([...bars].map(([s, list]) => [s, new Map(list.map((b) => [b.date, b.close]))]));
}

/** The last close on or before `date` for each symbol. */
export async function lastCloses(symbols: string[], date: IsoDate): Promise<Record<string, number | undefined>> {
  // A year back is plenty for a last close; a symbol silent for longer shows no price.
  const bars = await readBars(symbols, addDays(date, -366), date);
  return Object.fromEntries(symbols.map((s) => [s, bars.get(s)?.at(-1)?.close]));
}

export interface EquitySeries {
  points: EquityPoint[];
  state: LedgerState;
  history: History;
  /** Each traded symbol's last close through the series' end (from the closes the series was valued at). */
  lastClose: Map<string, number>;
}

/**
 * Equity every trading day from the first activity through `to`: cash + positions at that day's close.
 * A view, kept until the next trade or bar write (src/db/view-cache.ts): callers share the result and
 * must not change it. Execution plans with ledgerBefore, its own fresh read, instead.
 */
export function equitySeries(portfolio: string, to?: IsoDate): Promise<EquitySeries> {
  return cachedView(`equity:${portfolio}:${to ?? ''}`, ['trades', 'bars'], () => computeEquitySeries(portfolio, to));
}

async function computeEquitySeries(portfolio: string, to?: IsoDate): Promise<EquitySeries> {
  const h = await loadHistory(portfolio, to);
  if (!h.first) return { points: [], state: emptyState(), history: h, lastClose: new Map() };
  const end = to ?? h.last!;
  const closes = await closesBetween([...h.symbols], h.first, end);
  // closesBetween keeps each symbol's closes oldest first and only through `end`: the last one is the latest.
  const lastClose = new Map([...closes].flatMap(([s, byDate]) => {
    const last = [...byDate.values()].at(-1);
    return last === undefined ? [] : [[s, last] as [string, number]];
  }));
  const days: Day[] = tradingDaysBetween(h.first, end).map((d) => ({
    date: d,
    capital: h.capital.get(d) ?? 0,
    fills: h.fills.get(d) ?? [],
    closes: Object.fromEntries([...closes].map(([s, m]) => [s, m.get(d)])),
  }));
  const { state, points } = replayDays(days);
  return { points, state, history: h, lastClose };
}

/** Keep the Position collection (a projection for quick reads) equal to the ledger. */
export async function syncPositions(portfolio: string, state: LedgerState): Promise<void> {
  const now = new Date();
  for (const h of state.holdings.values()) {
    // Two workers following the same day's orders may both create the row; both write from the same ledger.
    await upsertRacing((upsert) => Position.updateOne(
      { portfolio, symbol: h.symbol },
      { $set: { quantity: h.quantity, avgCost: h.avgCost, updatedAt: now } },
      { upsert },
    ));
  }
  await Position.deleteMany({ portfolio, symbol: { $nin: [...state.holdings.keys()] } });
}
