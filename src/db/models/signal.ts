import { Schema, model, type InferSchemaType } from 'mongoose';

/** The allocation signal for one portfolio and trade date (at most one: unique index). */
const signalSchema = new Schema(
  {
    portfolio: { type: String, required: true },
    tradeDate: { type: String, required: true },
    configVersion: { type: Number, required: true },
    modelType: { type: String, required: true },
    action: { type: String, enum: ['BUY', 'SELL', 'HOLD'], required: true },
    confidenceScore: { type: Number, required: true },
    allocations: { type: Schema.Types.Mixed, required: true },
    features: { type: Schema.Types.Mixed, required: true },
    dataThrough: { type: String, required: true },
    createdAt: { type: Date, required: true },
  },
  { versionKey: false, minimize: false },
);
signalSchema.index({ portfolio: 1, tradeDate: 1 }, { unique: true });

export type SignalDoc = InferSchemaType<typeof signalSchema>;
export const Signal = model('Signal', signalSchema, 'signals');
