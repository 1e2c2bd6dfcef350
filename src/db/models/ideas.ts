import { Schema, model } from 'mongoose';

/**
 * The entry ideas (src/ideas). `idea_slots`: one document per (date, slot job), `_id` "date|job", inserted once
 * (the unique insert is what makes a slot's ideas exist once across workers) and never changed: what was posted.
 * `idea_months`: the scored record, one document per month of idea dates, `_id` "YYYY-MM", rewritten after each
 * close by score-ideas alone (under a writer lease). Every read is by `_id`. The ideas are kept as one JSON text
 * (`ideasJson`): documents are only ever read and written whole, and the embedded FerretDB converts every nested
 * field on each read and write (a year's months written as nested documents took 1 s, as text a fraction of it).
 */
const ideaSlotSchema = new Schema(
  {
    _id: { type: String, required: true },
    date: { type: String, required: true },
    job: { type: String, required: true },
    at: { type: String, required: true },
    basis: { type: Schema.Types.Mixed, required: true },
    configVersion: { type: Number, required: true },
    ideasJson: { type: String, required: true },
    considered: { type: Number, required: true },
    createdAt: { type: Date, required: true },
  },
  { versionKey: false, minimize: false },
);
export const IdeaSlot = model('IdeaSlot', ideaSlotSchema, 'idea_slots');

const ideaMonthSchema = new Schema(
  { _id: { type: String, required: true }, ideasJson: { type: String, required: true }, scoredThrough: { type: String, required: true }, at: { type: Date, required: true } },
  { versionKey: false, minimize: false },
);
export const IdeaMonth = model('IdeaMonth', ideaMonthSchema, 'idea_months');

/**
 * The universe's setups on a close (src/ideas/setup-store.ts), `_id` the date: what the next day's three idea
 * slots read instead of streaming a year of bars each. Written once (next-day-prep, or the first slot), kept two weeks.
 */
const ideaSetupsSchema = new Schema({ _id: { type: String, required: true }, symbols: { type: [String], default: [] }, columns: { type: Buffer, required: true }, at: { type: Date, required: true } }, { versionKey: false, minimize: false });
export const IdeaSetups = model('IdeaSetups', ideaSetupsSchema, 'idea_setups');
