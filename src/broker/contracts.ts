import type { IsoDate } from '../calendar/dates.js';

/**
 * A broker behind execution (config key `broker`): `ledger` fills at the open in our own books (the default);
 * `alpaca` places orders in an Alpaca account and records the fills it reports.
 */
export const BROKERS = ['ledger', 'alpaca'] as const;
export type BrokerId = (typeof BROKERS)[number];

export type Side = 'buy' | 'sell';
/** opg: market-on-open, whole shares, placed 19:00–09:28 New York; day: after the open (fractional, notional). */
export type TimeInForce = 'opg' | 'day';

export interface OrderRequest {
  clientOrderId: string;
  symbol: string;
  side: Side;
  /** Exactly one of qty and notional. */
  qty?: number;
  notional?: number;
  timeInForce: TimeInForce;
}

export const TERMINAL = ['filled', 'canceled', 'expired', 'rejected', 'replaced', 'done_for_day'] as const;

export interface BrokerOrder {
  id: string;
  clientOrderId: string;
  symbol: string;
  side: Side;
  status: string;
  qty: number | null;
  notional: number | null;
  filledQty: number;
  filledAvgPrice: number | null;
  timeInForce: string;
  submittedAt: string;
}

/** One execution (a partial fill is one of several). */
export interface BrokerFill {
  id: string;
  orderId: string;
  symbol: string;
  side: Side;
  qty: number;
  price: number;
  at: string;
}

export interface BrokerPosition {
  symbol: string;
  qty: number;
  avgEntryPrice: number;
}

export interface BrokerAccount {
  cash: number;
  equity: number;
  buyingPower: number;
  blocked: boolean;
}

/** A refusal the broker gave for an order: what it is and the broker's own words. */
export interface Refusal {
  kind: 'buying-power' | 'wash-trade' | 'qty-available' | 'opg-window' | 'not-fractionable' | 'not-tradable' | 'notional' | 'duplicate' | 'unauthorized' | 'other';
  message: string;
}

export interface Broker {
  readonly id: BrokerId;
  account(): Promise<BrokerAccount>;
  positions(): Promise<BrokerPosition[]>;
  /** The order with this client id, or null (a lookup before any retry of a create). */
  orderByClientId(clientOrderId: string): Promise<BrokerOrder | null>;
  /** Create it; `refused` when the broker said no (the order does not exist), `order` otherwise. */
  placeOrder(req: OrderRequest): Promise<{ order: BrokerOrder } | { refused: Refusal }>;
  /** Executions on a New York date (account activities FILL). */
  fills(date: IsoDate): Promise<BrokerFill[]>;
  /** Orders submitted on or after a moment (all statuses). */
  orders(after: Date): Promise<BrokerOrder[]>;
  asset(symbol: string): Promise<{ tradable: boolean; fractionable: boolean } | null>;
}
