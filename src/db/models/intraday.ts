import { Schema, model, type InferSchemaType } from 'mongoose';

/** A snapshot's `_id`: "<date>T<HH:MM>" (New York), read by `_id` only. */
export const snapshotId = (date: string, slot: string): string => `${date}T${slot}`;

/**
 * The universe's day so far at one 15-minute slot of one session: one provider call, stored once (the
 * first taker inserts it; everyone else in that slot reads it). Columns are one binary block of float64s,
 * as bar series are (open, high, low, last, volume, prevClose, lastTradeAt for each symbol, in order).
 * Never a daily bar. Pruned after two weeks by maintenance-cleanup.
 */
const intradaySnapshotSchema = new Schema(
  {
    _id: { type: String, required: true },
    date: { type: String, required: true },
    slot: { type: String, required: true },
    provider: { type: String, required: true },
    delayed: { type: Boolean, required: true },
    /** The newest trade in it (ms): what "as of" means. */
    asOf: { type: Number, required: true },
    symbols: { type: [String], required: true },
    columns: { type: Buffer, required: true },
    missing: { type: Schema.Types.Mixed, default: {} },
    takenAt: { type: Date, required: true },
  },
  { versionKey: false, minimize: false },
);
export type IntradaySnapshotDoc = InferSchemaType<typeof intradaySnapshotSchema>;
export const IntradaySnapshot = model('IntradaySnapshot', intradaySnapshotSchema, 'intraday_snapshots');

/**
 * Once-a-day claims: a member's watch rule firing during the day, a position alert crossing its threshold.
 * `_id` is the claim ("watch:<user>:<ruleKey>:<date>", "position:<portfolio>:<symbol>:<kind>:<date>"); the
 * unique insert is what makes it once, whichever worker and however many re-runs.
 */
const dayClaimSchema = new Schema(
  {
    _id: { type: String, required: true },
    date: { type: String, required: true },
    /** What fired, in a line, for "earlier today". */
    line: { type: String, default: '' },
    slot: { type: String, default: '' },
    at: { type: Date, required: true },
  },
  { versionKey: false },
);
export const DayClaim = model('DayClaim', dayClaimSchema, 'day_claims');
