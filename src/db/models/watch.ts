import { Schema, model, type InferSchemaType } from 'mongoose';

/**
 * A member's watchlist, one document per revision: `_id` is `<userId>#<rev>`. A change reads the newest
 * revision n and inserts n + 1; two changes at once cannot both insert n + 1, so the 25-rule limit and the
 * rule numbers hold by unique insert (src/analysis/watchlist-store.ts). Older revisions are deleted once a
 * newer one stands; a reader takes the highest revision per member.
 *
 * Why one document per member and not per rule: next-day-prep reads every watchlist on every close, and on
 * the embedded FerretDB (SQLite) reading costs about 40 µs per document and per stored value, whatever the
 * projection. 10,000 rules as 10,000 documents took ~400 ms to read; as 400 documents with the rules packed
 * into one string each (`rules`, JSON, checked with zod when read) ~60 ms, checks included. Same reason
 * as the bar cache's binary blocks.
 */
const watchlistSchema = new Schema(
  {
    _id: { type: String, required: true },
    userId: { type: String, required: true },
    rev: { type: Number, required: true },
    /** The rules as JSON: [{ id, symbol, kind, value, createdAt }]. */
    rules: { type: String, required: true },
    count: { type: Number, required: true },
    at: { type: Date, required: true },
  },
  { versionKey: false },
);
watchlistSchema.index({ userId: 1, rev: -1 });

/** A member's mute: no watch DMs until `until`. */
const watchMuteSchema = new Schema(
  { _id: { type: String, required: true }, until: { type: Date, required: true }, at: { type: Date, required: true } },
  { versionKey: false },
);

export type WatchlistDoc = InferSchemaType<typeof watchlistSchema>;
export const Watchlist = model('Watchlist', watchlistSchema, 'watchlists');
export const WatchMute = model('WatchMute', watchMuteSchema, 'watch_mutes');

/** Rules as the first release stored them, one document per rule (`<userId>#<slot>`); folded into watchlists at start-up. */
export const LEGACY_WATCH_RULES = 'watch_rules';
