import type { IsoDate } from '../calendar/dates.js';

/**
 * The paper-trading ledger, pure. Positions and cash are never stored as the truth: they are the
 * fold of capital injections and fills, which are append-only and keyed, so a re-run or a crash
 * between two writes can never leave them inconsistent.
 */
export interface Holding {
  symbol: string;
  quantity: number;
  avgCost: number;
}

export interface Fill {
  symbol: string;
  action: 'BUY' | 'SELL';
  quantity: number;
  price: number;
  amount: number;
  realizedPnl: number;
}

export interface LedgerState {
  cash: number;
  capital: number;
  realized: number;
  holdings: Map<string, Holding>;
}

export const QTY_DP = 4;
const EPS = 1e-9;

export function emptyState(): LedgerState {
  return { cash: 0, capital: 0, realized: 0, holdings: new Map() };
}

export function cloneState(s: LedgerState): LedgerState {
  return { ...s, holdings: new Map([...s.holdings].map(([k, v]) => [k, { ...v }])) };
}

/** Fractional shares to 4 decimals, rounded down so a buy never spends more than allocated. */
export function floorQty(q: number): number {
  return Math.floor(q * 10 ** QTY_DP + 1e-7) / 10 ** QTY_DP;
}

export function injectCapital(state: LedgerState, amount: number): void {
  state.cash += amount;
  state.capital += amount;
}

/** BUY: weighted average cost. SELL: quantity down, average cost unchanged; zero closes the position. */
export function applyFill(state: LedgerState, fill: Fill): void {
  const h = state.holdings.get(fill.symbol);
  if (fill.action === 'BUY') {
    const qty = (h?.quantity ?? 0) + fill.quantity;
    const cost = (h ? h.quantity * h.avgCost : 0) + fill.amount;
    state.holdings.set(fill.symbol, { symbol: fill.symbol, quantity: qty, avgCost: cost / qty });
    state.cash -= fill.amount;
    return;
  }
  if (!h || h.quantity + EPS < fill.quantity) throw new Error(`cannot sell ${fill.quantity} ${fill.symbol}: holding ${h?.quantity ?? 0}`);
  state.cash += fill.amount;
  state.realized += fill.realizedPnl;
  const left = h.quantity - fill.quantity;
  if (left < EPS) state.holdings.delete(fill.symbol);
  else state.holdings.set(fill.symbol, { ...h, quantity: left });
}

export interface SignalOrders {
  action: 'BUY' | 'SELL' | 'HOLD';
  allocations: Record<string, number>;
  sellPct: number;
}

export interface Plan {
  fills: Fill[];
  /** Why something was not traded (no opening price, quantity rounds to zero). */
  notes: string[];
}

/** Turn a signal into fills at the trade date's opening prices, given the holdings before it. */
export function planFills(orders: SignalOrders, holdings: Map<string, Holding>, opens: Record<string, number | undefined>, date: IsoDate): Plan {
  const fills: Fill[] = [];
  const notes: string[] = [];
  if (orders.action === 'BUY') {
    for (const [symbol, dollars] of Object.entries(orders.allocations)) {
      const price = opens[symbol];
      if (!price) {
        notes.push(`${symbol}: no opening price on ${date}, not bought`);
        continue;
      }
      const quantity = floorQty(dollars / price);
      if (quantity <= 0) {
        notes.push(`${symbol}: $${dollars} buys less than 0.0001 share at ${price}`);
        continue;
      }
      fills.push({ symbol, action: 'BUY', quantity, price, amount: quantity * price, realizedPnl: 0 });
    }
  } else if (orders.action === 'SELL') {
    for (const h of holdings.values()) {
      const price = opens[h.symbol];
      if (!price) {
        notes.push(`${h.symbol}: no opening price on ${date}, not sold`);
        continue;
      }
      const quantity = orders.sellPct >= 1 ? h.quantity : floorQty(h.quantity * orders.sellPct);
      if (quantity <= 0) continue;
      fills.push({ symbol: h.symbol, action: 'SELL', quantity, price, amount: quantity * price, realizedPnl: quantity * (price - h.avgCost) });
    }
  }
  return { fills, notes };
}

export function marketValue(state: LedgerState, prices: Record<string, number | undefined>): number {
  let v = 0;
  for (const h of state.holdings.values()) v += h.quantity * (prices[h.symbol] ?? h.avgCost);
  return v;
}
