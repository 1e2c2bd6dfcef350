import { z } from 'zod';
import type { BrokerAccount, BrokerFill, BrokerOrder, BrokerPosition, Refusal } from './contracts.js';

/**
 * Alpaca's Trading API v2 payloads (decimals as strings, RFC 3339 times) and its error bodies, parsed without I/O.
 * Requests may carry numbers; answers carry strings: both read here.
 */
const dec = z.union([z.string(), z.number()]).transform((v) => Number(v));
const decOrNull = z.union([z.string(), z.number(), z.null()]).optional().transform((v) => (v === null || v === undefined ? null : Number(v)));

export const alpacaOrder = z.object({
  id: z.string(),
  client_order_id: z.string(),
  symbol: z.string(),
  side: z.enum(['buy', 'sell']),
  status: z.string(),
  qty: decOrNull,
  notional: decOrNull,
  filled_qty: dec,
  filled_avg_price: decOrNull,
  time_in_force: z.string(),
  submitted_at: z.string(),
}).passthrough();

export const alpacaAccount = z.object({
  cash: dec,
  equity: dec,
  buying_power: dec,
  trading_blocked: z.boolean().optional(),
  account_blocked: z.boolean().optional(),
}).passthrough();

export const alpacaPosition = z.object({ symbol: z.string(), qty: dec, avg_entry_price: dec }).passthrough();

export const alpacaFillActivity = z.object({
  id: z.string(),
  activity_type: z.string(),
  order_id: z.string(),
  symbol: z.string(),
  side: z.string(),
  qty: dec,
  price: dec,
  transaction_time: z.string(),
}).passthrough();

export const alpacaAsset = z.object({ symbol: z.string(), tradable: z.boolean(), fractionable: z.boolean(), status: z.string() }).passthrough();

export function toOrder(o: z.output<typeof alpacaOrder>): BrokerOrder {
  return {
    id: o.id, clientOrderId: o.client_order_id, symbol: o.symbol, side: o.side, status: o.status, qty: o.qty, notional: o.notional, filledQty: o.filled_qty,
    filledAvgPrice: o.filled_avg_price, timeInForce: o.time_in_force, submittedAt: o.submitted_at,
  };
}
export const toAccount = (a: z.output<typeof alpacaAccount>): BrokerAccount => ({ cash: a.cash, equity: a.equity, buyingPower: a.buying_power, blocked: Boolean(a.trading_blocked || a.account_blocked) });
export const toPosition = (p: z.output<typeof alpacaPosition>): BrokerPosition => ({ symbol: p.symbol, qty: p.qty, avgEntryPrice: p.avg_entry_price });
export const toFill = (a: z.output<typeof alpacaFillActivity>): BrokerFill => ({ id: a.id, orderId: a.order_id, symbol: a.symbol, side: a.side === 'buy' ? 'buy' : 'sell', qty: a.qty, price: a.price, at: a.transaction_time });

/**
 * What an order refusal means, from the status and the message (codes have changed over the years: the message
 * decides). 403: buying power, wash trade, quantity available, the opg window; 422: duplicate client id,
 * fractional and notional rules, unknown or untradable asset.
 */
export function classifyRefusal(status: number, body: unknown): Refusal {
  const message = typeof body === 'object' && body !== null && typeof (body as { message?: unknown }).message === 'string' ? (body as { message: string }).message : String(body ?? '').slice(0, 200);
  const m = message.toLowerCase();
  const kind: Refusal['kind'] =
    status === 401 ? 'unauthorized'
      : m.includes('client_order_id must be unique') ? 'duplicate'
        : m.includes('insufficient buying power') ? 'buying-power'
          : m.includes('wash trade') ? 'wash-trade'
            : m.includes('insufficient qty') ? 'qty-available'
              : m.includes('opg orders') ? 'opg-window'
                : m.includes('not fractionable') ? 'not-fractionable'
                  : m.includes('not tradable') || m.includes('not found') ? 'not-tradable'
                    : m.includes('notional') || m.includes('cost basis must be') ? 'notional'
                      : 'other';
  return { kind, message: message || `HTTP ${status}` };
}
