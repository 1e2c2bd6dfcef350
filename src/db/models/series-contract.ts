import { Schema, model } from 'mongoose';

/**
 * What each stored bar series is (`_id` = our symbol): which provider and feed filled it, how it is
 * adjusted, under which provider symbol (an index's proxy ETF), how deep the plan reached. Written when
 * a series is first filled; bars that would change what the series is are refused (fetch-service) and the
 * last refusal kept here for /health. Small (one row per symbol), read by `_id`.
 */
const seriesContractSchema = new Schema(
  {
    _id: { type: String, required: true },
    provider: { type: String, required: true },
    feed: { type: String, required: true },
    adjustment: { type: String, enum: ['split', 'none'], required: true },
    source: { type: String },
    proxy: { type: Boolean },
    depthDays: { type: Number },
    policyMet: { type: Boolean, required: true },
    since: { type: String, required: true },
    updatedAt: { type: Date, required: true },
    lastRefusal: { type: new Schema({ date: String, offered: String, reason: String }, { _id: false }) },
  },
  { versionKey: false },
);

export const SeriesContractDoc = model('SeriesContract', seriesContractSchema, 'series_contracts');

/**
 * A split seen in a symbol's data (`_id` "<symbol>|<date>", a unique insert: the history is re-fetched
 * once). `pending` until the re-fetch is stored, so a crash in between is finished by the next run.
 */
const splitEventSchema = new Schema(
  {
    _id: { type: String, required: true },
    symbol: { type: String, required: true },
    date: { type: String, required: true },
    /** New shares per old share (4 for a 4-for-1 split, 0.1 for a 1-for-10 reverse split). */
    ratio: { type: Number, required: true },
    evidence: { type: String, required: true },
    status: { type: String, enum: ['pending', 'done'], required: true },
    barsReplaced: { type: Number },
    at: { type: Date, required: true },
  },
  { versionKey: false },
);

export const SplitEvent = model('SplitEvent', splitEventSchema, 'split_events');
