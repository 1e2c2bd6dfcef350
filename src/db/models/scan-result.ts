import { Schema, model, type InferSchemaType } from 'mongoose';

/** One named scan for one trading date (at most one: unique index), with the inputs' last bar date. */
const scanResultSchema = new Schema(
  {
    scan: { type: String, required: true },
    date: { type: String, required: true },
    dataThrough: { type: String, required: true },
    universe: { type: Number, required: true },
    scanned: { type: Number, required: true },
    skipped: { type: [String], default: [] },
    results: { type: Schema.Types.Mixed, required: true },
    quality: { type: Schema.Types.Mixed, default: null },
    durationMs: { type: Number, required: true },
    createdAt: { type: Date, required: true },
  },
  { versionKey: false, minimize: false },
);
scanResultSchema.index({ scan: 1, date: 1 }, { unique: true });

export type ScanResultDoc = InferSchemaType<typeof scanResultSchema>;
export const ScanResult = model('ScanResult', scanResultSchema, 'scan_results');
