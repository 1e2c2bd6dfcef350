import { Schema, model, type InferSchemaType } from 'mongoose';

/** An open position; closed positions are removed (quantity zero). */
const positionSchema = new Schema(
  {
    portfolio: { type: String, required: true },
    symbol: { type: String, required: true },
    quantity: { type: Number, required: true },
    avgCost: { type: Number, required: true },
    updatedAt: { type: Date, required: true },
  },
  { versionKey: false },
);
positionSchema.index({ portfolio: 1, symbol: 1 }, { unique: true });

export type PositionDoc = InferSchemaType<typeof positionSchema>;
export const Position = model('Position', positionSchema, 'positions');
