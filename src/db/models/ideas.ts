import { Schema, model } from 'mongoose';

/**
 * The entry ideas (src/ideas). `idea_slots`: one document per (date, slot job), `_id` "date|job", inserted once
 * (the unique insert is what makes a slot's ideas exist once across workers) and never changed: what was posted.
 * `idea_months`: the scored record, one document per month of idea dates, `_id` "YYYY-MM", rewritten after each
 * close by score-ideas alone (under a writer lease). Every read is by `_id`.
 */
const ideaSlotSchema = new Schema(
  {
    _id: { type: String, required: true },
    date: { type: String, required: true },
    job: { type: String, required: true },
    at: { type: String, required: true },
    basis: { type: Schema.Types.Mixed, required: true },
    configVersion: { type: Number, required: true },
    ideas: { type: [Schema.Types.Mixed], default: [] },
    considered: { type: Number, required: true },
    createdAt: { type: Date, required: true },
  },
  { versionKey: false, minimize: false },
);
export const IdeaSlot = model('IdeaSlot', ideaSlotSchema, 'idea_slots');

const ideaMonthSchema = new Schema(
  { _id: { type: String, required: true }, ideas: { type: [Schema.Types.Mixed], default: [] }, scoredThrough: { type: String, required: true }, at: { type: Date, required: true } },
  { versionKey: false, minimize: false },
);
export const IdeaMonth = model('IdeaMonth', ideaMonthSchema, 'idea_months');
