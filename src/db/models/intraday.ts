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
 * Once-a-day claims of members' watch rules: `_id` "watch:<user>:<ruleKey>:<date>"; the unique insert is what
 * makes a rule fire once a day, whichever worker and however many slots (each slot's DM has its own outbox key,
 * so the outbox alone cannot say a rule already fired in an earlier slot).
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
