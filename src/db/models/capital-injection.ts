import { Schema, model, type InferSchemaType } from 'mongoose';
import { bumpOnWrite } from '../data-revision.js';

/** Fresh capital credited to a portfolio for one trading day (at most once: unique index). */
const capitalInjectionSchema = new Schema(
  {
    portfolio: { type: String, required: true },
    date: { type: String, required: true },
    amount: { type: Number, required: true },
    createdAt: { type: Date, required: true },
  },
  { versionKey: false },
);
capitalInjectionSchema.index({ portfolio: 1, date: 1 }, { unique: true });

// Derived views (equity, P&L, trade lists) are served again only until the next write (src/db/view-cache.ts).
bumpOnWrite(capitalInjectionSchema, 'trades');

export type CapitalInjectionDoc = InferSchemaType<typeof capitalInjectionSchema>;
export const CapitalInjection = model('CapitalInjection', capitalInjectionSchema, 'capital_injections');
