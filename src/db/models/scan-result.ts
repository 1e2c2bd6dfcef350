import { Schema, model, type InferSchemaType } from 'mongoose';

/** A stored scan's `_id`: "<scan>|<date>", so /scan reads it by `_id` whatever the history. */
export const scanResultId = (scan: string, date: string): string => `${scan}|${date}`;

/**
 * One named scan for one trading date (at most one: `_id` "<scan>|<date>"), with the inputs' last bar
 * date. Stored scans from before string ids are moved once at start-up (src/runtime/migrations.ts).
 */
const scanResultSchema = new Schema(
  {
    _id: { type: String, default(this: { scan: string; date: string }) { return scanResultId(this.scan, this.date); } },
    scan: { type: String, required: true },
    date: { type: String, required: true },
    dataThrough: { type: String, required: true },
    universe: { type: Number, required: true },
    scanned: { type: Number, required: true },
    skipped: { type: [String], default: [] },
    results: { type: Schema.Types.Mixed, required: true },
    quality: { type: Schema.Types.Mixed, default: null },
    /** A daytime scan: the snapshot it used, or why it fell back to the previous close. */
    basis: { type: Schema.Types.Mixed, default: undefined },
    durationMs: { type: Number, required: true },
    createdAt: { type: Date, required: true },
  },
  { versionKey: false, minimize: false },
);
scanResultSchema.index({ date: 1 });

export type ScanResultDoc = InferSchemaType<typeof scanResultSchema>;
export const ScanResult = model('ScanResult', scanResultSchema, 'scan_results');

/** The latest stored date of each scan (`_id` = the scan's name): `/scan` without a date reads one document. */
const scanLatestSchema = new Schema({ _id: { type: String, required: true }, date: { type: String, required: true } }, { versionKey: false });
export const ScanLatest = model('ScanLatest', scanLatestSchema, 'scan_latest');
