import { Schema, model, type InferSchemaType } from 'mongoose';
import { bumpOnWrite } from '../data-revision.js';

/** One fill; a signal trades each symbol at most once in the ledger, once per broker execution (unique index). */
const tradeSchema = new Schema(
  {
    portfolio: { type: String, required: true },
    signalId: { type: Schema.Types.ObjectId, required: true },
    tradeDate: { type: String, required: true },
    symbol: { type: String, required: true },
    action: { type: String, enum: ['BUY', 'SELL'], required: true },
    quantity: { type: Number, required: true },
    price: { type: Number, required: true },
    amount: { type: Number, required: true },
    realizedPnl: { type: Number, default: 0 },
    /** A broker's execution id (several partial fills of one order are several trades); null for ledger fills. */
    fillId: { type: String, default: null },
    /** The broker order it filled (its client order id), for broker portfolios. */
    clientOrderId: { type: String, default: null },
    createdAt: { type: Date, required: true },
  },
  { versionKey: false },
);
tradeSchema.index({ signalId: 1, symbol: 1, fillId: 1 }, { unique: true, name: 'signal_symbol_fill' });
tradeSchema.index({ portfolio: 1, tradeDate: 1 });

// Derived views (equity, P&L, trade lists) are served again only until the next write (src/db/view-cache.ts).
bumpOnWrite(tradeSchema, 'trades');

export type TradeDoc = InferSchemaType<typeof tradeSchema>;
export const Trade = model('Trade', tradeSchema, 'trades');
