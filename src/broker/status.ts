import { DateTime } from 'luxon';
import type { IsoDate } from '../calendar/dates.js';
import { BrokerOrder, BrokerState } from '../db/models/broker.js';
import { Trade } from '../db/models/trade.js';
import type { PostInput } from '../notify/post.js';
import { getActiveConfig } from '../strategy/config-versions.js';
import { lastSync, type SyncReport } from './reconcile.js';

export interface BrokerStatus {
  portfolio: string;
  broker: string;
  date: IsoDate;
  orders: Array<{ clientOrderId: string; symbol: string; side: string; timeInForce: string; qty: number | null; notional: number | null; state: string; status: string | null; filledQty: number; refusal: string | null }>;
  fills: Array<{ symbol: string; action: string; quantity: number; price: number; fillId: string | null }>;
  sync: (SyncReport & { at: string }) | null;
}

/** A portfolio's broker day: its orders (by the day's stored list), the fills recorded, the last reconciliation. */
export async function brokerStatus(portfolio: string, date: IsoDate = DateTime.now().setZone('America/New_York').toISODate()! as IsoDate): Promise<BrokerStatus> {
  const config = await getActiveConfig(portfolio);
  const ids = ((await BrokerState.findById(`orders|${portfolio}|${date}`).lean())?.value as string[] | undefined) ?? [];
  const docs = (await Promise.all(ids.map((id) => BrokerOrder.findById(id).lean()))).filter((d) => d !== null);
  const fills = await Trade.find({ portfolio, tradeDate: date, fillId: { $ne: null } }).sort({ createdAt: 1 }).lean();
  return {
    portfolio, broker: config.params.broker ?? 'ledger', date,
    orders: docs.map((d) => ({ clientOrderId: d._id, symbol: d.symbol, side: d.side, timeInForce: d.timeInForce, qty: d.qty ?? null, notional: d.notional ?? null, state: d.state, status: d.status ?? null, filledQty: d.filledQty, refusal: (d.refusal as { message?: string } | null)?.message ?? null })),
    fills: fills.map((t) => ({ symbol: t.symbol, action: t.action, quantity: t.quantity, price: t.price, fillId: t.fillId ?? null })),
    sync: await lastSync(portfolio),
  };
}

export function brokerStatusPost(s: BrokerStatus): PostInput {
  const orders = s.orders.map((o) => `${o.side.toUpperCase()} ${o.symbol} ${o.qty !== null ? `${o.qty} sh` : `$${o.notional?.toFixed(2)}`} · ${o.timeInForce === 'opg' ? 'market-on-open' : 'market, day'} · ${o.refusal ? `REFUSED: ${o.refusal}` : `${o.status ?? o.state}, filled ${o.filledQty}`}`);
  const fills = s.fills.map((f) => `${f.action} ${f.quantity} ${f.symbol} at ${f.price.toFixed(2)}`);
  return {
    kind: 'trades',
    title: `Broker · ${s.portfolio} · ${s.broker} · ${s.date}`,
    description: s.broker === 'ledger' ? 'This portfolio fills in the ledger at the open (config set broker=alpaca to trade through Alpaca).' : [...orders, ...(fills.length ? ['', 'Fills:', ...fills] : [])].join('\n') || 'No order today.',
    fields: s.sync ? [{ name: `Reconciliation (${s.sync.slot}, ${s.sync.date})`, value: (s.sync.inSync ? 'broker: in sync' : s.sync.differences.map((d) => `• ${d.detail}`).join('\n')).slice(0, 1024) }] : [],
  };
}
