import { Schema, model } from 'mongoose';

/**
 * Orders placed at a broker (src/broker), by client order id: the insert is the claim (one process places it),
 * the broker's id and status follow it to its end. Read by `_id` (the id is derived from the order) and by the
 * day's list kept in broker_state.
 */
const brokerOrderSchema = new Schema(
  {
    _id: { type: String, required: true },
    portfolio: { type: String, required: true },
    date: { type: String, required: true },
    symbol: { type: String, required: true },
    /** The asset the signal named, when the order trades another (SPX through SPY). */
    signalSymbol: { type: String, default: null },
    side: { type: String, required: true },
    timeInForce: { type: String, required: true },
    qty: { type: Number, default: null },
    notional: { type: Number, default: null },
    signalId: { type: Schema.Types.ObjectId, required: true },
    /** placing (claimed, not known at the broker yet) · placed · refused · done (terminal at the broker). */
    state: { type: String, required: true },
    brokerOrderId: { type: String, default: null },
    status: { type: String, default: null },
    filledQty: { type: Number, default: 0 },
    filledAvgPrice: { type: Number, default: null },
    refusal: { type: Schema.Types.Mixed, default: null },
    claimedBy: { type: String, required: true },
    createdAt: { type: Date, required: true },
    updatedAt: { type: Date, required: true },
  },
  { versionKey: false },
);
export const BrokerOrder = model('BrokerOrder', brokerOrderSchema, 'broker_orders');

/** Small per-portfolio state: the day's order ids, the last reconciliation, the cash baseline. `_id` lookups. */
const brokerStateSchema = new Schema({ _id: { type: String, required: true }, value: { type: Schema.Types.Mixed, default: null }, at: { type: Date, required: true } }, { versionKey: false, minimize: false });
export const BrokerState = model('BrokerState', brokerStateSchema, 'broker_state');
