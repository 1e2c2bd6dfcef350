import { Schema, model, type InferSchemaType } from 'mongoose';

/**
 * Daily bars of one symbol for one calendar year, as parallel arrays sorted by date.
 *
 * Why not a document per bar: reading the universe (500+ symbols × a year) is the hot path of
 * scans and signals, and on the embedded FerretDB (SQLite) every query on a 150k-document
 * collection is a full scan of about 10 s whatever the filter. One document per symbol-year makes
 * that read ~1,000 documents. (symbol, year) is unique and each date appears once in `dates`, so
 * a bar per (symbol, date) stays unique; writes merge by date under a `rev` compare-and-set.
 */
const barSeriesSchema = new Schema(
  {
    symbol: { type: String, required: true },
    year: { type: Number, required: true },
    dates: { type: [String], required: true },
    open: { type: [Number], required: true },
    high: { type: [Number], required: true },
    low: { type: [Number], required: true },
    close: { type: [Number], required: true },
    volume: { type: [Number], required: true },
    synthetic: { type: [Boolean], required: true },
    firstDate: { type: String, required: true },
    lastDate: { type: String, required: true },
    count: { type: Number, required: true },
    source: { type: String, required: true },
    rev: { type: Number, required: true },
    updatedAt: { type: Date, required: true },
  },
  { versionKey: false },
);
barSeriesSchema.index({ symbol: 1, year: 1 }, { unique: true });

export type BarSeriesDoc = InferSchemaType<typeof barSeriesSchema>;
export const BarSeries = model('BarSeries', barSeriesSchema, 'bar_series');
