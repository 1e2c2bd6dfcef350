import type { IsoDate } from '../calendar/dates.js';
import { SplitEvent } from '../db/models/series-contract.js';
import { Trade } from '../db/models/trade.js';
import { getActiveConfig } from '../strategy/config-versions.js';
import { foldLots, realizedByTerm, type ClosedLot, type Lot, type LotEvent, type LotMethod } from './lots.js';

export interface LotsView {
  portfolio: string;
  method: LotMethod;
  open: Lot[];
  closed: ClosedLot[];
  realized: { short: number; long: number };
  problems: string[];
}

/**
 * A portfolio's tax lots from its fills (ledger and broker portfolios alike) and the splits the bar store
 * recorded: each buy a lot, each sale closing lots by the portfolio's `lot_method`.
 */
export async function lotsOf(portfolio: string, through?: IsoDate): Promise<LotsView> {
  const [config, trades] = await Promise.all([getActiveConfig(portfolio), Trade.find({ portfolio, ...(through ? { tradeDate: { $lte: through } } : {}) }).sort({ tradeDate: 1, createdAt: 1 }).lean()]);
  const symbols = [...new Set(trades.map((t) => t.symbol))];
  const splits = symbols.length ? await SplitEvent.find({ symbol: { $in: symbols }, status: 'done' }).lean() : [];
  const events: LotEvent[] = [
    ...trades.map((t): LotEvent => (t.action === 'BUY'
      ? { kind: 'buy', id: String(t._id), date: t.tradeDate, symbol: t.symbol, quantity: t.quantity, price: t.price }
      : { kind: 'sell', id: String(t._id), date: t.tradeDate, symbol: t.symbol, quantity: t.quantity, price: t.price })),
    ...splits.filter((s) => !through || s.date <= through).map((s): LotEvent => ({ kind: 'split', date: s.date, symbol: s.symbol, ratio: s.ratio })),
  ];
  const method = config.params.lot_method ?? 'fifo';
  const r = foldLots(events, method);
  return { portfolio, method, open: r.open, closed: r.closed, realized: realizedByTerm(r.closed), problems: r.problems };
}
