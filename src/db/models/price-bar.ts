import { Schema, model, type InferSchemaType } from 'mongoose';

/** One daily OHLCV bar. `date` is the trading date as YYYY-MM-DD (America/New_York session). */
const priceBarSchema = new Schema(
  {
    symbol: { type: String, required: true },
    date: { type: String, required: true },
    open: { type: Number, required: true },
    high: { type: Number, required: true },
    low: { type: Number, required: true },
    close: { type: Number, required: true },
    volume: { type: Number, required: true },
    source: { type: String, required: true },
    synthetic: { type: Boolean, default: false },
    fetchedAt: { type: Date, required: true },
  },
  { versionKey: false },
);
priceBarSchema.index({ symbol: 1, date: 1 }, { unique: true });
priceBarSchema.index({ date: 1 });

export type PriceBarDoc = InferSchemaType<typeof priceBarSchema>;
export const PriceBar = model('PriceBar', priceBarSchema, 'price_bars');
