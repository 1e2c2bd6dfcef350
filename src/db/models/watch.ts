import { Schema, model, type InferSchemaType } from 'mongoose';

/**
 * One rule of a member's watchlist. `_id` is `<userId>#<slot>` with slot 1–25: a member's 26th rule has no
 * free slot, and two adds at once cannot take the same slot (the limit holds by unique insert).
 */
const watchRuleSchema = new Schema(
  {
    _id: { type: String, required: true },
    userId: { type: String, required: true },
    slot: { type: Number, required: true },
    symbol: { type: String, required: true },
    kind: { type: String, required: true },
    value: { type: Number, default: null },
    createdAt: { type: Date, required: true },
  },
  { versionKey: false },
);
watchRuleSchema.index({ userId: 1, slot: 1 });
watchRuleSchema.index({ symbol: 1 });

/** A member's mute: no watch DMs until `until`. */
const watchMuteSchema = new Schema(
  { _id: { type: String, required: true }, until: { type: Date, required: true }, at: { type: Date, required: true } },
  { versionKey: false },
);

export type WatchRuleDoc = InferSchemaType<typeof watchRuleSchema>;
export const WatchRuleModel = model('WatchRule', watchRuleSchema, 'watch_rules');
export const WatchMute = model('WatchMute', watchMuteSchema, 'watch_mutes');
