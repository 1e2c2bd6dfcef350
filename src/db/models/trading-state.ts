import { Schema, model, type InferSchemaType } from 'mongoose';

/** Whether a portfolio's trading is paused (one record per portfolio; absent = trading). */
const tradingStateSchema = new Schema(
  {
    portfolio: { type: String, required: true },
    paused: { type: Boolean, required: true },
    changedBy: { type: String, required: true },
    changedAt: { type: Date, required: true },
    reason: { type: String, default: null },
  },
  { versionKey: false },
);
tradingStateSchema.index({ portfolio: 1 }, { unique: true });

export type TradingStateDoc = InferSchemaType<typeof tradingStateSchema>;
export const TradingState = model('TradingState', tradingStateSchema, 'trading_states');
