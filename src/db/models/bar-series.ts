import { Schema, model, type InferSchemaType } from 'mongoose';

/**
 * Daily bars of one symbol for one calendar year, as one binary block of columns (see
 * src/market-data/bar-codec.ts for the layout and why).
 *
 * Why not a document per bar: reading the universe (500+ symbols × a year) is the hot path of
 * scans and signals, and on the embedded FerretDB (SQLite) every query on a 150k-document
 * collection is a full scan of about 10 s whatever the filter. One document per symbol-year makes
 * that read ~1,000 documents, and the binary block makes each cheap to decode. (symbol, year) is
 * unique (it is the `_id`) and each date appears once in a block, so a bar per (symbol, date) stays unique.
 * Documents written before the binary layout (arrays `dates`, `open`, …) are still read.
 */
const barSeriesSchema = new Schema(
  {
    /** "<symbol>|<year>" (src/market-data/bar-store.ts barSeriesId): the unique key, and the only index the embedded server uses. */
    _id: { type: String, required: true },
    symbol: { type: String, required: true },
    year: { type: Number, required: true },
    data: { type: Buffer, required: true },
    firstDate: { type: String, required: true },
    lastDate: { type: String, required: true },
    count: { type: Number, required: true },
    source: { type: String, required: true },
    rev: { type: Number, required: true },
    updatedAt: { type: Date, required: true },
  },
  { versionKey: false, strict: false },
);

export type BarSeriesDoc = InferSchemaType<typeof barSeriesSchema>;
export const BarSeries = model('BarSeries', barSeriesSchema, 'bar_series');
